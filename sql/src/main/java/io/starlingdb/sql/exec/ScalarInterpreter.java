package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.apache.calcite.DataContext;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.runtime.SqlFunctions;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.runtime.SqlFunctions;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;

/**
 * Evaluates row expressions without generating code, for plans that run only a few times
 * ({@link PlanInterpreter}). It knows a deliberately small set of expressions, each with the
 * semantics of Calcite's generated code: column references, literals and parameters of the
 * INTEGER, BIGINT, DOUBLE, DECIMAL, VARCHAR and BOOLEAN types; AND, OR, NOT and the IS tests
 * in three-valued logic; comparisons between operands of one type; IN lists and ranges
 * (SEARCH) over INTEGER, BIGINT and character columns; LIKE without ESCAPE; widening numeric
 * casts; +, - and * on INTEGER, BIGINT and DOUBLE, {@link CheckedDoubles}' + - * / of
 * numbers and {@link DoubleFunctions}' functions of them; unary minus on INTEGER, BIGINT, DOUBLE
 * and DECIMAL. Columns and parameters of other types pass through unchanged. Anything else
 * (other casts, division, DECIMAL arithmetic, other functions) makes {@link #of} answer null, and the plan is compiled.
 */
final class ScalarInterpreter {

    /** An expression ready to evaluate over one row. */
    @FunctionalInterface
    interface Scalar {
        Object eval(Object[] row, DataContext context);
    }

    /** Thrown while building, never while evaluating: the expression has no interpreted form. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

    private ScalarInterpreter() {
    }

    /** The interpreted form of {@code node}, or null if it uses something not interpreted. */
    static Scalar of(RexNode node) {
        return of(node, null);
    }

    /**
     * The interpreted form of {@code node}, an expression of a Calc's program whose local
     * references are to {@code locals} (the program's expression list), or null if it uses something
     * not interpreted. The references are followed while building, so the program need not be
     * expanded into trees first ({@link org.apache.calcite.rex.RexProgram#expandLocalRef} copies every
     * call, a tenth of the CPU of a new statement's plan); a shared expression is built once per use,
     * as expanding it would.
     */
    static Scalar of(RexNode node, List<RexNode> locals) {
        try {
            return build(node, locals);
        } catch (Unsupported e) {
            return null;
        }
    }

    /** {@code node}, or the program expression it refers to if it is a local reference (and the one that refers to, ...). */
    private static RexNode resolve(RexNode node, List<RexNode> locals) {
        RexNode n = node;
        while (locals != null && n instanceof RexLocalRef ref) {
            n = locals.get(ref.getIndex());
        }
        return n;
    }

