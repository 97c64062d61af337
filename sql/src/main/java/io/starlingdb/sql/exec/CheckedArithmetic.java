package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Integer arithmetic that fails instead of wrapping. Calcite computes {@code +}, {@code -},
 * {@code *}, {@code /} and unary minus of INTEGER and BIGINT values with Java's operators, so
 * {@code 2147483647 + 1} answered {@code -2147483648} and {@code UPDATE t SET c = c + 1} stored
 * it: a wrong answer. Here each of them becomes Calcite's checked form ({@code CHECKED_PLUS},
 * ...: {@code Math.addExact} and its kin in the generated code, the same in
 * {@link ScalarInterpreter}), whose overflow is SQL error 22003, as in PostgreSQL; and
 * {@code ABS} of an INTEGER or BIGINT (Java's {@code Math.abs}, which answered the lowest value
 * as itself) becomes {@code CASE WHEN x < 0 THEN -x ELSE x END} with the checked negation.
 *
 * <p>Applied to the logical plan before planning (so that folding constants cannot wrap: a
 * checked call that overflows is not folded, and fails when it runs) and to the finished
 * physical plan of every path, the direct planner's included. DECIMAL arithmetic cannot wrap
 * and is checked against its type by {@link NumericForms}. DOUBLE {@code + - * /}, which
 * overflow to infinity in Java, become {@link CheckedDoubles}' functions, which fail as
 * PostgreSQL's float8 does (22003 for an overflow or underflow, 22012 for a division by zero),
 * and the functions of a DOUBLE result ({@code POWER}, {@code EXP}, {@code LN}, {@code SQRT}, the
 * trigonometric ones, ...) become {@link DoubleFunctions}', which fail where PostgreSQL's do.
 */
final class CheckedArithmetic extends PlanRexShuttle {

    private static final Map<SqlKind, SqlOperator> CHECKED = Map.of(
            SqlKind.PLUS, SqlStdOperatorTable.CHECKED_PLUS,
            SqlKind.MINUS, SqlStdOperatorTable.CHECKED_MINUS,
            SqlKind.TIMES, SqlStdOperatorTable.CHECKED_MULTIPLY,
            SqlKind.DIVIDE, SqlStdOperatorTable.CHECKED_DIVIDE,
            SqlKind.MINUS_PREFIX, SqlStdOperatorTable.CHECKED_UNARY_MINUS);

    private final RexBuilder rex;

    private CheckedArithmetic(RexBuilder rex) {
        this.rex = rex;
    }

    /**
     * The plan with every INTEGER and BIGINT {@code + - * /} and negation, and every DOUBLE
     * {@code + - * /} and function of {@link DoubleFunctions}, checked.
     */
    static RelNode apply(RelNode plan) {
        return new CheckedArithmetic(plan.getCluster().getRexBuilder()).applyTo(plan);
    }

    /** Whether a call of this kind with this result type is one this rewrite makes checked. */
    static boolean wraps(SqlKind kind, SqlTypeName result) {
        return CHECKED.containsKey(kind) && isInteger(result);
    }

