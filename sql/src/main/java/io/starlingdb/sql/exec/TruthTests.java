package io.starlingdb.sql.exec;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * Writes {@code p IS NOT FALSE}, where p is an AND or an OR, as {@code p IS TRUE OR p IS NULL},
 * before the statement is converted. Calcite 1.41 simplifies the operand of IS NOT FALSE treating
 * UNKNOWN as TRUE, and there merges comparisons of one column into a search argument whose
 * expansion drops the column's NULL guard: {@code (c IS NOT NULL AND 7 <= c) IS NOT FALSE}
 * became {@code (7 <= c) IS NOT FALSE}, TRUE where c is NULL instead of FALSE (a wrong answer the
 * {@code -Plong} differential run found: seed 13000243 query 99). IS TRUE and IS NULL simplify
 * their operand keeping NULL apart, and mean the same: p is TRUE or UNKNOWN. A p holding a
 * sub-query is left as written.
 */
final class TruthTests {

    private TruthTests() {
    }

    static SqlNode rewrite(SqlNode statement) {
        return statement.accept(new SqlShuttle() {
            @Override
            public SqlNode visit(SqlCall call) {
                SqlNode visited = super.visit(call);
                if (visited instanceof SqlCall c && c.getKind() == SqlKind.IS_NOT_FALSE && c.operandCount() == 1
                        && (c.operand(0).getKind() == SqlKind.AND || c.operand(0).getKind() == SqlKind.OR)) {
                    SqlNode p = c.operand(0);
                    SqlNode copy = copy(p);
                    if (copy != null) {
                        SqlParserPos pos = c.getParserPosition();
                        return SqlStdOperatorTable.OR.createCall(pos, SqlStdOperatorTable.IS_TRUE.createCall(pos, p),
                                SqlStdOperatorTable.IS_NULL.createCall(pos, copy));
                    }
                }
                return visited;
            }
        });
    }

    /**
     * A copy of an expression that shares no node with it (the validator rewrites a tree in
     * place, so p must not appear twice), or null if it holds a sub-query, which is left as
     * written rather than planned twice.
     */
    private static SqlNode copy(SqlNode expression) {
        try {
            return expression.accept(new SqlShuttle() {
                @Override
                public SqlNode visit(SqlIdentifier id) {
                    return id.clone(id.getParserPosition());
                }

                @Override
                public SqlNode visit(SqlCall call) {
                    if (call instanceof SqlSelect || call.getKind() == SqlKind.UNION || call.getKind() == SqlKind.EXCEPT
                            || call.getKind() == SqlKind.INTERSECT || call.getKind() == SqlKind.VALUES) {
                        throw new SubQuery();
                    }
                    SqlNode[] operands = new SqlNode[call.operandCount()];
                    for (int i = 0; i < operands.length; i++) {
                        SqlNode operand = call.operand(i);
                        operands[i] = operand == null ? null : operand.accept(this);
                    }
                    return call.getOperator().createCall(call.getFunctionQuantifier(), call.getParserPosition(), operands);
                }
            });
        } catch (SubQuery e) {
            return null;
        }
    }

    /** Thrown out of a copy that meets a sub-query. */
    private static final class SubQuery extends RuntimeException {
        SubQuery() {
            super(null, null, false, false);
        }
    }
}
