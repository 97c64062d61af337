package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.exec.BottomUp;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.linq4j.function.Function0;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * An aggregate without grouping (COUNT, SUM, MIN, MAX of columns) over a scan of one table whose
 * filter is wholly comparisons a {@link RowFilter} checks: computed at each range's leaseholder
 * ({@link io.starlingdb.engine.txn.Transaction#aggregate}), which sends one partial row per page
 * instead of the rows, and combined at the gateway. Its input is the plan it replaces
 * (aggregate, filter, scan), which runs instead when the aggregate cannot be computed at the
 * ranges (a node's own store, the transaction's own writes in the span, a value of the filter
 * that does not bind to its column's type, a row the aggregate cannot read), so both give the
 * same row. Only aggregates whose result does not depend on how the rows are split are taken:
 * COUNT; SUM of INTEGER, BIGINT and DECIMAL (exact: a BIGINT sum out of range fails with 22003
 * as {@code CheckedSums} makes the rows' own sum fail) and of DOUBLE (added exactly, rounded once: the correctly rounded sum,
 * which may differ in its last bits from the rows' one-after-another sum; {@link RowAggregate});
 * MIN and MAX of INTEGER, BIGINT, DECIMAL, VARCHAR, DATE and TIMESTAMP. Not MIN or MAX of DOUBLE
 * (NaN and -0.0), not DISTINCT, not FILTER.
 */
public final class StarlingAggregateScan extends SingleRel implements EnumerableRel {

    /** What the generated code hands to {@link StarlingTable#aggregate}: the engine aggregate and the row's shape. */
    public record Spec(RowAggregate aggregate, boolean scalar) {
    }

    private final StarlingTable table;
    private final AccessPath path;
    private final RowFilter filter;
    private final RowAggregate aggregate;

    private StarlingAggregateScan(RelOptCluster cluster, RelTraitSet traits, EnumerableAggregate fallback, StarlingTable table,
                                  AccessPath path, RowFilter filter, RowAggregate aggregate) {
        super(cluster, traits, fallback);
        this.table = table;
        this.path = path;
        this.filter = filter;
        this.aggregate = aggregate;
    }

    /** The plan with every aggregate that can be computed at the ranges so computed (falling back to itself). */
    public static RelNode apply(RelNode plan) {
        return BottomUp.apply(plan, rel -> {
            RelNode pushed = rel instanceof EnumerableAggregate aggregate ? of(aggregate) : null;
            return pushed != null ? pushed : rel;
        });
    }

    /** The aggregate computed at the ranges, or null if it is not of a shape that can be. */
    private static RelNode of(EnumerableAggregate aggregate) {
        if (!aggregate.getGroupSet().isEmpty() || aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
            return null;
        }
        RelNode input = aggregate.getInput();
        RexProgram program = null;
        if (input instanceof EnumerableCalc calc) {
            program = calc.getProgram();
            input = calc.getInput();
        }
        if (!(input instanceof StarlingTableScan scan) || !(scan instanceof EnumerableRel)) {
            return null;
        }
        AccessPath path = scan.accessPath();
        if (path.kind() != AccessPath.Kind.FULL_SCAN && path.kind() != AccessPath.Kind.KEY_RANGE) {
            return null;
        }
        TableDef def = scan.starlingTable().definition();
        int width = def.columns().size();
        // The table column each field of the aggregate's input is, or -1 for a computed one.
        int[] columnOf = new int[aggregate.getInput().getRowType().getFieldCount()];
        for (int i = 0; i < columnOf.length; i++) {
            RexNode field = program == null ? new RexInputRef(i, aggregate.getInput().getRowType().getFieldList().get(i).getType())
                    : program.expandLocalRef(program.getProjectList().get(i));
            columnOf[i] = field instanceof RexInputRef ref && ref.getIndex() < width ? ref.getIndex() : -1;
        }
        List<RowAggregate.Call> calls = new ArrayList<>();
        ImmutableBitSet.Builder read = ImmutableBitSet.builder();
        for (AggregateCall call : aggregate.getAggCallList()) {
            RowAggregate.Call engine = call(call, columnOf, def, aggregate.getInput().getRowType());
            if (engine == null) {
                return null;
            }
            calls.add(engine);
            if (engine.function() != RowAggregate.Function.COUNT_ROWS) {
                read.set(columnOf[call.getArgList().get(0)]);
            }
        }
        RowFilter filter;
        if (program == null || program.getCondition() == null) {
            filter = RowFilter.of(def, List.of(), read.build());
        } else {
            RexNode condition = program.expandLocalRef(program.getCondition());
            filter = RowFilter.of(def, List.of(condition), read.build());
            if (filter.comparisons().size() != RelOptUtil.conjunctions(condition).size()) {
                return null; // some of the condition is not a comparison the ranges can check
            }
            for (RowFilter.Comparison c : filter.comparisons()) {
                if (def.columns().get(c.column()).type() == ValueType.DOUBLE) {
                    return null; // a NaN passes the ranges' check and is left to the filter (RowPredicate)
                }
            }
        }
        if (calls.isEmpty() || calls.size() > RowAggregate.MAX_CALLS) {
            return null;
        }
        return new StarlingAggregateScan(aggregate.getCluster(), aggregate.getTraitSet(), aggregate, scan.starlingTable(), path,
                filter, new RowAggregate(calls));
    }

    /** The engine's form of one call, or null if the ranges cannot compute it exactly as Calcite does. */
    private static RowAggregate.Call call(AggregateCall call, int[] columnOf, TableDef def, RelDataType inputType) {
        if (call.isDistinct() || call.hasFilter() || call.isApproximate() || !call.getCollation().getFieldCollations().isEmpty()
                || call.ignoreNulls() && call.getAggregation().getKind() != SqlKind.COUNT) {
            return null;
        }
        SqlKind kind = call.getAggregation().getKind();
        if (kind == SqlKind.COUNT && call.getArgList().isEmpty()) {
            return RowAggregate.Call.countRows();
        }
        if (call.getArgList().size() != 1) {
            return null;
        }
        int column = columnOf[call.getArgList().get(0)];
        if (column < 0) {
            return null;
        }
        ValueType type = def.columns().get(column).type();
        int id = def.columnIds()[column];
        RelDataType argType = inputType.getFieldList().get(call.getArgList().get(0)).getType();
        SqlTypeName result = call.getType().getSqlTypeName();
        switch (kind) {
            case COUNT:
                return new RowAggregate.Call(RowAggregate.Function.COUNT, id, type);
            case SUM:
            case SUM0:
                boolean longSum = (type == ValueType.INTEGER || type == ValueType.BIGINT) && result == SqlTypeName.BIGINT;
                boolean decimalSum = type == ValueType.DECIMAL && result == SqlTypeName.DECIMAL
                        && call.getType().getScale() == argType.getScale();
                boolean doubleSum = type == ValueType.DOUBLE && result == SqlTypeName.DOUBLE;
                if (!longSum && !decimalSum && !doubleSum) {
                    return null;
                }
                return new RowAggregate.Call(kind == SqlKind.SUM ? RowAggregate.Function.SUM : RowAggregate.Function.SUM0, id, type);
            case MIN:
            case MAX:
                if (!RowAggregate.ORDERED_TYPES.contains(type) || result != argType.getSqlTypeName()) {
                    return null;
                }
                return new RowAggregate.Call(kind == SqlKind.MIN ? RowAggregate.Function.MIN : RowAggregate.Function.MAX, id, type);
            default:
                return null;
        }
    }

    @Override
    public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
        return new StarlingAggregateScan(getCluster(), traitSet, (EnumerableAggregate) sole(inputs), table, path, filter, aggregate);
    }

    @Override
    public RelWriter explainTerms(RelWriter pw) {
        return super.explainTerms(pw).item("table", table.definition().name()).item("access", path.describe())
                .item("aggregate", aggregate.calls()).item("at", "each range");
    }

    @Override
    public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
        Result fallback = implementor.visitChild(this, 0, (EnumerableRel) getInput(), pref);
        JavaRowFormat format = fallback.physType.getFormat();
        if (format != JavaRowFormat.ARRAY && format != JavaRowFormat.SCALAR) {
            return fallback; // a row class of its own: the rows are read as before
        }
        BlockBuilder builder = new BlockBuilder();
        // A function that makes the rows' plan: an aggregate without grouping reads its rows when
        // its block runs, so the block runs only if the ranges cannot answer.
        Expression rows = Expressions.lambda(Function0.class, fallback.block);
        Expression t = implementor.stash(table, StarlingTable.class);
        Expression p = implementor.stash(path, AccessPath.class);
        Expression f = implementor.stash(filter, RowFilter.class);
        Expression s = implementor.stash(new Spec(aggregate, format == JavaRowFormat.SCALAR), Spec.class);
        builder.add(Expressions.return_(null, Expressions.call(t, "aggregate", implementor.getRootExpression(), p, f, s, rows)));
        return implementor.result(fallback.physType, builder.toBlock());
    }
}
