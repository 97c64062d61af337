package io.starlingdb.sql.parser;

import java.util.List;
import java.util.Objects;

import org.apache.calcite.sql.SqlCreate;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * {@code CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [, column]*)}.
 * The columns are in key order: a simple {@link SqlIdentifier} for an ascending column, the
 * identifier wrapped in a {@code DESC} call ({@link SqlKind#DESCENDING}) for a descending one.
 */
public class SqlCreateIndex extends SqlCreate {
    public static final SqlOperator OPERATOR = new SqlSpecialOperator("CREATE INDEX", SqlKind.CREATE_INDEX) {
        @Override
        public SqlCreateIndex createCall(SqlLiteral functionQualifier, SqlParserPos pos, SqlNode... operands) {
            return new SqlCreateIndex(pos, (SqlIdentifier) operands[0], (SqlIdentifier) operands[1],
                    (SqlNodeList) operands[2], ((SqlLiteral) operands[3]).booleanValue(),
                    ((SqlLiteral) operands[4]).booleanValue());
        }
    };

    public final SqlIdentifier name;
    public final SqlIdentifier table;
    public final SqlNodeList columns;
    public final boolean unique;
    // ifNotExists: the public final field inherited from SqlCreate.

    public SqlCreateIndex(SqlParserPos pos, SqlIdentifier name, SqlIdentifier table, SqlNodeList columns,
            boolean unique, boolean ifNotExists) {
        super(OPERATOR, pos, false, ifNotExists);
        this.name = Objects.requireNonNull(name, "name");
        this.table = Objects.requireNonNull(table, "table");
        this.columns = Objects.requireNonNull(columns, "columns");
        this.unique = unique;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name, table, columns, SqlLiteral.createBoolean(unique, SqlParserPos.ZERO),
                SqlLiteral.createBoolean(ifNotExists, SqlParserPos.ZERO));
    }

    @Override
    public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
        writer.keyword("CREATE");
        if (unique) {
            writer.keyword("UNIQUE");
        }
        writer.keyword("INDEX");
        if (ifNotExists) {
            writer.keyword("IF NOT EXISTS");
        }
        name.unparse(writer, leftPrec, rightPrec);
        writer.keyword("ON");
        table.unparse(writer, leftPrec, rightPrec);
        SqlWriter.Frame frame = writer.startList("(", ")");
        for (SqlNode column : columns) {
            writer.sep(",");
            column.unparse(writer, 0, 0);
        }
        writer.endList(frame);
    }
}
