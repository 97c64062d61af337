package io.starlingdb.sql.exec;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.apache.calcite.linq4j.function.Strict;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;
import org.apache.calcite.sql2rel.SqlRexConvertlet;

/**
 * The functions of DOUBLE as PostgreSQL 15's float8 functions compute them: they fail where
 * PostgreSQL fails, instead of answering the infinity, zero or NaN that Java's {@link Math}
 * (what Calcite's code calls) gives for an argument out of range.
 *
 * <ul>
 *   <li>{@code POWER(x, y)}: 2201F for zero to a negative power and for a negative number to a
 *       power that is not an integer; 22003 for a result that is infinite ("overflow") or zero
 *       ("underflow") when neither operand is infinite; with an infinite or NaN operand, the POSIX
 *       answer ({@code POWER(NaN, 0)} and {@code POWER(1, NaN)} are 1, {@code POWER(-1, Infinity)}
 *       is 1), where Java answers NaN for some.</li>
 *   <li>{@code EXP}: 22003 for an infinite or zero result of a finite argument.</li>
 *   <li>{@code LN}, {@code LOG10}: 2201E for zero or a negative number (Calcite's 22000 before).</li>
 *   <li>{@code SQRT}: 2201F for a negative number.</li>
 *   <li>{@code ASIN}, {@code ACOS}: 22003 ("input is out of range") outside [-1, 1];
 *       {@code SIN}, {@code COS}, {@code TAN}, {@code COT}: 22003 for an infinite argument.</li>
 *   <li>{@code DEGREES}, {@code RADIANS}: a division and a multiplication by π/180, checked as
 *       {@link CheckedDoubles} checks them (PostgreSQL divides for DEGREES where Java multiplies
 *       by 180/π, which differs in the last bit for some arguments).</li>
 *   <li>{@code SIGN}: 0 for NaN (Java: NaN). {@code ROUND} with one argument rounds half to even
 *       ({@code ROUND(2.5)} is 2) and {@code TRUNCATE} with one argument keeps infinities and NaN
 *       (Calcite rounded half up and failed on them with 22018).</li>
 * </ul>
 *
 * A NaN argument answers NaN without error. {@link CheckedArithmetic} puts these functions in
 * place of Calcite's wherever the result is a DOUBLE ({@code SQRT} is put in when the statement
 * is converted: {@link #SQRT_CONVERTLET}), its operands cast to DOUBLE (an INTEGER
 * or DECIMAL argument computes as a DOUBLE one, as PostgreSQL picks the float8 function for an
 * integer); generated code calls the methods by name (public, static, {@link Strict}), and
 * {@link ScalarInterpreter} calls the same methods. A failure is an {@link ArithmeticException}
 * whose message {@link #sqlState} maps to its SQLSTATE: its message is all that survives when
 * generated code fails computing a constant ({@link Errors}).
 */
public final class DoubleFunctions {

    /** PostgreSQL's radians per degree (its {@code RADIANS_PER_DEGREE}), π/180 rounded to a double. */
    private static final double RADIANS_PER_DEGREE = 0.017453292519943295;

    /** The arguments a function refuses, each with PostgreSQL's SQLSTATE and message. */
    enum Refusal {
        LOGARITHM_OF_ZERO("2201E", "cannot take logarithm of zero"),
        LOGARITHM_OF_NEGATIVE("2201E", "cannot take logarithm of a negative number"),
        ZERO_TO_NEGATIVE_POWER("2201F", "zero raised to a negative power is undefined"),
        NEGATIVE_TO_FRACTIONAL_POWER("2201F", "a negative number raised to a non-integer power yields a complex result"),
        SQUARE_ROOT_OF_NEGATIVE("2201F", "cannot take square root of a negative number"),
        OUT_OF_DOMAIN("22003", "input is out of range");

        final String sqlState;
        final String message;

        Refusal(String sqlState, String message) {
            this.sqlState = sqlState;
            this.message = message;
        }

        ArithmeticException exception() {
            return new ArithmeticException(message);
        }
    }

    private static final Map<String, String> STATE_BY_MESSAGE;

    static {
        Map<String, String> states = new HashMap<>();
        for (Refusal r : Refusal.values()) {
            states.put(r.message, r.sqlState);
        }
        STATE_BY_MESSAGE = Collections.unmodifiableMap(states);
    }

    private static final Map<SqlOperator, SqlUserDefinedFunction> REPLACEMENTS = new HashMap<>();
    private static final Map<SqlOperator, DoubleUnaryOperator> UNARY = new HashMap<>();
    private static final Map<SqlOperator, DoubleBinaryOperator> BINARY = new HashMap<>();

