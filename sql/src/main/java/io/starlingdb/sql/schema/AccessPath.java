package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;

/**
 * How a scan of one table reaches its rows, decided from the filters Calcite pushes into it:
 * a primary-key point lookup when every key column is fixed by equality, a key-range scan when
 * a leading part of the key is fixed and/or the next key column is bounded, otherwise a full
 * scan. The same decision serves execution and EXPLAIN, so EXPLAIN shows what runs.
 *
 * <p>Pure: it looks at the shape of the filters only (column = literal or parameter); the values
 * are read when the scan starts, and a value that does not fit the key column's type (1.5 for
 * an INTEGER key) makes the scan fall back to a wider range. Range filters are never consumed:
 * Calcite still applies them to the rows, so a wider range is always correct.
 */
public final class AccessPath {

    public enum Kind { POINT_LOOKUP, KEY_RANGE, INDEX_LOOKUP, FULL_SCAN }

    /** One bound on the first key column after the equality prefix. */
    record Bound(RexNode value, boolean inclusive) {
    }

    private final TableDef table;
    private final Kind kind;
    private final List<RexNode> equalities;      // values of the leading key columns, in key order
    private final List<RexNode> equalityFilters; // the filters that fixed them
    private final Bound lower;
    private final Bound upper;
    private final IndexDef index;               // for INDEX_LOOKUP: equalities fix its leading columns

    private AccessPath(TableDef table, Kind kind, List<RexNode> equalities, List<RexNode> equalityFilters, Bound lower, Bound upper) {
        this(table, kind, equalities, equalityFilters, lower, upper, null);
    }

    private AccessPath(TableDef table, Kind kind, List<RexNode> equalities, List<RexNode> equalityFilters, Bound lower, Bound upper,
                       IndexDef index) {
        this.index = index;
        this.table = table;
        this.kind = kind;
        this.equalities = equalities;
        this.equalityFilters = equalityFilters;
        this.lower = lower;
        this.upper = upper;
    }

    public static AccessPath choose(TableDef table, List<RexNode> pushed) {
        List<RexNode> filters = new ArrayList<>();
        for (RexNode filter : pushed) {
            filters.addAll(RelOptUtil.conjunctions(filter));
        }
        int[] pk = table.primaryKey();
        if (pk.length == 0) {
            AccessPath byIndex = bestIndex(table, filters);
            return byIndex != null ? byIndex : new AccessPath(table, Kind.FULL_SCAN, List.of(), List.of(), null, null);
        }
        List<RexNode> values = new ArrayList<>();
        List<RexNode> used = new ArrayList<>();
        for (int k = 0; k < pk.length; k++) {
            RexNode[] match = comparison(filters, pk[k], SqlKind.EQUALS);
            if (match == null) {
                break;
            }
            values.add(match[1]);
            used.add(match[0]);
        }
        if (values.size() == pk.length) {
            return new AccessPath(table, Kind.POINT_LOOKUP, values, used, null, null);
        }
        int next = pk[values.size()];
        Bound lower = bound(filters, next, SqlKind.GREATER_THAN_OR_EQUAL, SqlKind.GREATER_THAN);
        Bound upper = bound(filters, next, SqlKind.LESS_THAN_OR_EQUAL, SqlKind.LESS_THAN);
        if (values.isEmpty()) {
            // A key range with no fixed key prefix is likely wider than an index's equality match.
            AccessPath byIndex = bestIndex(table, filters);
            if (byIndex != null) {
                return byIndex;
            }
            if (lower == null && upper == null) {
                return new AccessPath(table, Kind.FULL_SCAN, List.of(), List.of(), null, null);
            }
        }
        return new AccessPath(table, Kind.KEY_RANGE, values, used, lower, upper);
    }

    /**
     * The index whose leading columns the filters fix by equality, preferring a unique index
     * fixed completely, then the most columns fixed; or null.
     */
    private static AccessPath bestIndex(TableDef table, List<RexNode> filters) {
        AccessPath best = null;
        int bestScore = 0;
        for (IndexDef candidate : table.indexes()) {
            if (candidate.writeOnly()) {
                continue; // being built: its entries are not all there yet
            }
            List<RexNode> values = new ArrayList<>();
            for (int column : candidate.columns()) {
                RexNode[] match = comparison(filters, column, SqlKind.EQUALS);
                if (match == null) {
                    break;
                }
                values.add(match[1]);
            }
            if (values.isEmpty()) {
                continue;
            }
            boolean uniqueMatch = candidate.unique() && values.size() == candidate.columns().length;
            int score = values.size() + (uniqueMatch ? 1000 : 0);
            if (score > bestScore) {
                bestScore = score;
                best = new AccessPath(table, Kind.INDEX_LOOKUP, values, List.of(), null, null, candidate);
            }
        }
        return best;
    }

    /** The index an INDEX_LOOKUP reads. */
    IndexDef index() {
        return index;
    }

    /** For INDEX_LOOKUP: the [from, to) range of index entries; null if a value cannot match any entry. */
    byte[][] indexRange(ValueResolver resolver) {
        Object[] values = new Object[equalities.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = resolver.resolve(equalities.get(i), table.columns().get(index.columns()[i]).type());
            if (values[i] == null) {
                return null;
            }
        }
        byte[] prefix = TableStorage.indexPrefix(table, index, values);
        return new byte[][] {prefix, KeyEncoder.prefixEnd(prefix)};
    }

