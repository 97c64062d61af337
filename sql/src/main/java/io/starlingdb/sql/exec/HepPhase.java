package io.starlingdb.sql.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.plan.RelOptCostImpl;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.metadata.ChainedRelMetadataProvider;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.rules.SubQueryRemoveRule;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * A heuristic planning phase that stops when its statement is cancelled. Calcite's
 * {@code Programs.of(HepProgram, ...)} builds its HepPlanner without a context, so a cancel
 * flag never reaches it; this one gives the HepPlanner the statement planner's context, whose
 * {@code CancelFlag} the HepPlanner polls at every rule firing.
 */
final class HepPhase {

    /**
     * Most rule applications of one heuristic program instruction (a cap on planner work
     * besides the planning timeout): rewrites that keep enabling each other stop here with
     * the plan as far as they got, which is still a correct plan.
     */
    static final int MAX_RULE_MATCHES = 100_000;

    /**
     * Builds relational expressions without simplifying them: see {@link #SUB_QUERY_TO_CORRELATE}
     * and {@code TreePlanner}'s conversion of statements with sub-queries.
     */
    static final RelBuilderFactory UNSIMPLIFIED = RelBuilder.proto(Contexts.of(RelBuilder.Config.DEFAULT.withSimplify(false)));

    /**
     * Sub-queries to correlates, as Calcite's {@code Programs.subQuery} does, with a match limit,
     * and with rules that do not simplify the expressions they rebuild. Calcite 1.41's simplifier
     * takes an IN sub-query for a comparison of its left operands, never NULL when they are not
     * ({@code RelOptPredicateList.isEffectivelyNotNull}), although it is NULL when the sub-query
     * yields a NULL and no match: it simplified {@code (1 IN (SELECT c FROM t)) IS NOT FALSE} to the
     * bare IN, FALSE where it is TRUE (found by the {@code -Plong} differential run: seed 13000412
     * query 35). A rule that removes one of several sub-queries of a Project or Filter rebuilds it
     * with the others still in place, so these rules must not simplify; the phases after this one
     * do, once no sub-query is left.
     */
    static final HepProgram SUB_QUERY_TO_CORRELATE = new HepProgramBuilder()
            .addMatchLimit(MAX_RULE_MATCHES)
            .addRuleCollection(List.of(unsimplified(SubQueryRemoveRule.Config.FILTER), unsimplified(SubQueryRemoveRule.Config.PROJECT),
                    unsimplified(SubQueryRemoveRule.Config.JOIN), CoreRules.PROJECT_OVER_SUM_TO_SUM0_RULE))
            .build();

    private static RelOptRule unsimplified(SubQueryRemoveRule.Config config) {
        return config.withRelBuilderFactory(UNSIMPLIFIED).as(SubQueryRemoveRule.Config.class).toRule();
    }

    private HepPhase() {
    }

    /** Runs {@code program} over {@code rel} in a HepPlanner sharing {@code statementPlanner}'s context. */
    static RelNode run(HepProgram program, boolean noDag, RelOptPlanner statementPlanner, RelNode rel) {
        HepPlanner hep = new HepPlanner(program, statementPlanner.getContext(), noDag, null, RelOptCostImpl.FACTORY);
        // The planner adds its own provider in front of ours, as Calcite's Programs.of does.
        List<RelMetadataProvider> providers = new ArrayList<>(List.of(DefaultRelMetadataProvider.INSTANCE));
        hep.registerMetadataProviders(providers);
        rel.getCluster().setMetadataProvider(ChainedRelMetadataProvider.of(providers));
        hep.setRoot(rel);
        return hep.findBestExp();
    }
}