    private static Scalar build(RexNode expression, List<RexNode> locals) throws Unsupported {
        RexNode node = resolve(expression, locals);
        // A column passes through as the scan gave it; the operators below check the types they compute with.
        if (node instanceof RexInputRef ref) {
            int index = ref.getIndex();
            return (row, context) -> row[index];
        }
        if (node instanceof RexDynamicParam param) {
            return parameter(param);
        }
        if (node instanceof RexLiteral literal) {
            Object value = literal(literal);
            return (row, context) -> value;
        }
        if (!(node instanceof RexCall call)) {
            throw UNSUPPORTED;
        }
        List<RexNode> callOperands = call.getOperands();
        List<Scalar> operands = new ArrayList<>(callOperands.size());
        if (call.getKind() != org.apache.calcite.sql.SqlKind.SEARCH) {
            for (int i = 0; i < callOperands.size(); i++) {
                operands.add(build(callOperands.get(i), locals));
            }
        }
        DoubleBinaryOperator checkedDouble = CheckedDoubles.method(call.getOperator());
        if (checkedDouble == null) {
            checkedDouble = DoubleFunctions.binaryMethod(call.getOperator());
        }
        if (checkedDouble != null) {
            return checkedDouble(call, operands.get(0), operands.get(1), checkedDouble);
        }
        DoubleUnaryOperator doubleFunction = DoubleFunctions.unaryMethod(call.getOperator());
        if (doubleFunction != null) {
            return doubleFunction(call, operands.get(0), doubleFunction);
        }
        switch (call.getKind()) {
            case AND:
                return (row, context) -> {
                    boolean unknown = false;
                    for (Scalar operand : operands) {
                        Object v = operand.eval(row, context);
                        if (v == null) {
                            unknown = true;
                        } else if (!(Boolean) v) {
                            return false;
                        }
                    }
                    return unknown ? null : Boolean.TRUE;
                };
            case OR:
                return (row, context) -> {
                    boolean unknown = false;
                    for (Scalar operand : operands) {
                        Object v = operand.eval(row, context);
                        if (v == null) {
                            unknown = true;
                        } else if ((Boolean) v) {
                            return true;
                        }
                    }
                    return unknown ? null : Boolean.FALSE;
                };
            case NOT: {
                Scalar a = operands.get(0);
                return (row, context) -> {
                    Object v = a.eval(row, context);
                    return v == null ? null : !(Boolean) v;
                };
            }
            case IS_NULL: {
                Scalar a = operands.get(0);
                return (row, context) -> a.eval(row, context) == null;
            }
            case IS_NOT_NULL: {
                Scalar a = operands.get(0);
                return (row, context) -> a.eval(row, context) != null;
            }
            case IS_TRUE: {
                Scalar a = operands.get(0);
                return (row, context) -> Boolean.TRUE.equals(a.eval(row, context));
            }
            case IS_NOT_TRUE: {
                Scalar a = operands.get(0);
                return (row, context) -> !Boolean.TRUE.equals(a.eval(row, context));
            }
            case IS_FALSE: {
                Scalar a = operands.get(0);
                return (row, context) -> Boolean.FALSE.equals(a.eval(row, context));
            }
            case IS_NOT_FALSE: {
                Scalar a = operands.get(0);
                return (row, context) -> !Boolean.FALSE.equals(a.eval(row, context));
            }
            case EQUALS:
            case NOT_EQUALS:
            case LESS_THAN:
            case LESS_THAN_OR_EQUAL:
            case GREATER_THAN:
            case GREATER_THAN_OR_EQUAL:
                return comparison(call, operands.get(0), operands.get(1));
            case SEARCH:
                return search(call, locals);
            case LIKE:
                return like(call, operands);
            case CAST:
                return cast(call, operands.get(0));
            case PLUS:
            case MINUS:
            case TIMES:
            case CHECKED_PLUS:
            case CHECKED_MINUS:
            case CHECKED_TIMES:
                return arithmetic(call, operands.get(0), operands.get(1));
            case MINUS_PREFIX:
            case CHECKED_MINUS_PREFIX:
                return negation(call, operands.get(0));
            default:
                throw UNSUPPORTED;
        }
    }

    /** Which family of Java values a type's values are in the generated code; null if not interpreted. */
    private enum Family { INTEGER, BIGINT, DOUBLE, DECIMAL, STRING, BOOLEAN }

    private static Family family(RelDataType type) {
        return switch (type.getSqlTypeName()) {
            case INTEGER -> Family.INTEGER;
            case BIGINT -> Family.BIGINT;
            case DOUBLE -> Family.DOUBLE;
            case DECIMAL -> Family.DECIMAL;
            case CHAR, VARCHAR -> Family.STRING;
            case BOOLEAN -> Family.BOOLEAN;
            default -> null;
        };
    }

    /**
     * A parameter, converted to its type's Java class as the generated code converts it: a bound
     * value may be of another class than the type the plan gives the parameter (an INTEGER literal
     * made a parameter, whose cast to DOUBLE the simplifier folded into the parameter's type).
     */
    private static Scalar parameter(RexDynamicParam param) {
        String name = "?" + param.getIndex();
        Family family = family(param.getType());
        if (family == null || family == Family.STRING || family == Family.BOOLEAN) {
            return (row, context) -> context.get(name);
        }
        return (row, context) -> {
            Object v = context.get(name);
            if (v == null) {
                return null;
            }
            return switch (family) {
                case INTEGER -> SqlFunctions.toInt(v);
                case BIGINT -> SqlFunctions.toLong(v);
                case DOUBLE -> SqlFunctions.toDouble(v);
                default -> SqlFunctions.toBigDecimal(v);
            };
        };
    }

