package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
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
}
