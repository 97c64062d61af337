package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.Limits;
import io.starlingdb.server.StarlingNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input gets its SQLState, and the statement that failed changed nothing:
 * the table holds exactly what it held before, checked by a content fingerprint.
 */
class BadInputTest {

    @TempDir
    static Path dir;

    private static StarlingNode node;
    private Connection c;
    private Statement s;

    @BeforeAll
    static void startNode() throws Exception {
        node = TestNode.start(dir);
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR(20), d DATE, ts TIMESTAMP, b BOOLEAN,"
                    + " x DECIMAL(10,2), f DOUBLE, big BIGINT, PRIMARY KEY (id))");
            s.execute("CREATE TABLE wide (k VARCHAR(10000) NOT NULL, v VARCHAR(1000000), w VARCHAR(1000000), PRIMARY KEY (k))");
        }
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void seed() throws Exception {
        c = TestNode.connect(node);
        s = c.createStatement();
        s.executeUpdate("DELETE FROM t");
        s.executeUpdate("INSERT INTO t VALUES (1, 'one', DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00:00', TRUE, 1.50, 1.5, 10),"
                + " (2, 'two', NULL, NULL, FALSE, 2.50, 2.5, 20)");
    }

    @AfterEach
    void close() throws Exception {
        c.close();
    }

    /** Count, key sum and every value of t, so any change to any row shows. */
    private String fingerprint() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement q = c.createStatement(); ResultSet rs = q.executeQuery("SELECT * FROM t ORDER BY id")) {
            while (rs.next()) {
                for (int i = 1; i <= 8; i++) {
                    out.append(rs.getString(i)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Runs sql, expects the SQLState, and checks that t did not change. */
    private SQLException refused(String expectedState, String sql) throws SQLException {
        String before = fingerprint();
        SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
        assertEquals(expectedState, e.getSQLState(), sql + " -> " + e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a message for " + sql);
        assertEquals(before, fingerprint(), "nothing written by " + sql);
        return e;
    }

    @Test
    void syntaxErrorIs42000() throws Exception {
        assertInstanceOf(SQLSyntaxErrorException.class, refused("42000", "SELEC * FROM t"));
        refused("42000", "INSERT INTO t VALUES (3, 'x'");
        refused("42000", "UPDATE t SET WHERE id = 1");
    }

    @Test
    void unknownTableIs42S02() throws Exception {
        refused("42S02", "SELECT * FROM nope");
        refused("42S02", "INSERT INTO nope VALUES (1)");
        refused("42S02", "UPDATE nope SET a = 1");
        refused("42S02", "DELETE FROM nope");
        refused("42S02", "DROP TABLE nope");
    }

    @Test
    void unknownColumnIs42S22() throws Exception {
        refused("42S22", "SELECT nope FROM t");
        refused("42S22", "SELECT * FROM t WHERE nope = 1");
        refused("42S22", "UPDATE t SET nope = 1");
        refused("42S22", "INSERT INTO t (id, nope) VALUES (3, 1)");
    }

    @Test
    void valueTooLongIs22001() throws Exception {
        assertInstanceOf(SQLDataException.class, refused("22001", "INSERT INTO t (id, name) VALUES (3, 'this is longer than twenty')"));
        refused("22001", "UPDATE t SET name = 'this is longer than twenty' WHERE id >= 1");
    }

    @Test
    void outOfRangeIs22003() throws Exception {
        refused("22003", "INSERT INTO t (id) VALUES (3000000000)");
        refused("22003", "INSERT INTO t (id, x) VALUES (3, 123456789.99)");
        refused("22003", "UPDATE t SET x = 100000000 WHERE id = 2");
    }

    @Test
    void badConversionIs22018() throws Exception {
        refused("22018", "INSERT INTO t (id, d) VALUES (3, 'not a date')");
        refused("22018", "INSERT INTO t (id) VALUES (CAST('abc' AS INTEGER))");
    }

    @Test
    void parameterThatDoesNotConvertIs22018() throws Exception {
        String before = fingerprint();
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, d, b) VALUES (?, ?, ?)")) {
            ps.setInt(1, 3);
            ps.setString(2, "garbage");
            ps.setBoolean(3, true);
            assertEquals("22018", assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
            ps.setString(2, "2020-01-01");
            ps.setString(3, "maybe");
            assertEquals("22018", assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
            ps.setString(1, "three");
            ps.setBoolean(3, true);
            assertEquals("22018", assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
        }
        assertEquals(before, fingerprint());
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, d, b) VALUES (?, ?, ?)")) {
            ps.setString(1, "3");
            ps.setString(2, "2020-01-01");
            ps.setString(3, "true");
            assertEquals(1, ps.executeUpdate(), "strings that do convert are accepted");
        }
    }

    /** 22007, the SQL standard's "invalid datetime format" (as PostgreSQL answers). */
    @Test
    void badCastToDateIs22007() throws Exception {
        refused("22007", "INSERT INTO t (id, d) VALUES (3, CAST('not a date' AS DATE))");
    }

    @Test
    void nullInNotNullColumnIs23502() throws Exception {
        assertInstanceOf(SQLIntegrityConstraintViolationException.class,
                refused("23502", "INSERT INTO t (id, name) VALUES (NULL, 'x')"));
        refused("23502", "INSERT INTO t (name) VALUES ('no key')");
        refused("23502", "UPDATE t SET id = NULL WHERE id = 2");
    }

    @Test
    void duplicateKeyIs23505() throws Exception {
        assertInstanceOf(SQLIntegrityConstraintViolationException.class, refused("23505", "INSERT INTO t (id) VALUES (1)"));
        refused("23505", "INSERT INTO t (id) VALUES (3), (3)");
        refused("23505", "UPDATE t SET id = 1 WHERE id = 2");
    }

    @Test
    void thousandRowInsertFailingOnRow500InsertsNothing() throws Exception {
        String[] violations = {"(1, 'dup')", "(NULL, 'null key')", "(500, 'this is longer than twenty')", "(3000000000, 'range')"};
        String[] states = {"23505", "23502", "22001", "22003"};
        for (int v = 0; v < violations.length; v++) {
            StringBuilder sql = new StringBuilder("INSERT INTO t (id, name) VALUES ");
            for (int i = 1; i <= 1000; i++) {
                sql.append(i == 1 ? "" : ", ").append(i == 500 ? violations[v] : "(" + (1000 + i) + ", 'r" + i + "')");
            }
            refused(states[v], sql.toString());
        }
        assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM t"));
    }

    @Test
    void updateFailingOnOneRowChangesNoRow() throws Exception {
        s.executeUpdate("INSERT INTO t (id, name) VALUES (3, 'three'), (4, 'a much longer name')");
        // 'x' || name is over the limit only for row 4; rows 1..3 must keep their names.
        refused("22001", "UPDATE t SET name = name || ' and more' WHERE id >= 1");
    }

    @Test
    void failureInsideATransactionUndoesOnlyThatStatement() throws Exception {
        c.setAutoCommit(false);
        s.executeUpdate("INSERT INTO t (id, name) VALUES (10, 'kept')");
        SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t (id, name) VALUES (11, 'x'), (1, 'dup')"));
        assertEquals("23505", e.getSQLState());
        c.commit();
        c.setAutoCommit(true);
        assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM t WHERE id = 10"));
        assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM t WHERE id = 11"));
    }

    @Test
    void keyOverTheKeyLimitIs54000() throws Exception {
        String key = "k".repeat(Limits.maxKeyBytes + 1);
        SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO wide VALUES ('" + key + "', 'v', NULL)"));
        assertEquals("54000", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("maxKeyBytes"), e.getMessage());
        String fits = "k".repeat(Limits.maxKeyBytes - 100);
        assertEquals(1, s.executeUpdate("INSERT INTO wide VALUES ('" + fits + "', 'v', NULL)"));
        assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM wide WHERE CHAR_LENGTH(k) > " + Limits.maxKeyBytes));
        s.executeUpdate("DELETE FROM wide");
    }

    @Test
    void rowOverTheRowLimitIs54000() throws Exception {
        // Two columns, each within its VARCHAR length, together over the row limit.
        String half = "v".repeat(Limits.maxRowBytes / 2 + 1);
        SQLException e = assertThrows(SQLException.class,
                () -> s.execute("INSERT INTO wide VALUES ('big', '" + half + "', '" + half + "')"));
        assertEquals("54000", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("maxRowBytes"), e.getMessage());
        s.executeUpdate("INSERT INTO wide VALUES ('small', '" + half + "', NULL)");
        SQLException update = assertThrows(SQLException.class, () -> s.execute("UPDATE wide SET w = v WHERE k = 'small'"));
        assertEquals("54000", update.getSQLState());
        try (ResultSet rs = s.executeQuery("SELECT k, CHAR_LENGTH(v), w FROM wide")) {
            assertTrue(rs.next());
            assertEquals("small", rs.getString(1));
            assertEquals(half.length(), rs.getInt(2));
            assertEquals(null, rs.getString(3));
            assertTrue(!rs.next());
        }
        s.executeUpdate("DELETE FROM wide");
    }

    @Test
    void statementOverTheFrameLimitIs54000AndTheConnectionSurvives() throws Exception {
        // 9 MiB of SQL text is over the protocol's string limit (8 MiB): refused in the driver, before sending.
        String huge = "SELECT '" + "x".repeat(9 * 1024 * 1024) + "' FROM t";
        SQLException e = assertThrows(SQLException.class, () -> s.execute(huge));
        assertEquals("54000", e.getSQLState(), e.getMessage());
        assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM t"));
    }

    @Test
    void theConnectionKeepsWorkingAfterEveryKindOfError() throws Exception {
        String[] bad = {"SELEC 1", "SELECT * FROM nope", "SELECT nope FROM t", "INSERT INTO t (id) VALUES (1)",
            "INSERT INTO t (id, name) VALUES (NULL, 'x')", "SELECT 1 / 0 FROM t"};
        for (String sql : bad) {
            assertThrows(SQLException.class, () -> s.execute(sql), sql);
        }
        assertEquals(3, TestNode.scalar(c, "SELECT SUM(id) FROM t"));
        assertTrue(c.isValid(2));
    }
}