    private static Object literal(RexLiteral literal) throws Unsupported {
        if (literal.isNull()) {
            return null;
        }
        Family family = family(literal.getType());
        if (family == null) {
            throw UNSUPPORTED;
        }
        return switch (family) {
            case INTEGER -> literal.getValueAs(Integer.class);
            case BIGINT -> literal.getValueAs(Long.class);
            case DOUBLE -> literal.getValueAs(Double.class);
            case DECIMAL -> literal.getValueAs(BigDecimal.class);
            case STRING -> literal.getValueAs(String.class);
            case BOOLEAN -> literal.getValueAs(Boolean.class);
        };
    }

    /** A comparison of two operands of one family; NULL if either is NULL. */
    private static Scalar comparison(RexCall call, Scalar left, Scalar right) throws Unsupported {
        Family a = family(call.getOperands().get(0).getType());
        Family b = family(call.getOperands().get(1).getType());
        if (a == null || a != b) {
            throw UNSUPPORTED;
        }
        org.apache.calcite.sql.SqlKind kind = call.getKind();
        if (a == Family.DOUBLE) {
            // Primitive comparisons, as the generated code makes them (-0.0 equals 0.0).
            return (row, context) -> {
                Object l = left.eval(row, context);
                Object r = right.eval(row, context);
                if (l == null || r == null) {
                    return null;
                }
                double x = (Double) l;
                double y = (Double) r;
                return switch (kind) {
                    case EQUALS -> x == y;
                    case NOT_EQUALS -> x != y;
                    case LESS_THAN -> x < y;
                    case LESS_THAN_OR_EQUAL -> x <= y;
                    case GREATER_THAN -> x > y;
                    default -> x >= y;
                };
            };
        }
        return (row, context) -> {
            Object l = left.eval(row, context);
            Object r = right.eval(row, context);
            if (l == null || r == null) {
                return null;
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            int c = ((Comparable) l).compareTo(r);
            return switch (kind) {
                case EQUALS -> c == 0;
                case NOT_EQUALS -> c != 0;
                case LESS_THAN -> c < 0;
                case LESS_THAN_OR_EQUAL -> c <= 0;
                case GREATER_THAN -> c > 0;
                default -> c >= 0;
            };
        };
    }

    /** {@code SEARCH(column, ranges)}: an IN list, NOT IN list or range set, with its NULL answer. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Scalar search(RexCall call, List<RexNode> locals) throws Unsupported {
        RexNode operand = call.getOperands().get(0);
        Family family = family(operand.getType());
        if (family != Family.INTEGER && family != Family.BIGINT && family != Family.STRING
                || !(resolve(call.getOperands().get(1), locals) instanceof RexLiteral rangesLiteral)) {
            throw UNSUPPORTED;
        }
        Scalar value = build(operand, locals);
        Sarg sarg = rangesLiteral.getValueAs(Sarg.class);
        if (sarg == null) {
            throw UNSUPPORTED;
        }
        Boolean whenNull = switch (sarg.nullAs) {
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            default -> null;
        };
        com.google.common.collect.RangeSet ranges = sarg.rangeSet;
        return (row, context) -> {
            Object v = value.eval(row, context);
            if (v == null) {
                return whenNull;
            }
            Comparable key = family == Family.STRING ? new NlsString((String) v, null, null)
                    : BigDecimal.valueOf(((Number) v).longValue());
            return ranges.contains(key);
        };
    }

    /**
     * The casts whose result the generated code computes by a plain Java conversion: to the
     * same type, INTEGER to BIGINT, and an INTEGER, BIGINT or DECIMAL to DOUBLE.
     */
    private static Scalar cast(RexCall call, Scalar operand) throws Unsupported {
        RelDataType from = call.getOperands().get(0).getType();
        RelDataType to = call.getType();
        Family source = family(from);
        Family target = family(to);
        if (source == null || target == null) {
            throw UNSUPPORTED;
        }
        if (from.getSqlTypeName() == to.getSqlTypeName() && from.getPrecision() == to.getPrecision()
                && from.getScale() == to.getScale()) {
            return operand;
        }
        if (source == Family.INTEGER && target == Family.BIGINT) {
            return (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : (Object) ((Integer) v).longValue();
            };
        }
        if ((source == Family.INTEGER || source == Family.BIGINT || source == Family.DECIMAL) && target == Family.DOUBLE) {
            return (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : (Object) ((Number) v).doubleValue();
            };
        }
        throw UNSUPPORTED;
    }

    /**
     * {@code +}, {@code -} and {@code *} on INTEGER, BIGINT and DOUBLE, computed as the
     * generated code computes them: Java arithmetic in the result type, exact for the checked
     * kinds ({@link CheckedArithmetic}: overflow throws ArithmeticException, SQL 22003).
     * DECIMAL arithmetic (scales, rounding) is left to generated code.
     */
    private static Scalar arithmetic(RexCall call, Scalar left, Scalar right) throws Unsupported {
        Family result = family(call.getType());
        Family a = family(call.getOperands().get(0).getType());
        Family b = family(call.getOperands().get(1).getType());
        org.apache.calcite.sql.SqlKind kind = call.getKind();
        boolean integers = (a == Family.INTEGER || a == Family.BIGINT) && (b == Family.INTEGER || b == Family.BIGINT);
        if (result == Family.INTEGER && a == Family.INTEGER && b == Family.INTEGER) {
            return (row, context) -> {
                Object l = left.eval(row, context);
                Object r = right.eval(row, context);
                if (l == null || r == null) {
                    return null;
                }
                return intOp(kind, (Integer) l, (Integer) r);
            };
        }
        if (result == Family.BIGINT && integers) {
            return (row, context) -> {
                Object l = left.eval(row, context);
                Object r = right.eval(row, context);
                if (l == null || r == null) {
                    return null;
                }
                return longOp(kind, ((Number) l).longValue(), ((Number) r).longValue());
            };
        }
        if (result == Family.DOUBLE && (integers || a == Family.DOUBLE && (b == Family.DOUBLE || b == Family.INTEGER || b == Family.BIGINT)
                || b == Family.DOUBLE && (a == Family.INTEGER || a == Family.BIGINT))) {
            return (row, context) -> {
                Object l = left.eval(row, context);
                Object r = right.eval(row, context);
                if (l == null || r == null) {
                    return null;
                }
                double x = ((Number) l).doubleValue();
                double y = ((Number) r).doubleValue();
                return kind == org.apache.calcite.sql.SqlKind.PLUS ? x + y : kind == org.apache.calcite.sql.SqlKind.MINUS ? x - y : x * y;
            };
        }
        throw UNSUPPORTED;
    }

    /**
     * A DOUBLE {@code + - * /} of {@link CheckedDoubles} or a two-argument function of
     * {@link DoubleFunctions} (its operands any numbers, converted to double as the generated code
     * converts them), computed by the same method as the generated code.
     */
    private static Scalar checkedDouble(RexCall call, Scalar left, Scalar right, DoubleBinaryOperator method) throws Unsupported {
        if (family(call.getType()) != Family.DOUBLE || !numeric(call.getOperands().get(0)) || !numeric(call.getOperands().get(1))) {
            throw UNSUPPORTED;
        }
        return (row, context) -> {
            Object l = left.eval(row, context);
            Object r = right.eval(row, context);
            if (l == null || r == null) {
                return null;
            }
            return method.applyAsDouble(((Number) l).doubleValue(), ((Number) r).doubleValue());
        };
    }

    /** A one-argument function of {@link DoubleFunctions}, computed by the same method as the generated code. */
    private static Scalar doubleFunction(RexCall call, Scalar operand, DoubleUnaryOperator method) throws Unsupported {
        if (family(call.getType()) != Family.DOUBLE || !numeric(call.getOperands().get(0))) {
            throw UNSUPPORTED;
        }
        return (row, context) -> {
            Object v = operand.eval(row, context);
            return v == null ? null : (Object) method.applyAsDouble(((Number) v).doubleValue());
        };
    }

    private static boolean numeric(RexNode operand) {
        Family f = family(operand.getType());
        return f == Family.INTEGER || f == Family.BIGINT || f == Family.DOUBLE || f == Family.DECIMAL;
    }

    /**
     * Java's int arithmetic, or its exact form (overflow throws, SQL 22003) for a checked kind:
     * computed in long, where two ints never overflow, and narrowed (wrapping, or exactly).
     */
    private static int intOp(org.apache.calcite.sql.SqlKind kind, int x, int y) {
        long result = longOp(kind, x, y);
        return kind == org.apache.calcite.sql.SqlKind.PLUS || kind == org.apache.calcite.sql.SqlKind.MINUS
                || kind == org.apache.calcite.sql.SqlKind.TIMES ? (int) result : Math.toIntExact(result);
    }

    /** Java's long arithmetic, or its exact form (overflow throws, SQL 22003) for a checked kind. */
    private static long longOp(org.apache.calcite.sql.SqlKind kind, long x, long y) {
        return switch (kind) {
            case PLUS -> x + y;
            case MINUS -> x - y;
            case TIMES -> x * y;
            case CHECKED_PLUS -> Math.addExact(x, y);
            case CHECKED_MINUS -> Math.subtractExact(x, y);
            default -> Math.multiplyExact(x, y);
        };
    }

    /**
     * Unary minus on INTEGER, BIGINT, DOUBLE and DECIMAL, as the generated code computes it:
     * Java's negation in the operand's type ({@code Math.negateExact} for the checked kind) and
     * {@link BigDecimal#negate()}.
     */
    private static Scalar negation(RexCall call, Scalar operand) throws Unsupported {
        Family family = family(call.getOperands().get(0).getType());
        if (family == null || family != family(call.getType())) {
            throw UNSUPPORTED;
        }
        boolean checked = call.getKind() == org.apache.calcite.sql.SqlKind.CHECKED_MINUS_PREFIX;
        return switch (family) {
            case INTEGER -> (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : (Object) (checked ? Math.negateExact((Integer) v) : -(Integer) v);
            };
            case BIGINT -> (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : (Object) (checked ? Math.negateExact((Long) v) : -(Long) v);
            };
            case DOUBLE -> (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : (Object) (-(Double) v);
            };
            case DECIMAL -> (row, context) -> {
                Object v = operand.eval(row, context);
                return v == null ? null : ((BigDecimal) v).negate();
            };
            default -> throw UNSUPPORTED;
        };
    }

    /** {@code s LIKE pattern} on strings, with Calcite's own matcher. */
    private static Scalar like(RexCall call, List<Scalar> operands) throws Unsupported {
        if (operands.size() != 2 || family(call.getOperands().get(0).getType()) != Family.STRING
                || family(call.getOperands().get(1).getType()) != Family.STRING) {
            throw UNSUPPORTED;
        }
        Scalar s = operands.get(0);
        Scalar pattern = operands.get(1);
        SqlFunctions.LikeFunction matcher = new SqlFunctions.LikeFunction();
        return (row, context) -> {
            Object v = s.eval(row, context);
            Object p = pattern.eval(row, context);
            if (v == null || p == null) {
                return null;
            }
            synchronized (matcher) {
                return matcher.like((String) v, (String) p);
            }
        };
    }
}
