package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starlingdb.sql.SqlException;
import org.junit.jupiter.api.Test;

class ColumnPrimaryKeyTest {

    @Test
    void movesAColumnKeyToATableConstraint() throws SqlException {
        assertEquals("CREATE TABLE t (id INTEGER NOT NULL , v VARCHAR(3), PRIMARY KEY (id))",
                ColumnPrimaryKey.rewrite("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, v VARCHAR(3))"));
        assertEquals("create table t (\"Id\" BIGINT  , d DECIMAL(10, 2) DEFAULT 1.5, PRIMARY KEY (\"Id\"))",
                ColumnPrimaryKey.rewrite("create table t (\"Id\" BIGINT primary key , d DECIMAL(10, 2) DEFAULT 1.5)"));
    }

    @Test
    void leavesEverythingElseAlone() throws SqlException {
        String[] unchanged = {
            "SELECT 'PRIMARY KEY' FROM t",
            "CREATE TABLE t (a INTEGER, b INTEGER, PRIMARY KEY (a, b))",
            "CREATE TABLE t (a VARCHAR(20) DEFAULT 'primary key')",
            "CREATE TABLE t (a INTEGER) -- primary key",
            "CREATE TABLE t (\"PRIMARY KEY\" INTEGER)",
        };
        for (String sql : unchanged) {
            assertEquals(sql, ColumnPrimaryKey.rewrite(sql));
        }
    }

    @Test
    void refusesTwoPrimaryKeys() {
        assertEquals("42000", assertThrows(SqlException.class, () -> ColumnPrimaryKey.rewrite(
                "CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER PRIMARY KEY)")).sqlState());
        assertEquals("42000", assertThrows(SqlException.class, () -> ColumnPrimaryKey.rewrite(
                "CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER, PRIMARY KEY (b))")).sqlState());
    }
}
