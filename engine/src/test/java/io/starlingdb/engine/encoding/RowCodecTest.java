package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowCodecTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());

    @Test
    void randomRowsOfEveryTypeRoundTrip() {
        Random r = new Random(seed);
        ValueType[] all = ValueType.values();
        for (int n = 0; n < 3000; n++) {
            int columns = r.nextInt(12);
            int[] ids = new int[columns];
            ValueType[] types = new ValueType[columns];
            Object[] values = new Object[columns];
            int nextId = r.nextInt(3);
            for (int c = 0; c < columns; c++) {
                nextId += 1 + r.nextInt(r.nextBoolean() ? 2 : 5000);
                ids[c] = nextId;
                types[c] = all[r.nextInt(all.length)];
                values[c] = RandomValues.value(r, types[c], 0.2);
            }
            Object[] back = RowCodec.decode(RowCodec.encode(ids, types, values), ids, types);
            for (int c = 0; c < columns; c++) {
                String msg = "column " + ids[c] + " " + types[c] + " (seed " + seed + ")";
                if (values[c] instanceof BigDecimal d) {
                    // Rows keep the exact scale, unlike keys.
                    assertEquals(d, back[c], msg);
                } else if (values[c] instanceof Double d) {
                    assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back[c]), msg);
                } else {
                    assertEquals(values[c], back[c], msg);
                }
            }
        }
    }

    @Test
    void columnAddedAfterTheRowWasWrittenReadsAsNull() {
        byte[] row = RowCodec.encode(new int[] {1, 2}, new ValueType[] {ValueType.BIGINT, ValueType.VARCHAR},
                new Object[] {7L, "seven"});
        Object[] read = RowCodec.decode(row, new int[] {1, 2, 3},
                new ValueType[] {ValueType.BIGINT, ValueType.VARCHAR, ValueType.DECIMAL});
        assertArrayEquals(new Object[] {7L, "seven", null}, read);
    }

    @Test
    void readsASubsetInAnyOrderSkippingOtherColumns() {
        int[] ids = {1, 2, 3, 4, 5, 6, 7, 8};
        ValueType[] types = ValueType.values();
        Object[] values = {true, 3, 4L, 1.5, new BigDecimal("-12.340"), "x\u0000y", 19000, 1700000000000L};
        byte[] row = RowCodec.encode(ids, types, values);
        Object[] read = RowCodec.decode(row, new int[] {8, 5, 1}, new ValueType[] {ValueType.TIMESTAMP, ValueType.DECIMAL, ValueType.BOOLEAN});
        assertArrayEquals(new Object[] {1700000000000L, new BigDecimal("-12.340"), true}, read);
    }

    @Test
    void nullColumnsTakeNoSpace() {
        byte[] withNulls = RowCodec.encode(new int[] {1, 2, 3}, new ValueType[] {ValueType.INTEGER, ValueType.VARCHAR, ValueType.DOUBLE},
                new Object[] {5, null, null});
        byte[] without = RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.INTEGER}, new Object[] {5});
        assertArrayEquals(without, withNulls);
        assertTrue(without.length <= 3, "format byte, header and a one-byte varint: " + without.length);
        assertNull(RowCodec.decode(withNulls, new int[] {2}, new ValueType[] {ValueType.VARCHAR})[0]);
    }

    @Test
    void rejectsTypeMismatchDuplicateIdsAndCorruptRows() {
        byte[] row = RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.VARCHAR}, new Object[] {"abc"});
        assertThrows(IllegalArgumentException.class, () -> RowCodec.decode(row, new int[] {1}, new ValueType[] {ValueType.BIGINT}));
        assertThrows(IllegalArgumentException.class, () -> RowCodec.encode(new int[] {1, 1},
                new ValueType[] {ValueType.INTEGER, ValueType.INTEGER}, new Object[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> RowCodec.encode(new int[] {1},
                new ValueType[] {ValueType.INTEGER}, new Object[] {1L}));
        byte[] truncated = Arrays.copyOf(row, row.length - 1);
        assertThrows(IllegalArgumentException.class, () -> RowCodec.decode(truncated, new int[] {1}, new ValueType[] {ValueType.VARCHAR}));
        byte[] badFormat = row.clone();
        badFormat[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> RowCodec.decode(badFormat, new int[] {1}, new ValueType[] {ValueType.VARCHAR}));
    }

    private static int sign(int x) {
        return Integer.signum(x);
    }

    @Test
    void utf8ComparesAsTheDecodedStringsDo() {
        Random r = new Random(seed);
        for (int n = 0; n < 200_000; n++) {
            String a = (String) RandomValues.value(r, ValueType.VARCHAR, 0);
            // Half the pairs share a prefix: b is a with one character changed, cut or extended.
            String b = r.nextBoolean() ? (String) RandomValues.value(r, ValueType.VARCHAR, 0) : variant(r, a);
            byte[] x = a.getBytes(StandardCharsets.UTF_8);
            byte[] y = b.getBytes(StandardCharsets.UTF_8);
            assertEquals(sign(a.compareTo(b)), sign(RowCodec.compareUtf8(x, 0, x.length, y, 0, y.length)),
                    "'" + a + "' against '" + b + "' (seed " + seed + ")");
        }
        // The one place code point order and UTF-16 order part: a character above U+FFFF against U+E000-U+FFFF.
        byte[] supplementary = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        byte[] privateUse = "\uE000".getBytes(StandardCharsets.UTF_8);
        assertTrue(RowCodec.compareUtf8(supplementary, 0, supplementary.length, privateUse, 0, privateUse.length) < 0);
        assertTrue(RowCodec.compareUtf8(privateUse, 0, privateUse.length, supplementary, 0, supplementary.length) > 0);
    }

    private static String variant(Random r, String a) {
        StringBuilder sb = new StringBuilder(a);
        switch (r.nextInt(3)) {
            case 0 -> sb.setLength(a.isEmpty() ? 0 : r.nextInt(a.length()));
            case 1 -> sb.append((String) RandomValues.value(r, ValueType.VARCHAR, 0));
            default -> {
                if (!a.isEmpty()) {
                    int at = r.nextInt(a.length());
                    if (!Character.isSurrogate(a.charAt(at))) {
                        sb.setCharAt(at, (char) (a.charAt(at) + (r.nextBoolean() ? 1 : -1) & 0xD7FF));
                    }
                }
            }
        }
        return sb.toString();
    }

    @Test
    void malformedUtf8ComparesAsItsDecodingDoes() {
        // Bytes that start, continue, overlong or out-of-range sequences, and plain ASCII.
        int[] alphabet = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xEE, 0xEF,
            0xF0, 0xF4, 0xF5, 0xFF};
        Random r = new Random(seed);
        for (int n = 0; n < 200_000; n++) {
            byte[] x = randomBytes(r, alphabet, null);
            byte[] y = randomBytes(r, alphabet, r.nextBoolean() ? x : null);
            // Each within a larger array, at an offset.
            byte[] bx = new byte[x.length + 3];
            byte[] by = new byte[y.length + 5];
            System.arraycopy(x, 0, bx, 1, x.length);
            System.arraycopy(y, 0, by, 2, y.length);
            int expected = new String(x, StandardCharsets.UTF_8).compareTo(new String(y, StandardCharsets.UTF_8));
            assertEquals(sign(expected), sign(RowCodec.compareUtf8(bx, 1, 1 + x.length, by, 2, 2 + y.length)),
                    Arrays.toString(x) + " against " + Arrays.toString(y) + " (seed " + seed + ")");
        }
    }

    /** Random bytes of the alphabet; with a prefix given, that prefix cut somewhere and then random bytes. */
    private static byte[] randomBytes(Random r, int[] alphabet, byte[] prefix) {
        int keep = prefix == null ? 0 : r.nextInt(prefix.length + 1);
        byte[] out = new byte[keep + r.nextInt(6)];
        if (prefix != null) {
            System.arraycopy(prefix, 0, out, 0, keep);
        }
        for (int i = keep; i < out.length; i++) {
            out[i] = (byte) alphabet[r.nextInt(alphabet.length)];
        }
        return out;
    }

    @Test
    void fieldsReadColumnsInPlaceAtAnOffset() {
        int[] ids = {1, 2, 3, 4, 5, 6};
        ValueType[] types = {ValueType.INTEGER, ValueType.BIGINT, ValueType.DOUBLE, ValueType.VARCHAR, ValueType.DECIMAL,
            ValueType.DATE};
        Random r = new Random(seed);
        // Asked in another order than stored, one id no row holds, one id past the indexed ones.
        int[] asked = {6, 3, 1, 9, 4, 2, 5};
        ValueType[] askedTypes = {ValueType.DATE, ValueType.DOUBLE, ValueType.INTEGER, ValueType.BIGINT, ValueType.VARCHAR,
            ValueType.BIGINT, ValueType.DECIMAL};
        RowCodec.Fields fields = new RowCodec.Fields(asked, askedTypes);
        RowCodec.Fields far = new RowCodec.Fields(new int[] {1, 100_000}, new ValueType[] {ValueType.INTEGER, ValueType.BIGINT});
        for (int n = 0; n < 2_000; n++) {
            Object[] values = new Object[ids.length];
            for (int i = 0; i < ids.length; i++) {
                values[i] = RandomValues.value(r, types[i], 0.3);
            }
            byte[] row = RowCodec.encode(ids, types, values);
            byte[] padded = new byte[row.length + 7];
            Arrays.fill(padded, (byte) 0x85);
            System.arraycopy(row, 0, padded, 4, row.length);
            fields.read(padded, 4, 4 + row.length);
            Object[] decoded = RowCodec.decode(row, asked, askedTypes);
            for (int i = 0; i < asked.length; i++) {
                assertEquals(decoded[i] != null, fields.has(i), "column " + asked[i]);
                assertEquals(decoded[i], fields.value(i));
                if (decoded[i] instanceof Integer || decoded[i] instanceof Long) {
                    assertEquals(((Number) decoded[i]).longValue(), fields.longValue(i));
                } else if (decoded[i] instanceof Double d) {
                    assertEquals(d, fields.doubleValue(i));
                } else if (decoded[i] instanceof String s) {
                    assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), fields.utf8(i));
                    assertEquals(0, fields.compareString(i, s.getBytes(StandardCharsets.UTF_8)));
                }
            }
            far.read(row, 0, row.length);
            assertEquals(values[0], far.value(0));
            assertNull(far.value(1));
        }
        // A row cut short, or an asked column stored as another type, is refused.
        byte[] row = RowCodec.encode(ids, types, new Object[] {1, 2L, 3.0, "four", BigDecimal.ONE, 6});
        assertThrows(IllegalArgumentException.class, () -> fields.read(row, 0, row.length - 1));
        assertThrows(IllegalArgumentException.class, () -> new RowCodec.Fields(new int[] {2}, new ValueType[] {ValueType.INTEGER})
                .read(row, 0, row.length));
        assertThrows(IllegalArgumentException.class, () -> fields.read(row, 1, row.length));
    }
}