    static {
        unary(SqlStdOperatorTable.EXP, "exp", DoubleFunctions::exp);
        unary(SqlStdOperatorTable.LN, "ln", DoubleFunctions::ln);
        unary(SqlStdOperatorTable.LOG10, "log10", DoubleFunctions::log10);
        unary(SqlStdOperatorTable.SQRT, "sqrt", DoubleFunctions::sqrt);
        unary(SqlStdOperatorTable.CBRT, "cbrt", DoubleFunctions::cbrt);
        unary(SqlStdOperatorTable.ASIN, "asin", DoubleFunctions::asin);
        unary(SqlStdOperatorTable.ACOS, "acos", DoubleFunctions::acos);
        unary(SqlStdOperatorTable.ATAN, "atan", DoubleFunctions::atan);
        unary(SqlStdOperatorTable.SIN, "sin", DoubleFunctions::sin);
        unary(SqlStdOperatorTable.COS, "cos", DoubleFunctions::cos);
        unary(SqlStdOperatorTable.TAN, "tan", DoubleFunctions::tan);
        unary(SqlStdOperatorTable.COT, "cot", DoubleFunctions::cot);
        unary(SqlStdOperatorTable.DEGREES, "degrees", DoubleFunctions::degrees);
        unary(SqlStdOperatorTable.RADIANS, "radians", DoubleFunctions::radians);
        unary(SqlStdOperatorTable.SIGN, "sign", DoubleFunctions::sign);
        unary(SqlStdOperatorTable.ROUND, "round", DoubleFunctions::round);
        unary(SqlStdOperatorTable.TRUNCATE, "truncate", DoubleFunctions::truncate);
        binary(SqlStdOperatorTable.POWER, "power", DoubleFunctions::power);
        binary(SqlStdOperatorTable.ATAN2, "atan2", DoubleFunctions::atan2);
    }

    private DoubleFunctions() {
    }

    @Strict
    public static double power(double x, double y) {
        // POSIX: NaN to the power 0 and 1 to the power NaN are 1; any other NaN operand gives NaN.
        if (Double.isNaN(x)) {
            return y == 0.0 ? 1.0 : Double.NaN;
        }
        if (Double.isNaN(y)) {
            return x == 1.0 ? 1.0 : Double.NaN;
        }
        if (x == 0.0 && y < 0.0) {
            throw Refusal.ZERO_TO_NEGATIVE_POWER.exception();
        }
        if (x < 0.0 && Math.floor(y) != y) {
            throw Refusal.NEGATIVE_TO_FRACTIONAL_POWER.exception();
        }
        if (Double.isInfinite(y)) {
            double abs = Math.abs(x);
            if (abs == 1.0) {
                return 1.0; // Java: NaN
            }
            return (abs > 1.0) == (y > 0.0) ? Double.POSITIVE_INFINITY : 0.0;
        }
        double result = Math.pow(x, y);
        if (Double.isInfinite(x)) {
            return result;
        }
        if (Double.isInfinite(result)) {
            throw CheckedDoubles.overflow();
        }
        if (result == 0.0 && x != 0.0) {
            throw CheckedDoubles.underflow();
        }
        return result;
    }

    @Strict
    public static double exp(double x) {
        double result = Math.exp(x);
        if (!Double.isInfinite(x) && !Double.isNaN(x)) {
            if (Double.isInfinite(result)) {
                throw CheckedDoubles.overflow();
            }
            if (result == 0.0) {
                throw CheckedDoubles.underflow();
            }
        }
        return result;
    }

    @Strict
    public static double ln(double x) {
        return Math.log(logarithmArgument(x));
    }

    @Strict
    public static double log10(double x) {
        return Math.log10(logarithmArgument(x));
    }

    private static double logarithmArgument(double x) {
        if (x == 0.0) {
            throw Refusal.LOGARITHM_OF_ZERO.exception();
        }
        if (x < 0.0) {
            throw Refusal.LOGARITHM_OF_NEGATIVE.exception();
        }
        return x;
    }

    @Strict
    public static double sqrt(double x) {
        if (x < 0.0) {
            throw Refusal.SQUARE_ROOT_OF_NEGATIVE.exception();
        }
        return Math.sqrt(x);
    }

    @Strict
    public static double cbrt(double x) {
        return Math.cbrt(x);
    }

    @Strict
    public static double asin(double x) {
        return Math.asin(withinOne(x));
    }

    @Strict
    public static double acos(double x) {
        return Math.acos(withinOne(x));
    }

    private static double withinOne(double x) {
        if (x < -1.0 || x > 1.0) {
            throw Refusal.OUT_OF_DOMAIN.exception();
        }
        return x;
    }

    @Strict
    public static double atan(double x) {
        return Math.atan(x);
    }

    @Strict
    public static double atan2(double y, double x) {
        return Math.atan2(y, x);
    }

    @Strict
    public static double sin(double x) {
        return Math.sin(finite(x));
    }

    @Strict
    public static double cos(double x) {
        return Math.cos(finite(x));
    }

