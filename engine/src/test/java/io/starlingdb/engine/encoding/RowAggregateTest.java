package io.starlingdb.engine.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.RowAggregate.Call;
import io.starlingdb.engine.encoding.RowAggregate.Function;
import io.starlingdb.engine.encoding.RowAggregate.Partial;
import io.starlingdb.engine.encoding.RowPredicate.Comparison;
import io.starlingdb.engine.encoding.RowPredicate.Op;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowAggregateTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());

    /** The columns of the random rows: 1..6 aggregated, 7 never present, 8 and 9 present but not aggregated. */
    private static final int[] ids = {1, 2, 3, 4, 5, 6, 8, 9};
    private static final ValueType[] types = {ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL, ValueType.VARCHAR,
        ValueType.DATE, ValueType.TIMESTAMP, ValueType.DOUBLE, ValueType.BOOLEAN};
    private static final int absentColumn = 7;
    private static final int decimalScale = 2;

    private static final int[] specialInts = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1,
        Integer.MAX_VALUE, -1, 0, 1};
    private static final long[] specialLongs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE,
        -1, 0, 1};

    /** Every call of every function the column types allow, a duplicate, and calls of a column no row has. */
    private static List<Call> allCalls() {
        List<Call> calls = new ArrayList<>();
        calls.add(Call.countRows());
        for (int i = 0; i < 6; i++) {
            calls.add(new Call(Function.COUNT, ids[i], types[i]));
            if (RowAggregate.SUMMED_TYPES.contains(types[i])) {
                calls.add(new Call(Function.SUM, ids[i], types[i]));
                calls.add(new Call(Function.SUM0, ids[i], types[i]));
            }
            calls.add(new Call(Function.MIN, ids[i], types[i]));
            calls.add(new Call(Function.MAX, ids[i], types[i]));
        }
        calls.add(new Call(Function.SUM, 2, ValueType.BIGINT)); // the same call twice
        calls.add(Call.countRows());
        calls.add(new Call(Function.COUNT, absentColumn, ValueType.INTEGER));
        calls.add(new Call(Function.SUM, absentColumn, ValueType.INTEGER));
        calls.add(new Call(Function.SUM0, absentColumn, ValueType.INTEGER));
        calls.add(new Call(Function.MIN, absentColumn, ValueType.INTEGER));
        calls.add(new Call(Function.MAX, absentColumn, ValueType.INTEGER));
        calls.add(new Call(Function.COUNT, 8, ValueType.DOUBLE)); // COUNT reads any type
        // A column absent from every row, aggregated as DECIMAL: SUM null, SUM0 BigDecimal.ZERO.
        calls.add(new Call(Function.SUM, 10, ValueType.DECIMAL));
        calls.add(new Call(Function.SUM0, 10, ValueType.DECIMAL));
        return calls;
    }

    private static Object randomValue(Random r, ValueType type, double nullChance) {
        if (r.nextDouble() < nullChance) {
            return null;
        }
        boolean special = r.nextInt(4) == 0;
        return switch (type) {
            case INTEGER -> special ? specialInts[r.nextInt(specialInts.length)] : r.nextInt() >> r.nextInt(32);
            case BIGINT -> special ? specialLongs[r.nextInt(specialLongs.length)] : r.nextLong() >> r.nextInt(64);
            case DECIMAL -> new BigDecimal(new BigInteger(1 + r.nextInt(100), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)),
                    decimalScale);
            case VARCHAR -> RandomValues.value(r, ValueType.VARCHAR, 0);
            case DATE -> special ? specialInts[r.nextInt(specialInts.length)] : r.nextInt(200_000) - 100_000;
            case TIMESTAMP -> special ? specialLongs[r.nextInt(specialLongs.length)] : r.nextLong() >> r.nextInt(64);
            case DOUBLE -> r.nextGaussian();
            case BOOLEAN -> r.nextBoolean();
        };
    }

    private static Object[][] randomRows(Random r, int n) {
        double nullChance = r.nextDouble() * 0.6;
        Object[][] rows = new Object[n][];
        for (int i = 0; i < n; i++) {
            Object[] values = new Object[ids.length];
            for (int c = 0; c < ids.length; c++) {
                values[c] = randomValue(r, types[c], nullChance);
            }
            rows[i] = values;
        }
        return rows;
    }

    /** The aggregate computed directly of the rows' values: integer sums exact (a BigDecimal when out of the long range). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object[] model(List<Call> calls, Object[][] rows) {
        Object[] out = new Object[calls.size()];
        for (int i = 0; i < out.length; i++) {
            Call call = calls.get(i);
            if (call.function() == Function.COUNT_ROWS) {
                out[i] = (long) rows.length;
                continue;
            }
            int column = -1;
            for (int c = 0; c < ids.length; c++) {
                if (ids[c] == call.columnId()) {
                    column = c;
                }
            }
            long count = 0;
            BigInteger longSum = BigInteger.ZERO;
            BigDecimal decimalSum = null;
            Object min = null;
            Object max = null;
            for (Object[] row : rows) {
                Object v = column < 0 ? null : row[column];
                if (v == null) {
                    continue;
                }
                count++;
                if (v instanceof BigDecimal d) {
                    decimalSum = decimalSum == null ? d : decimalSum.add(d);
                } else if (v instanceof Number n) {
                    longSum = longSum.add(BigInteger.valueOf(n.longValue()));
                }
                if (min == null || ((Comparable) v).compareTo(min) < 0) {
                    min = v;
                }
                if (max == null || ((Comparable) v).compareTo(max) > 0) {
                    max = v;
                }
            }
            boolean decimal = call.type() == ValueType.DECIMAL;
            Object sum = count == 0 ? null : decimal ? decimalSum
                    : longSum.bitLength() <= 63 ? (Object) longSum.longValue() : new BigDecimal(longSum);
            out[i] = switch (call.function()) {
                case COUNT -> count;
                case SUM -> sum;
                case SUM0 -> sum != null ? sum : decimal ? BigDecimal.ZERO : (Object) 0L;
                case MIN -> min;
                case MAX -> max;
                case COUNT_ROWS -> throw new AssertionError();
            };
        }
        return out;
    }

    private static byte[] encodeRow(Object[] values) {
        return RowCodec.encode(ids, types, values);
    }

    @Test
    void chunksFoldedApartAndMergedAfterTheWireGiveTheWholeFoldAndTheModel() {
        List<Call> calls = allCalls();
        RowAggregate aggregate = new RowAggregate(calls);
        RowAggregate sameCalls = new RowAggregate(calls); // another instance: partials of equal aggregates merge
        boolean sumsWrapped = false;
        for (int s = 0; s < 8; s++) {
            long runSeed = seed + s;
            String where = "seed " + runSeed;
            Random r = new Random(runSeed);
            Object[][] rows = randomRows(r, 200 + r.nextInt(300));
            byte[][] encoded = Arrays.stream(rows).map(RowAggregateTest::encodeRow).toArray(byte[][]::new);
            Object[] expected = model(calls, rows);

            Partial whole = aggregate.start();
            for (byte[] row : encoded) {
                whole.fold(row);
            }
            assertFalse(whole.unreadable(), where);
            assertEquals(rows.length, whole.rows(), where);
            assertArrayEquals(expected, whole.values(), where);
            assertArrayEquals(expected, aggregate.decodePartial(whole.encode()).values(), "whole after the wire, " + where);

            for (int split = 0; split < 20; split++) {
                // Cut points, repeats allowed (empty chunks), 0 and rows.length included.
                int cuts = r.nextInt(12);
                List<Integer> points = new ArrayList<>(List.of(0, rows.length));
                for (int i = 0; i < cuts; i++) {
                    points.add(r.nextInt(rows.length + 1));
                }
                Collections.sort(points);
                Partial merged = null;
                for (int p = 0; p + 1 < points.size(); p++) {
                    Partial chunk = aggregate.start();
                    for (int i = points.get(p); i < points.get(p + 1); i++) {
                        chunk.fold(encoded[i]);
                    }
                    Partial wired = (r.nextBoolean() ? aggregate : sameCalls).decodePartial(chunk.encode());
                    assertEquals(chunk.rows(), wired.rows(), where);
                    assertArrayEquals(chunk.values(), wired.values(), "chunk after the wire, " + where);
                    if (merged == null) {
                        merged = wired;
                    } else {
                        merged.merge(wired);
                    }
                }
                assertFalse(merged.unreadable(), where);
                assertEquals(rows.length, merged.rows(), where);
                assertArrayEquals(expected, merged.values(), "cut at " + points + ", " + where);
                assertArrayEquals(whole.encode(), merged.encode(), "cut at " + points + ", " + where);
            }

            // Did the long sums actually wrap somewhere (a check of the test's own data)?
            for (int c : new int[] {1, 2}) {
                BigInteger exact = BigInteger.ZERO;
                for (Object[] row : rows) {
                    if (row[c - 1] != null) {
                        exact = exact.add(BigInteger.valueOf(((Number) row[c - 1]).longValue()));
                    }
                }
                sumsWrapped |= exact.bitLength() > 63;
            }
        }
        assertTrue(sumsWrapped, "some BIGINT sum overflowed a long, seed " + seed);
    }

    @Test
    void integerAndDecimalSumsAreExact() {
        RowAggregate aggregate = new RowAggregate(List.of(new Call(Function.SUM, 1, ValueType.INTEGER),
                new Call(Function.SUM, 2, ValueType.BIGINT), new Call(Function.SUM0, 3, ValueType.DECIMAL)));
        Partial p = aggregate.start();
        Object[] values = new Object[ids.length];
        values[0] = Integer.MAX_VALUE;
        values[1] = Long.MAX_VALUE;
        values[2] = new BigDecimal("99999999999999999999.25");
        p.fold(encodeRow(values));
        p.fold(encodeRow(values));
        assertArrayEquals(new Object[] {2L * Integer.MAX_VALUE, new BigDecimal("18446744073709551614"),
            new BigDecimal("199999999999999999998.50")}, p.values(), "INTEGER sums as a long; a BIGINT sum past the long range is exact");
        Partial q = aggregate.decodePartial(p.encode());
        values[1] = 2L;
        Partial more = aggregate.start();
        more.fold(encodeRow(values));
        q.merge(more);
        assertArrayEquals(new Object[] {3L * Integer.MAX_VALUE, new BigDecimal("18446744073709551616"),
            new BigDecimal("299999999999999999997.75")}, q.values());
    }

    @Test
    void minAndMaxKeepTheFirstOfEqualValues() {
        RowAggregate aggregate = new RowAggregate(List.of(new Call(Function.MIN, 3, ValueType.DECIMAL),
                new Call(Function.MAX, 3, ValueType.DECIMAL)));
        Object[] values = new Object[ids.length];
        Partial first = aggregate.start();
        values[2] = new BigDecimal("1.0");
        first.fold(encodeRow(values));
        Partial second = aggregate.start();
        values[2] = new BigDecimal("1.00");
        second.fold(encodeRow(values));
        Partial whole = aggregate.start();
        values[2] = new BigDecimal("1.0");
        whole.fold(encodeRow(values));
        values[2] = new BigDecimal("1.00");
        whole.fold(encodeRow(values));
        first.merge(second);
        assertArrayEquals(new Object[] {new BigDecimal("1.0"), new BigDecimal("1.0")}, whole.values());
        assertArrayEquals(whole.values(), first.values());
    }

    @Test
    void anEmptyPartialCountsZeroAndSumsToNullOrZero() {
        RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(), new Call(Function.COUNT, 1, ValueType.INTEGER),
                new Call(Function.SUM, 1, ValueType.INTEGER), new Call(Function.SUM, 3, ValueType.DECIMAL),
                new Call(Function.SUM0, 2, ValueType.BIGINT), new Call(Function.SUM0, 3, ValueType.DECIMAL),
                new Call(Function.MIN, 4, ValueType.VARCHAR), new Call(Function.MAX, 6, ValueType.TIMESTAMP)));
        Object[] empty = {0L, 0L, null, null, 0L, BigDecimal.ZERO, null, null};
        Partial p = aggregate.start();
        assertEquals(0, p.rows());
        assertFalse(p.unreadable());
        assertArrayEquals(empty, p.values());
        Partial back = aggregate.decodePartial(p.encode());
        assertArrayEquals(empty, back.values());
        assertEquals(0, back.rows());
        assertFalse(back.unreadable());
        // Rows whose aggregated columns are all NULL: counted by COUNT(*) only.
        Object[] nulls = new Object[ids.length];
        nulls[7] = true;
        p.fold(encodeRow(nulls));
        p.fold(RowCodec.encode(new int[0], new ValueType[0], new Object[0]));
        Object[] twoNullRows = {2L, 0L, null, null, 0L, BigDecimal.ZERO, null, null};
        assertArrayEquals(twoNullRows, p.values());
        assertArrayEquals(twoNullRows, aggregate.decodePartial(p.encode()).values());
        // Merging empty partials changes nothing.
        p.merge(aggregate.start());
        Partial e = aggregate.start();
        e.merge(p);
        assertArrayEquals(twoNullRows, e.values());
    }

    @Test
    void anUnreadableRowMarksThePartialAndMergesSpreadTheMark() {
        RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(), new Call(Function.SUM, 1, ValueType.INTEGER)));
        Object[] values = new Object[ids.length];
        values[0] = 5;
        byte[] good = encodeRow(values);
        byte[] wrongType = RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.VARCHAR}, new Object[] {"5"});
        byte[][] unreadable = {{7, 7, 7}, new byte[0], Arrays.copyOf(good, good.length - 1), wrongType,
            {RowCodec.FORMAT, (byte) 0x8F}};
        for (byte[] bad : unreadable) {
            String what = Arrays.toString(bad);
            Partial p = aggregate.start();
            p.fold(good);
            p.fold(bad);
            assertTrue(p.unreadable(), what);
            assertEquals(1, p.rows(), "an unreadable row is not counted: " + what);
            p.fold(good);
            assertTrue(p.unreadable(), "the mark stays: " + what);
            assertTrue(aggregate.decodePartial(p.encode()).unreadable(), "the mark crosses the wire: " + what);

            Partial before = aggregate.start();
            before.fold(good);
            before.merge(p);
            assertTrue(before.unreadable(), "merged into a readable partial: " + what);
            Partial after = aggregate.start();
            after.fold(good);
            p.merge(after);
            assertTrue(p.unreadable(), "a readable partial merged into it: " + what);
        }
        Partial readable = aggregate.start();
        readable.fold(good);
        Partial other = aggregate.start();
        other.fold(good);
        readable.merge(other);
        assertFalse(readable.unreadable());
        assertArrayEquals(new Object[] {2L, 10L}, readable.values());
        readable.markUnreadable();
        assertTrue(readable.unreadable());
    }

    /**
     * A DOUBLE sum is the exact sum rounded once, so any split of the rows merges to the same
     * double; NaN and infinities follow IEEE 754's rules for a sum.
     */
    @Test
    void doubleSumsAreExactAndDoNotDependOnTheSplit() {
        RowAggregate aggregate = new RowAggregate(List.of(new Call(Function.SUM, 1, ValueType.DOUBLE),
                new Call(Function.SUM0, 1, ValueType.DOUBLE), new Call(Function.COUNT, 1, ValueType.DOUBLE)));
        Random r = new Random(seed);
        for (int round = 0; round < 20; round++) {
            int n = 1 + r.nextInt(300);
            double[] xs = new double[n];
            java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
            for (int i = 0; i < n; i++) {
                xs[i] = r.nextGaussian() * Math.pow(10, r.nextInt(30) - 10);
                exact = exact.add(new java.math.BigDecimal(xs[i]));
            }
            Partial whole = aggregate.start();
            Partial split = aggregate.start();
            Partial chunk = aggregate.start();
            for (int i = 0; i < n; i++) {
                byte[] row = RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.DOUBLE}, new Object[] {xs[i]});
                whole.fold(row);
                chunk.fold(row);
                if (r.nextInt(10) == 0) {
                    split.merge(aggregate.decodePartial(chunk.encode()));
                    chunk = aggregate.start();
                }
            }
            split.merge(chunk);
            assertArrayEquals(new Object[] {exact.doubleValue(), exact.doubleValue(), (long) n}, whole.values(), "seed " + seed);
            assertArrayEquals(whole.values(), split.values(), "seed " + seed);
        }
        assertArrayEquals(new Object[] {null, 0.0, 0L}, aggregate.start().values());
        // Values on the fixed-point path (multiples of 2^-32 below 2^30) whose long sum overflows, and some off it.
        double[] near = {1073741823.5, 1073741823.75, 1073741823.5, 1073741823.5, -0.25, 3.0, 1e-300, 2e9, 1073741823.5};
        Partial one = aggregate.start();
        java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
        for (double x : near) {
            one.fold(RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.DOUBLE}, new Object[] {x}));
            exact = exact.add(new java.math.BigDecimal(x));
        }
        assertEquals(exact.doubleValue(), one.values()[0]);
        assertArrayEquals(one.values(), aggregate.decodePartial(one.encode()).values());
        assertEquals(Double.MAX_VALUE, doubleSum(aggregate, Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE),
                "exact: no overflow midway");
        assertEquals(0.0, doubleSum(aggregate, -0.0, -0.0));
        assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits(doubleSum(aggregate, -0.0)), "never -0.0");
        assertTrue(Double.isNaN(doubleSum(aggregate, 1.0, Double.NaN)));
        assertTrue(Double.isNaN(doubleSum(aggregate, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        assertEquals(Double.POSITIVE_INFINITY, doubleSum(aggregate, 5.0, Double.POSITIVE_INFINITY, 1e300));
        assertEquals(Double.NEGATIVE_INFINITY, doubleSum(aggregate, Double.NEGATIVE_INFINITY, -1.0));
    }

    /** The DOUBLE sum of the values, each folded into its own partial and merged through the wire. */
    private static double doubleSum(RowAggregate aggregate, double... xs) {
        Partial total = aggregate.start();
        for (double x : xs) {
            Partial one = aggregate.start();
            one.fold(RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.DOUBLE}, new Object[] {x}));
            total.merge(aggregate.decodePartial(one.encode()));
        }
        return (Double) total.values()[0];
    }

    @Test
    void callsThatTheRangeCannotComputeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.SUM, 1, ValueType.VARCHAR));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.SUM0, 1, ValueType.VARCHAR));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.SUM, 1, ValueType.DATE));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.SUM, 1, ValueType.TIMESTAMP));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.MIN, 1, ValueType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.MAX, 1, ValueType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.MAX, 1, ValueType.BOOLEAN));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.COUNT_ROWS, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.COUNT_ROWS, -1, ValueType.INTEGER));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.COUNT, -1, ValueType.INTEGER));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.COUNT, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new Call(Function.MIN, -2, ValueType.INTEGER));
        assertThrows(IllegalArgumentException.class, () -> new Call(null, 1, ValueType.INTEGER));
        assertDoesNotThrow(() -> new Call(Function.COUNT, 1, ValueType.DOUBLE));
        assertDoesNotThrow(() -> new Call(Function.COUNT, 1, ValueType.BOOLEAN));
        assertDoesNotThrow(() -> new Call(Function.MIN, 1, ValueType.DATE));

        assertThrows(IllegalArgumentException.class, () -> new RowAggregate(List.of()));
        List<Call> max = Collections.nCopies(RowAggregate.MAX_CALLS, Call.countRows());
        assertEquals(RowAggregate.MAX_CALLS, new RowAggregate(max).calls().size());
        List<Call> tooMany = Collections.nCopies(RowAggregate.MAX_CALLS + 1, Call.countRows());
        assertThrows(IllegalArgumentException.class, () -> new RowAggregate(tooMany));
        assertThrows(IllegalArgumentException.class, () -> new RowAggregate(List.of(new Call(Function.MIN, 1, ValueType.INTEGER),
                new Call(Function.MAX, 1, ValueType.DATE))), "one column, two types");

        RowAggregate a = new RowAggregate(List.of(Call.countRows()));
        RowAggregate b = new RowAggregate(List.of(Call.countRows(), Call.countRows()));
        assertThrows(IllegalArgumentException.class, () -> a.start().merge(b.start()), "partials of different aggregates");
    }

    /** The layout Partial.encode() documents, written by hand. */
    private static byte[] partialBytes(int flag, long rows, long[] counts, ValueType[] accumulatorTypes, Object[] accumulators) {
        int[] positions = new int[accumulators.length];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        byte[] values = RowCodec.encode(positions, accumulatorTypes, accumulators);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 9 * counts.length + values.length);
        b.put((byte) flag).putLong(rows);
        for (long c : counts) {
            b.putLong(c).put((byte) 0); // no special double values
        }
        return b.put(values).array();
    }

    @Test
    void partialsThatEncodeDidNotWriteAreRefused() {
        RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(), new Call(Function.COUNT, 1, ValueType.INTEGER),
                new Call(Function.SUM, 2, ValueType.BIGINT), new Call(Function.MIN, 4, ValueType.VARCHAR)));
        ValueType[] acc = {ValueType.BIGINT, ValueType.BIGINT, ValueType.DECIMAL, ValueType.VARCHAR};
        // The hand-written layout is what decodePartial reads.
        Partial handmade = aggregate.decodePartial(partialBytes(0, 3, new long[] {0, 2, 1, 1}, acc, new Object[] {null, null, BigDecimal.valueOf(7), "x"}));
        assertArrayEquals(new Object[] {3L, 2L, 7L, "x"}, handmade.values());
        assertFalse(handmade.unreadable());

        Random r = new Random(seed);
        Object[][] rows = randomRows(r, 20);
        Partial p = aggregate.start();
        for (Object[] row : rows) {
            p.fold(encodeRow(row));
        }
        Object[] values = new Object[ids.length];
        values[1] = Long.MIN_VALUE;
        values[3] = "\uD83D\uDE00 a long enough string";
        p.fold(encodeRow(values));
        byte[] bytes = p.encode();
        assertArrayEquals(p.values(), aggregate.decodePartial(bytes).values());
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThrows(IllegalArgumentException.class, () -> aggregate.decodePartial(prefix), "the first " + n + " bytes");
        }
        for (int flag : new int[] {2, -1, 0x7F}) {
            byte[] wrongFlag = bytes.clone();
            wrongFlag[0] = (byte) flag;
            assertThrows(IllegalArgumentException.class, () -> aggregate.decodePartial(wrongFlag), "flag " + flag);
        }
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 2, 1, 1}, acc, new Object[] {null, null, BigDecimal.valueOf(7), "x"})),
                "a COUNT of more values than rows");
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 1, 2, 1}, acc, new Object[] {null, null, BigDecimal.valueOf(7), "x"})),
                "a SUM of more values than rows");
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, -1, 1, 1}, acc, new Object[] {null, null, BigDecimal.valueOf(7), "x"})),
                "a negative count");
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 1, 1, 1}, acc, new Object[] {null, null, null, "x"})),
                "a SUM of one value without its sum");
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 1, 0, 1}, acc, new Object[] {null, null, BigDecimal.valueOf(7), "x"})),
                "a SUM of no value with a sum");
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 1, 1, 1}, acc, new Object[] {null, 5L, BigDecimal.valueOf(7), "x"})),
                "a COUNT with an accumulator");
        ValueType[] wrongTypes = {ValueType.BIGINT, ValueType.BIGINT, ValueType.BIGINT, ValueType.VARCHAR};
        assertThrows(IllegalArgumentException.class,
                () -> aggregate.decodePartial(partialBytes(0, 1, new long[] {0, 1, 1, 1}, wrongTypes,
                        new Object[] {null, null, 1L, "x"})), "a sum of the wrong type");
    }

    @Test
    void anAggregatingPredicateSurvivesTheWire() {
        List<Comparison> comparisons = List.of(new Comparison(1, ValueType.INTEGER, Op.GE, -5),
                new Comparison(4, ValueType.VARCHAR, Op.LT, "m"), new Comparison(8, ValueType.DOUBLE, Op.NE, 1.5),
                new Comparison(3, ValueType.DECIMAL, Op.LE, new BigDecimal("12.50")));
        RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(), new Call(Function.SUM, 2, ValueType.BIGINT),
                new Call(Function.MAX, 3, ValueType.DECIMAL), new Call(Function.MIN, 6, ValueType.TIMESTAMP),
                new Call(Function.COUNT, 1, ValueType.INTEGER)));
        RowPredicate p = RowPredicate.aggregating(comparisons, aggregate);
        assertEquals(aggregate, p.aggregate());
        assertArrayEquals(new int[] {1, 2, 3, 4, 6, 8}, p.keptColumns());
        byte[] bytes = p.encode();
        RowPredicate back = RowPredicate.decode(bytes);
        assertEquals(aggregate, back.aggregate());
        assertEquals(aggregate.hashCode(), back.aggregate().hashCode());
        assertEquals(aggregate.calls(), back.aggregate().calls());
        assertEquals(comparisons, back.comparisons());
        assertArrayEquals(new int[] {1, 2, 3, 4, 6, 8}, back.keptColumns());

        // The shaped rows aggregate as the rows do, and the decoded predicate filters as the original.
        Random r = new Random(seed);
        Object[][] rows = randomRows(r, 300);
        Partial direct = aggregate.start();
        Partial shaped = back.aggregate().start();
        for (Object[] row : rows) {
            byte[] encoded = encodeRow(row);
            assertEquals(p.test(encoded), back.test(encoded), "seed " + seed);
            if (p.test(encoded)) {
                direct.fold(encoded);
                shaped.fold(back.shape(encoded));
            }
        }
        assertArrayEquals(direct.values(), shaped.values(), "seed " + seed);

        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(Arrays.copyOf(bytes, bytes.length + 1)),
                "a trailing byte");
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(prefix), "the first " + n + " bytes");
        }
        // The last call: function byte, column id, type byte.
        byte[] badType = bytes.clone();
        badType[bytes.length - 1] = 99;
        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(badType), "unknown type");
        byte[] badFunction = bytes.clone();
        badFunction[bytes.length - 6] = 99;
        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(badFunction), "unknown function");
        byte[] invalidCall = bytes.clone();
        invalidCall[bytes.length - 6] = (byte) Function.SUM.ordinal(); // SUM of a column of type INTEGER is fine...
        invalidCall[bytes.length - 1] = (byte) ValueType.VARCHAR.ordinal(); // ...of a VARCHAR it is not
        assertThrows(IllegalArgumentException.class, () -> RowPredicate.decode(invalidCall), "SUM of VARCHAR");

        // COUNT(*) alone, no comparisons: every row, no column kept.
        RowAggregate count = new RowAggregate(List.of(Call.countRows()));
        RowPredicate all = RowPredicate.decode(RowPredicate.aggregating(List.of(), count).encode());
        assertEquals(count, all.aggregate());
        assertEquals(List.of(), all.comparisons());
        assertArrayEquals(new int[0], all.keptColumns());
        byte[] row = encodeRow(rows[0]);
        assertTrue(all.test(row));
        Partial counted = count.start();
        counted.fold(all.shape(row));
        assertArrayEquals(new Object[] {1L}, counted.values());

        assertThrows(IllegalArgumentException.class, () -> RowPredicate.aggregating(comparisons, null));
        assertNull(RowPredicate.decode(new RowPredicate(comparisons).encode()).aggregate());
        assertNull(RowPredicate.decode(new RowPredicate(comparisons, new int[] {2}).encode()).aggregate());
    }
}
