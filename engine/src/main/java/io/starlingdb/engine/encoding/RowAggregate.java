package io.starlingdb.engine.encoding;

import java.math.BigDecimal;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Aggregates without grouping (COUNT, SUM, MIN, MAX) of rows in {@link RowCodec}'s encoding,
 * computed where the rows are: a scan carries one inside its {@link RowPredicate}, and each
 * range's leaseholder folds the rows the predicate keeps into a {@link Partial} instead of
 * sending them; the gateway merges the partials of its pages in key order. Partials merge
 * exactly as one fold over all the rows in key order would end: counts and sums add (integer and
 * DECIMAL sums exactly: an integer sum out of the long range is answered as its exact
 * BigDecimal, never wrapped, and the SQL layer makes that error 22003 as its own BIGINT sums
 * do), MIN and MAX keep the first of equal values. Values are the engine's ({@link ValueType#javaType()}),
 * which are what the SQL executor computes with. A DOUBLE sum is added exactly (each double is a
 * decimal number) and rounded once at the end, so it does not depend on the split either: it is
 * the correctly rounded sum, which may differ in its last bits from adding the doubles one after
 * another (and is finite where that overflows midway); a NaN, or infinities of both signs, make
 * it NaN, an infinity of one sign that infinity. DOUBLE extremes are not offered (the SQL
 * layer's MIN and MAX of doubles have NaN and -0.0 rules of their own).
 * Immutable; a Partial is not thread-safe.
 */
public final class RowAggregate {

    private static final double TWO_POW_32 = 0x1p32;
    /** 2^-32, exactly. */
    private static final BigDecimal TWO_POW_MINUS_32 = new BigDecimal(0x1p-32);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final byte NAN = 1;
    private static final byte POSITIVE_INFINITY = 2;
    private static final byte NEGATIVE_INFINITY = 4;

    /** Calls of an aggregate at most, here and on the wire. */
    public static final int MAX_CALLS = 64;

    /** Types a SUM may add. */
    public static final Set<ValueType> SUMMED_TYPES = Set.of(ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL,
            ValueType.DOUBLE);

    /** Types a MIN or MAX may compare. */
    public static final Set<ValueType> ORDERED_TYPES = Set.of(ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL,
            ValueType.VARCHAR, ValueType.DATE, ValueType.TIMESTAMP);

    /**
     * COUNT_ROWS: every row ({@code COUNT(*)}); COUNT: the rows whose column is not NULL; SUM: NULL
     * over no value; SUM0: 0 over no value (Calcite's {@code $SUM0}); MIN, MAX: NULL over no value.
     */
    public enum Function { COUNT_ROWS, COUNT, SUM, SUM0, MIN, MAX }

    /** One aggregate of column columnId (of type type); COUNT_ROWS reads no column (id -1, type null). */
    public record Call(Function function, int columnId, ValueType type) {
        public Call {
            if (function == null) {
                throw new IllegalArgumentException("an aggregate call needs a function");
            }
            if (function == Function.COUNT_ROWS) {
                if (columnId != -1 || type != null) {
                    throw new IllegalArgumentException("COUNT(*) reads no column");
                }
            } else {
                if (columnId < 0 || type == null) {
                    throw new IllegalArgumentException(function + " needs a column and its type, not " + columnId + " " + type);
                }
                boolean sum = function == Function.SUM || function == Function.SUM0;
                if (sum && !SUMMED_TYPES.contains(type) || (function == Function.MIN || function == Function.MAX)
                        && !ORDERED_TYPES.contains(type)) {
                    throw new IllegalArgumentException(function + " of a " + type + " column is not computed at the range");
                }
            }
        }

        public static Call countRows() {
            return new Call(Function.COUNT_ROWS, -1, null);
        }
    }

    private final List<Call> calls;
    /** The distinct columns read, decoded from each row. */
    private final int[] columnIds;
    private final ValueType[] types;
    /** Per call: the index of its column in columnIds, or -1. */
    private final int[] slots;
    /** Per call: the type its accumulated value is encoded as. */
    private final ValueType[] accumulatorTypes;

    public RowAggregate(List<Call> calls) {
        if (calls.isEmpty() || calls.size() > MAX_CALLS) {
            throw new IllegalArgumentException("an aggregate has 1 to " + MAX_CALLS + " calls, not " + calls.size());
        }
        this.calls = List.copyOf(calls);
        List<Integer> ids = new ArrayList<>();
        List<ValueType> columnTypes = new ArrayList<>();
        slots = new int[calls.size()];
        accumulatorTypes = new ValueType[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            accumulatorTypes[i] = switch (c.function()) {
                case COUNT_ROWS, COUNT -> ValueType.BIGINT;
                // Integer sums travel exactly too: one out of the long range is not wrapped.
                case SUM, SUM0 -> ValueType.DECIMAL;
                case MIN, MAX -> c.type();
            };
            if (c.function() == Function.COUNT_ROWS) {
                slots[i] = -1;
                continue;
            }
            int slot = ids.indexOf(c.columnId());
            if (slot < 0) {
                slot = ids.size();
                ids.add(c.columnId());
                columnTypes.add(c.type());
            } else if (columnTypes.get(slot) != c.type()) {
                throw new IllegalArgumentException("column " + c.columnId() + " aggregated as " + columnTypes.get(slot)
                        + " and as " + c.type());
            }
            slots[i] = slot;
        }
        columnIds = ids.stream().mapToInt(Integer::intValue).toArray();
        types = columnTypes.toArray(new ValueType[0]);
    }

    public List<Call> calls() {
        return calls;
    }

    /** The ids of the columns the calls read, in no particular order. */
    public int[] columnIds() {
        return columnIds.clone();
    }

    /** An empty partial: the aggregate over no rows. */
    public Partial start() {
        return new Partial();
    }

    /** The state of the aggregate over some rows. */
    public final class Partial {
        private long rows;
        /** Per call: the values that were not NULL. */
        private final long[] counts = new long[calls.size()];
        /** Per call: the sum (Long or BigDecimal) or extreme so far; null before the first value. */
        private final Object[] accumulators = new Object[calls.size()];
        /**
         * Per call, for a DOUBLE sum: the sum, times 2^32, of the values that are multiples of
         * 2^-32 below 2^30 in magnitude, added exactly in a long (most values: adding a BigDecimal
         * per row cost a fifth of an aggregating scan); for an INTEGER or BIGINT sum, the sum of
         * the values folded since the accumulator last took it, while it stays in the long range.
         * Moved into the accumulator before that is read ({@link #settle()}).
         */
        private final long[] fixed = new long[calls.size()];
        /** Per call, for a DOUBLE sum: NAN, POSITIVE_INFINITY and NEGATIVE_INFINITY bits of the values met. */
        private final byte[] specials = new byte[calls.size()];
        /** A row did not decode as the calls expect: the partial is not the aggregate of its rows. */
        private boolean unreadable;
        /** Per call, for MIN or MAX of a VARCHAR folded from rows: the extreme's UTF-8 (its string not decoded yet), or null. */
        private byte[][] extremeUtf8;
        /** Reads the folded rows' columns; made at the first fold. */
        private RowCodec.Fields fields;

        private Partial() {
        }

        /**
         * Folds one row in. A row that does not decode as the calls expect marks the partial
         * {@link #unreadable()} (the reader then reads the rows themselves) instead of failing.
         */
        public void fold(byte[] row) {
            fold(row, 0, row.length);
        }

        /**
         * Folds in the row at row[from, to), reading its columns in place: integers, doubles and
         * the strings compared for MIN and MAX are not decoded into objects.
         */
        public void fold(byte[] row, int from, int to) {
            if (columnIds.length == 0) {
                rows++; // COUNT(*) alone reads no column
                return;
            }
            if (fields == null) {
                fields = new RowCodec.Fields(columnIds, types);
            }
            try {
                fields.read(row, from, to);
                for (int i = 0; i < slots.length; i++) {
                    if (slots[i] >= 0 && fields.has(slots[i])) {
                        foldValue(i, fields, slots[i]);
                    }
                }
            } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
                unreadable = true; // what was folded of this row no longer matters: the partial is not used
                return;
            }
            rows++;
        }

        private void foldValue(int call, RowCodec.Fields row, int slot) {
            Call c = calls.get(call);
            switch (c.function()) {
                case COUNT, COUNT_ROWS -> counts[call]++;
                case SUM, SUM0 -> {
                    switch (c.type()) {
                        case INTEGER, BIGINT -> {
                            long x = row.longValue(slot);
                            long total = fixed[call] + x;
                            if (((fixed[call] ^ total) & (x ^ total)) < 0) { // out of the long range: move the part so far out
                                accumulators[call] = integerSum(accumulators[call], fixed[call]);
                                total = x;
                            }
                            fixed[call] = total;
                            counts[call]++;
                        }
                        case DOUBLE -> {
                            addDouble(call, row.doubleValue(slot));
                            counts[call]++;
                        }
                        default -> add(call, row.value(slot), 1);
                    }
                }
                case MIN, MAX -> {
                    boolean min = c.function() == Function.MIN;
                    switch (c.type()) {
                        case INTEGER, DATE, BIGINT, TIMESTAMP -> {
                            long x = row.longValue(slot);
                            Object acc = accumulators[call];
                            if (acc == null || (min ? x < ((Number) acc).longValue() : x > ((Number) acc).longValue())) {
                                accumulators[call] = c.type() == ValueType.INTEGER || c.type() == ValueType.DATE
                                        ? (Object) (int) x : (Object) x;
                            }
                            counts[call]++;
                        }
                        case VARCHAR -> {
                            if (extremeUtf8 == null) {
                                extremeUtf8 = new byte[calls.size()][];
                            }
                            byte[] extreme = extremeUtf8[call];
                            if (extreme == null && accumulators[call] != null) {
                                extreme = KeyEncoder.strictUtf8((String) accumulators[call]);
                            }
                            int cmp = extreme == null ? 0 : row.compareString(slot, extreme);
                            extremeUtf8[call] = extreme == null || (min ? cmp < 0 : cmp > 0) ? row.utf8(slot) : extreme;
                            counts[call]++;
                        }
                        default -> add(call, row.value(slot), 1);
                    }
                }
            }
        }

        /**
         * Moves the sums' fixed-point and long parts into their accumulators, and the extreme
         * strings kept as UTF-8 into theirs, before those are read.
         */
        private void settle() {
            for (int i = 0; i < fixed.length; i++) {
                ValueType type = calls.get(i).type();
                Function f = calls.get(i).function();
                boolean integerSum = (f == Function.SUM || f == Function.SUM0) && (type == ValueType.INTEGER || type == ValueType.BIGINT);
                if (integerSum && (fixed[i] != 0 || accumulators[i] == null && counts[i] > 0)) {
                    accumulators[i] = integerSum(accumulators[i], fixed[i]);
                    fixed[i] = 0;
                } else if (fixed[i] != 0) {
                    accumulators[i] = ((BigDecimal) accumulators[i]).add(fixedDecimal(fixed[i]));
                    fixed[i] = 0;
                }
                if (extremeUtf8 != null && extremeUtf8[i] != null) {
                    accumulators[i] = new String(extremeUtf8[i], StandardCharsets.UTF_8);
                    extremeUtf8[i] = null;
                }
            }
        }

        /** Merges the partial of the rows after this one's (in key order) into this one. */
        public void merge(Partial later) {
            settle();
            later.settle();
            if (later.owner() != RowAggregate.this && !later.owner().calls.equals(calls)) {
                throw new IllegalArgumentException("partials of different aggregates");
            }
            unreadable |= later.unreadable;
            rows += later.rows;
            for (int i = 0; i < slots.length; i++) {
                if (later.counts[i] > 0) {
                    specials[i] |= later.specials[i];
                    add(i, later.accumulators[i], later.counts[i]);
                }
            }
        }

        private RowAggregate owner() {
            return RowAggregate.this;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void add(int call, Object value, long count) {
            Object acc = accumulators[call];
            switch (calls.get(call).function()) {
                case COUNT, COUNT_ROWS -> {
                }
                case SUM, SUM0 -> {
                    if (value instanceof Double d) {
                        addDouble(call, d);
                    } else if (calls.get(call).type() == ValueType.DECIMAL || calls.get(call).type() == ValueType.DOUBLE) {
                        accumulators[call] = (acc == null ? BigDecimal.ZERO : (BigDecimal) acc).add((BigDecimal) value);
                    } else {
                        accumulators[call] = integerSum(acc, value);
                    }
                }
                case MIN -> accumulators[call] = acc == null || ((Comparable) value).compareTo(acc) < 0 ? value : acc;
                case MAX -> accumulators[call] = acc == null || ((Comparable) value).compareTo(acc) > 0 ? value : acc;
            }
            counts[call] += count;
        }

        /** Adds a double to a DOUBLE sum: exactly, in fixed point where that is exact. */
        private void addDouble(int call, double d) {
            BigDecimal sum = accumulators[call] == null ? BigDecimal.ZERO : (BigDecimal) accumulators[call];
            double scaled = d * TWO_POW_32; // exact: a power of two
            long units = (long) scaled;
            if (Double.isNaN(d)) {
                specials[call] |= NAN;
            } else if (Double.isInfinite(d)) {
                specials[call] |= d > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
            } else if (units == scaled && Math.abs(scaled) < 0x1p62) {
                long total = fixed[call] + units;
                if (((fixed[call] ^ total) & (units ^ total)) < 0) {
                    sum = sum.add(fixedDecimal(fixed[call])).add(new BigDecimal(d));
                    total = 0;
                }
                fixed[call] = total;
            } else {
                sum = sum.add(new BigDecimal(d));
            }
            accumulators[call] = sum;
        }

        /** A row the caller could not read: the partial no longer stands for the rows it was given. */
        public void markUnreadable() {
            unreadable = true;
        }

        /**
         * An integer sum plus a value: a Long while the sum stays in the long range, else the
         * exact BigDecimal (a merged partial's sum arrives as a BigDecimal).
         */
        private Object integerSum(Object acc, Object value) {
            if (value instanceof BigDecimal big) {
                return (acc == null ? BigDecimal.ZERO : acc instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) acc).add(big);
            }
            long x = ((Number) value).longValue();
            if (acc == null) {
                return x;
            }
            if (acc instanceof Long a) {
                long sum = a + x;
                // Overflow iff both operands have the sign the result lacks (Math.addExact's test).
                return ((a ^ sum) & (x ^ sum)) >= 0 ? (Object) sum : BigDecimal.valueOf(a).add(BigDecimal.valueOf(x));
            }
            return ((BigDecimal) acc).add(BigDecimal.valueOf(x));
        }

        public boolean unreadable() {
            return unreadable;
        }

        /** The rows folded in. */
        public long rows() {
            return rows;
        }

        /**
         * The value of each call: COUNT_ROWS and COUNT a Long; SUM a Long (INTEGER or BIGINT
         * columns; a BigDecimal if the exact sum is out of the long range), a BigDecimal (DECIMAL)
         * or a Double (DOUBLE), NULL over no value (SUM0: 0, BigDecimal.ZERO or 0.0); MIN and MAX
         * a value of the column's type, NULL over no value.
         */
        public Object[] values() {
            settle();
            Object[] out = new Object[calls.size()];
            for (int i = 0; i < out.length; i++) {
                Function f = calls.get(i).function();
                if ((f == Function.SUM || f == Function.SUM0) && calls.get(i).type() == ValueType.DOUBLE) {
                    out[i] = doubleSum(i, f);
                    continue;
                }
                boolean integerSum = (f == Function.SUM || f == Function.SUM0) && calls.get(i).type() != ValueType.DECIMAL;
                out[i] = switch (f) {
                    case COUNT_ROWS -> rows;
                    case COUNT -> counts[i];
                    case SUM0 -> accumulators[i] != null ? integerSum ? inLongRange(accumulators[i]) : accumulators[i]
                            : integerSum ? (Object) 0L : BigDecimal.ZERO;
                    case SUM -> integerSum && accumulators[i] != null ? inLongRange(accumulators[i]) : accumulators[i];
                    default -> accumulators[i];
                };
            }
            return out;
        }

        /** An integer sum as a Long, or as its exact BigDecimal when it is out of the long range. */
        private static Object inLongRange(Object sum) {
            if (sum instanceof Long) {
                return sum;
            }
            BigDecimal big = (BigDecimal) sum;
            return big.compareTo(LONG_MIN) >= 0 && big.compareTo(LONG_MAX) <= 0 ? (Object) big.longValueExact() : big;
        }

        private Object doubleSum(int call, Function f) {
            if (counts[call] == 0) {
                return f == Function.SUM0 ? (Object) 0.0 : null;
            }
            byte special = specials[call];
            if ((special & NAN) != 0 || (special & (POSITIVE_INFINITY | NEGATIVE_INFINITY)) == (POSITIVE_INFINITY | NEGATIVE_INFINITY)) {
                return Double.NaN;
            }
            if (special != 0) {
                return special == POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            }
            // + 0.0: an exact zero is 0.0, never -0.0, as a sum from 0.0 is.
            return ((BigDecimal) accumulators[call]).doubleValue() + 0.0;
        }

        /**
         * Unreadable flag, row count, each call's count and special-values byte, then the
         * accumulators as one {@link RowCodec} row.
         */
        public byte[] encode() {
            settle();
            int[] ids = new int[calls.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            Object[] exact = accumulators.clone();
            for (int i = 0; i < exact.length; i++) {
                if (exact[i] instanceof Long l && accumulatorTypes[i] == ValueType.DECIMAL) {
                    exact[i] = BigDecimal.valueOf(l); // an integer sum in the long range
                }
            }
            byte[] values = RowCodec.encode(ids, accumulatorTypes, exact);
            ByteBuffer b = ByteBuffer.allocate(1 + 8 + 9 * counts.length + values.length);
            b.put((byte) (unreadable ? 1 : 0)).putLong(rows);
            for (int i = 0; i < counts.length; i++) {
                b.putLong(counts[i]).put(specials[i]);
            }
            return b.put(values).array();
        }
    }

    /** A DOUBLE sum's fixed-point part (units of 2^-32) as the exact decimal it stands for. */
    private static BigDecimal fixedDecimal(long units) {
        return BigDecimal.valueOf(units).multiply(TWO_POW_MINUS_32);
    }

    /** The partial {@link Partial#encode()} wrote for this aggregate; anything else fails with IllegalArgumentException. */
    public Partial decodePartial(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            Partial p = new Partial();
            byte flag = b.get();
            if (flag != 0 && flag != 1) {
                throw new IllegalArgumentException("not a partial aggregate");
            }
            p.unreadable = flag == 1;
            p.rows = b.getLong();
            for (int i = 0; i < p.counts.length; i++) {
                p.counts[i] = b.getLong();
                p.specials[i] = b.get();
                boolean doubleSum = calls.get(i).type() == ValueType.DOUBLE && calls.get(i).function() != Function.COUNT;
                if (p.specials[i] < 0 || p.specials[i] > (NAN | POSITIVE_INFINITY | NEGATIVE_INFINITY) || p.specials[i] != 0 && !doubleSum) {
                    throw new IllegalArgumentException("a partial aggregate's call " + i + " has special values " + p.specials[i]);
                }
                if (p.counts[i] < 0 || p.counts[i] > p.rows) {
                    throw new IllegalArgumentException("a partial aggregate counts " + p.counts[i] + " of " + p.rows + " rows");
                }
            }
            byte[] values = Arrays.copyOfRange(bytes, b.position(), bytes.length);
            int[] ids = new int[calls.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            Object[] accumulators = RowCodec.decode(values, ids, accumulatorTypes);
            for (int i = 0; i < ids.length; i++) {
                Function f = calls.get(i).function();
                boolean held = f != Function.COUNT && f != Function.COUNT_ROWS && p.counts[i] > 0;
                if (held != (accumulators[i] != null)) {
                    throw new IllegalArgumentException("a partial aggregate's call " + i + " counts " + p.counts[i]
                            + " values and holds " + accumulators[i]);
                }
                p.accumulators[i] = held ? accumulators[i] : null;
            }
            if (!Arrays.equals(p.encode(), bytes)) {
                // RowCodec reads past the values it was asked for: bytes after them, or a value given twice, are refused here.
                throw new IllegalArgumentException("a partial aggregate of " + bytes.length + " bytes is not in its encoding");
            }
            return p;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
            throw new IllegalArgumentException("truncated partial aggregate of " + bytes.length + " bytes", e);
        }
    }

    /** Call count, then per call its function, column id and type (-1 for none). */
    void encodeTo(ByteBuffer b) {
        b.putInt(calls.size());
        for (Call c : calls) {
            b.put((byte) c.function().ordinal()).putInt(c.columnId()).put((byte) (c.type() == null ? -1 : c.type().ordinal()));
        }
    }

    int encodedSize() {
        return 4 + 6 * calls.size();
    }

    static RowAggregate decodeFrom(ByteBuffer b) {
        int n = b.getInt();
        if (n < 1 || n > MAX_CALLS) {
            throw new IllegalArgumentException("an aggregate has 1 to " + MAX_CALLS + " calls, not " + n);
        }
        List<Call> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte f = b.get();
            int column = b.getInt();
            byte t = b.get();
            if (f < 0 || f >= Function.values().length || t < -1 || t >= ValueType.values().length) {
                throw new IllegalArgumentException("unknown aggregate function " + f + " or type " + t);
            }
            calls.add(new Call(Function.values()[f], column, t == -1 ? null : ValueType.values()[t]));
        }
        return new RowAggregate(calls);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowAggregate other && other.calls.equals(calls);
    }

    @Override
    public int hashCode() {
        return calls.hashCode();
    }

    @Override
    public String toString() {
        return "RowAggregate" + calls;
    }
}
