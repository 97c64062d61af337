package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SYS.NODES, SYS.RANGES and SYS.TRANSACTIONS through JDBC on real nodes: a node alone answers
 * itself and no ranges; on three nodes running SQL on the cluster every node sees the three
 * members, every range with its leaseholder (the leases add up to the ranges), keys of a SQL
 * table by its name, and a transaction's locks with their coordinator.
 */
class SysTablesClusterTest {

    @TempDir
    Path dir;

    private final List<StarlingNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (StarlingNode n : nodes) {
            n.close();
        }
    }

    private static Connection connect(StarlingNode node) throws SQLException {
        return DriverManager.getConnection(node.jdbcUrl());
    }

    private static List<List<Object>> rows(StarlingNode node, String sql) throws SQLException {
        try (Connection c = connect(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
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

    @Test
    void aNodeAloneShowsItselfAndNoRanges() throws Exception {
        StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "node.id", "alone", "data.dir", dir.resolve("alone").toString()))).start();
        nodes.add(node);
        String client = node.clientAddress().getHostString() + ":" + node.clientAddress().getPort();
        assertEquals(List.of(java.util.Arrays.asList("alone", "alive", null, null, client, null, null, true)),
                rows(node, "SELECT node_id, state, store_id, peer_address, client_address, ranges, leases, is_local"
                        + " FROM sys.nodes"));
        assertEquals(List.of(), rows(node, "SELECT * FROM sys.ranges"));
        assertEquals(List.of(List.of("open", "alone", 0)), rows(node, "SELECT kind, coordinator, locks FROM sys.transactions"),
                "the statement reading it is the one transaction open");
    }

    private void startCluster() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        List<Thread> starters = new ArrayList<>();
        Exception[] failures = new Exception[3];
        for (int i = 1; i <= 3; i++) {
            Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                    "peer.port", String.valueOf(ports[i - 1]), "data.dir", dir.resolve("n" + i).toString(),
                    "store.id", String.valueOf(i), "store.initial.members", "1,2,3",
                    "join", "127.0.0.1:" + ports[i == 1 ? 1 : 0], "sql.storage", "cluster"));
            StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings));
            nodes.add(node);
            int n = i - 1;
            Thread t = new Thread(() -> {
                try {
                    node.start();
                } catch (Exception e) {
                    failures[n] = e;
                }
            });
            starters.add(t);
            t.start();
        }
        for (Thread t : starters) {
            t.join(120_000);
        }
        for (Exception e : failures) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** Runs query on node until check accepts its rows, within 60 s; the last rows. */
    private static List<List<Object>> await(StarlingNode node, String query, java.util.function.Predicate<List<List<Object>>> check)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<List<Object>> last = null;
        String error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = rows(node, query);
                if (check.test(last)) {
                    return last;
                }
            } catch (SQLException e) {
                error = e.getSQLState() + " " + e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never true within 60 s: " + query + " -> " + last + (error == null ? "" : "; last error " + error));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void threeNodesShowMembersRangesLeaseholdersTableKeysAndLocks() throws Exception {
        startCluster();
        StarlingNode second = nodes.get(1);
        // A node takes sessions once it has read the catalog (before, it refuses them with 57P03).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = connect(nodes.get(0)); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
                break;
            } catch (SQLException e) {
                assertTrue(System.nanoTime() < deadline, "CREATE TABLE never ran: " + e.getMessage());
                Thread.sleep(100);
            }
        }
        try (Connection c = connect(nodes.get(0)); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO accounts VALUES (1, 100), (2, 100), (3, 100)");
        }
        // An operator's split at row 2 of the table: its range starts at a key printed by name.
        TableDef accounts = nodes.get(0).sqlEngine().catalog().snapshot().table("ACCOUNTS");
        byte[] row2 = TableStorage.primaryKeyOf(accounts, new Object[] {2});
        byte[] split = new byte[row2.length + 1];
        split[0] = ClusterTransactionalStore.sqlKeyPrefix;
        System.arraycopy(row2, 0, split, 1, row2.length);
        DistSender gateway = nodes.get(0).ranges().gateway();
        List<RangeDescriptor> halves = gateway.split(split, nodes.get(0).ranges().meta().allocateRangeId());
        nodes.get(0).ranges().meta().record(halves);

        // Every range on the three stores, each with a leaseholder, the split one included.
        List<List<Object>> ranges = await(second, "SELECT range_id, start_key, end_key, replicas, voters, leaseholder"
                + " FROM sys.ranges", r -> r.size() >= 3 && r.stream().allMatch(row -> row.get(5) != null
                && Integer.valueOf(3).equals(row.get(3))) && r.stream().anyMatch(row -> "/sql/ACCOUNTS/primary/2".equals(row.get(1))));
        assertEquals("/min", ranges.get(0).get(1), "the meta range comes first: " + ranges);
        assertEquals("/max", ranges.get(ranges.size() - 1).get(2));
        for (int i = 1; i < ranges.size(); i++) {
            assertEquals(ranges.get(i - 1).get(2), ranges.get(i).get(1), "ranges tile the key space: " + ranges);
        }
        for (List<Object> r : ranges) {
            assertEquals("1,2,3", r.get(4));
        }

        List<List<Object>> members = await(second, "SELECT node_id, state, store_id, ranges, leases, is_local, client_address,"
                + " store_state FROM sys.nodes WHERE roles LIKE '%storage%' ORDER BY node_id",
                m -> m.size() == 3 && m.stream().allMatch(row -> "alive".equals(row.get(1)) && "active".equals(row.get(7))));
        int leases = 0;
        for (int i = 0; i < 3; i++) {
            List<Object> m = members.get(i);
            assertEquals("n" + (i + 1), m.get(0));
            assertEquals((long) (i + 1), m.get(2));
            assertEquals(ranges.size(), ((Number) m.get(3)).intValue(), "every store holds every range: " + members);
            leases += ((Number) m.get(4)).intValue();
            assertEquals(i == 1, m.get(5), "node 2 answers: " + members);
            StarlingNode n = nodes.get(i);
            assertEquals(n.clientAddress().getHostString() + ":" + n.clientAddress().getPort(), m.get(6));
        }
        assertEquals(ranges.size(), leases, "each range's lease is held by one store: " + members);

        // A transaction that prewrote two keys and has not committed: its locks, by coordinator.
        long startTs = nodes.get(0).ranges().timestamps().next();
        List<byte[]> keys = List.of(b("zz-lock-a"), b("zz-lock-b"));
        for (DistSender.GroupAnswer a : gateway.sendGrouped(keys, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Prewrite(startTs, keys.get(0), 60_000, "n1", idx.stream()
                        .map(i -> (WriteOp) new WriteOp.Put(keys.get(i), b("v"))).toList())))) {
            assertTrue(a.response().result() instanceof RangeResult.Prewritten, "prewrite: " + a.response().result());
        }
        String txns = "SELECT start_ts, coordinator, coordinator_state, coordinated_here, primary_key, locks, expires_in_ms"
                + " FROM sys.transactions WHERE kind = 'locking'";
        List<List<Object>> seen = rows(second, txns);
        assertEquals(1, seen.size(), seen.toString());
        assertEquals(List.of(startTs, "n1", "alive", false, "/kv/zz-lock-a", 2), seen.get(0).subList(0, 6));
        long expiresIn = ((Number) seen.get(0).get(6)).longValue();
        // The start timestamp's physical part may run ahead of the wall clock by up to the oracle's
        // window: a new meta leaseholder's oracle starts at the durable high-water mark.
        assertTrue(expiresIn > 0 && expiresIn <= 60_000 + io.starlingdb.engine.txn.TimestampOracle.windowMillis,
                "expires in " + expiresIn);
        assertEquals(true, rows(nodes.get(0), txns).get(0).get(3), "node 1 coordinates it");
        assertFalse(rows(second, "SELECT * FROM sys.ranges WHERE approximate_bytes IS NULL").size() > 0,
                "node 2 holds a replica of every range, so it knows each one's size");

        // A SERIALIZABLE transaction open on node 2 with two inserts buffered: listed there, gone after its commit.
        String open = "SELECT isolation, writes, coordinator, coordinated_here, locks FROM sys.transactions"
                + " WHERE kind = 'open' AND writes > 0";
        try (Connection c = connect(second); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            s.executeUpdate("INSERT INTO accounts VALUES (10, 5), (11, 5)");
            List<List<Object>> listed = rows(second, open);
            assertEquals(1, listed.size(), listed.toString());
            assertEquals("SERIALIZABLE", listed.get(0).get(0));
            assertTrue(((Number) listed.get(0).get(1)).intValue() >= 2, "two rows buffered: " + listed);
            assertEquals(List.of("n2", true, 0), listed.get(0).subList(2, 5));
            assertEquals(List.of(), rows(nodes.get(0), open), "node 1 does not see node 2's open transaction");
            c.commit();
        }
        assertEquals(List.of(), rows(second, open), "committed: no longer open");
    }
}
