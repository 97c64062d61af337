package io.starlingdb.sql.exec;

import io.starlingdb.sql.schema.StarlingTableScan;
import java.util.List;
import java.util.ArrayList;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableIntersect;
import org.apache.calcite.adapter.enumerable.EnumerableLimit;
import org.apache.calcite.adapter.enumerable.EnumerableMinus;
import org.apache.calcite.adapter.enumerable.EnumerableSort;
import org.apache.calcite.adapter.enumerable.EnumerableUnion;
import org.apache.calcite.adapter.enumerable.EnumerableValues;
import org.apache.calcite.plan.RelOptCostImpl;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalCalc;
import org.apache.calcite.rel.logical.LogicalIntersect;
import org.apache.calcite.rel.logical.LogicalMinus;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalUnion;
import org.apache.calcite.rel.logical.LogicalValues;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.rules.PruneEmptyRules;

/**
 * Which planner a query takes. Most statements an application builds (one table, filters, IN
 * lists, aggregates, ORDER BY, LIMIT) have nothing for the cost-based planner to choose: the
 * access path of their one scan follows from the filter's shape ({@code AccessPath}), and there
 * is no join order. Those take the SIMPLE path: rule-based HepPlanner phases only (constant
 * folding and filter push-down, then conversion to executable operators), about a tenth of
 * the cost-based search's time. Joins, correlations and sub-queries keep the FULL path
 * (sub-query removal, decorrelation, heuristic join order, Volcano). A simple plan that the
 * rule-based phases cannot make executable falls back to the full path, so the simple path
 * never refuses a statement that the full one plans.
 */
public enum PlannerPath {
    /**
     * The direct planner ({@code DirectPlanner}: no validator, converter or planner) for the
     * simplest one-table queries, else the simple path where the query allows it, else the full one.
     */
    AUTO,
    /** Calcite's validator and converter always, then the simple path where the query allows it, else the full one. */
    VALIDATED,
    /** Always the cost-based path (tests compare the two). */
    FULL;

    static PlannerPath choose() {
        return AUTO;
    }

    /**
     * Logical rewrites: merging, empty-result pruning, and the filter handed to the scan. No
     * expression reduction: Calcite's ReduceExpressions rules cost more than the rest of the
     * simple path together (planning went from 44 to 13 ms wall time per new statement without
     * them, on the loaded machine), and their
     * constant folding only saves work on rows, which the interpreter and generated code do anyway.
     */
    private static final HepProgram SIMPLE = new HepProgramBuilder()
            .addMatchOrder(HepMatchOrder.BOTTOM_UP)
            .addRuleCollection(List.of(
                    CoreRules.FILTER_MERGE, CoreRules.PROJECT_MERGE, CoreRules.PROJECT_REMOVE, CoreRules.FILTER_PROJECT_TRANSPOSE,
                    NarrowedRules.AGGREGATE_PROJECT_MERGE_SIMPLE, PruneEmptyRules.FILTER_INSTANCE, PruneEmptyRules.PROJECT_INSTANCE,
                    PruneEmptyRules.AGGREGATE_INSTANCE, PruneEmptyRules.SORT_INSTANCE))
            .addRuleInstance(StarlingTableScan.PUSH_FILTER_RULE)
            // Filters and projections become one Calc each, as the full path's calc phase makes them.
            .addRuleCollection(List.of(CoreRules.FILTER_TO_CALC, CoreRules.PROJECT_TO_CALC, CoreRules.CALC_MERGE,
                    CoreRules.CALC_REMOVE))
            .build();

    /**
     * Whether a converted query may take the simple path: no join, correlation, sub-query, window
     * or DISTINCT aggregate (those need rewrites only the full path has).
     */
    static boolean isSimple(RelNode rel) {
        if (rel instanceof Join || rel instanceof Correlate || rel instanceof TableModify) {
            return false;
        }
        if (rel instanceof Aggregate aggregate) {
            if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
                return false;
            }
            for (AggregateCall call : aggregate.getAggCallList()) {
                if (call.isDistinct() || call.hasFilter() || call.isApproximate() || !call.getCollation().getFieldCollations().isEmpty()) {
                    return false;
                }
            }
        }
        if (rel instanceof LogicalProject project && RexOver.containsOver(project.getProjects(), null)) {
            return false;
        }
        if (hasSubQuery(rel)) {
            return false;
        }
        for (RelNode input : rel.getInputs()) {
            if (!isSimple(input)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSubQuery(RelNode rel) {
        boolean[] found = new boolean[1];
        rel.accept(new RexShuttle() {
            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                found[0] = true;
                return subQuery;
            }
        });
        return found[0];
    }

    /**
     * The executable plan from the rule-based phases, or null if an operator has no executable
     * form here. The logical tree is not changed (the HepPlanner works on its own copy), so the
     * caller can still take the full path with it.
     */
    static RelNode planSimple(RelNode logical) {
        // The statement planner's context carries its cancel flag, which the HepPlanner polls.
        HepPlanner planner = new HepPlanner(SIMPLE, logical.getCluster().getPlanner().getContext(), true, null, RelOptCostImpl.FACTORY);
        planner.setRoot(logical);
        return executable(planner.findBestExp());
    }

    /**
     * The executable form of a logical tree, built bottom-up: each operator becomes its
     * Enumerable counterpart over its converted inputs, as the cost-based planner's converter
     * rules would make it (a HepPlanner cannot run those rules: they ask the cluster's planner to
     * convert inputs). Null if some operator has no counterpart here.
     */
    private static RelNode executable(RelNode rel) {
        List<RelNode> inputs = new ArrayList<>();
        for (RelNode input : rel.getInputs()) {
            RelNode converted = executable(input);
            if (converted == null) {
                return null;
            }
            inputs.add(converted);
        }
        RelTraitSet enumerable = rel.getCluster().traitSet().replace(EnumerableConvention.INSTANCE);
        if (rel instanceof StarlingTableScan scan) {
            return scan.toEnumerable();
        } else if (rel instanceof LogicalCalc calc) {
            return EnumerableCalc.create(inputs.get(0), calc.getProgram());
        } else if (rel instanceof LogicalValues values) {
            return EnumerableValues.create(rel.getCluster(), values.getRowType(), values.getTuples());
        } else if (rel instanceof LogicalAggregate aggregate) {
            try {
                return new EnumerableAggregate(rel.getCluster(), enumerable, inputs.get(0), aggregate.getGroupSet(),
                        aggregate.getGroupSets(), aggregate.getAggCallList());
            } catch (InvalidRelException e) {
                return null;
            }
        } else if (rel instanceof LogicalSort sort) {
            RelNode out = inputs.get(0);
            if (!sort.getCollation().getFieldCollations().isEmpty()) {
                out = EnumerableSort.create(out, sort.getCollation(), null, null);
            }
            return sort.offset == null && sort.fetch == null ? out : EnumerableLimit.create(out, sort.offset, sort.fetch);
        } else if (rel instanceof LogicalUnion union) {
            return new EnumerableUnion(rel.getCluster(), enumerable, inputs, union.all);
        } else if (rel instanceof LogicalIntersect intersect) {
            return new EnumerableIntersect(rel.getCluster(), enumerable, inputs, intersect.all);
        } else if (rel instanceof LogicalMinus minus) {
            return new EnumerableMinus(rel.getCluster(), enumerable, inputs, minus.all);
        }
        return null;
    }
}
