package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.RowPredicate.Comparison;
import io.starlingdb.engine.encoding.RowPredicate.Op;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowPredicateTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());

    /** A row with column 1 INTEGER, 2 BIGINT, 3 DECIMAL, 4 VARCHAR; null values are absent. */
    private static byte[] row(Integer a, Long b, BigDecimal c) {
        return RowCodec.encode(new int[] {1, 2, 3, 4},
                new ValueType[] {ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL, ValueType.VARCHAR},
                new Object[] {a, b, c, "text"});
    }

    @Test
    void everyComparisonHoldsAsInSqlAndNullNeverMatches() {
        byte[] row = row(5, 10L, new BigDecimal("2.50"));
        int[][] expected = {
            // value 4, 5, 6 of column 1 against each op: EQ, NE, LT, LE, GT, GE
            {0, 1, 0, 0, 1, 1}, {1, 0, 0, 1, 0, 1}, {0, 1, 1, 1, 0, 0}};
        for (int v = 4; v <= 6; v++) {
            for (Op op : Op.values()) {
                RowPredicate p = new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, op, v)));
                assertEquals(expected[v - 4][op.ordinal()] == 1, p.test(row), "5 " + op + " " + v);
                assertEquals(p.test(row), RowPredicate.decode(p.encode()).test(row), "after the wire: 5 " + op + " " + v);
            }
        }
        // Decimals compare by value, not by scale.
        assertTrue(new RowPredicate(List.of(new Comparison(3, ValueType.DECIMAL, Op.EQ, new BigDecimal("2.5")))).test(row));
        // All comparisons must hold.
        RowPredicate both = new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, Op.GE, 5),
                new Comparison(2, ValueType.BIGINT, Op.LT, 10L)));
        assertFalse(both.test(row));
        // A NULL column fails every comparison, NE included.
        byte[] nulls = row(null, 10L, null);
        for (Op op : Op.values()) {
            assertFalse(new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, op, 5))).test(nulls), "NULL " + op);
        }
    }

    @Test
    void randomPredicatesSurviveTheWireAndAgreeWithADirectEvaluation() {
        Random r = new Random(seed);
        for (int n = 0; n < 2000; n++) {
            List<Comparison> cs = new ArrayList<>();
            for (int i = 0, k = 1 + r.nextInt(4); i < k; i++) {
                cs.add(new Comparison(1, ValueType.INTEGER, Op.values()[r.nextInt(6)], r.nextInt(7) - 3));
            }
            RowPredicate p = new RowPredicate(cs);
            RowPredicate back = RowPredicate.decode(p.encode());
            assertEquals(p.comparisons(), back.comparisons(), "seed " + seed);
            Integer a = r.nextInt(5) == 0 ? null : r.nextInt(7) - 3;
            boolean direct = a != null;
            for (Comparison c : cs) {
                int cmp = Integer.compare(a == null ? 0 : a, (Integer) c.value());
                direct &= switch (c.op()) {
                    case EQ -> cmp == 0;
                    case NE -> cmp != 0;
                    case LT -> cmp < 0;
                    case LE -> cmp <= 0;
                    case GT -> cmp > 0;
                    case GE -> cmp >= 0;
                };
            }
            assertEquals(direct, back.test(row(a, 0L, null)), cs + " on " + a + " (seed " + seed + ")");
        }
    }

    @Test
    void keptColumnsLeaveTheOthersOutOfARowAndAlwaysKeepTheComparedOnes() {
        int[] ids = {1, 2, 3, 4};
        ValueType[] types = {ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL, ValueType.VARCHAR};
        byte[] row = row(5, 10L, new BigDecimal("2.50"));
        RowPredicate p = new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, Op.GE, 0)), new int[] {3});
        assertArrayEquals(new int[] {1, 3}, p.keptColumns());
        for (RowPredicate q : List.of(p, RowPredicate.decode(p.encode()))) {
            byte[] shaped = q.shape(row);
            assertTrue(shaped.length < row.length);
            assertArrayEquals(new Object[] {5, null, new BigDecimal("2.50"), null}, RowCodec.decode(shaped, ids, types));
            assertTrue(q.test(shaped), "a shaped row passes again");
        }
        // Columns alone, no comparison: every row passes, shaped.
        RowPredicate columnsOnly = RowPredicate.decode(new RowPredicate(List.of(), new int[] {4, 2}).encode());
        assertTrue(columnsOnly.test(row));
        assertArrayEquals(new Object[] {null, 10L, null, "text"}, RowCodec.decode(columnsOnly.shape(row), ids, types));
        // Keeping every column the row has returns the row itself; no columns named keeps them all.
        assertSame(row, new RowPredicate(List.of(), new int[] {1, 2, 3, 4, 9}).shape(row));
        RowPredicate comparisonsOnly = new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, Op.GE, 0)));
        assertSame(row, comparisonsOnly.shape(row));
        assertEquals(null, RowPredicate.decode(comparisonsOnly.encode()).keptColumns());
    }

    @Test
    void aProjectedRowDecodesAsTheRowWithTheOtherColumnsNull() {
        Random r = new Random(seed);
        ValueType[] all = {ValueType.BOOLEAN, ValueType.INTEGER, ValueType.BIGINT, ValueType.DOUBLE, ValueType.DECIMAL,
            ValueType.VARCHAR, ValueType.DATE, ValueType.TIMESTAMP};
        for (int n = 0; n < 2000; n++) {
            int width = 1 + r.nextInt(8);
            int[] ids = new int[width];
            ValueType[] types = new ValueType[width];
            Object[] values = new Object[width];
            for (int i = 0; i < width; i++) {
                ids[i] = i * 3 + r.nextInt(3);
                types[i] = all[r.nextInt(all.length)];
                values[i] = r.nextInt(4) == 0 ? null : switch (types[i]) {
                    case BOOLEAN -> r.nextBoolean();
                    case INTEGER, DATE -> r.nextInt();
                    case BIGINT, TIMESTAMP -> r.nextLong();
                    case DOUBLE -> r.nextDouble();
                    case DECIMAL -> new BigDecimal(r.nextInt(100_000)).movePointLeft(r.nextInt(5));
                    case VARCHAR -> "v" + r.nextInt(1000);
                };
            }
            byte[] row = RowCodec.encode(ids, types, values);
            int[] kept = java.util.Arrays.stream(ids).filter(id -> r.nextBoolean()).toArray();
            Object[] expected = values.clone();
            for (int i = 0; i < width; i++) {
                final int id = ids[i];
                if (java.util.Arrays.stream(kept).noneMatch(k -> k == id)) {
                    expected[i] = null;
                }
            }
            assertArrayEquals(expected, RowCodec.decode(RowCodec.project(row, kept), ids, types), "seed " + seed + " row " + n);
        }
    }

    @Test
    void doublesCompareAsPrimitivesWithNaNLeftToTheFilterAndStringsInJavaOrder() {
        int[] ids = {1, 2};
        ValueType[] types = {ValueType.DOUBLE, ValueType.VARCHAR};
        RowPredicate belowZero = new RowPredicate(List.of(new Comparison(1, ValueType.DOUBLE, Op.LE, 0.0)));
        assertTrue(belowZero.test(RowCodec.encode(ids, types, new Object[] {-0.0, "x"})), "-0.0 <= 0.0");
        assertTrue(belowZero.test(RowCodec.encode(ids, types, new Object[] {Double.NaN, "x"})), "NaN: kept for the filter");
        assertFalse(belowZero.test(RowCodec.encode(ids, types, new Object[] {0.25, "x"})));
        assertTrue(new RowPredicate(List.of(new Comparison(1, ValueType.DOUBLE, Op.EQ, -0.0)))
                .test(RowCodec.encode(ids, types, new Object[] {0.0, "x"})), "one zero");
        RowPredicate fromB = RowPredicate.decode(new RowPredicate(List.of(new Comparison(2, ValueType.VARCHAR, Op.GE, "b"))).encode());
        assertTrue(fromB.test(RowCodec.encode(ids, types, new Object[] {1.0, "ba"})));
        assertFalse(fromB.test(RowCodec.encode(ids, types, new Object[] {1.0, "B"})), "'B' sorts before 'b'");
        assertFalse(fromB.test(RowCodec.encode(ids, types, new Object[] {1.0, null})));
    }

    @Test
    void typesThatAreNotComparedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Comparison(1, ValueType.BOOLEAN, Op.EQ, true));
        assertThrows(IllegalArgumentException.class, () -> new Comparison(1, ValueType.DOUBLE, Op.LT, "b"));
        assertThrows(IllegalArgumentException.class, () -> new Comparison(1, ValueType.INTEGER, Op.LT, 5L));
        assertThrows(IllegalArgumentException.class, () -> new RowPredicate(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RowPredicate(Collections.nCopies(RowPredicate.MAX_COMPARISONS + 1,
                new Comparison(1, ValueType.INTEGER, Op.EQ, 1))));
    }

    @Test
    void malformedBytesFromAPeerAreRefusedWithAnError() {
        byte[] good = new RowPredicate(List.of(new Comparison(1, ValueType.DECIMAL, Op.LT, new BigDecimal("12.5")),
                new Comparison(2, ValueType.BIGINT, Op.GE, 3L))).encode();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(truncated), "cut at " + cut);
        }
        Random r = new Random(seed);
        for (int n = 0; n < 2000; n++) {
            byte[] bad = good.clone();
            bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            try {
                RowPredicate.decode(bad);
            } catch (IllegalArgumentException expected) {
                // refused: fine; anything else escaping is the failure
            }
        }
        byte[] withColumns = new RowPredicate(List.of(new Comparison(1, ValueType.INTEGER, Op.EQ, 7)), new int[] {2, 5}).encode();
        for (int cut = 0; cut < withColumns.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(withColumns, cut);
            assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(truncated), "cut at " + cut);
        }
        byte[] huge = java.nio.ByteBuffer.allocate(9).put((byte) 1).putInt(Integer.MAX_VALUE).array();
        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(huge));
    }
}
