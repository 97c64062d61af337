package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.catalog.TableDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;

/**
 * The comparisons "column OP literal or parameter" among a scan's filters, which the scan
 * checks on those columns alone before it decodes the rest of a row: a scan that keeps half
 * its rows then builds only half the strings and rows. Like a key range, it only drops rows
 * the filter above the scan would drop (a comparison with NULL never holds in a WHERE), and
 * that filter still runs on every row kept.
 *
 * <p>Only column types whose Java order is SQL's order take part (integers, decimals, dates,
 * timestamps); strings (collation) and doubles (-0.0, NaN) are left to the filter. A value
 * that cannot be read in the column's type (1.5 for an INTEGER) drops its comparison.
 */
public final class RowFilter {

    private static final Set<SqlKind> comparisonKinds = Set.of(SqlKind.EQUALS, SqlKind.NOT_EQUALS, SqlKind.LESS_THAN,
            SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN, SqlKind.GREATER_THAN_OR_EQUAL);
    private static final Set<ValueType> orderedTypes = Set.of(ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL,
            ValueType.DATE, ValueType.TIMESTAMP);
    private static final RowFilter none = new RowFilter(null, List.of());

    /** column (index into the table's columns) OP value. */
    record Comparison(int column, SqlKind kind, RexNode value) {
    }

    private final TableDef table;
    private final List<Comparison> comparisons;

    private RowFilter(TableDef table, List<Comparison> comparisons) {
        this.table = table;
        this.comparisons = comparisons;
    }

    /** The comparisons among the pushed filters (each may be an AND) that a scan can check early. */
    public static RowFilter of(TableDef table, List<RexNode> pushed) {
        List<Comparison> found = new ArrayList<>();
        for (RexNode filter : pushed) {
            for (RexNode conjunct : RelOptUtil.conjunctions(filter)) {
                Comparison c = comparison(conjunct);
                if (c != null && orderedTypes.contains(table.columns().get(c.column()).type())) {
                    found.add(c);
                }
            }
        }
        return found.isEmpty() ? none : new RowFilter(table, List.copyOf(found));
    }

    private static Comparison comparison(RexNode node) {
        if (!(node instanceof RexCall call) || !comparisonKinds.contains(call.getKind()) || call.getOperands().size() != 2) {
            return null;
        }
        RexNode left = call.getOperands().get(0);
        RexNode right = call.getOperands().get(1);
        if (left instanceof RexInputRef ref && isValue(right)) {
            return new Comparison(ref.getIndex(), call.getKind(), right);
        }
        if (right instanceof RexInputRef ref && isValue(left)) {
            return new Comparison(ref.getIndex(), call.getKind().reverse(), left);
        }
        return null;
    }

    private static boolean isValue(RexNode node) {
        return (node instanceof RexLiteral literal && !literal.isNull()) || node instanceof RexDynamicParam;
    }

    List<Comparison> comparisons() {
        return comparisons;
    }

    public boolean isEmpty() {
        return comparisons.isEmpty();
    }

    /** The check with this execution's values, or null when no comparison can be checked. */
    Check bind(AccessPath.ValueResolver resolver) {
        if (comparisons.isEmpty()) {
            return null;
        }
        List<Comparison> usable = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (Comparison c : comparisons) {
            Object value = resolver.resolve(c.value(), table.columns().get(c.column()).type());
            if (value != null) {
                usable.add(c);
                values.add(value);
            }
        }
        return usable.isEmpty() ? null : new Check(table, usable, values.toArray());
    }

    /** The comparisons with their values, checked against encoded rows. Immutable. */
    static final class Check {
        /** Ids and types of the compared columns (each once), decoded from each row before anything else. */
        private final int[] columnIds;
        private final ValueType[] types;
        /** Per comparison: the index of its column in columnIds, its kind and its value. */
        private final int[] slots;
        private final SqlKind[] kinds;
        private final Object[] values;

        private Check(TableDef table, List<Comparison> comparisons, Object[] values) {
            int n = comparisons.size();
            List<Integer> columns = new ArrayList<>();
            this.slots = new int[n];
            this.kinds = new SqlKind[n];
            this.values = values;
            for (int i = 0; i < n; i++) {
                Comparison c = comparisons.get(i);
                if (!columns.contains(c.column())) {
                    columns.add(c.column());
                }
                slots[i] = columns.indexOf(c.column());
                kinds[i] = c.kind();
            }
            this.columnIds = new int[columns.size()];
            this.types = new ValueType[columns.size()];
            for (int i = 0; i < columnIds.length; i++) {
                columnIds[i] = table.columnIds()[columns.get(i)];
                types[i] = table.types()[columns.get(i)];
            }
        }

        /** False when some comparison cannot hold for the row (its column is NULL or compares wrongly). */
        boolean mayMatch(byte[] row) {
            Object[] columns = RowCodec.decode(row, columnIds, types);
            for (int i = 0; i < kinds.length; i++) {
                Object column = columns[slots[i]];
                if (column == null || !holds(kinds[i], compare(column, values[i]))) {
                    return false;
                }
            }
            return true;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static int compare(Object column, Object value) {
            return ((Comparable) column).compareTo(value);
        }

        private static boolean holds(SqlKind kind, int cmp) {
            return switch (kind) {
                case EQUALS -> cmp == 0;
                case NOT_EQUALS -> cmp != 0;
                case LESS_THAN -> cmp < 0;
                case LESS_THAN_OR_EQUAL -> cmp <= 0;
                case GREATER_THAN -> cmp > 0;
                case GREATER_THAN_OR_EQUAL -> cmp >= 0;
                default -> throw new IllegalStateException("not a comparison: " + kind);
            };
        }
    }
}
