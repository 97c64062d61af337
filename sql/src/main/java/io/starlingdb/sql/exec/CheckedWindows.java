package io.starlingdb.sql.exec;

import io.starlingdb.sql.SqlException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.adapter.enumerable.EnumerableWindow;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rel.logical.LogicalWindow;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgramBuilder;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.rex.RexWindowBounds;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Window functions whose integer arithmetic does not wrap. Calcite's {@link EnumerableWindow}
 * computes in Java's {@code long} and {@code int}, which wrap; here three of its computations are
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
 *       rows, whose ends are then in {@code int} range. A constant expression of an offset
 *       ({@code 1 + 1 PRECEDING}, which the Calc below computes) counts as its value, and a
 *       negative offset fails with 22013.</li>
 *   <li>A {@code RANGE} frame's ends, the order key plus or minus the offset in the key's Java
 *       type: they wrapped near the ends of INTEGER and BIGINT, ignored {@code DESC} and the
 *       microseconds of a {@code TIMESTAMP(6)} key, and a NULL key failed. {@link RangeFrames}
 *       rewrites such a group's bounds so that each row's frame is PostgreSQL's; for a key that
 *       may be NULL it orders the group by columns added to the window's input (a Calc below,
 *       removed again by a Calc above).</li>
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

    /**
     * The plan with the window functions' BIGINT sums checked, their ROWS offsets bounded and
     * their RANGE offsets exact ({@link RangeFrames}); fails if a frame cannot be computed (a
     * negative offset, an unsupported RANGE offset).
     */
    static RelNode apply(RelNode plan) throws SqlException {
        try {
            return BottomUp.apply(plan, CheckedWindows::checked);
        } catch (RangeFrames.Refused e) {
            throw new SqlException(e.sqlState, e.getMessage());
        }
    }

    private static RelNode checked(RelNode rel) {
        if (!(rel instanceof EnumerableWindow window)) {
            return rel;
        }
        RexBuilder rex = window.getCluster().getRexBuilder();
        List<RexLiteral> constants = new ArrayList<>(window.getConstants());
        RelNode input = window.getInput();
        int inputFields = input.getRowType().getFieldCount();
        // Columns added to the input for RANGE groups whose key may be NULL (RangeFrames.keyColumns), and where each group's start.
        List<RexNode> added = new ArrayList<>();
        int[] keyColumns = new int[window.groups.size()];
        for (int g = 0; g < keyColumns.length; g++) {
            List<RexNode> columns = RangeFrames.keyColumns(window.groups.get(g), input, rex);
            keyColumns[g] = columns.isEmpty() ? -1 : inputFields + added.size();
            added.addAll(columns);
        }
        List<Window.Group> original = window.groups;
        if (!added.isEmpty()) {
            input = withColumns(input, added, rex);
            original = shiftConstants(original, inputFields, added.size());
        }
        boolean changed = !added.isEmpty();
        List<Window.Group> groups = new ArrayList<>(original.size());
        for (int g = 0; g < original.size(); g++) {
            Window.Group group = original.get(g);
            List<Window.RexWinAggCall> calls = new ArrayList<>(group.aggCalls.size());
            boolean groupChanged = false;
            for (Window.RexWinAggCall call : group.aggCalls) {
                Window.RexWinAggCall checked = checkedSum(call);
                groupChanged |= checked != call;
                calls.add(checked);
            }
            Window.Group bounded;
            if (group.isRows) {
                bounded = new Window.Group(group.keys, true, bounded(group.lowerBound, input, constants, rex),
                        bounded(group.upperBound, input, constants, rex), group.exclude, group.orderKeys, group.aggCalls);
            } else {
                bounded = RangeFrames.rewrite(group, input, constants, rex, keyColumns[g]);
            }
            if (groupChanged || bounded.lowerBound != group.lowerBound || bounded.upperBound != group.upperBound
                    || !bounded.keys.equals(group.keys) || !bounded.orderKeys.equals(group.orderKeys)) {
                changed = true;
                group = new Window.Group(bounded.keys, group.isRows, bounded.lowerBound, bounded.upperBound, group.exclude,
                        bounded.orderKeys, calls);
            }
            groups.add(group);
        }
        if (!changed) {
            return rel;
        }
        RelDataTypeFactory.Builder rowType = rex.getTypeFactory().builder().addAll(input.getRowType().getFieldList());
        rowType.addAll(window.getRowType().getFieldList().subList(inputFields, window.getRowType().getFieldCount()));
        LogicalWindow logical = LogicalWindow.create(window.getTraitSet().replace(Convention.NONE), input, constants,
                rowType.uniquify().build(), groups);
        RelNode converted = WINDOW_RULE.convert(logical);
        return added.isEmpty() ? converted : withoutColumns(converted, inputFields, added.size(), window.getRowType(), rex);
    }

    /** The input with the columns added after its own: one Calc (merged with the input if that is a Calc, so that its constants stay visible). */
    private static RelNode withColumns(RelNode input, List<RexNode> columns, RexBuilder rex) {
        RexProgramBuilder program = new RexProgramBuilder(input.getRowType(), rex);
        List<RelDataTypeField> fields = input.getRowType().getFieldList();
        for (int i = 0; i < fields.size(); i++) {
            program.addProject(i, fields.get(i).getName());
        }
        for (int i = 0; i < columns.size(); i++) {
            program.addProject(columns.get(i), "$range_key" + i);
        }
        if (input instanceof EnumerableCalc calc) {
            return EnumerableCalc.create(calc.getInput(), RexProgramBuilder.mergePrograms(program.getProgram(), calc.getProgram(), rex));
        }
        return EnumerableCalc.create(input, program.getProgram());
    }

    /** The window's rows without the columns {@link #withColumns} added: the row type the plan above reads. */
    private static RelNode withoutColumns(RelNode window, int from, int count, RelDataType rowType, RexBuilder rex) {
        RexProgramBuilder program = new RexProgramBuilder(window.getRowType(), rex);
        for (int i = 0; i < window.getRowType().getFieldCount(); i++) {
            if (i < from || i >= from + count) {
                program.addProject(i, rowType.getFieldNames().get(program.getProjectList().size()));
            }
        }
        return EnumerableCalc.create(window, program.getProgram());
    }

    /** The groups with their references to the window's constants (after the input's columns) moved past {@code count} added columns. */
    private static List<Window.Group> shiftConstants(List<Window.Group> groups, int inputFields, int count) {
        RexShuttle shift = new RexShuttle() {
            @Override
            public RexNode visitInputRef(RexInputRef ref) {
                return ref.getIndex() < inputFields ? ref : new RexInputRef(ref.getIndex() + count, ref.getType());
            }
        };
        List<Window.Group> shifted = new ArrayList<>(groups.size());
        for (Window.Group group : groups) {
            List<Window.RexWinAggCall> calls = new ArrayList<>(group.aggCalls.size());
            for (Window.RexWinAggCall call : group.aggCalls) {
                calls.add(new Window.RexWinAggCall((SqlAggFunction) call.getOperator(), call.getType(), shift.apply(call.getOperands()),
                        call.ordinal, call.distinct, call.ignoreNulls));
            }
            shifted.add(new Window.Group(group.keys, group.isRows, group.lowerBound.accept(shift), group.upperBound.accept(shift),
                    group.exclude, group.orderKeys, calls));
        }
        return shifted;
    }

    /** The call, or the checked sum in its place if it is a SUM or $SUM0 of a BIGINT or a DOUBLE. */
    private static Window.RexWinAggCall checkedSum(Window.RexWinAggCall call) {
        SqlAggFunction checked = call.getOperands().size() != 1 ? null : CheckedSums.replacing(call.getOperator().getKind(),
                call.getOperands().get(0).getType().getSqlTypeName(), call.getType().getSqlTypeName());
        if (checked == null) {
            return call;
        }
        return new Window.RexWinAggCall(checked, call.getType(), call.getOperands(), call.ordinal, call.distinct, call.ignoreNulls);
    }

    /**
     * The bound, or one at {@link #ROWS_OFFSET_LIMIT} rows if its offset is a constant above it
     * (added to the constants, which other expressions may share); a constant offset is also one
     * the Calc below computes from constants ({@link RangeFrames#constant}). Fails with 22013 if
     * the offset is negative.
     */
    private static RexWindowBound bounded(RexWindowBound bound, RelNode input, List<RexLiteral> constants, RexBuilder rex) {
        if (bound.isUnbounded() || bound.isCurrentRow()) {
            return bound;
        }
        RexLiteral constant = RangeFrames.constant(bound.getOffset(), input, constants, rex);
        if (constant == null || constant.getValueAs(BigDecimal.class).compareTo(BigDecimal.valueOf(ROWS_OFFSET_LIMIT)) <= 0) {
            return bound;
        }
        RexLiteral limit = (RexLiteral) rex.makeExactLiteral(BigDecimal.valueOf(ROWS_OFFSET_LIMIT),
                rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER));
        int index = constants.indexOf(limit);
        if (index < 0) {
            index = constants.size();
            constants.add(limit);
        }
        RexNode offsetRef = new RexInputRef(input.getRowType().getFieldCount() + index, limit.getType());
        return bound.isPreceding() ? RexWindowBounds.preceding(offsetRef) : RexWindowBounds.following(offsetRef);
    }
}