    private static Bound bound(List<RexNode> filters, int column, SqlKind inclusive, SqlKind exclusive) {
        RexNode[] match = comparison(filters, column, inclusive);
        if (match != null) {
            return new Bound(match[1], true);
        }
        match = comparison(filters, column, exclusive);
        return match == null ? null : new Bound(match[1], false);
    }

    /** A filter "column OP value" (either side), as {filter, value}; or null. */
    private static RexNode[] comparison(List<RexNode> filters, int column, SqlKind kind) {
        for (RexNode filter : filters) {
            if (!(filter instanceof RexCall call) || call.getOperands().size() != 2) {
                continue;
            }
            RexNode left = call.getOperands().get(0);
            RexNode right = call.getOperands().get(1);
            if (call.getKind() == kind && isColumn(left, column) && isValue(right)) {
                return new RexNode[] {filter, right};
            }
            if (call.getKind() == kind.reverse() && isColumn(right, column) && isValue(left)) {
                return new RexNode[] {filter, left};
            }
        }
        return null;
    }

    private static boolean isColumn(RexNode node, int column) {
        return node instanceof RexInputRef ref && ref.getIndex() == column;
    }

    private static boolean isValue(RexNode node) {
        return (node instanceof RexLiteral literal && !literal.isNull()) || node instanceof RexDynamicParam;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The filters a point lookup answers completely (they need not run again); a conjunct of
     * a pushed AND is not among them, so the whole AND still runs.
     */
    public List<RexNode> consumedFilters() {
        return kind == Kind.POINT_LOOKUP ? equalityFilters : List.of();
    }

    /** The values of the leading key columns, in the column types; null if one cannot be a key value. */
    Object[] equalityValues(ValueResolver resolver) {
        Object[] out = new Object[equalities.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = resolver.resolve(equalities.get(i), keyType(i));
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }

    /**
     * The [from, to) key range to read; a bound whose value cannot be a key value widens the
     * range (its filter still runs). Returns null when an equality value cannot match any key.
     */
    byte[][] range(ValueResolver resolver) {
        Object[] fixed = equalityValues(resolver);
        if (fixed == null) {
            return null;
        }
        KeyEncoder prefix = new KeyEncoder().writeTableId(table.id()).writeTableId(TableStorage.PRIMARY_INDEX_ID);
        for (int i = 0; i < fixed.length; i++) {
            prefix.write(keyType(i), fixed[i], false);
        }
        byte[] prefixBytes = prefix.toBytes();
        byte[] from = prefixBytes;
        byte[] to = KeyEncoder.prefixEnd(prefixBytes);
        ValueType nextType = fixed.length < table.primaryKey().length ? keyType(fixed.length) : null;
        if (lower != null && nextType != null) {
            Object value = resolver.resolve(lower.value(), nextType);
            if (value != null) {
                byte[] at = withValue(prefixBytes, nextType, value);
                from = lower.inclusive() ? at : KeyEncoder.prefixEnd(at);
            }
        }
        if (upper != null && nextType != null) {
            Object value = resolver.resolve(upper.value(), nextType);
            if (value != null) {
                byte[] at = withValue(prefixBytes, nextType, value);
                to = upper.inclusive() ? KeyEncoder.prefixEnd(at) : at;
            }
        }
        return new byte[][] {from, to};
    }

    private static byte[] withValue(byte[] prefix, ValueType type, Object value) {
        return new KeyEncoder().writeRaw(prefix).write(type, value, false).toBytes();
    }

    private ValueType keyType(int keyPosition) {
        return table.columns().get(table.primaryKey()[keyPosition]).type();
    }

    /** How EXPLAIN shows this path, e.g. "primary key range (ID >= ?0)". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        int[] pk = table.primaryKey();
        int[] fixedColumns = kind == Kind.INDEX_LOOKUP ? index.columns() : pk;
        for (int i = 0; i < equalities.size(); i++) {
            parts.add(table.columns().get(fixedColumns[i]).name() + " = " + equalities.get(i));
        }
        if (kind == Kind.KEY_RANGE && equalities.size() < pk.length) {
            String next = table.columns().get(pk[equalities.size()]).name();
            if (lower != null) {
                parts.add(next + (lower.inclusive() ? " >= " : " > ") + lower.value());
            }
            if (upper != null) {
                parts.add(next + (upper.inclusive() ? " <= " : " < ") + upper.value());
            }
        }
        return switch (kind) {
            case POINT_LOOKUP -> "primary key lookup (" + String.join(", ", parts) + ")";
            case KEY_RANGE -> "primary key range (" + String.join(", ", parts) + ")";
            case INDEX_LOOKUP -> "index " + index.name() + " lookup (" + String.join(", ", parts) + ")";
            case FULL_SCAN -> "full scan";
        };
    }

    /** Reads a literal or parameter as a value of a key column's type, or null if it cannot be one. */
    interface ValueResolver {
        Object resolve(RexNode node, ValueType type);
    }
}