    @Override
    public RexNode visitCall(RexCall call) {
        RexNode visited = super.visitCall(call);
        if (visited instanceof RexCall c && c.getOperator() == SqlStdOperatorTable.ABS && c.getOperands().size() == 1
                && isInteger(c.getType().getSqlTypeName()) && c.getType().getSqlTypeName() == c.getOperands().get(0).getType().getSqlTypeName()) {
            // ABS is Java's Math.abs, whose absolute value of the lowest int or long is itself: negate it checked instead.
            RexNode x = c.getOperands().get(0);
            RexNode negative = rex.makeCall(SqlStdOperatorTable.LESS_THAN, x, rex.makeZeroLiteral(x.getType()));
            RexNode negated = rex.makeCall(c.getParserPosition(), x.getType(), SqlStdOperatorTable.CHECKED_UNARY_MINUS, List.of(x));
            return rex.makeCall(c.getType(), SqlStdOperatorTable.CASE, List.of(negative, negated, x));
        }
        if (!(visited instanceof RexCall c)) {
            return visited;
        }
        if (c.getKind() == SqlKind.CAST && c.getOperands().size() == 1) {
            RexNode rounded = roundedBeforeCast(rex, c.getOperands().get(0), c.getType());
            if (rounded != null) {
                return rex.makeAbstractCast(c.getType(), rounded, false);
            }
        }
        SqlTypeName result = c.getType().getSqlTypeName();
        if (result == SqlTypeName.DOUBLE || result == SqlTypeName.FLOAT) {
            SqlOperator function = c.getOperands().size() == 2 ? CheckedDoubles.replacing(c.getKind()) : null;
            if (function == null) {
                function = DoubleFunctions.replacing(c.getOperator(), c.getOperands().size());
            }
            if (function != null) {
                // The operands as DOUBLEs: the functions take doubles, and the generated code converts no DECIMAL to one unasked.
                List<RexNode> operands = c.getOperands().stream().map(o -> o.getType().getSqlTypeName() == result ? o
                        : rex.makeCast(rex.getTypeFactory().createTypeWithNullability(c.getType(), o.getType().isNullable()), o)).toList();
                return rex.makeCall(c.getParserPosition(), c.getType(), function, operands);
            }
        }
        if (!wraps(c.getKind(), result)) {
            return visited;
        }
        return rex.makeCall(c.getParserPosition(), c.getType(), CHECKED.get(c.getKind()), c.getOperands());
    }

    /**
     * The operand of a narrowing cast rounded as PostgreSQL rounds it, or null when the cast
     * drops no digit: to an integer type from a DECIMAL with decimal places ({@code ROUND}: half
     * away from zero, PostgreSQL's numeric) or from a DOUBLE ({@code rint}: half to even,
     * PostgreSQL's float8); to a DECIMAL of fewer decimal places from a DECIMAL ({@code ROUND(x,
     * s)}). Calcite's casts truncate ({@code CAST(2.5 AS INTEGER)} was 2 where PostgreSQL answers
     * 3). The cast itself stays: it still checks the target's range. Also used while converting a
     * statement ({@link TreePlanner}), before Calcite folds a cast of a literal.
     */
    static RexNode roundedBeforeCast(RexBuilder rex, RexNode x, RelDataType to) {
        RelDataType from = x.getType();
        SqlTypeName target = to.getSqlTypeName();
        boolean integral = target == SqlTypeName.TINYINT || target == SqlTypeName.SMALLINT || target == SqlTypeName.INTEGER
                || target == SqlTypeName.BIGINT;
        switch (from.getSqlTypeName()) {
            case DECIMAL -> {
                if (integral && from.getScale() > 0) {
                    return rex.makeCall(from, SqlStdOperatorTable.ROUND, List.of(x));
                }
                if (target == SqlTypeName.DECIMAL && to.getScale() < from.getScale()) {
                    RelDataType integer = rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER);
                    return rex.makeCall(from, SqlStdOperatorTable.ROUND,
                            List.of(x, rex.makeExactLiteral(BigDecimal.valueOf(to.getScale()), integer)));
                }
                return null;
            }
            case DOUBLE, FLOAT, REAL -> {
                if (!integral) {
                    return null;
                }
                RelDataType dbl = rex.getTypeFactory().createTypeWithNullability(
                        rex.getTypeFactory().createSqlType(SqlTypeName.DOUBLE), from.isNullable());
                RexNode operand = from.getSqlTypeName() == SqlTypeName.DOUBLE ? x : rex.makeCast(dbl, x);
                return rex.makeCall(dbl, DoubleFunctions.replacing(SqlStdOperatorTable.ROUND, 1), List.of(operand));
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean isInteger(SqlTypeName type) {
        return type == SqlTypeName.INTEGER || type == SqlTypeName.BIGINT;
    }
}
