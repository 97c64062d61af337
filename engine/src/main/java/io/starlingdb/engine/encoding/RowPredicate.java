package io.starlingdb.engine.encoding;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What a scan needs of the rows in {@link RowCodec}'s encoding: comparisons "column OP value",
 * all of which must hold, checked without decoding the other columns, and optionally the columns
 * it reads, so the others may be left out of the rows it receives. A scan uses it to drop rows
 * a statement's filter would drop anyway; on the cluster it travels with each scan page to the
 * range's leaseholder, so rows that cannot match, and columns no one reads, never cross the
 * network. A NULL column makes every comparison on it false, as in a SQL WHERE. The compared
 * columns are always among the columns kept, so a row that passed may be tested again.
 *
 * <p>Comparisons are made as the statement's filter makes them: integers, decimals (by value),
 * dates, timestamps and strings ({@link String#compareTo}, as Calcite's generated code and
 * interpreter do) in their Java order, doubles with Java's primitive operators (-0.0 equals 0.0).
 * A NaN on either side makes a comparison of doubles hold, so the filter, which still runs on
 * every row kept, decides that row: a predicate only ever drops rows the filter would drop.
 * Booleans are not compared. Immutable.
 */
public final class RowPredicate {

    /** Comparisons of a predicate at most, here and on the wire. */
    public static final int MAX_COMPARISONS = 64;

    /** Types a predicate may compare. */
    public static final Set<ValueType> COMPARED_TYPES = Set.of(ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL,
            ValueType.DATE, ValueType.TIMESTAMP, ValueType.VARCHAR, ValueType.DOUBLE);

    /** Columns a predicate may keep at most (a table has at most 1,000). */
    public static final int MAX_KEPT_COLUMNS = 4_096;

    /** Comparisons only. */
    private static final byte FORMAT = 1;
    /** Comparisons, then the columns kept: written only when some are, so older nodes read the rest. */
    private static final byte FORMAT_WITH_COLUMNS = 2;
    /** Comparisons, the columns kept, then an aggregate of the rows kept. */
    private static final byte FORMAT_WITH_AGGREGATE = 3;

    public enum Op { EQ, NE, LT, LE, GT, GE }

    /** One comparison: the row's column columnId (of type type) OP value. */
    public record Comparison(int columnId, ValueType type, Op op, Object value) {
        public Comparison {
            if (columnId < 0) {
                throw new IllegalArgumentException("column id out of range: " + columnId);
            }
            if (!COMPARED_TYPES.contains(type)) {
                throw new IllegalArgumentException("a row predicate cannot compare " + type + " columns");
            }
            if (op == null || value == null || !type.javaType().isInstance(value)) {
                throw new IllegalArgumentException("comparison of column " + columnId + " (" + type + ") needs an op and a "
                        + type.javaType().getSimpleName() + " value, got " + op + " " + value);
            }
        }
    }

    private final List<Comparison> comparisons;
    /** The ids of the columns the scan reads, compared ones included, ascending; null: every column. */
    private final int[] keptColumns;
    /** The distinct compared columns, decoded from each row before anything else. */
    private final int[] columnIds;
    private final ValueType[] types;
    /** Per comparison: the index of its column in columnIds. */
    private final int[] slots;
    /** Computed of the rows kept, in their place (null: the rows themselves are read). */
    private final RowAggregate aggregate;
    /** Per comparison: how the matcher compares it (LONG, DOUBLE, STRING or OBJECT), and its value so. */
    private final byte[] kinds;
    private final Op[] ops;
    private final long[] longValues;
    private final double[] doubleValues;
    private final byte[][] utf8Values;

    private static final byte LONG = 0;
    private static final byte DOUBLE = 1;
    private static final byte STRING = 2;
    private static final byte OBJECT = 3;

    public RowPredicate(List<Comparison> comparisons) {
        this(comparisons, null);
    }

    /**
     * @param keptColumns ids of the columns the scan reads (the compared ones are added), or null
     *                    for every column; with null, at least one comparison is needed
     */
    public RowPredicate(List<Comparison> comparisons, int[] keptColumns) {
        this(comparisons, keptColumns, null);
    }

    /**
     * A scan that answers, instead of the rows it keeps, one {@link RowAggregate.Partial} of them
     * per page (an empty key and the partial's encoding as its only pair): the columns kept are
     * the aggregate's and the compared ones.
     */
    public static RowPredicate aggregating(List<Comparison> comparisons, RowAggregate aggregate) {
        if (aggregate == null) {
            throw new IllegalArgumentException("an aggregating predicate needs an aggregate");
        }
        return new RowPredicate(comparisons, aggregate.columnIds(), aggregate);
    }

    private RowPredicate(List<Comparison> comparisons, int[] keptColumns, RowAggregate aggregate) {
        this.aggregate = aggregate;
        if (comparisons.size() > MAX_COMPARISONS || (comparisons.isEmpty() && keptColumns == null)) {
            throw new IllegalArgumentException("a row predicate has " + (keptColumns == null ? 1 : 0) + " to " + MAX_COMPARISONS
                    + " comparisons, not " + comparisons.size());
        }
        this.comparisons = List.copyOf(comparisons);
        List<Comparison> distinct = new ArrayList<>();
        this.slots = new int[comparisons.size()];
        for (int i = 0; i < comparisons.size(); i++) {
            Comparison c = comparisons.get(i);
            int slot = -1;
            for (int j = 0; j < distinct.size(); j++) {
                if (distinct.get(j).columnId() == c.columnId()) {
                    if (distinct.get(j).type() != c.type()) {
                        throw new IllegalArgumentException("column " + c.columnId() + " compared as " + distinct.get(j).type()
                                + " and as " + c.type());
                    }
                    slot = j;
                }
            }
            if (slot < 0) {
                slot = distinct.size();
                distinct.add(c);
            }
            slots[i] = slot;
        }
        this.columnIds = new int[distinct.size()];
        this.types = new ValueType[distinct.size()];
        for (int i = 0; i < columnIds.length; i++) {
            columnIds[i] = distinct.get(i).columnId();
            types[i] = distinct.get(i).type();
        }
        this.keptColumns = keptColumns == null ? null : keptWithCompared(keptColumns, columnIds);
        int n = comparisons.size();
        kinds = new byte[n];
        ops = new Op[n];
        longValues = new long[n];
        doubleValues = new double[n];
        utf8Values = new byte[n][];
        for (int i = 0; i < n; i++) {
            Comparison c = comparisons.get(i);
            ops[i] = c.op();
            switch (c.type()) {
                case INTEGER, DATE, BIGINT, TIMESTAMP -> {
                    kinds[i] = LONG;
                    longValues[i] = ((Number) c.value()).longValue();
                }
                case DOUBLE -> {
                    kinds[i] = DOUBLE;
                    doubleValues[i] = (Double) c.value();
                }
                case VARCHAR -> {
                    try {
                        utf8Values[i] = KeyEncoder.strictUtf8((String) c.value());
                        kinds[i] = STRING;
                    } catch (IllegalArgumentException unpaired) {
                        kinds[i] = OBJECT; // a lone surrogate has no UTF-8: compared as strings
                    }
                }
                default -> kinds[i] = OBJECT;
            }
        }
    }

    private static int[] keptWithCompared(int[] kept, int[] compared) {
        int[] all = Arrays.copyOf(kept, kept.length + compared.length);
        System.arraycopy(compared, 0, all, kept.length, compared.length);
        int[] ids = Arrays.stream(all).sorted().distinct().toArray();
        if (ids.length > MAX_KEPT_COLUMNS || (ids.length > 0 && ids[0] < 0)) {
            throw new IllegalArgumentException("a row predicate keeps 0 to " + MAX_KEPT_COLUMNS
                    + " columns of non-negative ids, not " + Arrays.toString(kept));
        }
        return ids;
    }

    public List<Comparison> comparisons() {
        return comparisons;
    }

    /** This predicate's comparisons and columns kept, without its aggregate: a scan of the rows it would fold. */
    public RowPredicate withoutAggregate() {
        return aggregate == null ? this : new RowPredicate(comparisons, keptColumns, null);
    }

    /** The aggregate the scan answers instead of its rows, or null. */
    public RowAggregate aggregate() {
        return aggregate;
    }

    /** The ids of the columns kept, ascending, or null when every column is. */
    public int[] keptColumns() {
        return keptColumns == null ? null : keptColumns.clone();
    }

    /**
     * The row as the scan needs it: without the columns it does not read (they decode as null),
     * or the row itself when it reads them all.
     */
    public byte[] shape(byte[] row) {
        return keptColumns == null ? row : RowCodec.project(row, keptColumns);
    }

    /**
     * False when some comparison does not hold for the row (its column is NULL or compares
     * wrongly). A row that does not decode as the predicate expects throws
     * IllegalArgumentException; a caller filtering for someone else keeps such a row. A scan
     * testing many rows uses one {@link #matcher()} instead.
     */
    public boolean test(byte[] row) {
        return matcher().test(row, 0, row.length);
    }

    /** A test of rows for one thread at a time, made once per scan. */
    public Matcher matcher() {
        return new Matcher();
    }

    /**
     * The predicate's test, reading the compared columns of each row in place (integers,
     * doubles and strings without decoding them into objects). Not thread-safe.
     */
    public final class Matcher {
        private final RowCodec.Fields fields = new RowCodec.Fields(columnIds, types);

        private Matcher() {
        }

        /** {@link RowPredicate#test(byte[])} of the row at row[from, to). */
        public boolean test(byte[] row, int from, int to) {
            if (comparisons.isEmpty()) {
                return true;
            }
            fields.read(row, from, to);
            for (int i = 0; i < slots.length; i++) {
                int slot = slots[i];
                if (!fields.has(slot)) {
                    return false;
                }
                boolean holds = switch (kinds[i]) {
                    case LONG -> holds(ops[i], Long.compare(fields.longValue(slot), longValues[i]));
                    case DOUBLE -> holdsForDoubles(ops[i], fields.doubleValue(slot), doubleValues[i]);
                    case STRING -> holds(ops[i], fields.compareString(slot, utf8Values[i]));
                    default -> holds(ops[i], fields.value(slot), comparisons.get(i).value());
                };
                if (!holds) {
                    return false;
                }
            }
            return true;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean holds(Op op, Object column, Object value) {
        return holds(op, ((Comparable) column).compareTo(value));
    }

    private static boolean holdsForDoubles(Op op, double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return true; // left to the filter
        }
        return switch (op) {
            case EQ -> x == y;
            case NE -> x != y;
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
        };
    }

    private static boolean holds(Op op, int cmp) {
        return switch (op) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
        };
    }

    /**
     * Format byte, comparison count, per comparison its column id, type and op, then the values as
     * one {@link RowCodec} row (column i: comparison i's value), length-prefixed; with kept
     * columns, their count and ids follow.
     */
    public byte[] encode() {
        int n = comparisons.size();
        int[] ids = new int[n];
        ValueType[] valueTypes = new ValueType[n];
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            valueTypes[i] = comparisons.get(i).type();
            values[i] = comparisons.get(i).value();
        }
        byte[] row = RowCodec.encode(ids, valueTypes, values);
        int kept = keptColumns == null ? 0 : 4 + 4 * keptColumns.length;
        int aggregated = aggregate == null ? 0 : aggregate.encodedSize();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + n * 6 + 4 + row.length + kept + aggregated);
        b.put(aggregate != null ? FORMAT_WITH_AGGREGATE : keptColumns == null ? FORMAT : FORMAT_WITH_COLUMNS).putInt(n);
        for (Comparison c : comparisons) {
            b.putInt(c.columnId()).put((byte) c.type().ordinal()).put((byte) c.op().ordinal());
        }
        b.putInt(row.length).put(row);
        if (keptColumns != null) {
            b.putInt(keptColumns.length);
            for (int id : keptColumns) {
                b.putInt(id);
            }
        }
        if (aggregate != null) {
            aggregate.encodeTo(b);
        }
        return b.array();
    }

    /** The predicate encode() wrote; anything else (from a peer) fails with IllegalArgumentException. */
    public static RowPredicate decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte format = b.get();
            if (format != FORMAT && format != FORMAT_WITH_COLUMNS && format != FORMAT_WITH_AGGREGATE) {
                throw new IllegalArgumentException("unknown row predicate format");
            }
            int n = b.getInt();
            if (n < (format == FORMAT ? 1 : 0) || n > MAX_COMPARISONS) {
                throw new IllegalArgumentException("a row predicate has 1 to " + MAX_COMPARISONS + " comparisons, not " + n);
            }
            int[] columnIds = new int[n];
            ValueType[] valueTypes = new ValueType[n];
            Op[] ops = new Op[n];
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                columnIds[i] = b.getInt();
                valueTypes[i] = enumAt(ValueType.values(), b.get(), "value type");
                ops[i] = enumAt(Op.values(), b.get(), "comparison");
                positions[i] = i;
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining() || (format == FORMAT && length != b.remaining())) {
                throw new IllegalArgumentException("row predicate values of " + length + " bytes, " + b.remaining() + " present");
            }
            byte[] row = new byte[length];
            b.get(row);
            Object[] values = RowCodec.decode(row, positions, valueTypes);
            List<Comparison> comparisons = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                comparisons.add(new Comparison(columnIds[i], valueTypes[i], ops[i], values[i]));
            }
            if (format == FORMAT) {
                return new RowPredicate(comparisons);
            }
            int keptCount = b.getInt();
            if (keptCount < 0 || keptCount > MAX_KEPT_COLUMNS || (format == FORMAT_WITH_COLUMNS ? keptCount * 4L != b.remaining()
                    : keptCount * 4L > b.remaining())) {
                throw new IllegalArgumentException("row predicate keeps " + keptCount + " columns in " + b.remaining() + " bytes");
            }
            int[] kept = new int[keptCount];
            for (int i = 0; i < keptCount; i++) {
                kept[i] = b.getInt();
            }
            if (format == FORMAT_WITH_COLUMNS) {
                return new RowPredicate(comparisons, kept);
            }
            RowAggregate aggregate = RowAggregate.decodeFrom(b);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " bytes after a row predicate's aggregate");
            }
            // The aggregate's columns are kept whatever a peer wrote: without them it would fold NULLs.
            int[] keptWithAggregated = Arrays.copyOf(kept, kept.length + aggregate.columnIds().length);
            System.arraycopy(aggregate.columnIds(), 0, keptWithAggregated, kept.length, aggregate.columnIds().length);
            return new RowPredicate(comparisons, keptWithAggregated, aggregate);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("truncated row predicate of " + bytes.length + " bytes", e);
        }
    }

    private static <E> E enumAt(E[] values, byte ordinal, String what) {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IllegalArgumentException("unknown " + what + " " + ordinal + " in a row predicate");
        }
        return values[ordinal];
    }

    @Override
    public String toString() {
        return "RowPredicate" + comparisons + (keptColumns == null ? "" : " columns " + Arrays.toString(keptColumns))
                + (aggregate == null ? "" : " " + aggregate);
    }
}
