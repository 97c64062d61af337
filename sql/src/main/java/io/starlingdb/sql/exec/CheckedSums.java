package io.starlingdb.sql.exec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.schema.impl.AggregateFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlUserDefinedAggFunction;
import org.apache.calcite.util.Optionality;

/**
 * SUM of a BIGINT that fails instead of wrapping, and SUM of a DOUBLE that fails instead of
 * overflowing to infinity. Calcite adds a BIGINT sum in Java's {@code long}, so a sum past
 * ±9.2 × 10^18 answered a wrapped value. Here every grouped or ungrouped {@code SUM} and
 * {@code $SUM0} of a BIGINT column becomes an aggregate of its own ({@link BigintSum}) that adds
 * exactly and fails with SQL error 22003 when the sum of all the values is out of BIGINT's range:
 * whether it fails does not depend on the order of the rows (a sum that leaves the range midway
 * and comes back answers), which is what lets the ranges add their parts of it
 * ({@code RowAggregate}). A SUM or {@code $SUM0} of a DOUBLE becomes {@link DoubleSum}, which adds
 * as Calcite does (one value after another) but fails with 22003 when an addition of two finite
 * numbers gives an infinity, as PostgreSQL's float8 sum does (an infinite or NaN value in the rows
 * is summed without error). Applied to the finished physical plan. Window aggregates
 * ({@code SUM(b) OVER (...)}) use the same aggregates ({@link CheckedWindows}).
 */
final class CheckedSums {

    private CheckedSums() {
    }

    /** The exact sum so far: a long until it leaves the long range, then a BigInteger. */
    public static final class Accumulator {
        long sum;
        BigInteger big;
    }

    /** The implementation Calcite's generated code calls: init, add, result. */
    public static final class BigintSum {
        public BigintSum() {
        }

        public Accumulator init() {
            return new Accumulator();
        }

        public Accumulator add(Accumulator acc, long value) {
            if (acc.big == null) {
                long sum = acc.sum + value;
                // Overflow iff both operands have the sign the result lacks (Math.addExact's test).
                if (((acc.sum ^ sum) & (value ^ sum)) >= 0) {
                    acc.sum = sum;
                    return acc;
                }
                acc.big = BigInteger.valueOf(acc.sum);
            }
            acc.big = acc.big.add(BigInteger.valueOf(value));
            return acc;
        }

        public long result(Accumulator acc) {
            if (acc.big == null) {
                return acc.sum;
            }
            if (acc.big.bitLength() > 63) {
                throw new ArithmeticException("BIGINT sum " + acc.big + " out of range");
            }
            return acc.big.longValueExact();
        }
    }

    /**
     * The implementation of a DOUBLE sum: Java's addition, one value after another (the same
     * result as Calcite's own SUM), except that an addition of two finite numbers whose result is
     * infinite fails with 22003. Such a sum cannot come back into range (an infinity plus a finite
     * number stays infinite), so this fails iff Calcite's sum would have been an infinity or NaN
     * that no value in the rows was.
     */
    public static final class DoubleSum {
        public DoubleSum() {
        }

        public double init() {
            return 0.0;
        }

        public double add(double sum, double value) {
            double result = sum + value;
            if (Double.isInfinite(result) && !Double.isInfinite(sum) && !Double.isInfinite(value)) {
                throw CheckedDoubles.overflow();
            }
            return result;
        }

        public double result(double sum) {
            return sum;
        }
    }

    private static final SqlUserDefinedAggFunction SUM = function("SUM", BigintSum.class);
    private static final SqlUserDefinedAggFunction SUM0 = function("$SUM0", BigintSum.class);
    private static final SqlUserDefinedAggFunction DOUBLE_SUM = function("SUM", DoubleSum.class);
    private static final SqlUserDefinedAggFunction DOUBLE_SUM0 = function("$SUM0", DoubleSum.class);

    private static SqlUserDefinedAggFunction function(String name, Class<?> implementation) {
        // Calls are created with their types given, so the return type inference is never asked.
        return new SqlUserDefinedAggFunction(new SqlIdentifier(name, SqlParserPos.ZERO), ReturnTypes.ARG0_NULLABLE,
                InferTypes.FIRST_KNOWN, OperandTypes.NUMERIC, AggregateFunctionImpl.create(implementation), false, false,
                Optionality.FORBIDDEN, new org.apache.calcite.jdbc.JavaTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM));
    }

    /**
     * The checked aggregate that takes the place of a SUM or $SUM0 (of kind SUM or SUM0) of an
     * argument of this type whose result has the same type: BIGINT or DOUBLE; null for another type.
     */
    static SqlUserDefinedAggFunction replacing(SqlKind kind, SqlTypeName argument, SqlTypeName result) {
        if ((kind != SqlKind.SUM && kind != SqlKind.SUM0) || argument != result) {
            return null;
        }
        return switch (argument) {
            case BIGINT -> kind == SqlKind.SUM ? SUM : SUM0;
            case DOUBLE -> kind == SqlKind.SUM ? DOUBLE_SUM : DOUBLE_SUM0;
            default -> null;
        };
    }

    /** The plan with the SUMs of BIGINT and DOUBLE columns of its aggregates checked. */
    static RelNode apply(RelNode plan) {
        return BottomUp.apply(plan, CheckedSums::checked);
    }

    private static RelNode checked(RelNode result) {
        if (result instanceof EnumerableAggregate aggregate) {
            List<AggregateCall> calls = new ArrayList<>(aggregate.getAggCallList());
            boolean replaced = false;
            for (int i = 0; i < calls.size(); i++) {
                AggregateCall call = calls.get(i);
                SqlUserDefinedAggFunction checked = call.getArgList().size() != 1 ? null : replacing(call.getAggregation().getKind(),
                        aggregate.getInput().getRowType().getFieldList().get(call.getArgList().get(0)).getType().getSqlTypeName(),
                        call.getType().getSqlTypeName());
                if (checked != null) {
                    calls.set(i, AggregateCall.create(checked, call.isDistinct(), call.isApproximate(),
                            call.ignoreNulls(), call.rexList, call.getArgList(), call.filterArg, call.distinctKeys, call.getCollation(),
                            aggregate.getGroupCount(), aggregate.getInput(), call.getType(), call.getName()));
                    replaced = true;
                }
            }
            if (replaced) {
                return aggregate.copy(aggregate.getTraitSet(), aggregate.getInput(), aggregate.getGroupSet(), aggregate.getGroupSets(),
                        calls);
            }
        }
        return result;
    }
}
