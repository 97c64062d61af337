package io.starlingdb.sql.parser;

import java.util.List;

import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.ddl.SqlDdlNodes;
import org.apache.calcite.sql.ddl.SqlKeyConstraint;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Helpers called from the grammar actions in {@code src/main/codegen/includes/parserImpls.ftl}.
 * Public only because the generated parser lives in {@code io.starlingdb.sql.parser.impl}.
 */
public final class StarlingParserSupport {
    private StarlingParserSupport() {
    }

    /**
     * A parse error with our own message at {@code pos}. The generated parser's
     * {@code normalizeException} turns a {@link CalciteContextException} into a
     * {@link org.apache.calcite.sql.parser.SqlParseException} whose message is the cause's
     * message and whose position is {@code pos}.
     */
    public static CalciteContextException error(SqlParserPos pos, String message) {
        return new CalciteContextException(message, new StarlingSyntaxError(message),
                pos.getLineNum(), pos.getColumnNum(), pos.getEndLineNum(), pos.getEndColumnNum());
    }

    /** Records a NULL / NOT NULL clause of a column; a second or conflicting one is an error. */
    public static Boolean nullability(SqlIdentifier column, Boolean previous, boolean nullable, SqlParserPos pos) {
        if (previous != null) {
            throw error(pos, previous == nullable
                    ? "column " + column + " declares " + (nullable ? "NULL" : "NOT NULL") + " twice"
                    : "column " + column + " declares both NULL and NOT NULL");
        }
        return nullable;
    }

    /**
     * The column declaration, as calcite-server's parser builds it: the type carries the
     * nullability (nullable unless NOT NULL), the strategy is DEFAULT when there is a default
     * expression. A column-level PRIMARY KEY does not change the declaration (exactly as if the
     * key had been declared at table level), but it may not be combined with an explicit NULL.
     */
    public static SqlNode column(SqlParserPos pos, SqlIdentifier name, SqlDataTypeSpec type, Boolean nullable,
            SqlNode defaultValue, SqlParserPos primaryKey) {
        if (primaryKey != null && Boolean.TRUE.equals(nullable)) {
            throw error(primaryKey, "column " + name + " is declared NULL but is a PRIMARY KEY column");
        }
        boolean isNullable = nullable == null || nullable;
        ColumnStrategy strategy = defaultValue != null ? ColumnStrategy.DEFAULT
                : isNullable ? ColumnStrategy.NULLABLE : ColumnStrategy.NOT_NULLABLE;
        return SqlDdlNodes.column(pos, name, type.withNullable(isNullable), defaultValue, strategy);
    }

    /** At most one primary key per table, whether declared on a column or at table level. */
    public static void checkSinglePrimaryKey(List<SqlNode> elements) {
        SqlKeyConstraint first = null;
        for (SqlNode element : elements) {
            if (element instanceof SqlKeyConstraint && element.getKind() == SqlKind.PRIMARY_KEY) {
                SqlKeyConstraint key = (SqlKeyConstraint) element;
                if (first != null) {
                    throw error(key.getParserPosition(), "a table can have only one PRIMARY KEY (first declared at line "
                            + first.getParserPosition().getLineNum() + ", column "
                            + first.getParserPosition().getColumnNum() + ")");
                }
                first = key;
            }
        }
    }

    /** The cause inside the {@link CalciteContextException}; its message becomes the parse error's message. */
    static final class StarlingSyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StarlingSyntaxError(String message) {
            super(message, null, false, false);
        }
    }
}
