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
 * SUM of a BIGINT that fails instead of wrapping. Calcite adds a BIGINT sum in Java's
 * {@code long}, so a sum past ±9.2 × 10^18 answered a wrapped value. Here every grouped or
 * ungrouped {@code SUM} and {@code $SUM0} of a BIGINT column becomes an aggregate of its own
 * ({@link BigintSum}) that adds exactly and fails with SQL error 22003 when the sum of all the
 * values is out of BIGINT's range: whether it fails does not depend on the order of the rows (a
 * sum that leaves the range midway and comes back answers), which is what lets the ranges add
 * their parts of it ({@code RowAggregate}). Applied to the finished physical plan. Window
 * aggregates ({@code SUM(b) OVER (...)}) use the same aggregate ({@link CheckedWindows}).
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

    private static final SqlUserDefinedAggFunction SUM = function("SUM");
    private static final SqlUserDefinedAggFunction SUM0 = function("$SUM0");

    private static SqlUserDefinedAggFunction function(String name) {
        return new SqlUserDefinedAggFunction(new SqlIdentifier(name, SqlParserPos.ZERO), ReturnTypes.BIGINT_NULLABLE,
                InferTypes.FIRST_KNOWN, OperandTypes.NUMERIC, AggregateFunctionImpl.create(BigintSum.class), false, false,
                Optionality.FORBIDDEN, new org.apache.calcite.jdbc.JavaTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM));
    }

    /** The checked aggregate that takes the place of a SUM or $SUM0 (of kind SUM or SUM0) of a BIGINT. */
    static SqlUserDefinedAggFunction replacing(SqlKind kind) {
        return kind == SqlKind.SUM ? SUM : SUM0;
    }

    /** Whether the call is a checked BIGINT sum (for code that recognises SUM). */
    static boolean isCheckedSum(AggregateCall call) {
        return call.getAggregation() == SUM || call.getAggregation() == SUM0;
    }

    /** The plan with the SUMs of BIGINT columns of its aggregates checked. */
    static RelNode apply(RelNode plan) {
        return BottomUp.apply(plan, CheckedSums::checked);
    }

    private static RelNode checked(RelNode result) {
        if (result instanceof EnumerableAggregate aggregate) {
            List<AggregateCall> calls = new ArrayList<>(aggregate.getAggCallList());
            boolean replaced = false;
            for (int i = 0; i < calls.size(); i++) {
                AggregateCall call = calls.get(i);
                SqlKind kind = call.getAggregation().getKind();
                if ((kind == SqlKind.SUM || kind == SqlKind.SUM0) && call.getArgList().size() == 1
                        && call.getType().getSqlTypeName() == SqlTypeName.BIGINT && aggregate.getInput().getRowType().getFieldList()
                        .get(call.getArgList().get(0)).getType().getSqlTypeName() == SqlTypeName.BIGINT) {
                    calls.set(i, AggregateCall.create(replacing(kind), call.isDistinct(), call.isApproximate(),
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
