package io.starlingdb.jdbc.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/** Builds one frame body: big-endian primitives, length-prefixed UTF-8 strings, tagged values. */
final class FrameWriter {

    private byte[] buf = new byte[256];
    private int len;

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    FrameWriter writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    FrameWriter writeBoolean(boolean b) {
        return writeByte(b ? 1 : 0);
    }

    FrameWriter writeInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    FrameWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    /** A string, or null (length -1). */
    FrameWriter writeString(String s) {
        if (s == null) {
            return writeInt(-1);
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Limits.MAX_STRING_BYTES) {
            throw new ProtocolException("string of " + bytes.length + " bytes is over the limit of " + Limits.MAX_STRING_BYTES);
        }
        writeInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    FrameWriter writeValue(Object v) {
        if (v == null) {
            return writeByte(ValueTag.NULL);
        }
        if (v instanceof Boolean b) {
            return writeByte(ValueTag.BOOLEAN).writeBoolean(b);
        }
        if (v instanceof Integer i) {
            return writeByte(ValueTag.INTEGER).writeInt(i);
        }
        if (v instanceof Long l) {
            return writeByte(ValueTag.BIGINT).writeLong(l);
        }
        if (v instanceof Double d) {
            return writeByte(ValueTag.DOUBLE).writeLong(Double.doubleToLongBits(d));
        }
        if (v instanceof BigDecimal d) {
            return writeByte(ValueTag.DECIMAL).writeString(d.toString());
        }
        if (v instanceof String s) {
            return writeByte(ValueTag.VARCHAR).writeString(s);
        }
        if (v instanceof LocalDate d) {
            return writeByte(ValueTag.DATE).writeLong(d.toEpochDay());
        }
        if (v instanceof LocalDateTime t) {
            return writeByte(ValueTag.TIMESTAMP).writeLong(t.toEpochSecond(ZoneOffset.UTC)).writeInt(t.getNano());
        }
        throw new ProtocolException("values of type " + v.getClass().getName() + " cannot be sent");
    }

    int length() {
        return len;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }
}
