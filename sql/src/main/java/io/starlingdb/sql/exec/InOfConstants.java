package io.starlingdb.sql.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;

/**
 * Keeps an IN sub-query whose left side is all constants ({@code 1 IN (SELECT ...)},
 * {@code CAST(NULL AS INTEGER) NOT IN (SELECT ...)}) off the special case Calcite 1.41's
 * {@code SubQueryRemoveRule} has for it, which answers wrongly in two of its uses (found by the
 * {@code -Plong} differential run, issue 13):
 * <ul>
 * <li>under IS TRUE or IS NOT TRUE it reads a sub-query row that is NULL as a match, so
 * {@code (1 IN (SELECT CAST(NULL AS INTEGER) FROM t)) IS TRUE} held on every row (it is UNKNOWN,
 * so never TRUE; seed 13000395 query 55);</li>
 * <li>for a correlated sub-query it never checks whether the sub-query is empty, so
 * {@code CAST(NULL AS INTEGER) NOT IN (<a correlated sub-query with no rows>)} was UNKNOWN where
 * it is TRUE, and the WHERE kept no row (seeds 13000454 query 120, 13000501 query 60).</li>
 * </ul>
 * The rule's general case (a count of the sub-query's rows and of its non-NULL rows beside a
 * join on the values) handles constants as well as columns, and is what runs for every other IN.
 * The rule takes the special case when each left operand is a literal or a CAST of one, so each
 * such operand is wrapped in CASTs to its own type until it is neither: the same value, but not a
 * literal to the rule (the simplifier removes the casts once the sub-query is a join). Applied
 * after conversion, before the sub-query phase, with nothing simplifying in between.
 */
final class InOfConstants {

    private InOfConstants() {
    }

    static RelNode apply(RelNode rel) {
        RexBuilder builder = rel.getCluster().getRexBuilder();
        return new PlanRexShuttle() {
            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                RexSubQuery visited = (RexSubQuery) super.visitSubQuery(subQuery);
                if (visited.getKind() != SqlKind.IN || !RexUtil.allLiterals(visited.getOperands())) {
                    return visited;
                }
                List<RexNode> operands = new ArrayList<>();
                for (RexNode operand : visited.getOperands()) {
                    RexNode shielded = operand;
                    while (RexUtil.isLiteral(shielded, true)) {
                        shielded = builder.makeAbstractCast(operand.getType(), shielded, false);
                    }
                    operands.add(shielded);
                }
                return visited.clone(visited.getType(), operands);
            }
        }.applyTo(rel);
    }
}
