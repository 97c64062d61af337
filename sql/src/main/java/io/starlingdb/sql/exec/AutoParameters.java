package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeFactoryImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Turns the literals of a statement that cannot change its plan's shape into typed parameters,
 * so that statements that differ only in such values ({@code WHERE id = 42}, {@code WHERE id = 43})
 * share one cached plan instead of paying the planner and code generator (milliseconds) each.
 *
 * <p>Each replaced literal becomes {@code CAST(? AS <the literal's own type>)}, so types, and
 * with them comparison and arithmetic semantics, are exactly those of the literal. Only
 * literals whose value never shapes the plan are replaced: numbers and non-empty strings that
 * are an operand of a comparison, arithmetic, LIKE pattern, BETWEEN bound, boolean connective,
 * UPDATE SET value or INSERT VALUES item, in WHERE and JOIN conditions, UPDATE SET lists and
 * INSERT VALUES. Left alone: the select list, GROUP BY, HAVING and ORDER BY (ordinals, and
 * expressions that must match the select list's text), LIMIT and OFFSET, IN lists, function
 * arguments, NULL, booleans, dates, times and intervals, and comparisons whose operands are all
 * literals (so that {@code WHERE 1 = 0} still folds to an empty plan instead of scanning).
 *
 * <p>New parameters get indexes after the statement's own ({@code ?} written by the user), so
 * the user's parameter numbering is unchanged; {@link Result#values} holds the replaced values
 * in index order.
 */
public final class AutoParameters {

    /**
     * A rewritten statement: {@code userParameters} of the user's, then {@code values.size()}
     * replaced literals, each from the text position in {@code positions}.
     */
    public record Result(SqlNode statement, int userParameters, List<Object> values, List<SqlParserPos> positions) {
    }

    private static final RelDataTypeFactory typeFactory = new SqlTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM);

    /**
     * Statements with more replaceable literals than this are left as written. Calcite turns a
     * multi-row VALUES of expressions into a nesting as deep as its rows, which Janino cannot
     * compile past a few hundred (it overflows its stack), while a VALUES of literals stays a
     * flat constant table; such statements are also rarely repeated with the same shape.
     */
    public static final int MAX_PARAMETERS = 256;

    private final int userParameters;
    /** Counting only: every literal is left in place, {@link #count} says how many would be replaced. */
    private final boolean counting;
    private int count;
    private final List<Object> values = new ArrayList<>();
    private final List<SqlParserPos> positions = new ArrayList<>();

    private AutoParameters(int userParameters, boolean counting) {
        this.userParameters = userParameters;
        this.counting = counting;
    }

    /**
     * Rewrites {@code statement} (a query, INSERT, UPDATE or DELETE; changed in place) or
     * returns null, leaving it unchanged, if it is of another kind, has no literal to replace or
     * more than {@link #MAX_PARAMETERS}.
     */
    public static Result apply(SqlNode statement) {
        int user = QueryCompiler.countParameters(statement);
        AutoParameters counter = new AutoParameters(user, true);
        if (counter.rewrite(statement) == null || counter.count == 0 || counter.count > MAX_PARAMETERS) {
            return null;
        }
        AutoParameters rewriter = new AutoParameters(user, false);
        SqlNode rewritten = rewriter.rewrite(statement);
        return new Result(rewritten, user, List.copyOf(rewriter.values), List.copyOf(rewriter.positions));
    }

    /** The statement rewritten in place (unchanged when counting), or null for a kind not rewritten. */
    private SqlNode rewrite(SqlNode statement) {
        if (statement instanceof SqlInsert insert) {
            insert(insert);
            return insert;
        } else if (statement instanceof SqlUpdate update) {
            SqlNodeList sets = update.getSourceExpressionList();
            for (int i = 0; i < sets.size(); i++) {
                sets.set(i, value(sets.get(i)));
            }
            update.setOperand(3, condition(update.getCondition()));
            return update;
        } else if (statement instanceof SqlDelete delete) {
            delete.setOperand(1, condition(delete.getCondition()));
            return delete;
        } else if (statement.isA(SqlKind.QUERY)) {
            return query(statement);
        }
        return null;
    }

    private void insert(SqlInsert insert) {
        SqlNode source = insert.getSource();
        if (source.getKind() == SqlKind.VALUES) {
            for (SqlNode row : ((SqlCall) source).getOperandList()) {
                if (row instanceof SqlCall call && call.getKind() == SqlKind.ROW) {
                    for (int i = 0; i < call.operandCount(); i++) {
                        call.setOperand(i, value(call.operand(i)));
                    }
                }
            }
        } else {
            query(source); // rewritten in place
        }
    }

    /** A query: only its FROM (join conditions, derived tables) and WHERE are rewritten. */
    private SqlNode query(SqlNode node) {
        if (node instanceof SqlSelect select) {
            select.setFrom(from(select.getFrom()));
            select.setWhere(condition(select.getWhere()));
        } else if (node instanceof SqlOrderBy orderBy) {
            query(orderBy.query);
        } else if (node instanceof SqlCall call && isSetOperation(call.getKind())) {
            for (int i = 0; i < call.operandCount(); i++) {
                call.setOperand(i, query(call.operand(i)));
            }
        }
        return node;
    }

    private SqlNode from(SqlNode node) {
        if (node instanceof SqlJoin join) {
            join.setLeft(from(join.getLeft()));
            join.setRight(from(join.getRight()));
            join.setOperand(5, condition(join.getCondition()));
        } else if (node instanceof SqlCall call && call.getKind() == SqlKind.AS) {
            call.setOperand(0, from(call.operand(0)));
        } else if (node != null && node.isA(SqlKind.QUERY)) {
            query(node);
        }
        return node;
    }

    private SqlNode condition(SqlNode node) {
        return node == null ? null : expression(node);
    }

    /** A value that stands alone (SET or VALUES item): a literal there is replaced too. */
    private SqlNode value(SqlNode node) {
        return node instanceof SqlLiteral literal ? replace(literal) : expression(node);
    }

    private SqlNode expression(SqlNode node) {
        if (node instanceof SqlSelect || node instanceof SqlOrderBy) {
            return query(node); // a sub-query
        }
        if (!(node instanceof SqlCall call)) {
            return node;
        }
        SqlKind kind = call.getKind();
        if (kind == SqlKind.SCALAR_QUERY || kind == SqlKind.EXISTS || kind == SqlKind.UNIQUE) {
            call.setOperand(0, query(call.operand(0)));
            return call;
        }
        if (kind == SqlKind.IN || kind == SqlKind.NOT_IN || kind == SqlKind.SOME || kind == SqlKind.ALL) {
            call.setOperand(0, expression(call.operand(0)));
            if (!(call.operand(1) instanceof SqlNodeList)) {
                call.setOperand(1, query(call.operand(1)));
            }
            return call;
        }
        if (kind == SqlKind.LIKE || kind == SqlKind.SIMILAR) {
            // the value and the pattern; an ESCAPE character stays a literal
            call.setOperand(0, expression(call.operand(0)));
            if (!(call.operand(0) instanceof SqlLiteral)) {
                call.setOperand(1, operand(call.operand(1)));
            }
            return call;
        }
        boolean sign = kind == SqlKind.MINUS_PREFIX || kind == SqlKind.PLUS_PREFIX;
        if (!rewritesOperands(kind) || (!sign && allLiterals(call))) {
            return call;
        }
        for (int i = 0; i < call.operandCount(); i++) {
            call.setOperand(i, operand(call.operand(i)));
        }
        return call;
    }

    private SqlNode operand(SqlNode node) {
        return node instanceof SqlLiteral literal ? replace(literal) : expression(node);
    }

    private static boolean rewritesOperands(SqlKind kind) {
        return switch (kind) {
            case AND, OR, NOT, EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL,
                    BETWEEN, PLUS, MINUS, TIMES, DIVIDE, MINUS_PREFIX, PLUS_PREFIX, IS_NULL, IS_NOT_NULL, IS_TRUE,
                    IS_FALSE, IS_NOT_TRUE, IS_NOT_FALSE -> true;
            default -> false;
        };
    }

    private static boolean isSetOperation(SqlKind kind) {
        return kind == SqlKind.UNION || kind == SqlKind.INTERSECT || kind == SqlKind.EXCEPT;
    }

    private static boolean allLiterals(SqlCall call) {
        for (SqlNode operand : call.getOperandList()) {
            if (operand != null && !(operand instanceof SqlLiteral)) {
                return false;
            }
        }
        return true;
    }

    /** {@code CAST(? AS type-of-literal)} for a number or non-empty string; anything else unchanged. */
    private SqlNode replace(SqlLiteral literal) {
        SqlParserPos pos = literal.getParserPosition();
        SqlBasicTypeNameSpec spec;
        Object value;
        if (literal instanceof SqlNumericLiteral number) {
            RelDataType type = number.createSqlType(typeFactory);
            SqlTypeName name = type.getSqlTypeName();
            spec = switch (name) {
                case INTEGER, BIGINT, DOUBLE -> new SqlBasicTypeNameSpec(name, pos);
                case DECIMAL -> new SqlBasicTypeNameSpec(name, type.getPrecision(), type.getScale(), pos);
                default -> null;
            };
            value = number.getValueAs(BigDecimal.class);
        } else if (literal instanceof SqlCharStringLiteral string && string.getNlsString().getCharsetName() == null) {
            String text = string.getValueAs(String.class);
            spec = text.isEmpty() ? null : new SqlBasicTypeNameSpec(SqlTypeName.CHAR, text.length(), pos);
            value = text;
        } else {
            return literal;
        }
        if (spec == null) {
            return literal;
        }
        if (counting) {
            count++;
            return literal;
        }
        SqlDynamicParam parameter = new SqlDynamicParam(userParameters + values.size(), pos);
        values.add(value);
        positions.add(pos);
        return SqlStdOperatorTable.CAST.createCall(pos, parameter, new SqlDataTypeSpec(spec, pos));
    }
}
