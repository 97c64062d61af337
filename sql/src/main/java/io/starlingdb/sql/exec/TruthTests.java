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
                SqlNode p = visited instanceof SqlCall c ? isNotFalseOperand(c) : null;
                if (p != null && (p.getKind() == SqlKind.AND || p.getKind() == SqlKind.OR)) {
                    SqlCall c = (SqlCall) visited;
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
     * The p of a truth test that means {@code p IS NOT FALSE}, or null: {@code p IS NOT FALSE}
     * itself, and the forms Calcite simplifies into it, which NOTs around the test or its operand
     * make ({@code (NOT p) IS NOT TRUE}, {@code NOT (p IS FALSE)}, ...: differential seed 43000225
     * query 23).
     */
    private static SqlNode isNotFalseOperand(SqlCall call) {
        boolean negated = false;
        SqlNode node = call;
        while (node.getKind() == SqlKind.NOT && node instanceof SqlCall not && not.operandCount() == 1) {
            negated = !negated;
            node = not.operand(0);
        }
        if (!(node instanceof SqlCall test) || test.operandCount() != 1) {
            return null;
        }
        // Which truth value the test asks about (TRUE or FALSE), and whether it asks for it or against it.
        boolean aboutTrue;
        boolean is;
        switch (test.getKind()) {
            case IS_TRUE -> { aboutTrue = true; is = true; }
            case IS_NOT_TRUE -> { aboutTrue = true; is = false; }
            case IS_FALSE -> { aboutTrue = false; is = true; }
            case IS_NOT_FALSE -> { aboutTrue = false; is = false; }
            default -> {
                return null;
            }
        }
        SqlNode operand = test.operand(0);
        while (operand.getKind() == SqlKind.NOT && operand instanceof SqlCall not && not.operandCount() == 1) {
            aboutTrue = !aboutTrue;
            operand = not.operand(0);
        }
        return !aboutTrue && is == negated ? operand : null;
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
