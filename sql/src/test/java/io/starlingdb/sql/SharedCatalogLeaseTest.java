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

    @Test
    void aWriteWhoseCatalogLeaseRanOutConfirmsTheCatalogAndIsRefusedIfATableItWroteChanged() throws Exception {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StarlingSqlEngine a = StarlingSqlEngine.openShared(store, registry, SqlOptions.defaults(), leaseMillis);
            StarlingSqlEngine b = StarlingSqlEngine.openShared(store, registry, SqlOptions.defaults(), leaseMillis);
            List<Long> awaited = new CopyOnWriteArrayList<>();
            a.schemaSync(awaited::add);
            a.refreshCatalog();
            b.refreshCatalog();
            try (SqlSession sa = a.openSession(); SqlSession sb = b.openSession()) {
                SqlFixture.update(sa, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
                long created = a.catalog().snapshot().version();
                assertEquals(List.of(created), awaited, "the DDL did not wait for the other nodes with its version");
                b.refreshCatalog();

                SqlFixture.update(sb, "BEGIN");
                SqlFixture.update(sb, "INSERT INTO t VALUES (1, 7)"); // planned on the catalog without the index
                SqlFixture.update(sa, "CREATE INDEX t_v ON t (v)");
                assertEquals(List.of(created, created + 1), awaited);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (b.catalogLeaseValid()) { // b's refresher is not running: its lease runs out
                    assertTrue(System.nanoTime() < deadline, "the lease never ran out");
                    Thread.sleep(10);
                }
                SqlException refused = assertThrows(SqlException.class, () -> SqlFixture.update(sb, "COMMIT"));
                assertEquals("40001", refused.sqlState(), refused.getMessage());
                assertEquals(created + 1, b.catalog().snapshot().version(), "the commit did not adopt the new catalog");

                // Retried against the new catalog, the row gets its index entry.
                SqlFixture.update(sb, "INSERT INTO t VALUES (1, 7)");
                assertEquals(List.of(List.of(1)), SqlFixture.rows(sa, "SELECT id FROM t WHERE v = 7"));
                assertTrue(SqlFixture.rows(sa, "EXPLAIN PLAN FOR SELECT id FROM t WHERE v = 7").toString().contains("T_V"),
                        "the query does not read the index, so it proves nothing about its entries");
            }
            a.close();
            b.close();
        }
    }
}
