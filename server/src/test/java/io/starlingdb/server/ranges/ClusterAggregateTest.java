package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregates without grouping over a filtered scan are computed at each range's leaseholder
 * ({@code StarlingAggregateScan}): one partial row per page crosses the network instead of the
 * rows, and the answer is the one the rows give (a BIGINT sum out of range fails the same way). The reference is the same statement inside a
 * transaction with its own (undone) write in the table, which reads the rows as before.
 */
class ClusterAggregateTest {

    private static final String ALL = "COUNT(*), COUNT(b), SUM(i), SUM(b), SUM(d), MIN(i), MAX(i), MIN(b), MAX(b), MIN(d), MAX(d),"
            + " MIN(s), MAX(s), MIN(dt), MAX(dt), MIN(ts), MAX(ts), COUNT(x)";

    @TempDir
    Path dir;

    @Test
    void aggregatesComputedAtTheRangesAnswerAsTheRowsDo() throws Exception {
        try (ThreeNodeCluster cluster = ThreeNodeCluster.startSql(dir, "testing", Map.of("range.split.qps", "0"));
             StarlingClient client = cluster.connect()) {
            cluster.awaitOnEveryNode("SELECT 1");
            try (Connection c = ThreeNodeCluster.jdbc(cluster.nodes[1]); Statement s = c.createStatement()) {
                s.executeUpdate("CREATE TABLE t (id INT PRIMARY KEY, i INT, b BIGINT, d DECIMAL(12,3), s VARCHAR(20), dt DATE,"
                        + " ts TIMESTAMP, x DOUBLE)");
                StringBuilder insert = new StringBuilder("INSERT INTO t VALUES ");
                for (int r = 0; r < 300; r++) {
                    insert.append(r == 0 ? "" : ", ").append("(").append(r).append(", ")
                            .append(r % 11 == 0 ? "NULL" : r == 7 ? "2147483647" : r == 8 ? "-2147483648" : String.valueOf(r * 37 % 1000 - 400))
                            .append(", ").append(r % 13 == 0 ? "NULL" : r == 9 || r == 10 ? "4611686018427387904" : r == 11 ? "-4611686018427387904"
                                    : String.valueOf(r * 1_000_003L))
                            .append(", ").append(r % 7 == 0 ? "NULL" : (r * 17 % 900 - 300) + ".125")
                            .append(", ").append(r % 5 == 0 ? "NULL" : "'" + (char) ('a' + r * 7 % 26) + r + "'")
                            .append(", DATE '20").append(10 + r % 15).append("-0").append(1 + r % 9).append("-1").append(r % 9).append("'")
                            .append(", TIMESTAMP '2024-01-01 00:00:00'")
                            .append(", ").append(r % 3 == 0 ? "NULL" : String.valueOf(r * 0.5)).append(")");
                }
                s.executeUpdate(insert.toString());
                s.executeUpdate("UPDATE t SET ts = TIMESTAMP '2031-05-06 07:08:09' WHERE id = 123");
                int splits = splitEvery(client, 17);
                assertTrue(splits >= 15, "the table was hardly split: " + splits);

                String[] statements = {
                    "SELECT " + ALL + " FROM t",
                    "SELECT " + ALL + " FROM t WHERE id < 150 AND i > 0",
                    "SELECT " + ALL + " FROM t WHERE s >= 'm' AND id <> 40",
                    "SELECT " + ALL + " FROM t WHERE dt > DATE '2015-01-01' AND id <> 5",
                    "SELECT " + ALL + " FROM t WHERE id > 1000",
                    "SELECT SUM(i), COUNT(*) FROM t WHERE id >= 7 AND id < 10",
                    "SELECT MAX(s) FROM t",
                    "SELECT COUNT(*) FROM t WHERE b > 5000000",
                };
                DistSender gateway = cluster.nodes[1].ranges().gateway();
                for (String sql : statements) {
                    String plan = explain(s, sql);
                    assertTrue(plan.contains("StarlingAggregateScan"), sql + "\n" + plan);
                    long rowsBefore = gateway.scanPageRowsReceived();
                    List<Object> pushed = row(s, sql);
                    long received = gateway.scanPageRowsReceived() - rowsBefore;
                    assertTrue(received <= 40, sql + ": " + received + " rows or partials came back for 300 rows in 18 ranges");
                    assertEquals(readingTheRows(c, s, sql), pushed, sql);
                }
                // A BIGINT sum out of range fails at the ranges as over the rows (22003), never wraps.
                String overflowing = "SELECT SUM(b) FROM t WHERE id >= 9 AND id < 11";
                assertTrue(explain(s, overflowing).contains("StarlingAggregateScan"));
                assertEquals("22003", assertThrows(SQLException.class, () -> row(s, overflowing)).getSQLState());
                assertEquals("22003", assertThrows(SQLException.class, () -> readingTheRows(c, s, overflowing)).getSQLState());

                // With parameters, bound at each run.
                try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), SUM(i), MIN(s) FROM t WHERE id >= ? AND s < ?")) {
                    for (int from : new int[] {0, 100, 299, 400}) {
                        p.setInt(1, from);
                        p.setString(2, "q");
                        List<Object> pushed = row(p.executeQuery());
                        assertEquals(readingTheRows(c, s, "SELECT COUNT(*), SUM(i), MIN(s) FROM t WHERE id >= " + from + " AND s < 'q'"),
                                pushed, "from " + from);
                    }
                }

                // Shapes the ranges cannot compute exactly read the rows as before.
                // A DOUBLE sum is the correctly rounded sum of the exact values: x holds halves, so every order gives it.
                String doubles = "SELECT SUM(x), COUNT(*) FROM t WHERE id < 200";
                assertTrue(explain(s, doubles).contains("StarlingAggregateScan"));
                assertEquals(readingTheRows(c, s, doubles), row(s, doubles));
                for (String sql : new String[] {"SELECT MAX(x) FROM t", "SELECT COUNT(*) FROM t WHERE x > 10.0",
                        "SELECT SUM(i + 1) FROM t", "SELECT COUNT(*) FROM t WHERE i + 1 > 5", "SELECT COUNT(DISTINCT i) FROM t",
                        "SELECT i, COUNT(*) FROM t GROUP BY i"}) {
                    assertFalse(explain(s, sql).contains("StarlingAggregateScan"), sql);
                }
            }
        }
    }

    /** The statement's row read inside a transaction that wrote (and undid) a row of t: its scans read the rows. */
    private static List<Object> readingTheRows(Connection c, Statement s, String sql) throws Exception {
        c.setAutoCommit(false);
        try {
            s.executeUpdate("INSERT INTO t (id, i) VALUES (100000, 1)");
            s.executeUpdate("DELETE FROM t WHERE id = 100000");
            return row(s, sql);
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static String explain(Statement s, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN PLAN FOR " + sql)) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('\n');
            }
        }
        return out.toString();
    }

    private static List<Object> row(Statement s, String sql) throws Exception {
        return row(s.executeQuery(sql));
    }

    private static List<Object> row(ResultSet rs) throws Exception {
        try (rs) {
            assertTrue(rs.next());
            ResultSetMetaData meta = rs.getMetaData();
            List<Object> out = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                out.add(rs.getObject(i));
            }
            assertFalse(rs.next());
            return out;
        }
    }

    /** Splits the user key space after every {@code keys} keys; returns the splits made. */
    private static int splitEvery(StarlingClient client, int keys) {
        List<RangeResult.KeyValue> all = client.scan(MetaKeys.userSpanStart, null, 100_000);
        int made = 0;
        for (int i = keys; i < all.size(); i += keys) {
            client.split(all.get(i).key());
            made++;
        }
        return made;
    }
}
