package io.starlingdb.engine.encoding;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads values written by {@link KeyEncoder}, in the order and with the directions they were
 * written. A truncated or malformed key raises IllegalArgumentException.
 */
public final class KeyDecoder {

    private final byte[] key;
    private int pos;
    private int mask;

    public KeyDecoder(byte[] key, int offset) {
        if (offset < 0 || offset > key.length) {
            throw new IllegalArgumentException("offset " + offset + " outside key of " + key.length + " bytes");
        }
        this.key = key;
        this.pos = offset;
    }

    public int readTableId() {
        mask = 0;
        return readInt();
    }

    /** The next column value (null for NULL), as the Java type of {@code type}. */
    public Object read(ValueType type, boolean descending) {
        mask = descending ? 0xFF : 0;
        int marker = next();
        if (marker == KeyEncoder.NULL_MARKER) {
            return null;
        }
        if (marker != KeyEncoder.VALUE_MARKER) {
            throw malformed("bad value marker " + marker);
        }
        return switch (type) {
            case BOOLEAN -> {
                int b = next();
                if (b > 1) {
                    throw malformed("bad BOOLEAN byte " + b);
                }
                yield b == 1;
            }
            case INTEGER, DATE -> readInt() ^ Integer.MIN_VALUE;
            case BIGINT, TIMESTAMP -> readLong() ^ Long.MIN_VALUE;
            case DOUBLE -> {
                long bits = readLong();
                yield Double.longBitsToDouble(bits < 0 ? bits ^ Long.MIN_VALUE : ~bits);
            }
            case DECIMAL -> readDecimal();
            case VARCHAR -> utf8(readEscaped());
        };
    }

    /** The next byte string written by {@link KeyEncoder#writeBytes}. */
    public byte[] readBytes(boolean descending) {
        mask = descending ? 0xFF : 0;
        return readEscaped();
    }

    /**
     * Where the ascending byte string written by {@link KeyEncoder#writeBytes} at {@code from}
     * ends (the index after its terminator), found without decoding it; -1 if it has no terminator.
     */
    public static int escapedEnd(byte[] key, int from) {
        for (int i = from; i + 1 < key.length; i++) {
            if (key[i] == KeyEncoder.ESCAPE && key[i + 1] == KeyEncoder.TERMINATOR) {
                return i + 2;
            }
        }
        return -1;
    }

    /** The next 8 bytes as a big-endian long, as written by {@link KeyEncoder#writeFixedLong}. */
    public long readFixedLong() {
        mask = 0;
        return readLong();
    }

    public int position() {
        return pos;
    }

    public boolean hasMore() {
        return pos < key.length;
    }

    private BigDecimal readDecimal() {
        int cls = next();
        if (cls == KeyEncoder.DECIMAL_ZERO) {
            return BigDecimal.ZERO;
        }
        boolean negative;
        if (cls == KeyEncoder.DECIMAL_POSITIVE) {
            negative = false;
        } else if (cls == KeyEncoder.DECIMAL_NEGATIVE) {
            negative = true;
            mask ^= 0xFF;
        } else {
            throw malformed("bad DECIMAL class " + cls);
        }
        int exponent = readInt() ^ Integer.MIN_VALUE;
        StringBuilder digits = new StringBuilder();
        while (true) {
            int pair = next();
            if (pair == 0) {
                break;
            }
            if (pair > 100) {
                throw malformed("bad DECIMAL digit pair " + pair);
            }
            digits.append((char) ('0' + (pair - 1) / 10)).append((char) ('0' + (pair - 1) % 10));
        }
        // An odd digit count was padded with one zero; significant digits never end in zero.
        int n = digits.length();
        if (n == 0) {
            throw malformed("DECIMAL without digits");
        }
        if (digits.charAt(n - 1) == '0') {
            digits.setLength(n - 1);
        }
        return KeyEncoder.decimalOf(digits.toString(), exponent, negative);
    }

    /**
     * Unescapes the next byte string in two passes over the key: one finds its end and decoded
     * length, the other fills an array of exactly that length (keys are decoded once per row
     * scanned, so no growing buffer).
     */
    private byte[] readEscaped() {
        int start = pos;
        if (mask == 0) {
            // Ascending and without a zero byte (the common key): the bytes up to the terminator, copied at once.
            int i = start;
            while (i < key.length && key[i] != KeyEncoder.ESCAPE) {
                i++;
            }
            if (i + 1 < key.length && key[i + 1] == KeyEncoder.TERMINATOR) {
                pos = i + 2;
                return Arrays.copyOfRange(key, start, i);
            }
        }
        int length = 0;
        while (true) {
            int b = next();
            if (b == KeyEncoder.ESCAPE) {
                int e = next();
                if (e == KeyEncoder.TERMINATOR) {
                    break;
                }
                if (e != (KeyEncoder.ESCAPED_ZERO & 0xFF)) {
                    throw malformed("bad escape " + e);
                }
            }
            length++;
        }
        byte[] out = new byte[length];
        int from = start;
        for (int i = 0; i < length; i++) {
            int b = (key[from++] ^ mask) & 0xFF;
            if (b == KeyEncoder.ESCAPE) {
                from++; // the ESCAPED_ZERO after it
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("malformed key: invalid UTF-8", e);
        }
    }

    private int next() {
        if (pos >= key.length) {
            throw malformed("truncated at byte " + pos);
        }
        return (key[pos++] ^ mask) & 0xFF;
    }

    private int readInt() {
        return next() << 24 | next() << 16 | next() << 8 | next();
    }

    private long readLong() {
        return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    private IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed key: " + why);
    }
}
