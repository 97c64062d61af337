package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The driver tells reads from writes and session settings from the first keywords of a statement. */
class StatementTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SELECT * FROM t                        | READ",
            "  select 1                              | READ",
            "(SELECT 1) UNION (SELECT 2)             | READ",
            "-- a comment\\nSELECT 1                 | READ",
            "/* hint */ values (1)                   | READ",
            "WITH x AS (SELECT 1) SELECT * FROM x    | READ",
            "EXPLAIN PLAN FOR SELECT 1               | READ",
            "INSERT INTO t VALUES (1)                | WRITE",
            "update t set v = 1                      | WRITE",
            "DELETE FROM t                           | WRITE",
            "CREATE TABLE t (k INT PRIMARY KEY)      | WRITE",
            "SELECTED                                | WRITE",
            "''                                      | WRITE",
            "/* never closed                         | WRITE",
            "BEGIN                                   | BEGIN",
            "START TRANSACTION                       | BEGIN",
            "commit                                  | COMMIT",
            "ROLLBACK                                | ROLLBACK",
            "ROLLBACK TO SAVEPOINT s                 | WRITE",
            "SET read_consistency = eventual         | SESSION",
    })
    void kindOfAStatement(String sql, RequestKind expected) {
        assertEquals(expected, StatementText.kind(sql.replace("\\n", "\n")));
    }

    @Test
    void sessionSettingsAreNamedAndOneTransactionSettingsAreNot() {
        assertEquals("read_consistency", StatementText.sessionSetting("SET read_consistency = 'bounded 500ms'"));
        assertEquals("read_consistency", StatementText.sessionSetting(" set SESSION Read_Consistency TO strong"));
        assertNull(StatementText.sessionSetting("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
        assertEquals("characteristics isolation",
                StatementText.sessionSetting("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
        assertEquals("characteristics read", StatementText.sessionSetting("set session characteristics as transaction read only"));
        assertNull(StatementText.sessionSetting("SET LOCAL x = 1"));
        assertNull(StatementText.sessionSetting("SELECT 1"));
        assertNull(StatementText.sessionSetting("SET"));
    }
}
