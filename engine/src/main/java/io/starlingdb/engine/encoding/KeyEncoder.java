package io.starlingdb.engine.encoding;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Order-preserving key encoding: for any two value tuples, unsigned lexicographic byte order
 * of the encodings equals the SQL order of the tuples (NULL sorts first ascending, last
 * descending). Encodings are self-delimiting, so a tuple's encoding followed by more bytes
 * still sorts correctly against other tuples.
 *
 * <p>Every value starts with a marker byte, {@code 0x00} for NULL and {@code 0x01} otherwise,
 * followed by a payload that is prefix-free within its type (fixed width, or terminated).
 * A descending value is the ascending encoding with every byte inverted; because the
 * ascending encodings are prefix-free, inversion exactly reverses their order. The payloads
 * and the orders they define (see docs/storage.md):
 * <ul>
 * <li>BOOLEAN: one byte, false &lt; true.
 * <li>INTEGER, DATE: 4 bytes big-endian with the sign bit flipped; BIGINT, TIMESTAMP: 8 bytes likewise.
 * <li>DOUBLE: 8 bytes of the IEEE bits, sign-adjusted. -0.0 is stored as 0.0 (they are equal
 *     in SQL) and every NaN as one NaN that sorts above +Infinity, as in PostgreSQL:
 *     -Infinity &lt; negatives &lt; 0 &lt; positives &lt; +Infinity &lt; NaN.
 * <li>DECIMAL: a class byte (negative 0x01, zero 0x02, positive 0x03), then for non-zero
 *     values the decimal exponent (4 bytes, sign-flipped) and the significant digits two per
 *     byte (1 + 10*d1 + d2), ended by 0x00; negative values invert exponent and digits.
 *     Numerically equal values (1.0, 1.00) encode identically; decoding gives the value with
 *     trailing zeros stripped.
 * <li>VARCHAR: UTF-8 (Unicode code point order) with 0x00 escaped as 0x00 0xFF and ended by 0x00 0x01.
 * </ul>
 * Not thread-safe; one encoder builds one key.
 */
public final class KeyEncoder {

    static final byte NULL_MARKER = 0x00;
    static final byte VALUE_MARKER = 0x01;
    static final byte DECIMAL_NEGATIVE = 0x01;
    static final byte DECIMAL_ZERO = 0x02;
    static final byte DECIMAL_POSITIVE = 0x03;
    static final byte ESCAPE = 0x00;
    static final byte ESCAPED_ZERO = (byte) 0xFF;
    static final byte TERMINATOR = 0x01;

    private byte[] buf;
    private int len;

    public KeyEncoder() {
        this(32);
    }

    public KeyEncoder(int initialCapacity) {
        buf = new byte[Math.max(8, initialCapacity)];
    }

    /** An unsigned 32-bit id (table or index), 4 bytes big-endian, so ids sort numerically as unsigned. */
    public KeyEncoder writeTableId(int tableId) {
        ensure(4);
        putInt(tableId);
        return this;
    }

    /**
     * Appends one column value. value may be null; otherwise it must have the Java type of
     * {@code type} (see {@link ValueType#javaType()}).
     */
    public KeyEncoder write(ValueType type, Object value, boolean descending) {
        int start = len;
        if (value == null) {
            ensure(1);
            buf[len++] = NULL_MARKER;
        } else {
            if (!type.javaType().isInstance(value)) {
                throw new IllegalArgumentException("a " + type + " key column needs a "
                        + type.javaType().getSimpleName() + ", got " + value.getClass().getSimpleName());
            }
            ensure(1);
            buf[len++] = VALUE_MARKER;
            writePayload(type, value);
        }
        if (descending) {
            invert(start, len);
        }
        return this;
    }

    /**
     * Appends an arbitrary byte string, escaped and terminated like VARCHAR (without the NULL
     * marker), so the result is self-delimiting and sorts like the unsigned bytes.
     */
    public KeyEncoder writeBytes(byte[] bytes, boolean descending) {
        int start = len;
        writeEscaped(bytes, 0, bytes.length);
        if (descending) {
            invert(start, len);
        }
        return this;
    }

