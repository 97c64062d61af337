package io.starlingdb.sql.parser;

import java.util.List;
import java.util.Objects;

import org.apache.calcite.sql.SqlDrop;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/** {@code DROP INDEX [IF EXISTS] name}. */
public class SqlDropIndex extends SqlDrop {
    public static final SqlOperator OPERATOR = new SqlSpecialOperator("DROP INDEX", SqlKind.DROP_INDEX) {
        @Override
        public SqlDropIndex createCall(SqlLiteral functionQualifier, SqlParserPos pos, SqlNode... operands) {
            return new SqlDropIndex(pos, (SqlIdentifier) operands[0], ((SqlLiteral) operands[1]).booleanValue());
        }
    };

    public final SqlIdentifier name;
    // ifExists: the public final field inherited from SqlDrop.

    public SqlDropIndex(SqlParserPos pos, SqlIdentifier name, boolean ifExists) {
        super(OPERATOR, pos, ifExists);
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public List<SqlNode> getOperandList() {
        return List.of(name, SqlLiteral.createBoolean(ifExists, SqlParserPos.ZERO));
    }

    @Override
    public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
        writer.keyword("DROP INDEX");
        if (ifExists) {
            writer.keyword("IF EXISTS");
        }
        name.unparse(writer, leftPrec, rightPrec);
    }
}
