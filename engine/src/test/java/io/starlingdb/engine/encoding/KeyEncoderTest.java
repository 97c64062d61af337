package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class KeyEncoderTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());
    private static final int valuesPerType = 3000;
    private static final int randomPairs = 30000;

    private static byte[] encode(ValueType type, Object value, boolean descending) {
        return new KeyEncoder().write(type, value, descending).toBytes();
    }

    private static String where(ValueType type, boolean descending, Object a, Object b) {
        return type + (descending ? " DESC" : " ASC") + " values " + show(a) + " vs " + show(b) + " (seed " + seed + ")";
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return '"' + s.codePoints().mapToObj(c -> c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : Character.toString(c))
                    .reduce("", String::concat) + '"';
        }
        return String.valueOf(v);
    }

    @ParameterizedTest
    @EnumSource(ValueType.class)
    void byteOrderOfEncodingsEqualsSqlOrder(ValueType type) {
        Random r = new Random(seed ^ type.ordinal());
        for (boolean descending : new boolean[] {false, true}) {
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < valuesPerType; i++) {
                values.add(RandomValues.value(r, type, 0.05));
            }
            values.add(null);
            values.sort(RandomValues.comparator(type, descending));
            byte[][] enc = values.stream().map(v -> encode(type, v, descending)).toArray(byte[][]::new);
            // Neighbours in SQL order cover the closest (hardest) pairs; random pairs cover the rest.
            for (int i = 0; i + 1 < values.size(); i++) {
                assertSameOrder(type, descending, values.get(i), values.get(i + 1), enc[i], enc[i + 1]);
            }
            for (int n = 0; n < randomPairs; n++) {
                int i = r.nextInt(values.size());
                int j = r.nextInt(values.size());
                assertSameOrder(type, descending, values.get(i), values.get(j), enc[i], enc[j]);
            }
        }
    }

    private static void assertSameOrder(ValueType type, boolean descending, Object a, Object b, byte[] ea, byte[] eb) {
        int expected = Integer.signum(RandomValues.compare(type, descending, a, b));
        int actual = Integer.signum(Arrays.compareUnsigned(ea, eb));
        assertEquals(expected, actual, where(type, descending, a, b));
    }

    @ParameterizedTest
    @EnumSource(ValueType.class)
    void decodingReturnsTheEncodedValue(ValueType type) {
        Random r = new Random(seed * 31 + type.ordinal());
        for (int i = 0; i < valuesPerType; i++) {
            Object v = RandomValues.value(r, type, 0.05);
            boolean descending = r.nextBoolean();
            byte[] key = new KeyEncoder().writeTableId(7).write(type, v, descending).write(ValueType.INTEGER, 42, false).toBytes();
            KeyDecoder d = new KeyDecoder(key, 0);
            assertEquals(7, d.readTableId());
            Object back = d.read(type, descending);
            if (v == null) {
                assertNull(back, where(type, descending, v, back));
            } else {
                assertEquals(0, RandomValues.compareValues(type, v, back), where(type, descending, v, back));
            }
            assertEquals(42, d.read(ValueType.INTEGER, false), "the next column decodes after " + show(v));
            assertEquals(key.length, d.position());
        }
    }

    @Test
    void multiColumnTuplesSortLikeSqlEvenWithTrailingBytes() {
        Random r = new Random(seed + 99);
        ValueType[] all = ValueType.values();
        for (int schema = 0; schema < 60; schema++) {
            int columns = 1 + r.nextInt(4);
            ValueType[] types = new ValueType[columns];
            boolean[] desc = new boolean[columns];
            List<List<Object>> pools = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                types[c] = all[r.nextInt(all.length)];
                desc[c] = r.nextBoolean();
                // Small pools make equal leading columns common, so later columns decide the order.
                List<Object> pool = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    pool.add(RandomValues.value(r, types[c], 0.2));
                }
                pools.add(pool);
            }
            List<Object[]> tuples = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            for (int t = 0; t < 150; t++) {
                Object[] tuple = new Object[columns];
                KeyEncoder e = new KeyEncoder();
                for (int c = 0; c < columns; c++) {
                    tuple[c] = pools.get(c).get(r.nextInt(4));
                    e.write(types[c], tuple[c], desc[c]);
                }
                tuples.add(tuple);
                keys.add(e.toBytes());
            }
            for (int n = 0; n < 2000; n++) {
                int i = r.nextInt(tuples.size());
                int j = r.nextInt(tuples.size());
                int expected = 0;
                for (int c = 0; c < columns && expected == 0; c++) {
                    expected = RandomValues.compare(types[c], desc[c], tuples.get(i)[c], tuples.get(j)[c]);
                }
                String msg = "schema " + Arrays.toString(types) + " desc " + Arrays.toString(desc) + " tuples "
                        + Arrays.toString(tuples.get(i)) + " vs " + Arrays.toString(tuples.get(j)) + " (seed " + seed + ")";
                assertEquals(Integer.signum(expected), Integer.signum(Arrays.compareUnsigned(keys.get(i), keys.get(j))), msg);
                if (expected != 0) {
                    byte[] a = withSuffix(keys.get(i), r);
                    byte[] b = withSuffix(keys.get(j), r);
                    assertEquals(Integer.signum(expected), Integer.signum(Arrays.compareUnsigned(a, b)), "with suffixes: " + msg);
                }
            }
        }
    }

    private static byte[] withSuffix(byte[] key, Random r) {
        byte[] suffix = new byte[r.nextInt(6)];
        r.nextBytes(suffix);
        byte[] out = Arrays.copyOf(key, key.length + suffix.length);
        System.arraycopy(suffix, 0, out, key.length, suffix.length);
        return out;
    }

    @Test
    void tableIdsSortAsUnsignedIntegers() {
        int[] ids = {0, 1, 255, 256, Integer.MAX_VALUE, Integer.MIN_VALUE, -1};
        for (int i = 0; i + 1 < ids.length; i++) {
            byte[] a = new KeyEncoder().writeTableId(ids[i]).toBytes();
            byte[] b = new KeyEncoder().writeTableId(ids[i + 1]).toBytes();
            assertTrue(Arrays.compareUnsigned(a, b) < 0, ids[i] + " before " + ids[i + 1]);
            assertEquals(ids[i], new KeyDecoder(a, 0).readTableId());
        }
    }

    @Test
    void equalDecimalsWithDifferentScalesEncodeIdentically() {
        assertArrayEquals(encode(ValueType.DECIMAL, new BigDecimal("1.5"), false),
                encode(ValueType.DECIMAL, new BigDecimal("1.500"), false));
        assertArrayEquals(encode(ValueType.DECIMAL, new BigDecimal("0"), false),
                encode(ValueType.DECIMAL, new BigDecimal("0E+3"), false));
    }

    @Test
    void negativeZeroEqualsZeroAndNaNSortsLast() {
        assertArrayEquals(encode(ValueType.DOUBLE, 0.0, false), encode(ValueType.DOUBLE, -0.0, false));
        assertTrue(Arrays.compareUnsigned(encode(ValueType.DOUBLE, Double.POSITIVE_INFINITY, false),
                encode(ValueType.DOUBLE, Double.NaN, false)) < 0);
        assertTrue(Double.isNaN((Double) new KeyDecoder(encode(ValueType.DOUBLE, Double.NaN, true), 0).read(ValueType.DOUBLE, true)));
    }

    @Test
    void prefixEndIsTheSmallestKeyAfterEveryExtension() {
        assertArrayEquals(new byte[] {1, 3}, KeyEncoder.prefixEnd(new byte[] {1, 2}));
        assertArrayEquals(new byte[] {2}, KeyEncoder.prefixEnd(new byte[] {1, (byte) 0xFF, (byte) 0xFF}));
        assertNull(KeyEncoder.prefixEnd(new byte[] {(byte) 0xFF, (byte) 0xFF}));
        assertNull(KeyEncoder.prefixEnd(new byte[0]));
        byte[] prefix = new KeyEncoder().writeTableId(5).toBytes();
        byte[] inside = new KeyEncoder().writeTableId(5).write(ValueType.VARCHAR, "\uFFFF\uFFFF", true).toBytes();
        byte[] next = new KeyEncoder().writeTableId(6).toBytes();
        byte[] end = KeyEncoder.prefixEnd(prefix);
        assertTrue(Arrays.compareUnsigned(inside, end) < 0);
        assertTrue(Arrays.compareUnsigned(end, next) <= 0);
    }

    @Test
    void byteStringsAreEscapedAndSelfDelimiting() {
        byte[][] strings = {{}, {0}, {0, 0}, {0, 1}, {1}, {(byte) 0xFF}, {(byte) 0xFF, 0}};
        for (byte[] a : strings) {
            byte[] followed = new KeyEncoder().writeBytes(a, false).writeRaw(new byte[] {(byte) 0xFF}).toBytes();
            KeyDecoder d = new KeyDecoder(followed, 0);
            assertArrayEquals(a, d.readBytes(false));
            assertEquals(followed.length - 1, d.position());
            byte[] ea = new KeyEncoder().writeBytes(a, false).toBytes();
            for (byte[] b : strings) {
                byte[] eb = new KeyEncoder().writeBytes(b, false).toBytes();
                assertEquals(Integer.signum(Arrays.compareUnsigned(a, b)), Integer.signum(Arrays.compareUnsigned(ea, eb)),
                        Arrays.toString(a) + " vs " + Arrays.toString(b));
            }
        }
    }

    @Test
    void descendingByteStringsWithZerosDecodeAndLeaveTheDecoderAfterThem() {
        byte[][] strings = {{}, {0}, {0, 0, 7}, {(byte) 0xFF, 0}, {1, 2, 3}};
        KeyEncoder encoder = new KeyEncoder();
        for (byte[] a : strings) {
            encoder.writeBytes(a, true).writeBytes(a, false);
        }
        KeyDecoder d = new KeyDecoder(encoder.toBytes(), 0);
        for (byte[] a : strings) {
            assertArrayEquals(a, d.readBytes(true));
            assertArrayEquals(a, d.readBytes(false));
        }
        assertFalse(d.hasMore());
        byte[] badEscape = {1, 0, 5};
        assertThrows(IllegalArgumentException.class, () -> new KeyDecoder(badEscape, 0).readBytes(false));
    }

    @Test
    void rejectsWrongJavaTypesUnpairedSurrogatesAndMalformedKeys() {
        assertThrows(IllegalArgumentException.class, () -> new KeyEncoder().write(ValueType.BIGINT, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new KeyEncoder().write(ValueType.VARCHAR, "a\uD800b", false));
        byte[] truncated = Arrays.copyOf(encode(ValueType.BIGINT, 5L, false), 4);
        assertThrows(IllegalArgumentException.class, () -> new KeyDecoder(truncated, 0).read(ValueType.BIGINT, false));
        byte[] unterminated = Arrays.copyOf(encode(ValueType.VARCHAR, "abc", false), 4);
        assertThrows(IllegalArgumentException.class, () -> new KeyDecoder(unterminated, 0).read(ValueType.VARCHAR, false));
        assertThrows(IllegalArgumentException.class, () -> new KeyDecoder(new byte[] {7}, 0).read(ValueType.INTEGER, false));
        assertFalse(new KeyDecoder(new byte[0], 0).hasMore());
    }
}
