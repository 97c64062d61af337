package io.starlingdb.shell;

import java.sql.JDBCType;
import java.sql.Types;

/** What the shell needs to know about {@link Types} codes: their names, and which are numbers. */
final class JdbcTypes {

    private JdbcTypes() {
    }

    static boolean isNumeric(int jdbcType) {
        switch (jdbcType) {
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
            case Types.BIGINT:
            case Types.REAL:
            case Types.FLOAT:
            case Types.DOUBLE:
            case Types.DECIMAL:
            case Types.NUMERIC:
                return true;
            default:
                return false;
        }
    }

    static String name(int jdbcType) {
        try {
            return JDBCType.valueOf(jdbcType).getName();
        } catch (IllegalArgumentException e) {
            return "TYPE " + jdbcType;
        }
    }
}
