package io.starlingdb.jdbc.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Reads one frame body written by {@link FrameWriter}; every read is bounds-checked. */
final class FrameReader {

    private final byte[] buf;
    private int pos;

    FrameReader(byte[] buf) {
        this.buf = buf;
    }

    private void need(int n) {
        if (n < 0 || pos + n > buf.length) {
            throw new ProtocolException("truncated frame: needed " + n + " more bytes at offset " + pos + " of " + buf.length);
        }
    }

    int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    boolean readBoolean() {
        int b = readByte();
        if (b > 1) {
            throw new ProtocolException("boolean byte must be 0 or 1, got " + b);
        }
        return b == 1;
    }

    int readInt() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    /** The next int, without moving past it. */
    int peekInt() {
        int v = readInt();
        pos -= 4;
        return v;
    }

    long readLong() {
        return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    /** A count bounded by max; anything else is a broken or hostile frame. */
    int readCount(int max, String what) {
        int n = readInt();
        if (n < 0 || n > max) {
            throw new ProtocolException(what + " count " + n + " is outside 0.." + max);
        }
        return n;
    }

    String readString() {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > Limits.MAX_STRING_BYTES) {
            throw new ProtocolException("string length " + n + " is outside 0.." + Limits.MAX_STRING_BYTES);
        }
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    Object readValue() {
        int tag = readByte();
        try {
            return switch (tag) {
                case ValueTag.NULL -> null;
                case ValueTag.BOOLEAN -> readBoolean();
                case ValueTag.INTEGER -> readInt();
                case ValueTag.BIGINT -> readLong();
                case ValueTag.DOUBLE -> Double.longBitsToDouble(readLong());
                case ValueTag.DECIMAL -> new BigDecimal(requireNonNull(readString(), "decimal"));
                case ValueTag.VARCHAR -> requireNonNull(readString(), "string");
                case ValueTag.DATE -> LocalDate.ofEpochDay(readLong());
                case ValueTag.TIMESTAMP -> LocalDateTime.ofEpochSecond(readLong(), readInt(), ZoneOffset.UTC);
                default -> throw new ProtocolException("unknown value tag " + tag);
            };
        } catch (NumberFormatException | DateTimeException e) {
            throw new ProtocolException("malformed value with tag " + tag + ": " + e.getMessage());
        }
    }

    private static String requireNonNull(String s, String what) {
        if (s == null) {
            throw new ProtocolException("a " + what + " value must not be a null string");
        }
        return s;
    }

    void expectEnd() {
        if (pos != buf.length) {
            throw new ProtocolException((buf.length - pos) + " unexpected bytes after the message");
        }
    }
}
