package io.starlingdb.sql.exec;

import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableMergeJoin;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelCollationTraitDef;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.rel.rules.AggregateProjectMergeRule;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.rules.JoinCommuteRule;
import org.apache.calcite.tools.Program;
import org.apache.calcite.tools.Programs;
import org.apache.calcite.rel.rules.MultiJoin;
import org.apache.calcite.rel.rules.MultiJoinOptimizeBushyRule;
import org.apache.calcite.rel.rules.SemiJoinRule;

/**
 * Calcite rules that give wrong answers or fail on some inputs, narrowed to the inputs on
 * which they are right (found by the differential SQL tests, issue 13):
 * <ul>
 *   <li>The semi-join rules turn {@code Join(left, Aggregate)} into a semi-join with the
 *       aggregate's input when the join keys are the aggregate's group keys. An aggregate
 *       without group keys (the COUNT(*) that sub-query removal adds for {@code IN} under
 *       {@code OR}) yields one row even over no input, so the rewrite drops every row when
 *       the sub-query is empty: {@code WHERE c >= 25 OR b IN (SELECT ...)} returned nothing.
 *       Ours match grouped aggregates only.
 *   <li>{@link MultiJoinOptimizeBushyRule} rebuilds a MultiJoin's LEFT/RIGHT inputs as inner
 *       joins, whose columns are not nullable; the planner refuses the changed row type
 *       ("Cannot add expression of different type to set"). Ours orders only MultiJoins of
 *       inner joins; outer ones are left to the left-deep {@code LoptOptimizeJoinRule}.
 *   <li>A RIGHT (or FULL) nested-loop join remembers the unmatched right rows in an identity
 *       set; rows of one column are plain values, so equal values (the same boxed Integer, or
 *       NULL) count once and the rest are lost: a decorrelated EXISTS under OR returned 4 of 8
 *       rows. {@link #RIGHT_TO_LEFT} turns every RIGHT join into a LEFT join, which keeps its
 *       rows in a list.
 *   <li>A merge join's output is sorted on its left keys, and, when it is an inner join, on its
 *       right keys (they equal the left ones). Calcite's merge-join rule claims the right keys'
 *       order for a LEFT join too, where the unmatched rows have NULL right keys, so a second
 *       merge join on those keys merged unsorted input: {@code t0 LEFT JOIN t1 ON t0.c0 = t1.c1
 *       LEFT JOIN t2 ON t1.c1 = t2.c1} found no match in t2 (CALCITE-4809). Ours
 *       ({@link #SOUND_MERGE_JOIN}) claims only what holds and leaves FULL joins to the hash join.
 * </ul>
 */
final class NarrowedRules {

    private NarrowedRules() {
    }

    /** Joins ordered into a bushy tree: only a MultiJoin in which every input is inner-joined. */
    static final RelOptRule BUSHY_INNER_JOINS = MultiJoinOptimizeBushyRule.Config.DEFAULT
            .withOperandSupplier(b -> b.operand(MultiJoin.class).predicate(NarrowedRules::innerOnly).anyInputs())
            .as(MultiJoinOptimizeBushyRule.Config.class)
            .toRule();

    /** RIGHT joins written as LEFT joins with their inputs swapped (and a projection restoring the column order). */
    static final Program RIGHT_TO_LEFT = Programs.of(new HepProgramBuilder()
            .addRuleInstance(JoinCommuteRule.Config.DEFAULT.withSwapOuter(true).withRightToLeftOnly(true)
                    .withAllowAlwaysTrueCondition(true).toRule())
            .build(), false, DefaultRelMetadataProvider.INSTANCE);

    private static boolean innerOnly(MultiJoin join) {
        return !join.isFullOuterJoin() && join.getJoinTypes().stream().allMatch(t -> t == JoinRelType.INNER);
    }

    private static final List<RelOptRule> STOCK_SEMI_JOIN_RULES = List.of(CoreRules.PROJECT_TO_SEMI_JOIN, CoreRules.JOIN_TO_SEMI_JOIN);

