package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.RowPredicate;
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
                if (c != null && RowPredicate.ORDERED_TYPES.contains(table.columns().get(c.column()).type())) {
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

    /**
     * The check with this execution's values, or null when no comparison can be checked: an
     * engine {@link RowPredicate}, which a scan on the cluster also sends to each range's
     * leaseholder, so rows it rejects never cross the network.
     */
    RowPredicate bind(AccessPath.ValueResolver resolver) {
        if (comparisons.isEmpty()) {
            return null;
        }
        List<RowPredicate.Comparison> usable = new ArrayList<>();
        for (Comparison c : comparisons) {
            ValueType type = table.columns().get(c.column()).type();
            Object value = resolver.resolve(c.value(), type);
            if (value != null && usable.size() < RowPredicate.MAX_COMPARISONS) {
                usable.add(new RowPredicate.Comparison(table.columnIds()[c.column()], type, op(c.kind()), value));
            }
        }
        return usable.isEmpty() ? null : new RowPredicate(usable);
    }

    private static RowPredicate.Op op(SqlKind kind) {
        return switch (kind) {
            case EQUALS -> RowPredicate.Op.EQ;
            case NOT_EQUALS -> RowPredicate.Op.NE;
            case LESS_THAN -> RowPredicate.Op.LT;
            case LESS_THAN_OR_EQUAL -> RowPredicate.Op.LE;
            case GREATER_THAN -> RowPredicate.Op.GT;
            case GREATER_THAN_OR_EQUAL -> RowPredicate.Op.GE;
            default -> throw new IllegalStateException("not a comparison: " + kind);
        };
    }
}
