package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two SQL engines sharing one store, as nodes share the cluster's key space (issue 12, schema
 * changes): a DDL statement waits for the other engines through {@link SchemaSync} with the
 * version it published, and an engine whose catalog lease ran out confirms its catalog before it
 * commits writes, so a transaction planned before another engine created an index cannot commit
 * rows without their index entries.
 */
class SharedCatalogLeaseTest {

    @TempDir
    Path dir;

    /** Short, so the test sees a lease run out; nodes use sql.catalog.lease.ms (seconds). */
    private static final long leaseMillis = 200;

    /**
     * CREATE INDEX on a cluster, F1's way: the index is first write-only (every node maintains
     * it, no query reads it), then its existing rows are backfilled, then it is public. Rows a
     * node writes while it is built are indexed; a write planned before it is refused; a unique
     * index over duplicates is refused and removed.
     */
    /** Two SQL engines sharing one store, as two nodes share the cluster's key space; each has read the catalog. */
    private static final class TwoNodes implements AutoCloseable {
        final RocksStorage storage;
        final MvccStore store;
        final StarlingSqlEngine a;
        final StarlingSqlEngine b;

        TwoNodes(Path dir, long leaseMillis) {
            storage = RocksStorage.open(dir, StorageOptions.small());
            store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            a = StarlingSqlEngine.openShared(store, registry, SqlOptions.defaults(), leaseMillis);
            b = StarlingSqlEngine.openShared(store, registry, SqlOptions.defaults(), leaseMillis);
            a.refreshCatalog();
            b.refreshCatalog();
        }

        @Override
        public void close() {
            a.close();
            b.close();
            storage.close();
        }
    }

