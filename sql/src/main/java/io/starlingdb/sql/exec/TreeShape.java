package io.starlingdb.sql.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * A statement tree as a typed value for the plan cache: two trees have equal shapes exactly
 * when they are the same statement (same operators, names, literal values and types, parameter
 * numbers), however they were written (spacing, case of keywords, comments). Computed from the
 * tree before planning, so the validator's in-place rewrites cannot change a cached key. The
 * shape is a flat list of tokens: node kinds and operators, identifier names, literal values
 * with their type, parameter indexes.
 */
public final class TreeShape {

    /** Tokens a tree's shape is first sized for; a larger tree grows the list. */
    private static final int TOKENS_EXPECTED = 256;

    private TreeShape() {
    }

    /** The shape of {@code node}, or null for a tree with a node of a kind it does not know. */
    public static List<Object> of(SqlNode node) {
        // Sized for a statement of a few dozen nodes, so the list rarely grows (copying itself) while it is filled.
        List<Object> tokens = new ArrayList<>(TOKENS_EXPECTED);
        try {
            return add(node, tokens) ? List.copyOf(tokens) : null;
        } catch (UnsupportedOperationException e) {
            return null; // a node that does not list its operands: planned, not shared
        }
    }

    /**
     * A basic type as written in a CAST (the type of each literal {@link AutoParameters} replaces):
     * everything its printed form is made of, without printing it, which cost a SqlPrettyWriter per
     * literal (JFR). Two such types are equal only if they would print the same.
     */
    private record BasicType(String name, int precision, int scale, String charset, java.util.TimeZone zone, Boolean nullable) {
        static BasicType of(SqlDataTypeSpec spec) {
            SqlBasicTypeNameSpec basic = (SqlBasicTypeNameSpec) spec.getTypeNameSpec();
            return new BasicType(basic.getTypeName().toString(), basic.getPrecision(), basic.getScale(), basic.getCharSetName(),
                    spec.getTimeZone(), spec.getNullable());
        }
    }

    /** A null operand (an absent WHERE, ORDER BY...), distinct from every other token. */
    private enum Absent { NODE }

    private static boolean add(SqlNode node, List<Object> out) {
        if (node == null) {
            out.add(Absent.NODE);
            return true;
        }
        if (node instanceof SqlLiteral literal) {
            out.add(literal.getTypeName());
            Object value = literal.getValue();
            out.add(value == null ? Absent.NODE : value);
            return true;
        }
        if (node instanceof SqlIdentifier id) {
            out.add(SqlIdentifier.class);
            out.add(List.copyOf(id.names));
            return true;
        }
        if (node instanceof SqlDynamicParam param) {
            out.add(SqlDynamicParam.class);
            out.add(param.getIndex());
            return true;
        }
        if (node instanceof SqlDataTypeSpec spec && spec.getTypeNameSpec().getClass() == SqlBasicTypeNameSpec.class) {
            out.add(SqlDataTypeSpec.class);
            out.add(BasicType.of(spec));
            return true;
        }
        if (node instanceof SqlDataTypeSpec || node instanceof SqlIntervalQualifier) {
            // A type is small and its printed form names it completely.
            out.add(node.getClass());
            out.add(node.toString());
            return true;
        }
        if (node instanceof SqlNodeList list) {
            out.add(SqlNodeList.class);
            out.add(list.size());
            for (SqlNode item : list) {
                if (!add(item, out)) {
                    return false;
                }
            }
            return true;
        }
        if (node instanceof SqlCall call) {
            out.add(call.getClass());
            out.add(call.getKind());
            out.add(call.getOperator().getName());
            SqlLiteral quantifier = call.getFunctionQuantifier();
            out.add(quantifier == null ? Absent.NODE : quantifier.getValue());
            List<SqlNode> operands = call.getOperandList();
            out.add(operands.size());
            for (SqlNode operand : operands) {
                if (!add(operand, out)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
