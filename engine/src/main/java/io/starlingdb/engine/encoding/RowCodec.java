package io.starlingdb.engine.encoding;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Compact row encoding with column ids, so adding a column needs no rewrite: columns absent
 * from a row decode as null.
 *
 * <p>Layout: a format byte ({@value #FORMAT}), then one entry per non-null column:
 * a varint of {@code columnId << 4 | typeTag}, then the payload. NULL columns are simply
 * absent. The type tag makes every entry skippable without a schema, so a row written before
 * a column was dropped still decodes. Payloads: BOOLEAN one byte; INTEGER, DATE zig-zag
 * varint; BIGINT, TIMESTAMP zig-zag varlong; DOUBLE 8 bytes of IEEE bits; DECIMAL zig-zag
 * varint scale, varint length, two's-complement unscaled bytes; VARCHAR varint length, UTF-8.
 */
public final class RowCodec {

    static final int FORMAT = 1;
    private static final int TAG_BITS = 4;
    /** Type of each tag; ValueType.values() would copy the array on every row. */
    private static final ValueType[] typesByTag = ValueType.values();

    private RowCodec() {
    }

    public static byte[] encode(int[] columnIds, ValueType[] types, Object[] values) {
        if (columnIds.length != types.length || columnIds.length != values.length) {
            throw new IllegalArgumentException("columnIds, types and values differ in length: "
                    + columnIds.length + ", " + types.length + ", " + values.length);
        }
        Writer w = new Writer(16 + 8 * columnIds.length);
        w.byte1(FORMAT);
        for (int i = 0; i < columnIds.length; i++) {
            int id = columnIds[i];
            if (id < 0 || id > (Integer.MAX_VALUE >>> TAG_BITS)) {
                throw new IllegalArgumentException("column id out of range: " + id);
            }
            for (int j = 0; j < i; j++) {
                if (columnIds[j] == id) {
                    throw new IllegalArgumentException("duplicate column id " + id);
                }
            }
            Object v = values[i];
            if (v == null) {
                continue;
            }
            ValueType type = types[i];
            if (!type.javaType().isInstance(v)) {
                throw new IllegalArgumentException("column " + id + " of type " + type + " needs a "
                        + type.javaType().getSimpleName() + ", got " + v.getClass().getSimpleName());
            }
            w.varint((long) id << TAG_BITS | type.ordinal());
            switch (type) {
                case BOOLEAN -> w.byte1(((Boolean) v) ? 1 : 0);
                case INTEGER, DATE -> w.varint(zigzag((Integer) v));
                case BIGINT, TIMESTAMP -> w.varint(zigzag((Long) v));
                case DOUBLE -> w.fixed64(Double.doubleToRawLongBits((Double) v));
                case DECIMAL -> {
                    BigDecimal d = (BigDecimal) v;
                    byte[] unscaled = d.unscaledValue().toByteArray();
                    w.varint(zigzag(d.scale()));
                    w.varint(unscaled.length);
                    w.bytes(unscaled);
                }
                case VARCHAR -> {
                    byte[] utf8 = KeyEncoder.strictUtf8((String) v);
                    w.varint(utf8.length);
                    w.bytes(utf8);
                }
            }
        }
        return w.toBytes();
    }

    /** Values for the requested column ids (in that order); absent ids give null. */
    public static Object[] decode(byte[] row, int[] columnIds, ValueType[] types) {
        if (columnIds.length != types.length) {
            throw new IllegalArgumentException("columnIds and types differ in length");
        }
        Object[] out = new Object[columnIds.length];
        Reader r = new Reader(row);
        int format = r.byte1();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown row format " + format);
        }
        // Entries are usually stored in the order the ids are asked for: try the next one first.
        int expected = 0;
        int found = 0;
        while (r.hasMore() && found < columnIds.length) { // a row holds each id once: stop when all are read
            long header = r.varint();
            long id = header >>> TAG_BITS;
            int tag = (int) (header & ((1 << TAG_BITS) - 1));
            if (tag >= typesByTag.length) {
                throw new IllegalArgumentException("malformed row: type tag " + tag);
            }
            ValueType stored = typesByTag[tag];
            int index = expected < columnIds.length && columnIds[expected] == id ? expected : indexOf(columnIds, id);
            if (index < 0) {
                skip(r, stored);
                continue;
            }
            expected = index + 1;
            found++;
            if (types[index] != stored) {
                throw new IllegalArgumentException("column " + id + " is stored as " + stored
                        + " but was read as " + types[index]);
            }
            out[index] = read(r, stored);
        }
        return out;
    }

    /**
     * The row with only the entries of the given column ids, copied byte for byte (absent ids
     * stay absent, so they decode as null); the row itself when it holds nothing else. A row
     * that is not in this encoding throws IllegalArgumentException.
     */
    public static byte[] project(byte[] row, int[] columnIds) {
        Reader r = new Reader(row);
        int format = r.byte1();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown row format " + format);
        }
        Writer w = null;
        int copiedTo = 0;
        while (r.hasMore()) {
            int entryStart = r.pos;
            long header = r.varint();
            int tag = (int) (header & ((1 << TAG_BITS) - 1));
            if (tag >= typesByTag.length) {
                throw new IllegalArgumentException("malformed row: type tag " + tag);
            }
            skip(r, typesByTag[tag]);
            if (indexOf(columnIds, header >>> TAG_BITS) < 0) {
                if (w == null) {
                    w = new Writer(row.length);
                }
                w.bytes(row, copiedTo, entryStart - copiedTo);
                copiedTo = r.pos;
            }
        }
        if (w == null) {
            return row;
        }
        w.bytes(row, copiedTo, row.length - copiedTo);
        return w.toBytes();
    }

    private static int indexOf(int[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static Object read(Reader r, ValueType type) {
        return switch (type) {
            case BOOLEAN -> r.byte1() != 0;
            case INTEGER, DATE -> (int) unzigzag(r.varint());
            case BIGINT, TIMESTAMP -> unzigzag(r.varint());
            case DOUBLE -> Double.longBitsToDouble(r.fixed64());
            case DECIMAL -> {
                int scale = (int) unzigzag(r.varint());
                byte[] unscaled = r.bytes(r.length());
                yield new BigDecimal(new BigInteger(unscaled), scale);
            }
            case VARCHAR -> r.utf8(r.length());
        };
    }

    private static void skip(Reader r, ValueType type) {
        switch (type) {
            case BOOLEAN -> r.byte1();
            case INTEGER, DATE, BIGINT, TIMESTAMP -> r.varint();
            case DOUBLE -> r.fixed64();
            case DECIMAL -> {
                r.varint();
                r.skip(r.length());
            }
            case VARCHAR -> r.skip(r.length());
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static final class Writer {
        private byte[] buf;
        private int len;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        void byte1(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        void fixed64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        void bytes(byte[] b) {
            bytes(b, 0, b.length);
        }

        void bytes(byte[] b, int from, int n) {
            ensure(n);
            System.arraycopy(b, from, buf, len, n);
            len += n;
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, len);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        boolean hasMore() {
            return pos < buf.length;
        }

        int byte1() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int b = byte1();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed row: varint too long");
        }

        long fixed64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (buf[pos++] & 0xFF);
            }
            return v;
        }

        int length() {
            long n = varint();
            if (n < 0 || n > buf.length - pos) {
                throw new IllegalArgumentException("malformed row: length " + n + " at byte " + pos);
            }
            return (int) n;
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return out;
        }

        String utf8(int n) {
            need(n);
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void skip(int n) {
            need(n);
            pos += n;
        }

        private void need(int n) {
            if (pos + n > buf.length) {
                throw new IllegalArgumentException("malformed row: truncated at byte " + pos);
            }
        }
    }
}
