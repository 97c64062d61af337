package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing a SQL cluster by {@code bin/starling start ... --join}: one node process running SQL
 * on the replicated key space (a cluster of one, every range with one replica) takes a table;
 * two more node processes start with {@code --join} and no initial members, and placement gives
 * them replicas until every range has three (SYS.RANGES shows it); the rows written before the
 * growth are read through the new nodes, a write through one is read through the other, and
 * they still are after the first node is SIGKILLed: its data lives on the other two.
 */
class ClusterGrowthProcessTest {

    /** Placement adds one replica per range and store every 2 s; a loaded machine takes longer. */
    static final long growthSeconds = 180;
    /** A new leaseholder for every range the killed node led, on a loaded machine. */
    static final long failoverSeconds = 60;

    @TempDir
    Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeProcess n : nodes) {
            n.close();
        }
    }

    private NodeProcess start(int i, int peerPort, String... more) throws Exception {
        Path data = dir.resolve("n" + i);
        Files.createDirectories(data);
        List<String> settings = new ArrayList<>(List.of("--node-id", "n" + i, "--peer-port", String.valueOf(peerPort),
                "--store-id", String.valueOf(i), "--sql-storage", "cluster"));
        settings.addAll(List.of(more));
        NodeProcess node = NodeProcess.start(data, dir.resolve("n" + i + ".out"), settings);
        nodes.add(node);
        return node;
    }

    private static List<List<Object>> rows(NodeProcess node, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(node.jdbcUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    /** Runs sql on node until check accepts the rows (statements may fail while leases move), within seconds. */
    private static List<List<Object>> await(NodeProcess node, String sql, long seconds,
                                            java.util.function.Predicate<List<List<Object>>> check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<List<Object>> last = null;
        String error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = rows(node, sql);
                if (check.test(last)) {
                    return last;
                }
            } catch (SQLException e) {
                error = e.getSQLState() + ": " + e.getMessage();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within " + seconds + " s: " + sql + " -> " + last
                + (error == null ? "" : "; last error " + error));
    }

    private static boolean everyRangeOn(List<List<Object>> ranges, String voters) {
        return !ranges.isEmpty() && ranges.stream().allMatch(r -> voters.equals(r.get(1)) && "".equals(r.get(2)));
    }

    @Test
    void aClusterOfOneGrowsToThreeReplicasPerRangeAndItsRowsReadThroughTheNewNodes() throws Exception {
        int[] peers = io.starlingdb.testkit.FreePorts.below32768(3);
        NodeProcess first = start(1, peers[0]);
        String ranges = "SELECT range_id, voters, learners FROM sys.ranges";
        assertTrue(everyRangeOn(rows(first, ranges), "1"), "a cluster of one: " + rows(first, ranges));

        try (Connection c = DriverManager.getConnection(first.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(20) NOT NULL, balance BIGINT NOT NULL)");
            for (int batch = 0; batch < 10; batch++) {
                StringBuilder insert = new StringBuilder("INSERT INTO accounts VALUES ");
                for (int k = 0; k < 20; k++) {
                    int id = batch * 20 + k;
                    insert.append(k == 0 ? "" : ", ").append("(").append(id).append(", 'owner-").append(id).append("', 100)");
                }
                assertEquals(20, s.executeUpdate(insert.toString()));
            }
            s.execute("CREATE INDEX accounts_owner ON accounts (owner)");
        }

        long growing = System.nanoTime();
        NodeProcess second = start(2, peers[1], "--join", "127.0.0.1:" + peers[0]);
        NodeProcess third = start(3, peers[2], "--join", "127.0.0.1:" + peers[0]);
        List<List<Object>> grown = await(third, ranges, growthSeconds, r -> everyRangeOn(r, "1,2,3"));
        System.out.println("a cluster of one grew to three replicas of each of its " + grown.size() + " ranges "
                + (System.nanoTime() - growing) / 1_000_000 + " ms after the second node started");
        List<List<Object>> stores = rows(second, "SELECT store_id, ranges FROM sys.nodes WHERE store_id IS NOT NULL"
                + " ORDER BY store_id");
        assertEquals(3, stores.size(), stores.toString());
        for (List<Object> store : stores) {
            assertEquals(grown.size(), ((Number) store.get(1)).intValue(), "every store holds every range: " + stores);
        }

        // The rows written before the growth, read through the nodes that joined.
        for (NodeProcess n : List.of(second, third)) {
            assertEquals(List.of(List.of(200L, 20_000L)), rows(n, "SELECT COUNT(*), SUM(balance) FROM accounts"));
            assertEquals(List.of(List.of(77)), rows(n, "SELECT id FROM accounts WHERE owner = 'owner-77'"));
        }
        try (Connection c = DriverManager.getConnection(third.jdbcUrl()); Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE accounts SET balance = balance + 5 WHERE id = 3"));
        }
        assertEquals(List.of(List.of(105L)), rows(second, "SELECT balance FROM accounts WHERE id = 3"));

        // The first node's data lives on the others now: they serve it without it.
        first.kill();
        List<List<Object>> after = await(second, "SELECT COUNT(*), SUM(balance) FROM accounts", failoverSeconds,
                r -> true);
        assertEquals(List.of(List.of(200L, 20_005L)), after, "every row, read with the first node dead");
        assertEquals(List.of(List.of(105L)), rows(third, "SELECT balance FROM accounts WHERE id = 3"));
    }
}
