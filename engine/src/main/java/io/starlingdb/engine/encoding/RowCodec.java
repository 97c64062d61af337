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
            ValueType stored = storedType(header);
            int index = expected < columnIds.length && columnIds[expected] == id ? expected : indexOf(columnIds, id);
            if (index < 0) {
                skip(r, stored);
                continue;
            }
            expected = index + 1;
            found++;
            checkStored(id, types[index], stored);
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
            skip(r, storedType(header));
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

    /**
     * A reader of some columns of rows, made once and used for many rows (a scan's): {@link #read}
     * finds where each asked column's value is in one pass over a row's entries, checking that it is
     * stored as the type asked and that every entry up to the last asked one is whole; its values are
     * then read in place, integers and doubles without boxing. Not thread-safe.
     */
    public static final class Fields {
        /** Column ids up to this are found through an array indexed by id; larger ones by a search. */
        private static final int MAX_INDEXED_ID = 4_096;

        private final int[] ids;
        private final ValueType[] types;
        /** Index of each id in ids (-1: not asked), or null when some id is too large for it. */
        private final int[] slotById;
        /** Per asked column: where its payload starts in the row, or -1 (NULL). */
        private final int[] positions;
        private final Reader reader = new Reader(new byte[0]);

        public Fields(int[] ids, ValueType[] types) {
            if (ids.length != types.length) {
                throw new IllegalArgumentException("ids and types differ in length");
            }
            this.ids = ids.clone();
            this.types = types.clone();
            this.positions = new int[ids.length];
            int max = Arrays.stream(ids).max().orElse(-1);
            if (max <= MAX_INDEXED_ID) {
                slotById = new int[max + 1];
                Arrays.fill(slotById, -1);
                for (int i = ids.length - 1; i >= 0; i--) {
                    slotById[ids[i]] = i;
                }
            } else {
                slotById = null;
            }
        }

        /**
         * Reads the entries of row[from, to) (one row in this encoding) up to the last asked column.
         * A row that is not in this encoding, or holds an asked column as another type, throws
         * IllegalArgumentException.
         */
        public void read(byte[] row, int from, int to) {
            Arrays.fill(positions, -1);
            Reader r = reader;
            r.reset(row, from, to);
            int format = r.byte1();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown row format " + format);
            }
            int found = 0;
            while (r.hasMore() && found < ids.length) { // a row holds each id once: stop when all are read
                long header = r.varint();
                long id = header >>> TAG_BITS;
                ValueType stored = storedType(header);
                int slot = slotById != null ? (id < slotById.length ? slotById[(int) id] : -1) : indexOf(ids, id);
                if (slot >= 0 && positions[slot] < 0) {
                    checkStored(id, types[slot], stored);
                    positions[slot] = r.pos;
                    found++;
                }
                skip(r, stored); // checks the payload is whole, so reading it later cannot run past the row
            }
        }

        /** Whether the asked column i is in the row read (not NULL). */
        public boolean has(int i) {
            return positions[i] >= 0;
        }

        /** Column i (present) of an INTEGER, DATE, BIGINT or TIMESTAMP column. */
        public long longValue(int i) {
            reader.pos = positions[i];
            long v = unzigzag(reader.varint());
            return types[i] == ValueType.INTEGER || types[i] == ValueType.DATE ? (int) v : v;
        }

        /** Column i (present) of a DOUBLE column. */
        public double doubleValue(int i) {
            reader.pos = positions[i];
            return Double.longBitsToDouble(reader.fixed64());
        }

        /** Column i as {@link #decode} answers it: its Java value, or null. */
        public Object value(int i) {
            if (positions[i] < 0) {
                return null;
            }
            reader.pos = positions[i];
            return RowCodec.read(reader, types[i]);
        }

        /**
         * Column i (present) of a VARCHAR column against UTF-8 bytes, in {@link String#compareTo}'s
         * order of the strings they decode to.
         */
        public int compareString(int i, byte[] utf8) {
            reader.pos = positions[i];
            int n = reader.length();
            return compareUtf8(reader.buf, reader.pos, reader.pos + n, utf8, 0, utf8.length);
        }

        /** The UTF-8 bytes of column i (present) of a VARCHAR column, copied. */
        public byte[] utf8(int i) {
            reader.pos = positions[i];
            return reader.bytes(reader.length());
        }
    }

    /**
     * The order of {@link String#compareTo} (UTF-16 code units) of the strings that UTF-8 bytes
     * a[aFrom, aTo) and b[bFrom, bTo) decode to (malformed sequences as U+FFFD), without decoding
     * them where both are well-formed: the bytes compare as code points do, which is the UTF-16
     * order except that a character above U+FFFF (a surrogate pair, D800-DBFF first) sorts before
     * U+E000-U+FFFF there and after them here, which the first differing character settles.
     */
    public static int compareUtf8(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
        int n = Math.min(aTo - aFrom, bTo - bFrom);
        int d = Arrays.mismatch(a, aFrom, aFrom + n, b, bFrom, bFrom + n);
        if (d < 0) {
            // One is a prefix of the other: the shorter is less if the common bytes end with a
            // whole character (then the longer decodes to the same characters and more).
            if (aTo - aFrom == bTo - bFrom) {
                return 0;
            }
            int last = n - 1;
            while (last > 0 && (a[aFrom + last] & 0xC0) == 0x80) {
                last--;
            }
            boolean whole = n == 0 || codePoint(a, aFrom + last, aFrom + n) >= 0 && aFrom + last + sequenceLength(a[aFrom + last]) == aFrom + n;
            return whole ? Integer.compare(aTo - aFrom, bTo - bFrom) : decodedCompare(a, aFrom, aTo, b, bFrom, bTo);
        }
        // The first character in which they differ starts at the same offset in both: back over
        // continuation bytes (10xxxxxx), which are the same in both before d.
        int start = d;
        while (start > 0 && ((a[aFrom + start] & 0xC0) == 0x80 || (b[bFrom + start] & 0xC0) == 0x80)) {
            start--;
        }
        int x = codePoint(a, aFrom + start, aTo);
        int y = codePoint(b, bFrom + start, bTo);
        if (x < 0 || y < 0 || x == y) {
            // Malformed, or the same character with the difference after it (a stray continuation byte).
            return decodedCompare(a, aFrom, aTo, b, bFrom, bTo);
        }
        return Integer.compare(utf16First(x, y), utf16First(y, x));
    }

    /** Code point x's place against y's in UTF-16 order: its code point, or its high surrogate against a BMP y. */
    private static int utf16First(int x, int y) {
        return x > 0xFFFF && y <= 0xFFFF ? Character.highSurrogate(x) : x;
    }

    private static int decodedCompare(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
        return new String(a, aFrom, aTo - aFrom, StandardCharsets.UTF_8)
                .compareTo(new String(b, bFrom, bTo - bFrom, StandardCharsets.UTF_8));
    }

    /** The bytes of the UTF-8 sequence a lead byte starts (1 for anything else). */
    private static int sequenceLength(byte lead) {
        int b0 = lead & 0xFF;
        return b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
    }

    /**
     * The code point of the well-formed UTF-8 sequence at buf[i] (shortest form, no surrogates, at
     * most U+10FFFF, whole before end), or -1.
     */
    private static int codePoint(byte[] buf, int i, int end) {
        int b0 = buf[i] & 0xFF;
        if (b0 < 0x80) {
            return b0;
        }
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 1;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 2;
            lo = b0 == 0xE0 ? 0xA0 : 0x80;
            hi = b0 == 0xED ? 0x9F : 0xBF;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 3;
            lo = b0 == 0xF0 ? 0x90 : 0x80;
            hi = b0 == 0xF4 ? 0x8F : 0xBF;
        } else {
            return -1;
        }
        if (i + n >= end) {
            return -1;
        }
        int cp = b0 & (0x3F >> n);
        for (int k = 1; k <= n; k++) {
            int c = buf[i + k] & 0xFF;
            if (k == 1 ? c < lo || c > hi : (c & 0xC0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | (c & 0x3F);
        }
        return cp;
    }

    /** The type an entry's header says its value is stored as; a tag of no type is a malformed row. */
    private static ValueType storedType(long header) {
        int tag = (int) (header & ((1 << TAG_BITS) - 1));
        if (tag >= typesByTag.length) {
            throw new IllegalArgumentException("malformed row: type tag " + tag);
        }
        return typesByTag[tag];
    }

    /** A column read as another type than it is stored as is refused. */
    private static void checkStored(long id, ValueType asked, ValueType stored) {
        if (asked != stored) {
            throw new IllegalArgumentException("column " + id + " is stored as " + stored + " but was read as " + asked);
        }
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
        private byte[] buf;
        private int pos;
        /** Where the row ends in buf. */
        private int end;

        Reader(byte[] buf) {
            reset(buf, 0, buf.length);
        }

        void reset(byte[] row, int from, int to) {
            if (from < 0 || from > to || to > row.length) {
                throw new IllegalArgumentException("no row at [" + from + ", " + to + ") of " + row.length + " bytes");
            }
            buf = row;
            pos = from;
            end = to;
        }

        boolean hasMore() {
            return pos < end;
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
            if (n < 0 || n > end - pos) {
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
            if (pos + n > end) {
                throw new IllegalArgumentException("malformed row: truncated at byte " + pos);
            }
        }
    }
}