    @Test
    void anIndexBuiltWhileAnotherNodeWritesIndexesEveryRow() throws Exception {
        try (TwoNodes nodes = new TwoNodes(dir, 60_000)) {
            StarlingSqlEngine a = nodes.a;
            StarlingSqlEngine b = nodes.b;
            try (SqlSession sa = a.openSession(); SqlSession sb = b.openSession(); SqlSession planned = b.openSession()) {
                SqlFixture.update(sa, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
                for (int i = 0; i < 2500; i += 500) {
                    StringBuilder rows = new StringBuilder("INSERT INTO t VALUES ");
                    for (int k = i; k < i + 500; k++) {
                        rows.append(k == i ? "" : ", ").append("(").append(k).append(", ").append(k % 10).append(")");
                    }
                    SqlFixture.update(sa, rows.toString());
                }
                b.refreshCatalog();
                SqlFixture.update(planned, "BEGIN");
                SqlFixture.update(planned, "INSERT INTO t VALUES (9000, 7)"); // planned before the index exists

                List<String> seenWhileBuilding = new CopyOnWriteArrayList<>();
                a.schemaSync(version -> {
                    b.refreshCatalog(); // what CatalogSync asks of every node
                    try {
                        if (b.catalog().snapshot().table("T").index("T_V").writeOnly()) {
                            // node b writes while the index is write-only, and must not read it yet
                            SqlFixture.update(sb, "INSERT INTO t VALUES (9001, 7)");
                            SqlFixture.update(sb, "UPDATE t SET v = 8 WHERE id = 17");
                            seenWhileBuilding.add(SqlFixture.rows(sb, "EXPLAIN PLAN FOR SELECT id FROM t WHERE v = 7").toString());
                        }
                    } catch (SqlException e) {
                        throw new IllegalStateException(e);
                    }
                });
                SqlFixture.update(sa, "CREATE INDEX t_v ON t (v)");
                assertEquals(1, seenWhileBuilding.size(), "node b never wrote while the index was write-only");
                assertTrue(!seenWhileBuilding.get(0).contains("T_V"), "a write-only index was read: " + seenWhileBuilding);
                SqlException stale = assertThrows(SqlException.class, () -> SqlFixture.update(planned, "COMMIT"));
                assertEquals("40001", stale.sqlState(), stale.getMessage());

                String plan = SqlFixture.rows(sa, "EXPLAIN PLAN FOR SELECT id FROM t WHERE v = 7").toString();
                assertTrue(plan.contains("T_V"), "the built index is not read: " + plan);
                List<List<Object>> sevens = SqlFixture.rows(sa, "SELECT id FROM t WHERE v = 7 ORDER BY id");
                // 250 rows had v = 7; b moved row 17 to 8 and inserted 9001
                assertEquals(250, sevens.size(), "249 backfilled rows and the one b inserted: " + sevens.size());
                assertEquals(List.of(9001), sevens.get(249));
                assertEquals(List.of(List.of(8), List.of(17), List.of(18)), SqlFixture.rows(sa, "SELECT id FROM t WHERE v = 8 AND id < 20 ORDER BY id"));
                assertEquals(List.of(List.of(0L)), SqlFixture.rows(sb, "SELECT COUNT(*) FROM t WHERE v = 7 AND id = 17"));

                SqlException duplicate = assertThrows(SqlException.class, () -> SqlFixture.update(sa, "CREATE UNIQUE INDEX t_u ON t (v)"));
                assertEquals("23505", duplicate.sqlState(), duplicate.getMessage());
                assertEquals(null, a.catalog().snapshot().table("T").index("T_U"), "the failed index stayed");
                SqlFixture.update(sa, "CREATE UNIQUE INDEX t_u ON t (id, v)");
                assertTrue(!a.catalog().snapshot().table("T").index("T_U").writeOnly());
            }
        }
    }

    /**
     * DROP INDEX on a cluster, F1's way: the index first becomes write-only (no query reads it, a
     * node that has not adopted the drop may still maintain it), then leaves the catalog, and its
     * entries are deleted once no node maintains it; an index of the same name created afterwards
     * answers correctly.
     */
    @Test
    void anIndexDroppedWhileAnotherNodeWritesLeavesNoEntries() throws Exception {
        try (TwoNodes nodes = new TwoNodes(dir, 60_000)) {
            MvccStore store = nodes.store;
            StarlingSqlEngine a = nodes.a;
            StarlingSqlEngine b = nodes.b;
            try (SqlSession sa = a.openSession(); SqlSession sb = b.openSession()) {
                SqlFixture.update(sa, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
                SqlFixture.update(sa, "INSERT INTO t VALUES (1, 7), (2, 7), (3, 8)");
                SqlFixture.update(sa, "CREATE INDEX t_v ON t (v)");
                b.refreshCatalog();
                io.starlingdb.sql.catalog.TableDef table = a.catalog().snapshot().table("T");
                byte[] entries = io.starlingdb.sql.schema.TableStorage.indexPrefix(table, table.index("T_V"), new Object[0]);

                List<String> plansWhileDropping = new CopyOnWriteArrayList<>();
                a.schemaSync(version -> {
                    b.refreshCatalog();
                    try {
                        io.starlingdb.sql.catalog.IndexDef index = b.catalog().snapshot().table("T").index("T_V");
                        if (index != null && index.writeOnly()) {
                            SqlFixture.update(sb, "INSERT INTO t VALUES (4, 7)"); // still maintained
                            plansWhileDropping.add(SqlFixture.rows(sb, "EXPLAIN PLAN FOR SELECT id FROM t WHERE v = 7").toString());
                        }
                    } catch (SqlException e) {
                        throw new IllegalStateException(e);
                    }
                });
                SqlFixture.update(sa, "DROP INDEX t_v");
                assertEquals(1, plansWhileDropping.size(), "node b never saw the index write-only");
                assertTrue(!plansWhileDropping.get(0).contains("T_V"), "a write-only index was read: " + plansWhileDropping);
                assertEquals(null, b.catalog().snapshot().table("T").index("T_V"));
                try (io.starlingdb.engine.txn.Transaction txn = store.begin();
                     io.starlingdb.engine.storage.KvCursor left = txn.scan(entries,
                             io.starlingdb.engine.encoding.KeyEncoder.prefixEnd(entries))) {
                    assertTrue(!left.next(), "entries of the dropped index remain");
                }
                a.schemaSync(SchemaSync.NONE);
                SqlFixture.update(sa, "CREATE INDEX t_v ON t (v)");
                assertEquals(List.of(List.of(1), List.of(2), List.of(4)), SqlFixture.rows(sb, "SELECT id FROM t WHERE v = 7 ORDER BY id"));
            }
        }
    }

    @Test
    void aWriteWhoseCatalogLeaseRanOutConfirmsTheCatalogAndIsRefusedIfATableItWroteChanged() throws Exception {
        try (TwoNodes nodes = new TwoNodes(dir, leaseMillis)) {
            StarlingSqlEngine a = nodes.a;
            StarlingSqlEngine b = nodes.b;
            List<Long> awaited = new CopyOnWriteArrayList<>();
            a.schemaSync(awaited::add);
            try (SqlSession sa = a.openSession(); SqlSession sb = b.openSession()) {
                SqlFixture.update(sa, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
                long created = a.catalog().snapshot().version();
                assertEquals(List.of(created), awaited, "the DDL did not wait for the other nodes with its version");
                b.refreshCatalog();

                SqlFixture.update(sb, "BEGIN");
                SqlFixture.update(sb, "INSERT INTO t VALUES (1, 7)"); // planned on the catalog without the index
                SqlFixture.update(sa, "CREATE INDEX t_v ON t (v)");
                // on a shared store an index is built in three catalog versions: write-only, ..., public
                assertEquals(List.of(created, created + 1, created + 2), awaited);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (b.catalogLeaseValid()) { // b's refresher is not running: its lease runs out
                    assertTrue(System.nanoTime() < deadline, "the lease never ran out");
                    Thread.sleep(10);
                }
                SqlException refused = assertThrows(SqlException.class, () -> SqlFixture.update(sb, "COMMIT"));
                assertEquals("40001", refused.sqlState(), refused.getMessage());
                assertEquals(created + 2, b.catalog().snapshot().version(), "the commit did not adopt the new catalog");

                // Retried against the new catalog, the row gets its index entry.
                SqlFixture.update(sb, "INSERT INTO t VALUES (1, 7)");
                assertEquals(List.of(List.of(1)), SqlFixture.rows(sa, "SELECT id FROM t WHERE v = 7"));
                assertTrue(SqlFixture.rows(sa, "EXPLAIN PLAN FOR SELECT id FROM t WHERE v = 7").toString().contains("T_V"),
                        "the query does not read the index, so it proves nothing about its entries");
            }
        }
    }

    @Test
    void aSharedEnginesCommitDeadlineIsWhereItsLeaseRunsOutLessTheClockMarginAndAnEngineOfItsOwnHasNone() throws Exception {
        long lease = 60_000;
        try (TwoNodes nodes = new TwoNodes(dir.resolve("shared"), lease)) {
            long before = System.currentTimeMillis();
            nodes.a.refreshCatalog();
            long after = System.currentTimeMillis();
            long deadline = io.starlingdb.engine.mvcc.HybridClock.physicalMillis(nodes.a.commitDeadline());
            long margin = StarlingSqlEngine.catalogLeaseClockMarginMillis;
            assertTrue(deadline >= before + lease - margin - 1 && deadline <= after + lease - margin + 1,
                    "confirmed between " + before + " and " + after + ": deadline " + deadline);
        }
        try (RocksStorage storage = RocksStorage.open(dir.resolve("own"), StorageOptions.small())) {
            StarlingSqlEngine own = StarlingSqlEngine.open(new MvccStore(storage.store(ColumnFamily.DATA),
                    new HybridClock(Clock.systemUTC()), false), new SimpleMeterRegistry());
            try {
                assertEquals(0, own.commitDeadline(), "no other node commits against another catalog");
            } finally {
                own.close();
            }
        }
    }
}
