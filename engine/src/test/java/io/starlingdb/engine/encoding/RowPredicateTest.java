package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void typesWhoseJavaOrderIsNotSqlsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Comparison(1, ValueType.DOUBLE, Op.EQ, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Comparison(1, ValueType.VARCHAR, Op.LT, "b"));
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
        byte[] huge = java.nio.ByteBuffer.allocate(9).put((byte) 1).putInt(Integer.MAX_VALUE).array();
        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(huge));
    }
}
