package io.starlingdb.sql.exec;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.apache.calcite.linq4j.function.Strict;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;

/**
 * DOUBLE arithmetic that fails where PostgreSQL's float8 fails, instead of answering an infinity
 * or zero that the operands do not hold. Java's {@code +}, {@code -}, {@code *} and {@code /}
 * (what Calcite's code computes) overflow to infinity, lose a non-zero product to zero, and
 * divide by zero into an infinity or NaN. Here:
 *
 * <ul>
 *   <li>an infinite result from finite operands is 22003 ("double precision overflow");</li>
 *   <li>a zero product or quotient of non-zero operands (a divisor not infinite) is 22003
 *       ("double precision underflow"); a tiny non-zero (subnormal) result is not;</li>
 *   <li>a division by zero is 22012, unless the dividend is NaN (NaN);</li>
 *   <li>an infinite or NaN operand gives what Java gives, without error ({@code Infinity * 2},
 *       {@code Infinity - Infinity} is NaN, {@code 1 / Infinity} is 0): a DOUBLE column may hold
 *       them.</li>
 * </ul>
 *
 * These are PostgreSQL 15's {@code float8_pl}, {@code float8_mi}, {@code float8_mul} and
 * {@code float8_div}. {@link CheckedArithmetic} puts these functions in place of the operators
 * wherever the result is a DOUBLE; generated code calls the methods by name (so they are public
 * and static, and answer NULL for a NULL operand: {@link Strict}), and {@link ScalarInterpreter}
 * calls the same methods.
 */
public final class CheckedDoubles {

    private static final SqlUserDefinedFunction PLUS = function("plus");
    private static final SqlUserDefinedFunction MINUS = function("minus");
    private static final SqlUserDefinedFunction TIMES = function("times");
    private static final SqlUserDefinedFunction DIVIDE = function("divide");

    private static final Map<SqlKind, SqlOperator> BY_KIND = Map.of(SqlKind.PLUS, PLUS, SqlKind.MINUS, MINUS,
            SqlKind.TIMES, TIMES, SqlKind.DIVIDE, DIVIDE);

    private static final Map<SqlOperator, DoubleBinaryOperator> METHODS = Map.of(PLUS, CheckedDoubles::plus,
            MINUS, CheckedDoubles::minus, TIMES, CheckedDoubles::times, DIVIDE, CheckedDoubles::divide);

    private CheckedDoubles() {
    }

    @Strict
    public static double plus(double x, double y) {
        return finite(x + y, x, y);
    }

    @Strict
    public static double minus(double x, double y) {
        return finite(x - y, x, y);
    }

    @Strict
    public static double times(double x, double y) {
        double result = finite(x * y, x, y);
        if (result == 0.0 && x != 0.0 && y != 0.0) {
            throw underflow();
        }
        return result;
    }

    @Strict
    public static double divide(double x, double y) {
        if (y == 0.0 && !Double.isNaN(x)) {
            throw new ArithmeticException("division by zero");
        }
        double result = x / y;
        if (Double.isInfinite(result) && !Double.isInfinite(x)) {
            throw overflow();
        }
        if (result == 0.0 && x != 0.0 && !Double.isInfinite(y)) {
            throw underflow();
        }
        return result;
    }

    /** The result, or 22003 if it is infinite and neither operand is. */
    private static double finite(double result, double x, double y) {
        if (Double.isInfinite(result) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
            throw overflow();
        }
        return result;
    }

    /** What an infinite result of finite operands throws (SQL error 22003). */
    static ArithmeticException overflow() {
        return new ArithmeticException("double precision overflow");
    }

    /** What a zero result of non-zero operands throws (SQL error 22003). */
    static ArithmeticException underflow() {
        return new ArithmeticException("double precision underflow");
    }

    /** The checked function that takes the place of a DOUBLE {@code + - * /} of this kind; null for other kinds. */
    static SqlOperator replacing(SqlKind kind) {
        return BY_KIND.get(kind);
    }

    /** The computation of one of these functions (for the interpreter); null if the operator is not one. */
    static DoubleBinaryOperator method(SqlOperator operator) {
        return METHODS.get(operator);
    }

    private static SqlUserDefinedFunction function(String method) {
        Method m = null;
        for (Method candidate : CheckedDoubles.class.getMethods()) {
            if (candidate.getName().equals(method)) {
                m = candidate;
            }
        }
        // Calls are built with their types given (CheckedArithmetic), so the inferences below are never asked.
        return new SqlUserDefinedFunction(new SqlIdentifier("STARLING_CHECKED_DOUBLE_" + method.toUpperCase(Locale.ROOT),
                SqlParserPos.ZERO), SqlKind.OTHER_FUNCTION, ReturnTypes.DOUBLE_NULLABLE, InferTypes.RETURN_TYPE,
                OperandTypes.operandMetadata(List.of(SqlTypeFamily.NUMERIC, SqlTypeFamily.NUMERIC), types -> List.of(), i -> "x",
                        i -> false), ScalarFunctionImpl.create(m));
    }
}