    @Strict
    public static double tan(double x) {
        return Math.tan(finite(x));
    }

    /** 1 / TAN(x): infinite for 0, as in PostgreSQL, where an infinite result is not an overflow. */
    @Strict
    public static double cot(double x) {
        return 1.0 / Math.tan(finite(x));
    }

    /** The argument of a trigonometric function, which PostgreSQL refuses when infinite. */
    private static double finite(double x) {
        if (Double.isInfinite(x)) {
            throw Refusal.OUT_OF_DOMAIN.exception();
        }
        return x;
    }

    @Strict
    public static double degrees(double x) {
        return CheckedDoubles.divide(x, RADIANS_PER_DEGREE);
    }

    @Strict
    public static double radians(double x) {
        return CheckedDoubles.times(x, RADIANS_PER_DEGREE);
    }

    @Strict
    public static double sign(double x) {
        return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;
    }

    /** Rounded half to even, as C's {@code rint} in PostgreSQL's {@code round(float8)}. */
    @Strict
    public static double round(double x) {
        return Math.rint(x);
    }

    @Strict
    public static double truncate(double x) {
        return x < 0.0 ? Math.ceil(x) : Math.floor(x);
    }

    /**
     * The function that takes the place of a call of {@code operator} whose result is a DOUBLE
     * and which has {@code operands} operands; null if there is none (the call stays as it is).
     */
    static SqlOperator replacing(SqlOperator operator, int operands) {
        SqlUserDefinedFunction function = REPLACEMENTS.get(operator);
        if (function == null) {
            return null;
        }
        int arity = UNARY.containsKey(function) ? 1 : 2;
        return arity == operands ? function : null;
    }

    /**
     * The conversion of {@code SQRT(x)} to relational algebra: this class's {@code sqrt}. Calcite
     * converts it to {@code POWER(x, 0.5)}, which fails for a negative {@code x} with the message
     * of a power, not of a square root, and computes with {@link Math#pow}, not {@link Math#sqrt}.
     */
    static final SqlRexConvertlet SQRT_CONVERTLET = (cx, call) -> {
        RexNode operand = cx.convertExpression(call.operand(0));
        RelDataType type = cx.getValidator().getValidatedNodeType(call);
        if (operand.getType().getSqlTypeName() != SqlTypeName.DOUBLE) {
            operand = cx.getRexBuilder().makeCast(cx.getTypeFactory().createTypeWithNullability(type, operand.getType().isNullable()),
                    operand);
        }
        return cx.getRexBuilder().makeCall(call.getParserPosition(), type, REPLACEMENTS.get(SqlStdOperatorTable.SQRT), List.of(operand));
    };

    /** The computation of one of the one-argument functions (for the interpreter); null if the operator is not one. */
    static DoubleUnaryOperator unaryMethod(SqlOperator operator) {
        return UNARY.get(operator);
    }

    /** The computation of one of the two-argument functions (for the interpreter); null if the operator is not one. */
    static DoubleBinaryOperator binaryMethod(SqlOperator operator) {
        return BINARY.get(operator);
    }

    /** The SQLSTATE of a function's refusal with this message (2201E, 2201F or 22003); null if the message is not one. */
    static String sqlState(String message) {
        return STATE_BY_MESSAGE.get(message);
    }

    private static void unary(SqlOperator replaced, String method, DoubleUnaryOperator computation) {
        SqlUserDefinedFunction function = function(method, 1);
        REPLACEMENTS.put(replaced, function);
        UNARY.put(function, computation);
    }

    private static void binary(SqlOperator replaced, String method, DoubleBinaryOperator computation) {
        SqlUserDefinedFunction function = function(method, 2);
        REPLACEMENTS.put(replaced, function);
        BINARY.put(function, computation);
    }

    private static SqlUserDefinedFunction function(String method, int arity) {
        Method m = null;
        for (Method candidate : DoubleFunctions.class.getMethods()) {
            if (candidate.getName().equals(method)) {
                m = candidate;
            }
        }
        if (m == null || m.getParameterCount() != arity) {
            throw new IllegalStateException("no public method " + method + " of " + arity + " arguments");
        }
        // Calls are built with their types given (CheckedArithmetic), so the inferences below are never asked.
        List<SqlTypeFamily> families = Collections.nCopies(arity, SqlTypeFamily.NUMERIC);
        return new SqlUserDefinedFunction(new SqlIdentifier("STARLING_DOUBLE_" + method.toUpperCase(Locale.ROOT), SqlParserPos.ZERO),
                SqlKind.OTHER_FUNCTION, ReturnTypes.DOUBLE_NULLABLE, InferTypes.RETURN_TYPE,
                OperandTypes.operandMetadata(families, types -> List.of(), i -> "x", i -> false), ScalarFunctionImpl.create(m));
    }
}