    private static final List<RelOptRule> GROUPED_SEMI_JOIN_RULES = List.of(
            SemiJoinRule.ProjectToSemiJoinRule.ProjectToSemiJoinRuleConfig.DEFAULT
                    .withOperandSupplier(b -> b.operand(Project.class).oneInput(b2 -> b2.operand(Join.class)
                            .predicate(NarrowedRules::innerOrLeft)
                            .inputs(b3 -> b3.operand(RelNode.class).anyInputs(),
                                    b4 -> b4.operand(Aggregate.class).predicate(NarrowedRules::grouped).anyInputs())))
                    .withDescription("SemiJoinRule:project:grouped")
                    .as(SemiJoinRule.ProjectToSemiJoinRule.ProjectToSemiJoinRuleConfig.class)
                    .toRule(),
            SemiJoinRule.JoinToSemiJoinRule.JoinToSemiJoinRuleConfig.DEFAULT
                    .withOperandSupplier(b -> b.operand(Join.class).predicate(NarrowedRules::innerOrLeft)
                            .inputs(b2 -> b2.operand(RelNode.class).anyInputs(),
                                    b3 -> b3.operand(Aggregate.class).predicate(NarrowedRules::grouped).anyInputs()))
                    .withDescription("SemiJoinRule:join:grouped")
                    .as(SemiJoinRule.JoinToSemiJoinRule.JoinToSemiJoinRuleConfig.class)
                    .toRule());

    private static boolean innerOrLeft(Join join) {
        return join.getJoinType() == JoinRelType.INNER || join.getJoinType() == JoinRelType.LEFT;
    }

    private static boolean grouped(Aggregate aggregate) {
        return !aggregate.getGroupSet().isEmpty();
    }

    /**
     * AggregateProjectMergeRule for aggregates of one grouping set only. With several (the
     * expansion of a COUNT(DISTINCT ...) makes them), a Project that passes one column twice
     * (COALESCE(c, c) simplified to c) maps two grouping sets onto one, and Calcite fails with
     * "must be sorted" instead of planning (`COUNT(DISTINCT COALESCE(c3, c3)) ... GROUP BY c0,
     * c3`, differential seed 13000141 query 13).
     */
    static final RelOptRule AGGREGATE_PROJECT_MERGE_SIMPLE = AggregateProjectMergeRule.Config.DEFAULT
            .withOperandSupplier(b -> b.operand(Aggregate.class)
                    .predicate(a -> a.getGroupType() == Aggregate.Group.SIMPLE)
                    .oneInput(b2 -> b2.operand(Project.class).anyInputs()))
            .as(AggregateProjectMergeRule.Config.class)
            .toRule();

    /** Calcite's merge-join rule with the output order its joins really have (see the class comment). */
    static final RelOptRule SOUND_MERGE_JOIN = ConverterRule.Config.INSTANCE
            .withConversion(LogicalJoin.class, Convention.NONE, EnumerableConvention.INSTANCE, "EnumerableMergeJoinRule:sound")
            .withRuleFactory(SoundMergeJoinRule::new)
            .toRule();

    private static final class SoundMergeJoinRule extends ConverterRule {
        private static final ConverterRule STOCK = (ConverterRule) EnumerableRules.ENUMERABLE_MERGE_JOIN_RULE;

        SoundMergeJoinRule(ConverterRule.Config config) {
            super(config);
        }

        @Override
        public RelNode convert(RelNode rel) {
            if (((Join) rel).getJoinType() == JoinRelType.FULL || !(STOCK.convert(rel) instanceof EnumerableMergeJoin join)) {
                return null;
            }
            // The stock rule's traits list the left keys' order, then the right keys'.
            List<RelCollation> claimed = join.getTraitSet().getTraits(RelCollationTraitDef.INSTANCE);
            if (join.getJoinType() == JoinRelType.INNER || claimed == null || claimed.size() < 2) {
                return join;
            }
            RelTraitSet traits = join.getTraitSet().replace(claimed.get(0));
            return join.copy(traits, join.getCondition(), join.getLeft(), join.getRight(), join.getJoinType(), join.isSemiJoinDone());
        }
    }

    /** Replaces stock rules of a cost-based planner by their narrowed forms. */
    static void install(RelOptPlanner planner) {
        if (planner.removeRule(EnumerableRules.ENUMERABLE_MERGE_JOIN_RULE)) {
            planner.addRule(SOUND_MERGE_JOIN);
        }
        STOCK_SEMI_JOIN_RULES.forEach(planner::removeRule);
        GROUPED_SEMI_JOIN_RULES.forEach(planner::addRule);
        if (planner.removeRule(CoreRules.AGGREGATE_PROJECT_MERGE)) {
            planner.addRule(AGGREGATE_PROJECT_MERGE_SIMPLE);
        }
    }
}
