package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import io.starlingdb.sql.system.SystemView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SYS.NODES, SYS.RANGES and SYS.TRANSACTIONS read what the node's {@link SystemView} says when
 * the statement runs (not when it was planned): counts of replicas and leases per node, keys
 * printed with the catalog's names, locks grouped into transactions; without a node they are
 * empty, and a cluster that does not answer fails the statement with 08006.
 */
class SysTablesTest {

    @TempDir
    Path dir;
    SqlFixture db;
    /** What the node says now; tests change it between statements. */
    volatile SystemView view = SystemView.NONE;

    @BeforeEach
    void open() {
        db = new SqlFixture(dir);
        db.engine.useSystemView(new SystemView() {
            @Override
            public List<Node> nodes() {
                return view.nodes();
            }

            @Override
            public List<Range> ranges() {
                return view.ranges();
            }

            @Override
            public List<Lock> locks() {
                return view.locks();
            }

            @Override
            public List<OpenTransaction> openTransactions() {
                return view.openTransactions();
            }
        });
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A view of fixed lists. */
    private static SystemView of(List<SystemView.Node> nodes, List<SystemView.Range> ranges, List<SystemView.Lock> locks) {
        return new SystemView() {
            @Override
            public List<Node> nodes() {
                return nodes;
            }

            @Override
            public List<Range> ranges() {
                return ranges;
            }

            @Override
            public List<Lock> locks() {
                return locks;
            }
        };
    }

    private static SystemView.Node node(String id, String state, long store, boolean local) {
        return new SystemView.Node(id, state, "sql,storage", store, "active", "dc1/rack1", "127.0.0.1:70" + store,
                "127.0.0.1:74" + store, "127.0.0.1:75" + store, local);
    }

    private static byte[] sqlKey(byte[] key) {
        byte[] k = new byte[key.length + 1];
        k[0] = ClusterTransactionalStore.sqlKeyPrefix;
        System.arraycopy(key, 0, k, 1, key.length);
        return k;
    }

    @Test
    void withoutANodeTheTablesAreEmptyButQueryable() throws SqlException {
        db.engine.useSystemView(SystemView.NONE);
        assertEquals(List.of(), db.rows("SELECT * FROM sys.nodes"));
        assertEquals(List.of(), db.rows("SELECT range_id, start_key FROM sys.ranges"));
        assertEquals(List.of(List.of(0L)), db.rows("SELECT COUNT(*) FROM sys.transactions"));
    }

    @Test
    void nodesCountTheReplicasAndLeasesOfTheirStores() throws SqlException {
        view = of(List.of(node("n1", "alive", 1, true), node("n2", "alive", 2, false), node("n3", "dead", 3, false),
                        new SystemView.Node("client-1", "alive", "client", null, null, "", "127.0.0.1:7999", null, null,
                                false)),
                List.of(new SystemView.Range(1, new byte[0], new byte[] {1}, List.of(1L, 2L, 3L), List.of(), 1, 5, 100),
                        new SystemView.Range(2, new byte[] {1}, b("m"), List.of(1L, 2L, 3L), List.of(), 2, 3, -1),
                        new SystemView.Range(7, b("m"), null, List.of(1L, 2L), List.of(3L), 1, 4, 2048)),
                List.of());
        assertEquals(List.of(
                        List.of("n1", "alive", 1L, 3, 2, true),
                        List.of("n2", "alive", 2L, 3, 1, false),
                        List.of("n3", "dead", 3L, 3, 0, false)),
                db.rows("SELECT node_id, state, store_id, ranges, leases, is_local FROM sys.nodes WHERE store_id IS NOT NULL"
                        + " ORDER BY node_id"));
        List<List<Object>> client = db.rows("SELECT roles, store_id, ranges, leases FROM sys.nodes WHERE node_id = 'client-1'");
        assertEquals(1, client.size());
        assertEquals("client", client.get(0).get(0));
        assertEquals(java.util.Arrays.asList(null, null, null), client.get(0).subList(1, 4));
        assertEquals(List.of(List.of(7L, "/kv/m", "/max", 3, "1,2", "3", 1L, 4L, 2048L)),
                db.rows("SELECT range_id, start_key, end_key, replicas, voters, learners, leaseholder, generation,"
                        + " approximate_bytes FROM sys.ranges WHERE end_key = '/max'"));
        assertEquals(java.util.Arrays.asList("/kv/\\x01", "/kv/m", null),
                db.rows("SELECT start_key, end_key, approximate_bytes FROM sys.ranges WHERE range_id = 2").get(0));
        // Who leads what, with a join: the planner's full path reads the tables too.
        assertEquals(List.of(List.of("n1", 1L), List.of("n1", 7L), List.of("n2", 2L)),
                db.rows("SELECT n.node_id, r.range_id FROM sys.nodes n JOIN sys.ranges r ON r.leaseholder = n.store_id"
                        + " ORDER BY n.node_id, r.range_id"));
    }

    @Test
    void rangeKeysArePrintedWithTableAndIndexNamesAndKeyValues() throws SqlException {
        db.update("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(10))");
        db.update("CREATE INDEX orders_note ON orders (note)");
        db.update("CREATE TABLE names (first VARCHAR(10), last VARCHAR(10), PRIMARY KEY (first, last))");
        TableDef orders = db.engine.catalog().snapshot().table("ORDERS");
        TableDef names = db.engine.catalog().snapshot().table("NAMES");
        byte[] order42 = sqlKey(TableStorage.primaryKeyOf(orders, new Object[] {42}));
        byte[] bob = sqlKey(TableStorage.primaryKeyOf(names, new Object[] {"bob", "o'hara"}));
        byte[] index = sqlKey(TableStorage.tablePrefix(orders));
        index[index.length - 1] = (byte) orders.index("ORDERS_NOTE").id();
        view = of(List.of(), List.of(
                new SystemView.Range(1, new byte[0], new byte[] {1}, List.of(1L), List.of(), 1, 1, 0),
                new SystemView.Range(2, new byte[] {1}, new byte[] {ClusterTransactionalStore.sqlKeyPrefix, 0, 0, 0, 0}, List.of(1L),
                        List.of(), 1, 1, 0),
                new SystemView.Range(3, new byte[] {ClusterTransactionalStore.sqlKeyPrefix, 0, 0, 0, 0}, order42, List.of(1L),
                        List.of(), 1, 1, 0),
                new SystemView.Range(4, order42, index, List.of(1L), List.of(), 1, 1, 0),
                new SystemView.Range(5, index, bob, List.of(1L), List.of(), 1, 1, 0),
                new SystemView.Range(6, bob, null, List.of(1L), List.of(), 1, 1, 0)), List.of());
        assertEquals(List.of(
                        List.of("/min", "/kv/\\x01"),
                        List.of("/kv/\\x01", "/sql/catalog"),
                        List.of("/sql/catalog", "/sql/ORDERS/primary/42"),
                        List.of("/sql/ORDERS/primary/42", "/sql/ORDERS/ORDERS_NOTE"),
                        List.of("/sql/ORDERS/ORDERS_NOTE", "/sql/NAMES/primary/'bob'/'o''hara'"),
                        List.of("/sql/NAMES/primary/'bob'/'o''hara'", "/max")),
                db.rows("SELECT start_key, end_key FROM sys.ranges ORDER BY range_id"));
    }

    @Test
    void locksAreGroupedIntoTransactionsWithTheirCoordinatorsState() throws SqlException {
        long now = System.currentTimeMillis();
        long young = (now - 1_000) << HybridClock.logicalBits;
        long old = (now - 60_000) << HybridClock.logicalBits | 3;
        view = of(List.of(node("n1", "alive", 1, true), node("n2", "dead", 2, false)), List.of(), List.of(
                new SystemView.Lock(b("a"), young, b("a"), 3_000, "n1"),
                new SystemView.Lock(b("b"), old, b("c"), 3_000, "n2"),
                new SystemView.Lock(b("c"), old, b("c"), 3_000, "n2"),
                new SystemView.Lock(b("d"), young, b("d"), 3_000, "client-gone")));
        List<List<Object>> rows = db.rows("SELECT start_ts, coordinator, coordinator_state, coordinated_here, primary_key,"
                + " locks, age_ms, expires_in_ms FROM sys.transactions ORDER BY coordinator");
        assertEquals(3, rows.size(), rows.toString());
        assertEquals(List.of(young, "client-gone", "unknown", false, "/kv/d", 1), rows.get(0).subList(0, 6));
        assertEquals(List.of(young, "n1", "alive", true, "/kv/a", 1), rows.get(1).subList(0, 6));
        assertEquals(List.of(old, "n2", "dead", false, "/kv/c", 2), rows.get(2).subList(0, 6));
        long age = (Long) rows.get(2).get(6);
        long expiresIn = (Long) rows.get(2).get(7);
        assertTrue(age >= 60_000 && age < 120_000, "age " + age);
        assertEquals(3_000 - age, expiresIn, "expires TTL after the start: " + rows.get(2));
    }

    @Test
    void openTransactionsOfThisNodeAreListedWithIsolationAgeAndWrites() throws SqlException {
        long now = System.currentTimeMillis();
        List<SystemView.Node> nodes = List.of(node("n1", "alive", 1, true));
        view = new SystemView() {
            @Override
            public List<Node> nodes() {
                return nodes;
            }

            @Override
            public List<Range> ranges() {
                return List.of();
            }

            @Override
            public List<Lock> locks() {
                return List.of(new SystemView.Lock(b("k"), (now - 10) << HybridClock.logicalBits, b("k"), 3_000, "n2"));
            }

            @Override
            public List<OpenTransaction> openTransactions() {
                return List.of(new OpenTransaction(7, "SERIALIZABLE", now - 5_000, 3));
            }
        };
        List<List<Object>> rows = db.rows("SELECT kind, transaction_id, start_ts, isolation, coordinator, coordinator_state,"
                + " coordinated_here, primary_key, locks, writes, age_ms, expires_in_ms FROM sys.transactions ORDER BY kind DESC");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(java.util.Arrays.asList("open", 7L, null, "SERIALIZABLE", "n1", "alive", true, null, 0, 3),
                rows.get(0).subList(0, 10));
        long age = (Long) rows.get(0).get(10);
        assertTrue(age >= 5_000 && age < 60_000, "age " + age);
        assertEquals(null, rows.get(0).get(11));
        assertEquals(java.util.Arrays.asList("locking", null), rows.get(1).subList(0, 2));
        assertEquals(java.util.Arrays.asList(null, "n2", "unknown", false, "/kv/k", 1, null), rows.get(1).subList(3, 10));
    }

    @Test
    void aCachedPlanReadsTheViewAgainAtEachRun() throws SqlException {
        String count = "SELECT COUNT(*) FROM sys.nodes WHERE state = 'alive'";
        List<SystemView.Node> nodes = new ArrayList<>(List.of(node("n1", "alive", 1, true)));
        view = of(nodes, List.of(), List.of());
        for (int run = 1; run <= 5; run++) { // past the interpreted runs: generated code reads it too
            assertEquals(List.of(List.of((long) run)), db.rows(count), "run " + run);
            nodes.add(node("n" + (run + 1), "alive", run + 1, false));
        }
    }

    @Test
    void aClusterThatDoesNotAnswerFailsTheStatementWith08006() throws SqlException {
        SystemView failing = new SystemView() {
            @Override
            public List<Node> nodes() {
                return List.of();
            }

            @Override
            public List<Range> ranges() {
                throw new RangeUnavailableException("the cluster did not give the ranges within 5000 ms");
            }

            @Override
            public List<Lock> locks() {
                throw new RangeUnavailableException("the cluster did not give the locks within 5000 ms");
            }
        };
        view = failing;
        assertEquals("08006", db.error("SELECT * FROM sys.ranges"));
        assertEquals("08006", db.error("SELECT * FROM sys.transactions"));
        // The membership is still known: the counts that need the ranges are NULL (unknown), not 0.
        view = of(List.of(node("n1", "alive", 1, true)), List.of(), List.of());
        SystemView members = view;
        view = new SystemView() {
            @Override
            public List<Node> nodes() {
                return members.nodes();
            }

            @Override
            public List<Range> ranges() {
                return failing.ranges();
            }

            @Override
            public List<Lock> locks() {
                return List.of();
            }
        };
        assertEquals(List.of(java.util.Arrays.asList("n1", null, null)), db.rows("SELECT node_id, ranges, leases FROM sys.nodes"));
        assertEquals("42S02", db.error("SELECT * FROM sys.partitions"));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
