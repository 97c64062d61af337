package io.starlingdb.sql.exec;

import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;

/**
 * Folds an arithmetic or comparison with a NULL operand ({@code CAST(NULL AS INTEGER) / -a},
 * {@code b <> CAST(NULL AS INTEGER) + c}) into a NULL of its type, before any planner rule runs.
 * These operators are strict (a NULL operand makes the result NULL, before anything is divided),
 * so the value is the same on every row; Calcite's rules, though, failed on such calls depending
 * on the expressions around them: constant reduction with "not a literal: /(null, 7)", predicate
 * inference with "Comparison with NULL in pulledUpPredicates" (issue 13). A NULL the rules never
 * see as an operand cannot trip them.
 */
final class NullFolding {

    /** Operators whose result is NULL whenever an operand is NULL, and that never fail on a NULL. */
    private static final Set<SqlKind> STRICT = Set.of(SqlKind.PLUS, SqlKind.MINUS, SqlKind.TIMES, SqlKind.DIVIDE, SqlKind.MOD,
            SqlKind.MINUS_PREFIX, SqlKind.PLUS_PREFIX, SqlKind.EQUALS, SqlKind.NOT_EQUALS, SqlKind.LESS_THAN,
            SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN, SqlKind.GREATER_THAN_OR_EQUAL, SqlKind.CAST);

    private NullFolding() {
    }

    /** {@code rel} with every strict call over a NULL operand replaced by a NULL of the call's type. */
    static RelNode apply(RelNode rel) {
        RexBuilder builder = rel.getCluster().getRexBuilder();
        return new PlanRexShuttle() {
            @Override
            public RexNode visitCall(RexCall call) {
                RexNode visited = super.visitCall(call);
                if (!(visited instanceof RexCall folded) || !STRICT.contains(folded.getKind()) || !folded.getType().isNullable()) {
                    return visited;
                }
                for (RexNode operand : folded.getOperands()) {
                    if (operand instanceof RexLiteral literal && RexUtil.isNullLiteral(literal, true)) {
                        return builder.makeNullLiteral(folded.getType());
                    }
                }
                return visited;
            }
        }.applyTo(rel);
    }
}
