package io.starlingdb.sql.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * The labels of a query's result columns as users expect them, PostgreSQL-like: an alias, else
 * a column's name, else a function's name ({@code COUNT(*)} is {@code COUNT}), else
 * {@code ?column?}; in Starling's identifier case (upper). Calcite would call the unnamed ones
 * {@code EXPR$0}, {@code EXPR$1}, ... Read from the parsed tree, before validation rewrites it.
 */
final class ColumnLabels {

    /** The label Calcite's validator gives a select item it cannot name. */
    private static final Pattern GENERATED = Pattern.compile("EXPR\\$\\d+");
    static final String UNNAMED = "?column?";

    private ColumnLabels() {
    }

    /** One label per select item, or null where the tree does not say (SELECT *, VALUES). */
    static List<String> of(SqlNode query) {
        SqlNode node = query;
        while (true) {
            if (node instanceof SqlOrderBy orderBy) {
                node = orderBy.query;
            } else if (node instanceof SqlBasicCall call && (node.getKind() == SqlKind.UNION || node.getKind() == SqlKind.EXCEPT
                    || node.getKind() == SqlKind.INTERSECT)) {
                node = call.operand(0);
            } else {
                break;
            }
        }
        if (!(node instanceof SqlSelect select)) {
            return null;
        }
        SqlNodeList items = select.getSelectList();
        List<String> labels = new ArrayList<>(items.size());
        for (SqlNode item : items) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                return null;
            }
            labels.add(label(item));
        }
        return labels;
    }

    private static String label(SqlNode item) {
        if (item instanceof SqlIdentifier id) {
            return id.names.get(id.names.size() - 1);
        }
        if (item instanceof SqlCall call) {
            if (call.getKind() == SqlKind.AS) {
                return label(call.operand(1));
            }
            if (call.getKind() == SqlKind.CAST) {
                return label(call.operand(0));
            }
            if (call.getKind() == SqlKind.CASE) {
                return "CASE";
            }
            if (call.getOperator() instanceof SqlFunction function) {
                return function.getName().toUpperCase(java.util.Locale.ROOT);
            }
        }
        return UNNAMED;
    }

    /** The name to show for result column {@code index} that the validator named {@code validated}. */
    static String name(String validated, List<String> labels, int index) {
        if (labels == null || index >= labels.size() || !GENERATED.matcher(validated).matches()) {
            return validated;
        }
        return labels.get(index);
    }
}
