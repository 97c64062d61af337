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
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * What a scan needs of its table's rows: the comparisons "column OP literal or parameter" among
 * its filters, which the scan checks on those columns alone before it decodes the rest of a
 * row (a scan that keeps half its rows then builds only half the strings and rows), and the
 * columns the operators above read, the only ones it decodes (the others are NULL in its rows).
 * Like a key range, the comparisons only drop rows the filter above the scan would drop (a
 * comparison with NULL never holds in a WHERE), and that filter still runs on every row kept.
 *
 * <p>Columns of every type but BOOLEAN take part, compared as the filter compares them
 * ({@link RowPredicate}). A value that cannot be read in the column's type (1.5 for an INTEGER,
 * a number for a VARCHAR) drops its comparison.
 */
public final class RowFilter {

    private static final Set<SqlKind> comparisonKinds = Set.of(SqlKind.EQUALS, SqlKind.NOT_EQUALS, SqlKind.LESS_THAN,
            SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN, SqlKind.GREATER_THAN_OR_EQUAL);

    /** column (index into the table's columns) OP value. */
    record Comparison(int column, SqlKind kind, RexNode value) {
    }

    private final TableDef table;
    private final List<Comparison> comparisons;
    /** The engine ids and types of the columns read, and their positions in the table; all null when every column is read. */
    private final int[] readIds;
    private final ValueType[] readTypes;
    private final int[] readPositions;

    private RowFilter(TableDef table, List<Comparison> comparisons, ImmutableBitSet readColumns) {
        this.table = table;
        this.comparisons = comparisons;
        int width = table.columns().size();
        if (readColumns == null || readColumns.nextClearBit(0) >= width) {
            readIds = null;
            readTypes = null;
            readPositions = null;
        } else {
            readPositions = readColumns.toList().stream().mapToInt(Integer::intValue).filter(i -> i < width).toArray();
            readIds = new int[readPositions.length];
            readTypes = new ValueType[readPositions.length];
            for (int i = 0; i < readPositions.length; i++) {
                readIds[i] = table.columnIds()[readPositions[i]];
                readTypes[i] = table.types()[readPositions[i]];
            }
        }
    }

    /** The comparisons among the pushed filters (each may be an AND) that a scan can check early; every column read. */
    public static RowFilter of(TableDef table, List<RexNode> pushed) {
        return of(table, pushed, null);
    }

    /**
     * The comparisons among the pushed filters that a scan can check early, and the columns (by
     * position; null: all) the operators above it read.
     */
    public static RowFilter of(TableDef table, List<RexNode> pushed, ImmutableBitSet readColumns) {
        List<Comparison> found = new ArrayList<>();
        for (RexNode filter : pushed) {
            for (RexNode conjunct : RelOptUtil.conjunctions(filter)) {
                Comparison c = comparison(conjunct);
                if (c != null && comparable(table.columns().get(c.column()).type(), c.value())) {
                    found.add(c);
                }
            }
        }
        return new RowFilter(table, List.copyOf(found), readColumns);
    }

    /**
     * Whether a column of this type compared with this value compares as the predicate would: a
     * DOUBLE column only with an approximate value (against a DECIMAL the comparison may be made
     * in decimal, where 1.1 as a double is not 1.1).
     */
    private static boolean comparable(ValueType column, RexNode value) {
        if (!RowPredicate.COMPARED_TYPES.contains(column)) {
            return false;
        }
        return column != ValueType.DOUBLE || SqlTypeName.APPROX_TYPES.contains(value.getType().getSqlTypeName());
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

    /** Whether it has no comparison to check (it may still leave columns out). */
    public boolean isEmpty() {
        return comparisons.isEmpty();
    }

    /**
     * A stored row of the table, the columns not read left NULL: decoding only what is read
     * builds no string or number no one looks at.
     */
    public Object[] decode(byte[] row) {
        if (readIds == null) {
            return TableStorage.decodeRow(table, row);
        }
        Object[] read = TableStorage.decodeColumns(row, readIds, readTypes);
        Object[] full = new Object[table.columns().size()];
        for (int i = 0; i < readPositions.length; i++) {
            full[readPositions[i]] = read[i];
        }
        return full;
    }

    /**
     * The check with this execution's values and the columns read, or null when no comparison
     * can be checked and every column is read: an engine {@link RowPredicate}, which a scan on
     * the cluster also sends to each range's leaseholder, so rows it rejects and columns no one
     * reads never cross the network.
     */
    RowPredicate bind(AccessPath.ValueResolver resolver) {
        if (comparisons.isEmpty() && readIds == null) {
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
        if (readIds != null) {
            return new RowPredicate(usable, readIds);
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