    /** Appends already-encoded bytes unchanged. */
    public KeyEncoder writeRaw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    /** Appends a long as 8 bytes big-endian, unchanged (callers choose the order they need). */
    public KeyEncoder writeFixedLong(long value) {
        ensure(8);
        putLong(value);
        return this;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    public int length() {
        return len;
    }

    /** Forgets the bytes written so far, keeping the buffer, to build another key. */
    public KeyEncoder reset() {
        len = 0;
        return this;
    }

    /** The smallest key greater than every key that starts with prefix (for range scans); null if none. */
    public static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    private void writePayload(ValueType type, Object value) {
        switch (type) {
            case BOOLEAN -> {
                ensure(1);
                buf[len++] = (byte) (((Boolean) value) ? 1 : 0);
            }
            case INTEGER, DATE -> {
                ensure(4);
                putInt(((Integer) value) ^ Integer.MIN_VALUE);
            }
            case BIGINT, TIMESTAMP -> {
                ensure(8);
                putLong(((Long) value) ^ Long.MIN_VALUE);
            }
            case DOUBLE -> {
                ensure(8);
                putLong(sortableDoubleBits((Double) value));
            }
            case DECIMAL -> writeDecimal((BigDecimal) value);
            case VARCHAR -> {
                byte[] utf8 = strictUtf8((String) value);
                writeEscaped(utf8, 0, utf8.length);
            }
            default -> throw new IllegalArgumentException("no key encoding for " + type);
        }
    }

    static long sortableDoubleBits(double d) {
        double canonical = d == 0.0 ? 0.0 : d; // folds -0.0 into 0.0
        long bits = Double.doubleToLongBits(canonical); // folds every NaN into one
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    private void writeDecimal(BigDecimal value) {
        int signum = value.signum();
        if (signum == 0) {
            ensure(1);
            buf[len++] = DECIMAL_ZERO;
            return;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        String digits = stripped.unscaledValue().abs().toString();
        long exponent = (long) digits.length() - stripped.scale();
        if (exponent > Integer.MAX_VALUE || exponent < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("DECIMAL exponent out of range: " + value);
        }
        ensure(1 + 4 + (digits.length() + 1) / 2 + 1);
        buf[len++] = signum > 0 ? DECIMAL_POSITIVE : DECIMAL_NEGATIVE;
        int start = len;
        putInt(((int) exponent) ^ Integer.MIN_VALUE);
        for (int i = 0; i < digits.length(); i += 2) {
            int hi = digits.charAt(i) - '0';
            int lo = i + 1 < digits.length() ? digits.charAt(i + 1) - '0' : 0;
            buf[len++] = (byte) (1 + hi * 10 + lo);
        }
        buf[len++] = 0;
        if (signum < 0) {
            invert(start, len);
        }
    }

    private void writeEscaped(byte[] bytes, int from, int to) {
        ensure(to - from + 2);
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == ESCAPE) {
                ensure(2 + (to - i) + 1);
                buf[len++] = ESCAPE;
                buf[len++] = ESCAPED_ZERO;
            } else {
                buf[len++] = b;
            }
        }
        ensure(2);
        buf[len++] = ESCAPE;
        buf[len++] = TERMINATOR;
    }

    /** UTF-8 that rejects unpaired surrogates instead of silently replacing them (which would merge distinct keys). */
    static byte[] strictUtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                try {
                    ByteBuffer out = StandardCharsets.UTF_8.newEncoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .encode(CharBuffer.wrap(s));
                    byte[] bytes = new byte[out.remaining()];
                    out.get(bytes);
                    return bytes;
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("string is not valid Unicode (unpaired surrogate)", e);
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void invert(int from, int to) {
        for (int i = from; i < to; i++) {
            buf[i] = (byte) ~buf[i];
        }
    }

    private void putInt(int v) {
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    static BigDecimal decimalOf(String digits, int exponent, boolean negative) {
        BigInteger unscaled = new BigInteger(digits);
        long scale = (long) digits.length() - exponent;
        if (scale > Integer.MAX_VALUE || scale < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("DECIMAL scale out of range in key");
        }
        BigDecimal v = new BigDecimal(unscaled, (int) scale);
        return negative ? v.negate() : v;
    }
}
