package io.starlingdb.shell;

import java.util.List;

/** The SQL words the shell completes: statements, clauses, types and common functions of Calcite's dialect. */
final class SqlKeywords {

    static final List<String> ALL = List.of(
            // statements and clauses
            "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH", "FIRST", "NEXT",
            "ROWS", "ONLY", "DISTINCT", "ALL", "AS", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER",
            "CROSS", "NATURAL", "UNION", "INTERSECT", "EXCEPT", "WITH", "VALUES", "INSERT", "INTO", "UPDATE", "SET",
            "DELETE", "CREATE", "DROP", "ALTER", "TABLE", "INDEX", "UNIQUE", "PRIMARY", "KEY", "DEFAULT", "IF",
            "EXISTS", "NOT", "NULL", "AND", "OR", "IN", "BETWEEN", "LIKE", "IS", "TRUE", "FALSE", "UNKNOWN", "CASE",
            "WHEN", "THEN", "ELSE", "END", "CAST", "ASC", "DESC", "NULLS", "LAST", "EXPLAIN", "PLAN", "FOR", "ANY",
            "SOME", "ESCAPE", "INTERVAL", "COMMIT", "ROLLBACK",
            // types
            "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "REAL", "FLOAT", "DOUBLE", "DECIMAL",
            "NUMERIC", "CHAR", "VARCHAR", "DATE", "TIME", "TIMESTAMP", "VARBINARY",
            // functions
            "COUNT", "SUM", "AVG", "MIN", "MAX", "COALESCE", "NULLIF", "ABS", "MOD", "ROUND", "FLOOR", "CEIL",
            "POWER", "SQRT", "UPPER", "LOWER", "TRIM", "SUBSTRING", "POSITION", "CHAR_LENGTH", "CHARACTER_LENGTH",
            "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "EXTRACT");

    private SqlKeywords() {
    }
}
