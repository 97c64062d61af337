package io.starlingdb.sql.exec;

import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;

/**
 * An expression rewrite applied to a whole plan: to every expression of every node, and inside
 * the plans of sub-queries too (a {@link RexShuttle} alone stops at a sub-query's plan, and a
 * {@link RelHomogeneousShuttle} alone does not visit expressions). Subclasses override the
 * {@code visit} methods of the expressions they rewrite, calling {@code super} first so that
 * operands and sub-query plans are rewritten before the expression that holds them.
 */
abstract class PlanRexShuttle extends RexShuttle {

    /** {@code rel} with this rewrite applied to each of its expressions, sub-queries' plans included. */
    final RelNode applyTo(RelNode rel) {
        return rel.accept(new RelHomogeneousShuttle() {
            @Override
            public RelNode visit(RelNode other) {
                return super.visit(other).accept(PlanRexShuttle.this);
            }
        });
    }

    @Override
    public RexNode visitSubQuery(RexSubQuery subQuery) {
        RexSubQuery visited = (RexSubQuery) super.visitSubQuery(subQuery);
        return visited.clone(applyTo(visited.rel));
    }
}
