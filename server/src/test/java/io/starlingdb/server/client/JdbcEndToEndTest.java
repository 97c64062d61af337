package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DDL, DML, queries, parameters, batches, streaming and metadata through the real driver against a real node. */
class JdbcEndToEndTest extends SharedNodeTest {

    private static final String ALL_TYPES = "(id INTEGER NOT NULL, name VARCHAR(20), d DATE, ts TIMESTAMP, b BOOLEAN,"
            + " x DECIMAL(10,2), f DOUBLE, big BIGINT, PRIMARY KEY (id))";

    @Test
    void theReadConsistencyUrlPropertySetsTheSessionsSetting() throws Exception {
        String url = node.jdbcUrl() + (node.jdbcUrl().contains("?") ? "&" : "?") + "readConsistency=bounded:500ms";
        try (Connection c = java.sql.DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW read_consistency")) {
            assertTrue(rs.next());
            assertEquals("bounded '500ms'", rs.getString(1));
        }
        java.util.Properties info = new java.util.Properties();
        info.setProperty("readConsistency", "sometimes");
        SQLException bad = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                () -> java.sql.DriverManager.getConnection(node.jdbcUrl(), info));
        assertEquals("22023", bad.getSQLState(), bad.getMessage());
    }

    /**
     * A prepared statement's results name their columns through the driver though the node leaves
     * them out of each answer (protocol 4), and name the new ones once the table changed under it.
     */
    @Test
    void preparedResultsDescribeTheirColumnsAlsoAfterTheTableChanged() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE prepared_meta (id INTEGER PRIMARY KEY, v VARCHAR(10))");
            s.execute("INSERT INTO prepared_meta VALUES (1, 'one'), (2, 'two')");
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM prepared_meta WHERE id = ?")) {
                for (int id = 1; id <= 2; id++) {
                    ps.setInt(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        assertEquals(2, md.getColumnCount());
                        assertEquals("V", md.getColumnName(2));
                        assertEquals(Types.VARCHAR, md.getColumnType(2));
                        assertTrue(rs.next());
                        assertEquals(id == 1 ? "one" : "two", rs.getString("V"));
                        assertFalse(rs.next());
                    }
                }
                s.execute("DROP TABLE prepared_meta");
                s.execute("CREATE TABLE prepared_meta (id INTEGER PRIMARY KEY, n BIGINT, v VARCHAR(10))");
                s.execute("INSERT INTO prepared_meta VALUES (1, 42, 'uno')");
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertEquals(3, md.getColumnCount());
                    assertEquals("N", md.getColumnName(2));
                    assertEquals(Types.BIGINT, md.getColumnType(2));
                    assertTrue(rs.next());
                    assertEquals(42L, rs.getLong("N"));
                    assertEquals("uno", rs.getString("V"));
                }
            } finally {
                s.execute("DROP TABLE prepared_meta");
            }
        }
    }

    @Test
    void createInsertQueryUpdateDeleteAndDropThroughAStatement() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            assertFalse(s.execute("CREATE TABLE crud (id INTEGER NOT NULL, name VARCHAR(20), qty INTEGER, PRIMARY KEY (id))"));
            assertEquals(3, s.executeUpdate("INSERT INTO crud VALUES (1, 'apple', 5), (2, 'pear', 7), (3, 'plum', NULL)"));
            assertEquals(3, s.getUpdateCount());

            try (ResultSet rs = s.executeQuery("SELECT id, name, qty FROM crud ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt("ID"));
                assertEquals("apple", rs.getString(2));
                assertEquals(5, rs.getInt(3));
                assertFalse(rs.wasNull());
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1));
                assertEquals(0, rs.getInt(3));
                assertTrue(rs.wasNull());
                assertNull(rs.getObject(3));
                assertFalse(rs.next());
            }
            assertEquals(1, s.executeUpdate("UPDATE crud SET qty = qty + 10 WHERE id = 1"));
            assertEquals(15, TestNode.scalar(c, "SELECT qty FROM crud WHERE id = 1"));
            assertEquals(2, s.executeUpdate("UPDATE crud SET name = 'fruit' WHERE id >= 2"));
            assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM crud WHERE name = 'fruit'"));
            assertEquals(0, s.executeUpdate("DELETE FROM crud WHERE id = 99"));
            assertEquals(1, s.executeUpdate("DELETE FROM crud WHERE id = 2"));
            assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM crud"));

            assertTrue(s.execute("SELECT name FROM crud WHERE id = 3"));
            try (ResultSet rs = s.getResultSet()) {
                assertTrue(rs.next());
                assertEquals("fruit", rs.getString(1));
            }
            assertEquals(-1, s.getUpdateCount());

            s.execute("DROP TABLE crud");
            SQLException gone = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM crud"));
            assertEquals("42S02", gone.getSQLState());
        }
    }

    @Test
    void joinsAggregatesAndExplainAnswerCorrectly() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dept (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id))");
            s.execute("CREATE TABLE emp (id INTEGER NOT NULL, dept INTEGER, salary DECIMAL(10,2), PRIMARY KEY (id))");
            s.executeUpdate("INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty')");
            s.executeUpdate("INSERT INTO emp VALUES (1, 1, 100.50), (2, 1, 200.25), (3, 2, 50.00), (4, NULL, 10.00)");
            Map<String, BigDecimal> totals = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT d.name, SUM(e.salary) FROM dept d JOIN emp e ON e.dept = d.id"
                    + " GROUP BY d.name ORDER BY d.name")) {
                while (rs.next()) {
                    totals.put(rs.getString(1), rs.getBigDecimal(2));
                }
            }
            assertEquals(Map.of("eng", new BigDecimal("300.75"), "ops", new BigDecimal("50.00")), totals);
            List<String> left = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT d.name, COUNT(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.id"
                    + " GROUP BY d.name HAVING COUNT(e.id) < 2 ORDER BY d.name")) {
                while (rs.next()) {
                    left.add(rs.getString(1) + "=" + rs.getLong(2));
                }
            }
            assertEquals(List.of("empty=0", "ops=1"), left);

            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = s.executeQuery("EXPLAIN PLAN FOR SELECT * FROM emp WHERE id = 2")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertTrue(plan.toString().contains("primary key lookup"), plan.toString());
        }
    }

    @Test
    void preparedParametersOfEveryTypeReadBackExactly() throws Exception {
        LocalDate day = LocalDate.of(2024, 2, 29);
        LocalDateTime moment = LocalDateTime.of(2023, 12, 31, 23, 59, 58, 123_000_000);
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE typed " + ALL_TYPES);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                assertEquals(8, ps.getParameterMetaData().getParameterCount());
                ps.setInt(1, 1);
                ps.setString(2, "héllo ✓ 'quoted'");
                ps.setDate(3, Date.valueOf(day));
                ps.setTimestamp(4, Timestamp.valueOf(moment));
                ps.setBoolean(5, true);
                ps.setBigDecimal(6, new BigDecimal("-12345678.91"));
                ps.setDouble(7, -1.0e-300);
                ps.setLong(8, Long.MIN_VALUE);
                assertEquals(1, ps.executeUpdate());

                ps.setInt(1, 2);
                ps.setNull(2, Types.VARCHAR);
                ps.setNull(3, Types.DATE);
                ps.setNull(4, Types.TIMESTAMP);
                ps.setNull(5, Types.BOOLEAN);
                ps.setNull(6, Types.DECIMAL);
                ps.setNull(7, Types.DOUBLE);
                ps.setNull(8, Types.BIGINT);
                assertEquals(1, ps.executeUpdate());

                ps.setObject(1, 3);
                ps.setObject(2, "");
                ps.setObject(3, day);
                ps.setObject(4, moment);
                ps.setObject(5, Boolean.FALSE);
                ps.setObject(6, new BigDecimal("99999999.99"));
                ps.setObject(7, Double.MAX_VALUE);
                ps.setObject(8, Long.MAX_VALUE);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, d, ts, b, x, f, big FROM typed WHERE id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("héllo ✓ 'quoted'", rs.getString(1));
                    assertEquals(Date.valueOf(day), rs.getDate(2));
                    assertEquals(day, rs.getObject(2, LocalDate.class));
                    assertEquals(Timestamp.valueOf(moment), rs.getTimestamp(3));
                    assertEquals(moment, rs.getObject(3, LocalDateTime.class));
                    assertTrue(rs.getBoolean(4));
                    assertEquals(new BigDecimal("-12345678.91"), rs.getBigDecimal(5));
                    assertEquals(-1.0e-300, rs.getDouble(6));
                    assertEquals(Long.MIN_VALUE, rs.getLong(7));
                    assertFalse(rs.next());
                }
                ps.setInt(1, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    for (int i = 1; i <= 7; i++) {
                        assertNull(rs.getObject(i), "column " + i);
                        assertTrue(rs.wasNull());
                    }
                }
                ps.setObject(1, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("", rs.getString(1));
                    assertEquals(day, rs.getDate(2).toLocalDate());
                    assertEquals(moment, rs.getTimestamp(3).toLocalDateTime());
                    assertEquals(Boolean.FALSE, rs.getObject(4));
                    assertEquals(new BigDecimal("99999999.99"), rs.getObject(5));
                    assertEquals(Double.MAX_VALUE, rs.getObject(6));
                    assertEquals(Long.MAX_VALUE, rs.getObject(7));
                }
            }
            // Parameters in predicates of every type find the row.
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM typed WHERE name = ? AND d = ? AND ts = ? AND b = ? AND x = ? AND f = ? AND big = ?")) {
                ps.setString(1, "héllo ✓ 'quoted'");
                ps.setDate(2, Date.valueOf(day));
                ps.setTimestamp(3, Timestamp.valueOf(moment));
                ps.setBoolean(4, true);
                ps.setBigDecimal(5, new BigDecimal("-12345678.91"));
                ps.setDouble(6, -1.0e-300);
                ps.setLong(7, Long.MIN_VALUE);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                    assertFalse(rs.next());
                }
            }
        }
    }

    @Test
    void timestampsKeepMicrosecondsThroughTheDriver() throws Exception {
        LocalDateTime micros = LocalDateTime.of(2024, 12, 4, 10, 0, 58, 123_456_000);
        LocalDateTime next = micros.plusNanos(1_000);
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE micro (ts TIMESTAMP PRIMARY KEY, id INTEGER, ms TIMESTAMP(3))");
            s.executeUpdate("INSERT INTO micro VALUES (TIMESTAMP '2024-12-04 10:00:58.123456', 1, TIMESTAMP '2024-12-04 10:00:58.123456')");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO micro VALUES (?, ?, ?)")) {
                Timestamp withNanos = Timestamp.valueOf(next);
                withNanos.setNanos(123_457_999); // digits below the microsecond are dropped
                ps.setTimestamp(1, withNanos);
                ps.setInt(2, 2);
                ps.setTimestamp(3, withNanos);
                assertEquals(1, ps.executeUpdate());
                ps.setObject(1, LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
                ps.setInt(2, 3);
                ps.setNull(3, Types.TIMESTAMP);
                assertEquals(1, ps.executeUpdate());
            }
            try (ResultSet rs = s.executeQuery("SELECT ts, id, ms FROM micro ORDER BY ts DESC")) {
                assertEquals(26, rs.getMetaData().getColumnDisplaySize(1));
                assertEquals(23, rs.getMetaData().getColumnDisplaySize(3));
                assertTrue(rs.next());
                assertEquals(Timestamp.valueOf(next), rs.getTimestamp(1));
                assertEquals(2, rs.getInt(2));
                assertEquals(LocalDateTime.of(2024, 12, 4, 10, 0, 58, 123_000_000), rs.getObject(3, LocalDateTime.class));
                assertTrue(rs.next());
                assertEquals(micros, rs.getObject(1, LocalDateTime.class));
                assertEquals("2024-12-04 10:00:58.123456", rs.getString(1));
                assertTrue(rs.next());
                assertEquals(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000), rs.getTimestamp(1).toLocalDateTime());
                assertFalse(rs.next());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM micro WHERE ts = ?")) {
                ps.setTimestamp(1, Timestamp.valueOf(micros));
                assertEquals(List.of(1), ids(ps));
                ps.setTimestamp(1, Timestamp.valueOf(micros.plusNanos(500_000)));
                assertEquals(List.of(), ids(ps));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM micro WHERE ts > ? AND ts < ? ORDER BY ts")) {
                ps.setObject(1, micros.minusNanos(1_000));
                ps.setObject(2, next.plusNanos(1_000));
                assertEquals(List.of(1, 2), ids(ps));
            }
            assertEquals(2, TestNode.scalar(c, "SELECT id FROM micro WHERE ts = '2024-12-04 10:00:58.123457'"));
        }
    }

    private static List<Integer> ids(PreparedStatement ps) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    @Test
    void parametersOfEveryTypeMatchAndEchoExactly() throws Exception {
        LocalDate day = LocalDate.of(2024, 2, 29);
        LocalDateTime moment = LocalDateTime.of(2023, 12, 31, 23, 59, 58, 123_000_000);
        String text = "héllo 'quoted' ok";
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE params " + ALL_TYPES);
            s.executeUpdate("INSERT INTO params VALUES (1, 'héllo ''quoted'' ok', DATE '2024-02-29',"
                    + " TIMESTAMP '2023-12-31 23:59:58.123', TRUE, -12345678.91, -1.0E-300, -9223372036854775807),"
                    + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, d, ts, b, x, f, big FROM params"
                            + " WHERE id = ? AND name = ? AND d = ? AND ts = ? AND b = ? AND x = ? AND f = ? AND big = ?")) {
                ps.setInt(1, 1);
                ps.setString(2, text);
                ps.setDate(3, Date.valueOf(day));
                ps.setTimestamp(4, Timestamp.valueOf(moment));
                ps.setBoolean(5, true);
                ps.setBigDecimal(6, new BigDecimal("-12345678.91"));
                ps.setDouble(7, -1.0e-300);
                ps.setLong(8, -9223372036854775807L);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                    assertEquals(text, rs.getString(2));
                    assertEquals(Date.valueOf(day), rs.getDate(3));
                    assertEquals(day, rs.getObject(3, LocalDate.class));
                    assertEquals(Timestamp.valueOf(moment), rs.getTimestamp(4));
                    assertEquals(moment, rs.getObject(4, LocalDateTime.class));
                    assertTrue(rs.getBoolean(5));
                    assertEquals(new BigDecimal("-12345678.91"), rs.getBigDecimal(6));
                    assertEquals(-1.0e-300, rs.getDouble(7));
                    assertEquals(-9223372036854775807L, rs.getLong(8));
                    assertFalse(rs.next());
                }
                // The same values through setObject with java.time and boxed types.
                ps.setObject(1, 1);
                ps.setObject(2, text);
                ps.setObject(3, day);
                ps.setObject(4, moment);
                ps.setObject(5, Boolean.TRUE);
                ps.setObject(6, new BigDecimal("-12345678.91"));
                ps.setObject(7, -1.0e-300);
                ps.setObject(8, -9223372036854775807L);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertFalse(rs.next());
                }
                ps.setBoolean(5, false);
                try (ResultSet rs = ps.executeQuery()) {
                    assertFalse(rs.next(), "a different parameter value matches nothing");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, d, ts, b, x, f, big FROM params WHERE id = ?")) {
                ps.setLong(1, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    for (int i = 2; i <= 8; i++) {
                        assertNull(rs.getObject(i), "column " + i);
                        assertTrue(rs.wasNull());
                    }
                }
                ps.setNull(1, Types.INTEGER);
                try (ResultSet rs = ps.executeQuery()) {
                    assertFalse(rs.next(), "= NULL matches nothing");
                }
            }
        }
    }

    @Test
    void unicodeLiteralsRoundTrip() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE uni (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id))");
            s.executeUpdate("INSERT INTO uni VALUES (1, 'check ✓ 雪 😀')");
            try (ResultSet rs = s.executeQuery("SELECT name FROM uni WHERE name = 'check ✓ 雪 😀'")) {
                assertTrue(rs.next());
                assertEquals("check ✓ 雪 😀", rs.getString(1));
            }
        }
    }

    @Test
    void preparedStatementWithAnUnsetParameterIsRefusedBeforeSending() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE unset (id INTEGER NOT NULL, v INTEGER, PRIMARY KEY (id))");
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM unset WHERE id = ? AND v = ?")) {
                ps.setInt(1, 1);
                SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                assertEquals("07001", e.getSQLState());
                SQLException range = assertThrows(SQLException.class, () -> ps.setInt(3, 1));
                assertEquals("07009", range.getSQLState());
            }
            assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM unset"));
        }
    }

    @Test
    void statementBatchRunsEveryStatementAndReportsEachCount() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sbatch (id INTEGER NOT NULL, v INTEGER, PRIMARY KEY (id))");
            s.addBatch("INSERT INTO sbatch VALUES (1, 10), (2, 20)");
            s.addBatch("INSERT INTO sbatch VALUES (3, 30)");
            s.addBatch("UPDATE sbatch SET v = v + 1 WHERE id <= 2");
            s.addBatch("DELETE FROM sbatch WHERE id = 3");
            assertArrayEquals(new int[] {2, 1, 2, 1}, s.executeBatch());
            assertEquals(32, TestNode.scalar(c, "SELECT SUM(v) FROM sbatch"));
            assertArrayEquals(new int[0], s.executeBatch(), "the batch is cleared after it ran");
        }
    }

    @Test
    void preparedBatchInsertsEveryParameterSet() throws Exception {
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE pbatch (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pbatch VALUES (?, ?)")) {
                for (int i = 0; i < 1000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "n" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(1000, counts.length);
                for (int count : counts) {
                    assertEquals(1, count);
                }
            }
            assertEquals(1000, TestNode.scalar(c, "SELECT COUNT(*) FROM pbatch"));
            assertEquals(999L * 1000 / 2, TestNode.scalar(c, "SELECT SUM(id) FROM pbatch"));
        }
    }

    /**
     * In auto-commit mode a batch is one transaction: when one element fails, the whole batch
     * is rolled back, the BatchUpdateException carries the element's SQLState and names it, and
     * its update counts are empty because no element took effect.
     */
    @Test
    void failingStatementBatchElementRollsBackTheWholeBatch() throws Exception {
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE fsbatch (id INTEGER NOT NULL, name VARCHAR(5), PRIMARY KEY (id))");
                s.executeUpdate("INSERT INTO fsbatch VALUES (0, 'zero')");
                s.addBatch("INSERT INTO fsbatch VALUES (20, 'a')");
                s.addBatch("UPDATE fsbatch SET name = 'new' WHERE id = 0");
                s.addBatch("INSERT INTO fsbatch VALUES (21, 'much too long')");
                s.addBatch("INSERT INTO fsbatch VALUES (22, 'c')");
                BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
                assertEquals("22001", e.getSQLState());
                assertTrue(e.getMessage().contains("batch element 3 of 4"), e.getMessage());
                assertEquals(0, e.getUpdateCounts().length);

                s.addBatch("INSERT INTO fsbatch VALUES (30, 'a')");
                s.addBatch("INSERT INTO fsbatch VALUES (0, 'dup')");
                BatchUpdateException dup = assertThrows(BatchUpdateException.class, s::executeBatch);
                assertEquals("23505", dup.getSQLState());
                assertTrue(dup.getMessage().contains("batch element 2 of 2"), dup.getMessage());
            }
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM fsbatch"), "only the row inserted before the batches");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM fsbatch WHERE id = 0")) {
                assertTrue(rs.next());
                assertEquals("zero", rs.getString(1), "the batch's update was rolled back too");
            }
            // The connection is back in auto-commit mode: a single statement is visible to others at once.
            assertTrue(c.getAutoCommit());
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("INSERT INTO fsbatch VALUES (40, 'ok')"));
            }
            try (Connection other = TestNode.connect(node)) {
                assertEquals(2, TestNode.scalar(other, "SELECT COUNT(*) FROM fsbatch"));
            }
        }
    }

    /** Inside an explicit transaction a batch joins it; after a failing element the application decides. */
    @Test
    void batchInsideATransactionJoinsIt() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tbatch (id INTEGER NOT NULL, PRIMARY KEY (id))");
            c.setAutoCommit(false);
            s.addBatch("INSERT INTO tbatch VALUES (1)");
            s.addBatch("INSERT INTO tbatch VALUES (2)");
            assertArrayEquals(new int[] {1, 1}, s.executeBatch());
            s.addBatch("INSERT INTO tbatch VALUES (3)");
            s.addBatch("INSERT INTO tbatch VALUES (1)");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertEquals("23505", e.getSQLState());
            c.rollback();
            assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM tbatch"));
            s.addBatch("INSERT INTO tbatch VALUES (5)");
            s.executeBatch();
            c.commit();
            c.setAutoCommit(true);
            assertEquals(5, TestNode.scalar(c, "SELECT SUM(id) FROM tbatch"));
        }
    }

    @Test
    void failingPreparedBatchElementRollsBackTheWholeBatch() throws Exception {
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE fpbatch (id INTEGER NOT NULL, name VARCHAR(5), PRIMARY KEY (id))");
                s.executeUpdate("INSERT INTO fpbatch VALUES (0, 'zero')");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO fpbatch VALUES (?, ?)")) {
                for (int i = 1; i <= 10; i++) {
                    ps.setInt(1, i == 6 ? 0 : i);
                    ps.setString(2, "v" + i);
                    ps.addBatch();
                }
                BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
                assertEquals("23505", e.getSQLState());
                assertTrue(e.getMessage().contains("batch element 6 of 10"), e.getMessage());
                assertEquals(0, e.getUpdateCounts().length);
            }
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM fpbatch"));
        }
    }

    /** DDL runs outside transactions: in a batch it takes effect at once and a later failure does not undo it. */
    @Test
    void ddlInABatchTakesEffectAtOnce() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.addBatch("CREATE TABLE ddlbatch (id INTEGER NOT NULL, PRIMARY KEY (id))");
            s.addBatch("INSERT INTO ddlbatch VALUES (1)");
            assertArrayEquals(new int[] {0, 1}, s.executeBatch());
            s.addBatch("CREATE TABLE ddlbatch2 (id INTEGER NOT NULL, PRIMARY KEY (id))");
            s.addBatch("INSERT INTO ddlbatch VALUES (1)");
            BatchUpdateException dup = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertEquals("23505", dup.getSQLState());
            assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM ddlbatch2"), "the table of the failed batch exists");
            s.addBatch("INSERT INTO ddlbatch VALUES (2)");
            s.addBatch("CREATE TABLE ddlbatch3 (id INTEGER NOT NULL, PRIMARY KEY (id))");
            BatchUpdateException ddl = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertEquals("25001", ddl.getSQLState(), ddl.getMessage());
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM ddlbatch"));
        }
    }

    @Test
    void batchContainingAQueryIsRefused() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE qbatch (id INTEGER NOT NULL, PRIMARY KEY (id))");
            s.addBatch("INSERT INTO qbatch VALUES (1)");
            s.addBatch("SELECT * FROM qbatch");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertEquals("22000", e.getSQLState());
            assertEquals(0, TestNode.scalar(c, "SELECT COUNT(*) FROM qbatch"));
        }
    }

    @Test
    void hundredThousandRowsStreamInSmallBatches() throws Exception {
        int n = 100_000;
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE big (id BIGINT NOT NULL, v INTEGER, PRIMARY KEY (id))");
            }
            try (Statement s = c.createStatement()) {
                // One INSERT ... SELECT over a five-way cross join of the digits makes the 100,000 rows.
                s.execute("CREATE TABLE digits (i INTEGER NOT NULL, PRIMARY KEY (i))");
                s.executeUpdate("INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)");
                assertEquals(n, s.executeUpdate("INSERT INTO big SELECT CAST(a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i"
                        + " AS BIGINT), MOD(a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i, 7)"
                        + " FROM digits a, digits b, digits c, digits d, digits e"));
            }
            try (Statement s = c.createStatement()) {
                s.setFetchSize(500);
                long count = 0;
                long sum = 0;
                long sumV = 0;
                long previous = -1;
                try (ResultSet rs = s.executeQuery("SELECT id, v FROM big")) {
                    // The driver holds at most one batch: the first response carries fetchSize rows, not all.
                    assertTrue(bufferedRows(rs) <= 500, "buffered " + bufferedRows(rs));
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        assertTrue(id > previous, "rows come in key order");
                        previous = id;
                        count++;
                        sum += id;
                        sumV += rs.getInt(2);
                        if (count % 10_000 == 0) {
                            assertTrue(bufferedRows(rs) <= 500, "buffered " + bufferedRows(rs));
                        }
                    }
                }
                assertEquals(n, count);
                assertEquals((long) n * (n - 1) / 2, sum);
                long expectedV = 0;
                for (int i = 0; i < n; i++) {
                    expectedV += i % 7;
                }
                assertEquals(expectedV, sumV);
            }
            assertEquals(n, TestNode.scalar(c, "SELECT COUNT(*) FROM big"));
        }
    }

    /** Rows the driver's result set holds in memory right now (its current batch). */
    private static int bufferedRows(ResultSet rs) throws ReflectiveOperationException {
        java.lang.reflect.Field batch = rs.getClass().getDeclaredField("batch");
        batch.setAccessible(true);
        return ((List<?>) batch.get(rs)).size();
    }

    @Test
    void wideRowsStreamInBatchesThatFitTheFrameLimit() throws Exception {
        String wide = "w".repeat(60_000);
        int n = 300;
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE wide_rows (id INTEGER NOT NULL, v VARCHAR(60000), PRIMARY KEY (id))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wide_rows VALUES (?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, wide);
                    ps.addBatch();
                    if ((i + 1) % 100 == 0) {
                        // A batch travels in one frame; 300 of these rows would be over its 16 MiB.
                        ps.executeBatch();
                    }
                }
            }
            // 18 MB of rows with the default fetch size of 1,000: the node splits them into batches under 16 MiB.
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM wide_rows")) {
                int rows = 0;
                while (rs.next()) {
                    assertEquals(rows, rs.getInt(1));
                    assertEquals(wide, rs.getString(2));
                    rows++;
                }
                assertEquals(n, rows);
            }
            assertTrue(c.isValid(2));
        }
    }

    @Test
    void longVarcharValuesAreNeverTruncatedSilently() throws Exception {
        String text = "t".repeat(1_000_000);
        try (Connection c = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE huge_text (id INTEGER NOT NULL, v VARCHAR(1000000), PRIMARY KEY (id))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO huge_text VALUES (?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, text);
                try {
                    ps.executeUpdate();
                } catch (SQLException refused) {
                    assertEquals("22001", refused.getSQLState());
                    return;
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM huge_text")) {
                assertTrue(rs.next());
                assertEquals(text.length(), rs.getString(1).length());
            }
        }
    }

    @Test
    void timeValuesAreRefusedNotReturnedAsNumbers() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> {
                try (ResultSet rs = s.executeQuery("SELECT TIME '10:00:00' FROM (VALUES (0))")) {
                    rs.next();
                }
            });
            assertEquals("0A000", e.getSQLState());
        }
    }

    @Test
    void aValueTheProtocolCannotCarryIsAnErrorNotAHang() throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(node.jdbcUrl() + "?socketTimeout=20000");
             Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> {
                try (ResultSet rs = s.executeQuery("SELECT X'0102' FROM (VALUES (0))")) {
                    rs.next();
                }
            });
            assertFalse(e.getSQLState().startsWith("08"), e.getSQLState() + " " + e.getMessage());
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM (VALUES (0))"), "the connection still works");
        }
    }

    @Test
    void closingAResultSetEarlyLeavesTheConnectionUsable() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE early (id INTEGER NOT NULL, PRIMARY KEY (id))");
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                values.append(i == 0 ? "" : ", ").append('(').append(i).append(')');
            }
            s.executeUpdate("INSERT INTO early VALUES " + values);
            s.setFetchSize(10);
            try (ResultSet rs = s.executeQuery("SELECT id FROM early")) {
                assertTrue(rs.next());
            }
            s.setMaxRows(5);
            int rows = 0;
            try (ResultSet rs = s.executeQuery("SELECT id FROM early")) {
                while (rs.next()) {
                    rows++;
                }
            }
            assertEquals(5, rows, "setMaxRows caps the rows returned");
            assertEquals(100, TestNode.scalar(c, "SELECT COUNT(*) FROM early"));
        }
    }

    /**
     * A node runs one statement at a time per connection and closes a connection's open cursor
     * when the next statement starts; the driver then refuses to read further from the old
     * result instead of returning a silently shortened one.
     */
    @Test
    void readingAResultAfterAnotherStatementRanOnTheConnectionFailsClearly() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement(); Statement other = c.createStatement()) {
            s.execute("CREATE TABLE interleave (id INTEGER NOT NULL, PRIMARY KEY (id))");
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                values.append(i == 0 ? "" : ", ").append('(').append(i).append(')');
            }
            s.executeUpdate("INSERT INTO interleave VALUES " + values);
            s.setFetchSize(10);
            try (ResultSet rs = s.executeQuery("SELECT id FROM interleave")) {
                for (int i = 0; i < 10; i++) {
                    assertTrue(rs.next());
                }
                // Preparing and catalog questions do not disturb the open result.
                c.prepareStatement("SELECT id FROM interleave WHERE id = ?").close();
                try (ResultSet tables = c.getMetaData().getTables(null, null, "INTERLEAVE", null)) {
                    assertTrue(tables.next());
                }
                for (int i = 0; i < 15; i++) {
                    assertTrue(rs.next());
                }
                assertEquals(50, TestNode.scalar(c, "SELECT COUNT(*) FROM interleave"));
                // The rows already in the driver's batch can be read; the next fetch fails instead of ending the result.
                SQLException e = assertThrows(SQLException.class, () -> {
                    while (rs.next()) {
                        assertTrue(rs.getInt(1) < 30);
                    }
                });
                assertEquals("24000", e.getSQLState());
            }
            assertEquals(1, other.executeUpdate("DELETE FROM interleave WHERE id = 0"));
        }
    }

    @Test
    void resultSetMetaDataDescribesNamesTypesPrecisionAndNullability() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE meta " + ALL_TYPES);
            try (ResultSet rs = s.executeQuery("SELECT id, name, d, ts, b, x, f, big, id + 1 AS next_id FROM meta")) {
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(9, md.getColumnCount());
                String[] names = {"ID", "NAME", "D", "TS", "B", "X", "F", "BIG", "NEXT_ID"};
                int[] types = {Types.INTEGER, Types.VARCHAR, Types.DATE, Types.TIMESTAMP, Types.BOOLEAN, Types.DECIMAL,
                    Types.DOUBLE, Types.BIGINT, Types.INTEGER};
                for (int i = 0; i < names.length; i++) {
                    assertEquals(names[i], md.getColumnLabel(i + 1));
                    assertEquals(types[i], md.getColumnType(i + 1), names[i]);
                }
                assertEquals("ID", md.getColumnName(1));
                assertEquals(ResultSetMetaData.columnNoNulls, md.isNullable(1));
                assertEquals(ResultSetMetaData.columnNullable, md.isNullable(2));
                assertEquals(20, md.getPrecision(2));
                assertEquals(10, md.getPrecision(6));
                assertEquals(2, md.getScale(6));
                assertEquals("VARCHAR", md.getColumnTypeName(2));
                assertEquals("java.math.BigDecimal", md.getColumnClassName(6));
                assertFalse(rs.next());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, x FROM meta WHERE id = ?")) {
                ResultSetMetaData md = ps.getMetaData();
                assertEquals(2, md.getColumnCount());
                assertEquals(Types.VARCHAR, md.getColumnType(1));
                assertEquals(Types.INTEGER, ps.getParameterMetaData().getParameterType(1));
            }
        }
    }

    @Test
    void resultColumnsNameTheirTable() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sourced (id INTEGER NOT NULL, PRIMARY KEY (id))");
            try (ResultSet rs = s.executeQuery("SELECT id FROM sourced")) {
                assertEquals("SOURCED", rs.getMetaData().getTableName(1));
            }
        }
    }

    @Test
    void capabilityAnswersMatchWhatTheServerDoes() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            DatabaseMetaData md = c.getMetaData();
            s.execute("CREATE TABLE capability (id INTEGER PRIMARY KEY, v INTEGER)");
            s.execute("INSERT INTO capability VALUES (1, NULL), (2, 5)");

            assertTrue(md.nullsAreSortedHigh());
            assertFalse(md.nullsAreSortedLow());
            assertFalse(md.nullsAreSortedAtStart());
            assertFalse(md.nullsAreSortedAtEnd());
            List<Integer> ascending = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT v FROM capability ORDER BY v")) {
                while (rs.next()) {
                    ascending.add((Integer) rs.getObject(1));
                }
            }
            assertEquals(Arrays.asList(5, null), ascending, "NULL sorts high: last in ascending order");

            assertTrue(md.nullPlusNonNullIsNull());
            try (ResultSet rs = s.executeQuery("SELECT v + 1 FROM capability WHERE id = 1")) {
                assertTrue(rs.next());
                assertNull(rs.getObject(1));
            }

            assertTrue(md.supportsCorrelatedSubqueries());
            try (ResultSet rs = s.executeQuery(
                    "SELECT id FROM capability o WHERE EXISTS (SELECT 1 FROM capability i WHERE i.id = o.id AND i.v > 1)")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
            }

            assertEquals(DatabaseMetaData.sqlStateSQL, md.getSQLStateType());
            assertTrue(md.supportsDataManipulationTransactionsOnly());
            assertFalse(md.supportsDataDefinitionAndDataManipulationTransactions());
            c.setAutoCommit(false);
            s.executeQuery("SELECT 1 FROM capability").close();
            SQLException ddl = assertThrows(SQLException.class,
                    () -> s.execute("CREATE TABLE capability_2 (id INTEGER PRIMARY KEY)"));
            assertEquals("25001", ddl.getSQLState());
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(16, md.getMaxColumnsInIndex());
        }
    }

    @Test
    void databaseMetaDataListsTablesColumnsKeysIndexesAndTypes() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE catalog_a (k1 INTEGER NOT NULL, k2 VARCHAR(10) NOT NULL, amount DECIMAL(12,3),"
                    + " note VARCHAR(30), PRIMARY KEY (k1, k2))");
            DatabaseMetaData md = c.getMetaData();
            assertEquals("Starling", md.getDatabaseProductName());
            assertFalse(md.getDatabaseProductVersion().isEmpty());
            assertEquals("Starling JDBC", md.getDriverName().substring(0, "Starling JDBC".length()));
            assertEquals(node.jdbcUrl(), md.getURL());

            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "CATALOG%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            assertEquals(List.of("PUBLIC.CATALOG_A:TABLE"), tables);

            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "PUBLIC", "CATALOG_A", "%")) {
                while (rs.next()) {
                    columns.add(rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " " + rs.getInt("DATA_TYPE")
                            + " " + rs.getString("TYPE_NAME") + " " + rs.getInt("COLUMN_SIZE") + "," + rs.getInt("DECIMAL_DIGITS")
                            + " " + rs.getString("IS_NULLABLE"));
                }
            }
            assertEquals(List.of(
                    "1 K1 " + Types.INTEGER + " INTEGER 10,0 NO",
                    "2 K2 " + Types.VARCHAR + " VARCHAR 10,0 NO",
                    "3 AMOUNT " + Types.DECIMAL + " DECIMAL 12,3 YES",
                    "4 NOTE " + Types.VARCHAR + " VARCHAR 30,0 YES"), columns);

            List<String> keys = new ArrayList<>();
            try (ResultSet rs = md.getPrimaryKeys(null, null, "CATALOG_A")) {
                while (rs.next()) {
                    keys.add(rs.getString("COLUMN_NAME") + "@" + rs.getInt("KEY_SEQ"));
                }
            }
            assertEquals(List.of("K1@1", "K2@2"), keys);

            List<String> index = new ArrayList<>();
            try (ResultSet rs = md.getIndexInfo(null, null, "CATALOG_A", false, true)) {
                while (rs.next()) {
                    index.add(rs.getString("INDEX_NAME") + ":" + rs.getString("COLUMN_NAME") + ":" + rs.getBoolean("NON_UNIQUE"));
                }
            }
            assertTrue(index.containsAll(List.of("PK_CATALOG_A:K1:false", "PK_CATALOG_A:K2:false")), index.toString());

            List<String> types = new ArrayList<>();
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types.add(rs.getString("TYPE_NAME"));
                }
            }
            assertTrue(types.containsAll(List.of("BOOLEAN", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE",
                    "TIMESTAMP")), types.toString());
        }
    }

    @Test
    void catalogQuestionsWithoutAnswersGiveEmptyResultsNotExceptions() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE best_row (a INTEGER NOT NULL, b VARCHAR(5) NOT NULL, v DOUBLE, PRIMARY KEY (a, b))");
            DatabaseMetaData md = c.getMetaData();
            List<String> best = new ArrayList<>();
            try (ResultSet rs = md.getBestRowIdentifier(null, null, "BEST_ROW", DatabaseMetaData.bestRowSession, false)) {
                while (rs.next()) {
                    best.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE") + ":" + rs.getShort("SCOPE"));
                }
            }
            assertEquals(List.of("A:" + Types.INTEGER + ":" + DatabaseMetaData.bestRowSession,
                    "B:" + Types.VARCHAR + ":" + DatabaseMetaData.bestRowSession), best);
            ResultSet[] empty = {md.getProcedures(null, null, "%"), md.getProcedureColumns(null, null, "%", "%"),
                md.getFunctions(null, null, "%"), md.getFunctionColumns(null, null, "%", "%"), md.getTablePrivileges(null, null, "%"),
                md.getColumnPrivileges(null, null, "BEST_ROW", "%"), md.getUDTs(null, null, "%", null),
                md.getSuperTypes(null, null, "%"), md.getSuperTables(null, null, "%"), md.getPseudoColumns(null, null, "%", "%"),
                md.getVersionColumns(null, null, "BEST_ROW"), md.getCrossReference(null, null, "A", null, null, "B"),
                md.getImportedKeys(null, null, "BEST_ROW"), md.getExportedKeys(null, null, "BEST_ROW"), md.getClientInfoProperties()};
            for (ResultSet rs : empty) {
                assertTrue(rs.getMetaData().getColumnCount() > 0);
                assertFalse(rs.next());
                rs.close();
            }
        }
    }

    @Test
    void viewsAreListedAsViewsAndReadThroughJdbc() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE viewed (id INTEGER PRIMARY KEY, name VARCHAR(20), pay DOUBLE)");
            s.executeUpdate("INSERT INTO viewed VALUES (1, 'ann', 10.5), (2, 'bob', 3.0)");
            s.execute("CREATE VIEW viewed_rich (who, pay) AS SELECT name, pay FROM viewed WHERE pay > 5");
            DatabaseMetaData md = c.getMetaData();
            List<String> all = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "PUBLIC", "VIEWED%", null)) {
                while (rs.next()) {
                    all.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            assertEquals(List.of("VIEWED:TABLE", "VIEWED_RICH:VIEW"), all);
            List<String> views = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"VIEW"})) {
                while (rs.next()) {
                    views.add(rs.getString("TABLE_NAME"));
                }
            }
            assertEquals(List.of("VIEWED_RICH"), views);
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, null, "VIEWED_RICH", "%")) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME") + " " + rs.getInt("DATA_TYPE"));
                }
            }
            assertEquals(List.of("WHO " + Types.VARCHAR, "PAY " + Types.DOUBLE), columns);
            List<String> types = new ArrayList<>();
            try (ResultSet rs = md.getTableTypes()) {
                while (rs.next()) {
                    types.add(rs.getString(1));
                }
            }
            assertEquals(List.of("TABLE", "VIEW"), types);
            try (ResultSet rs = s.executeQuery("SELECT who FROM viewed_rich")) {
                assertTrue(rs.next());
                assertEquals("ann", rs.getString(1));
                assertFalse(rs.next());
            }
            SQLException write = assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM viewed_rich"));
            assertEquals("42809", write.getSQLState());
            s.execute("DROP VIEW viewed_rich");
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"VIEW"})) {
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void secondaryIndexesAppearInIndexInfo() throws Exception {
        try (Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE indexed (id INTEGER NOT NULL, email VARCHAR(40), city VARCHAR(20), PRIMARY KEY (id))");
            s.execute("CREATE UNIQUE INDEX indexed_email ON indexed (email)");
            s.execute("CREATE INDEX indexed_city ON indexed (city DESC, id)");
            List<String> all = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getIndexInfo(null, "PUBLIC", "INDEXED", false, true)) {
                while (rs.next()) {
                    all.add(rs.getString("INDEX_NAME") + ":" + rs.getShort("ORDINAL_POSITION") + ":" + rs.getString("COLUMN_NAME")
                            + ":" + (rs.getBoolean("NON_UNIQUE") ? "non-unique" : "unique") + ":" + rs.getString("ASC_OR_DESC"));
                }
            }
            assertTrue(all.containsAll(List.of("INDEXED_EMAIL:1:EMAIL:unique:A", "INDEXED_CITY:1:CITY:non-unique:D",
                    "INDEXED_CITY:2:ID:non-unique:A")), all.toString());
            List<String> unique = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, "INDEXED", true, true)) {
                while (rs.next()) {
                    unique.add(rs.getString("INDEX_NAME"));
                }
            }
            assertFalse(unique.contains("INDEXED_CITY"), unique.toString());
            assertTrue(unique.contains("INDEXED_EMAIL"), unique.toString());
            s.executeUpdate("INSERT INTO indexed VALUES (1, 'a@x', 'Oslo'), (2, 'b@x', 'Oslo')");
            SQLException dup = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO indexed VALUES (3, 'a@x', 'Rome')"));
            assertEquals("23505", dup.getSQLState());
            assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM indexed WHERE city = 'Oslo'"));
        }
    }

    @Test
    void manualCommitMakesChangesVisibleAndRollbackDiscardsThem() throws Exception {
        try (Connection c = TestNode.connect(node); Connection observer = TestNode.connect(node)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE txn (id INTEGER NOT NULL, v INTEGER, PRIMARY KEY (id))");
            }
            c.setAutoCommit(false);
            assertFalse(c.getAutoCommit());
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO txn VALUES (1, 1), (2, 2)");
                assertEquals(2, TestNode.scalar(c, "SELECT COUNT(*) FROM txn"), "a transaction sees its own writes");
                assertEquals(0, TestNode.scalar(observer, "SELECT COUNT(*) FROM txn"), "others do not, before commit");
                c.commit();
                assertEquals(2, TestNode.scalar(observer, "SELECT COUNT(*) FROM txn"));

                s.executeUpdate("DELETE FROM txn WHERE id = 1");
                s.executeUpdate("INSERT INTO txn VALUES (3, 3)");
                c.rollback();
                assertEquals(3, TestNode.scalar(c, "SELECT SUM(id) FROM txn"));
                assertEquals(3, TestNode.scalar(observer, "SELECT SUM(id) FROM txn"));

                s.executeUpdate("INSERT INTO txn VALUES (4, 4)");
                c.setAutoCommit(true);
            }
            assertEquals(3, TestNode.scalar(observer, "SELECT COUNT(*) FROM txn"), "turning auto-commit on commits");
            SQLException e = assertThrows(SQLException.class, c::commit);
            assertEquals("25000", e.getSQLState());
        }
    }

    @Test
    void connectionIsValidAndReportsClosedState() throws Exception {
        Connection c = TestNode.connect(node);
        assertTrue(c.isValid(2));
        assertFalse(c.isClosed());
        c.close();
        assertTrue(c.isClosed());
        assertFalse(c.isValid(2));
        SQLException e = assertThrows(SQLException.class, c::createStatement);
        assertEquals("08003", e.getSQLState());
    }
}
