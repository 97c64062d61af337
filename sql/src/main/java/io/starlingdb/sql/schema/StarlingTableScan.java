package io.starlingdb.sql.schema;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.util.BuiltInMethod;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * A scan of a Starling table with the filter conditions it may use to choose its access path
 * (see {@link AccessPath}). The logical form ({@link Convention#NONE}) receives the conditions
 * of a Filter directly above it; the Filter stays, so every condition is still evaluated on the
 * rows the path returns. The Enumerable form compiles into a call of
 * {@link StarlingTable#scan(org.apache.calcite.DataContext, AccessPath, RowFilter)} in the generated code,
 * so a query runs without Calcite's interpreter.
 */
public class StarlingTableScan extends TableScan {

    protected final StarlingTable starlingTable;
    protected final List<RexNode> filters;
    /**
     * The table's columns (by position) the operators above read; the others may come back
     * NULL, so a scan on the cluster leaves them at the leaseholder. Null: all of them.
     * The {@code ScanColumns} pass sets it on a finished plan.
     */
    protected final ImmutableBitSet readColumns;

    StarlingTableScan(RelOptCluster cluster, RelTraitSet traits, RelOptTable table, StarlingTable starlingTable,
                      List<RexNode> filters) {
        this(cluster, traits, table, starlingTable, filters, null);
    }

    StarlingTableScan(RelOptCluster cluster, RelTraitSet traits, RelOptTable table, StarlingTable starlingTable,
                      List<RexNode> filters, ImmutableBitSet readColumns) {
        super(cluster, traits, List.of(), table);
        this.starlingTable = starlingTable;
        this.filters = List.copyOf(filters);
        this.readColumns = readColumns;
    }

    /** The table this scan reads. */
    public StarlingTable starlingTable() {
        return starlingTable;
    }

    /** This scan in its executable form (for planners that convert without rules). */
    public RelNode toEnumerable() {
        return this instanceof Enumerable ? this : new Enumerable(getCluster(), getTraitSet().replace(EnumerableConvention.INSTANCE),
                getTable(), starlingTable, filters);
    }

    /**
     * The executable scan of {@code table} (a Starling table) with {@code filters}, for a planner
     * that builds executable plans directly, without rules.
     */
    public static RelNode executable(RelOptCluster cluster, RelOptTable table, List<RexNode> filters) {
        StarlingTable starling = table.unwrap(StarlingTable.class);
        if (starling == null) {
            throw new IllegalArgumentException("not a Starling table: " + table.getQualifiedName());
        }
        return new Enumerable(cluster, cluster.traitSetOf(EnumerableConvention.INSTANCE), table, starling, filters);
    }

    /** The access path the conditions give (computed from their shape only). */
    public AccessPath accessPath() {
        return AccessPath.choose(starlingTable.definition(), filters);
    }

    @Override
    public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
        return new StarlingTableScan(getCluster(), traitSet, getTable(), starlingTable, filters, readColumns);
    }

    /** This scan, reading only the given columns of the table (null: all). */
    public StarlingTableScan withReadColumns(ImmutableBitSet columns) {
        return new StarlingTableScan(getCluster(), getTraitSet(), getTable(), starlingTable, filters, columns);
    }

    /** Hands a Filter's conditions to the logical scan below it. */
    public static final RelOptRule PUSH_FILTER_RULE = PushFilterRule.Config.DEFAULT.toRule();

    /** Converts the logical scan into the executable one. */
    public static final RelOptRule TO_ENUMERABLE_RULE = ToEnumerableRule.DEFAULT.toRule();

    @Override
    public void register(RelOptPlanner planner) {
        planner.addRule(PUSH_FILTER_RULE);
        planner.addRule(TO_ENUMERABLE_RULE);
    }

    @Override
    public RelWriter explainTerms(RelWriter pw) {
        return super.explainTerms(pw).itemIf("filters", filters, !filters.isEmpty()).item("access", accessPath().describe())
                .itemIf("columns", readColumns, readColumns != null);
    }

    /**
     * A scan that can check some filters itself ({@link RowFilter}) skips decoding most of the
     * rows they reject, so it costs this fraction of one that cannot.
     */
    static final double rowFilterCostFactor = 0.9;

    /** The comparisons this scan checks before it decodes whole rows, and the columns it reads. */
    public RowFilter rowFilter() {
        return RowFilter.of(starlingTable.definition(), filters, readColumns);
    }

    /**
     * Cheaper the narrower the access path, and cheaper with a row filter, so the planner keeps
     * the scan that received the filter.
     */
    @Override
    public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
        double rows = table.getRowCount();
        double factor = switch (accessPath().kind()) {
            case POINT_LOOKUP -> 1e-6;
            case INDEX_LOOKUP -> 0.01;
            case KEY_RANGE -> 0.1;
            case FULL_SCAN -> 1.0;
        };
        if (!rowFilter().isEmpty()) {
            factor *= rowFilterCostFactor;
        }
        return planner.getCostFactory().makeCost(rows * factor, rows * factor, 0);
    }

    /** The executable scan. */
    static final class Enumerable extends StarlingTableScan implements EnumerableRel {

        Enumerable(RelOptCluster cluster, RelTraitSet traits, RelOptTable table, StarlingTable starlingTable,
                   List<RexNode> filters) {
            this(cluster, traits, table, starlingTable, filters, null);
        }

        Enumerable(RelOptCluster cluster, RelTraitSet traits, RelOptTable table, StarlingTable starlingTable,
                   List<RexNode> filters, ImmutableBitSet readColumns) {
            super(cluster, traits, table, starlingTable, filters, readColumns);
        }

        @Override
        public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
            return new Enumerable(getCluster(), traitSet, getTable(), starlingTable, filters, readColumns);
        }

        @Override
        public StarlingTableScan withReadColumns(ImmutableBitSet columns) {
            return new Enumerable(getCluster(), getTraitSet(), getTable(), starlingTable, filters, columns);
        }

        @Override
        public void register(RelOptPlanner planner) {
            // Rules come with the logical scan.
        }

        @Override
        public String getRelTypeName() {
            return "EnumerableStarlingTableScan";
        }

        @Override
        public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
            PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), JavaRowFormat.ARRAY);
            Expression table = implementor.stash(starlingTable, StarlingTable.class);
            Expression path = implementor.stash(accessPath(), AccessPath.class);
            Expression rowFilter = implementor.stash(rowFilter(), RowFilter.class);
            Expression rows = Expressions.call(table, "scan", implementor.getRootExpression(), path, rowFilter);
            if (physType.getFormat() == JavaRowFormat.SCALAR) {
                // One-column rows travel as the bare value.
                rows = Expressions.call(BuiltInMethod.SLICE0.method, rows);
            }
            return implementor.result(physType, Blocks.toBlock(rows));
        }
    }

    /** Filter(scan) to Filter(scan that knows the filter's conditions). */
    public static final class PushFilterRule extends RelRule<PushFilterRule.Config> {

        PushFilterRule(Config config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            LogicalFilter filter = call.rel(0);
            StarlingTableScan scan = call.rel(1);
            List<RexNode> conditions = new ArrayList<>(RelOptUtil.conjunctions(filter.getCondition()));
            StarlingTableScan narrowed = new StarlingTableScan(scan.getCluster(), scan.getTraitSet(), scan.getTable(),
                    scan.starlingTable, conditions);
            call.transformTo(filter.copy(filter.getTraitSet(), narrowed, filter.getCondition()));
        }

        /** Rule configuration (written out: Calcite generates its own with Immutables, which we do not use). */
        record Config(RelBuilderFactory relBuilderFactory, String description, OperandTransform operandSupplier)
                implements RelRule.Config {
            static final Config DEFAULT = new Config(RelFactories.LOGICAL_BUILDER, "StarlingPushFilterIntoScan",
                    b0 -> b0.operand(LogicalFilter.class).oneInput(b1 -> b1.operand(StarlingTableScan.class)
                            .predicate(s -> s.filters.isEmpty() && !(s instanceof Enumerable)).noInputs()));

            @Override
            public PushFilterRule toRule() {
                return new PushFilterRule(this);
            }

            @Override
            public Config withRelBuilderFactory(RelBuilderFactory factory) {
                return new Config(factory, description, operandSupplier);
            }

            @Override
            public Config withDescription(String newDescription) {
                return new Config(relBuilderFactory, newDescription, operandSupplier);
            }

            @Override
            public Config withOperandSupplier(OperandTransform transform) {
                return new Config(relBuilderFactory, description, transform);
            }
        }
    }

    /** Logical scan to Enumerable scan. */
    static final class ToEnumerableRule extends ConverterRule {
        static final Config DEFAULT = Config.INSTANCE
                .withConversion(StarlingTableScan.class, s -> !(s instanceof Enumerable), Convention.NONE,
                        EnumerableConvention.INSTANCE, "StarlingTableScanToEnumerable")
                .withRuleFactory(ToEnumerableRule::new);

        ToEnumerableRule(Config config) {
            super(config);
        }

        @Override
        public RelNode convert(RelNode rel) {
            StarlingTableScan scan = (StarlingTableScan) rel;
            return new Enumerable(scan.getCluster(), scan.getTraitSet().replace(EnumerableConvention.INSTANCE), scan.getTable(),
                    scan.starlingTable, scan.filters);
        }
    }
}
