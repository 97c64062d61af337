package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.adapter.enumerable.EnumerableWindow;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rel.logical.LogicalWindow;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.rex.RexWindowBounds;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Window functions whose integer arithmetic does not wrap. Calcite's {@link EnumerableWindow}
 * computes in Java's {@code long} and {@code int}, which wrap; here two of its computations are
 * replaced in the finished physical plan (as {@link CheckedSums} replaces the grouped sums):
 *
 * <ul>
 *   <li>A {@code SUM} or {@code $SUM0} of a BIGINT ({@code SUM(b) OVER (...)} is a {@code $SUM0}
 *       and a {@code COUNT}; {@code AVG(b) OVER (...)} divides the same {@code $SUM0}) added in a
 *       {@code long}, so a frame whose sum passes ±9.2 × 10^18 answered a wrapped value. It
 *       becomes {@link CheckedSums.BigintSum}, which adds exactly: each row's value is the exact
 *       sum of its frame, and the query fails with 22003 iff some row's frame sum is out of
 *       BIGINT's range. A running sum that leaves the range midway fails at the first row whose
 *       frame total is out of range; a frame that leaves it and comes back (a whole partition,
 *       or a sliding frame) answers. A sum of an INTEGER (or narrower) is left to Calcite: a
 *       partition is a Java array, of fewer than 2^31 rows each at most 2^31 in absolute value,
 *       so its sum stays below 2^62.</li>
 *   <li>A {@code ROWS} frame's ends, the row's index plus or minus the offset in an {@code int}:
 *       {@code ROWS BETWEEN CURRENT ROW AND 2147483647 FOLLOWING} wrapped into a wrong frame,
 *       and an offset past the {@code int} range failed. An offset of {@link #ROWS_OFFSET_LIMIT}
 *       rows or more becomes that limit: the same frame for every partition of at most that many
 *       rows, whose ends are then in {@code int} range.</li>
 * </ul>
 *
 * <p>How: {@code EnumerableWindow}'s constructor is package-private, but the rule that makes one
 * from a logical window is public; the rewritten groups go into a {@link LogicalWindow} over the
 * same physical input, which the rule converts. Calcite's window code runs a user-defined
 * aggregate through the same reset, add and result steps as its own {@code SUM} (a sliding frame
 * is summed again from its first row), at the cost of an accumulator object per reset. Applied
 * after planning, like {@link CheckedSums}, so that the planner's rules and Calcite's expansion
 * of a window {@code SUM} into {@code COUNT} and {@code $SUM0} see Calcite's own functions.
 * Rejected: summing a cast to DECIMAL checked back to BIGINT (a {@code BigDecimal} addition per
 * row where a {@code long} one almost always suffices).
 *
 * <p>Left: a {@code RANGE} frame with an offset compares the order key plus or minus the offset,
 * computed in the key's Java type, which wraps near the ends of INTEGER and BIGINT (docs/sql.md).
 */
final class CheckedWindows {

    /**
     * The largest {@code ROWS} offset kept as written (2^30 rows): any larger one reaches past both
     * ends of a partition of up to this many rows, and an index plus it stays in {@code int} range.
     */
    static final int ROWS_OFFSET_LIMIT = 1 << 30;

    /** Builds an EnumerableWindow from a window with any convention (its constructor is package-private). */
    private static final ConverterRule WINDOW_RULE = EnumerableRules.ENUMERABLE_WINDOW_RULE;

    private CheckedWindows() {
    }

    /** The plan with the window functions' BIGINT sums checked and their ROWS offsets bounded. */
    static RelNode apply(RelNode plan) {
        return BottomUp.apply(plan, CheckedWindows::checked);
    }

    private static RelNode checked(RelNode rel) {
        if (!(rel instanceof EnumerableWindow window)) {
            return rel;
        }
        RexBuilder rex = window.getCluster().getRexBuilder();
        List<RexLiteral> constants = new ArrayList<>(window.getConstants());
        int inputFields = window.getInput().getRowType().getFieldCount();
        boolean changed = false;
        List<Window.Group> groups = new ArrayList<>(window.groups.size());
        for (Window.Group group : window.groups) {
            List<Window.RexWinAggCall> calls = new ArrayList<>(group.aggCalls.size());
            boolean groupChanged = false;
            for (Window.RexWinAggCall call : group.aggCalls) {
                Window.RexWinAggCall checked = checkedSum(call);
                groupChanged |= checked != call;
                calls.add(checked);
            }
            RexWindowBound lower = group.lowerBound;
            RexWindowBound upper = group.upperBound;
            if (group.isRows) {
                lower = bounded(lower, constants, inputFields, rex);
                upper = bounded(upper, constants, inputFields, rex);
            }
            if (groupChanged || lower != group.lowerBound || upper != group.upperBound) {
                changed = true;
                group = new Window.Group(group.keys, group.isRows, lower, upper, group.exclude, group.orderKeys, calls);
            }
            groups.add(group);
        }
        if (!changed) {
            return rel;
        }
        LogicalWindow logical = LogicalWindow.create(window.getTraitSet().replace(Convention.NONE), window.getInput(), constants,
                window.getRowType(), groups);
        return WINDOW_RULE.convert(logical);
    }

    /** The call, or the checked sum in its place if it is a SUM or $SUM0 of a BIGINT. */
    private static Window.RexWinAggCall checkedSum(Window.RexWinAggCall call) {
        SqlKind kind = call.getOperator().getKind();
        if ((kind != SqlKind.SUM && kind != SqlKind.SUM0) || call.getOperands().size() != 1
                || call.getType().getSqlTypeName() != SqlTypeName.BIGINT
                || call.getOperands().get(0).getType().getSqlTypeName() != SqlTypeName.BIGINT) {
            return call;
        }
        return new Window.RexWinAggCall(CheckedSums.replacing(kind), call.getType(), call.getOperands(), call.ordinal, call.distinct,
                call.ignoreNulls);
    }

    /**
     * The bound, or one at {@link #ROWS_OFFSET_LIMIT} rows if its offset is a constant above it
     * (added to the constants, which other expressions may share).
     */
    private static RexWindowBound bounded(RexWindowBound bound, List<RexLiteral> constants, int inputFields, RexBuilder rex) {
        if (bound.isUnbounded() || bound.isCurrentRow() || !(bound.getOffset() instanceof RexInputRef ref)
                || ref.getIndex() < inputFields) {
            return bound;
        }
        BigDecimal offset = constants.get(ref.getIndex() - inputFields).getValueAs(BigDecimal.class);
        if (offset == null || offset.compareTo(BigDecimal.valueOf(ROWS_OFFSET_LIMIT)) <= 0) {
            return bound;
        }
        RexLiteral limit = (RexLiteral) rex.makeExactLiteral(BigDecimal.valueOf(ROWS_OFFSET_LIMIT),
                rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER));
        int index = constants.indexOf(limit);
        if (index < 0) {
            index = constants.size();
            constants.add(limit);
        }
        RexNode offsetRef = new RexInputRef(inputFields + index, limit.getType());
        return bound.isPreceding() ? RexWindowBounds.preceding(offsetRef) : RexWindowBounds.following(offsetRef);
    }
}
