package io.starlingdb.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksMetricsTest {

    @TempDir
    Path dir;

    @Test
    void reportsKeysMemtableAndWalActivityAndSurvivesClose() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RocksStorage storage = RocksStorage.open(dir, StorageOptions.small());
        new RocksMetrics(storage).bindTo(registry);
        KvBatch batch = new KvBatch();
        for (int i = 0; i < 100; i++) {
            batch.put(("key-" + i).getBytes(), new byte[100]);
        }
        storage.store(ColumnFamily.DATA).apply(batch, true);

        assertEquals(100, registry.get("starling.storage.keys.estimated").tag("cf", "data").gauge().value());
        assertEquals(0, registry.get("starling.storage.keys.estimated").tag("cf", "meta").gauge().value());
        assertTrue(registry.get("starling.storage.memtable.size").tag("cf", "data").gauge().value() > 10_000);
        assertTrue(registry.get("starling.storage.written").functionCounter().count() >= 100 * 100);
        assertTrue(registry.get("starling.storage.wal.written").functionCounter().count() >= 100 * 100);
        double syncs = registry.get("starling.storage.wal.syncs").functionCounter().count();
        assertTrue(syncs >= 1);
        assertTrue(registry.get("starling.storage.block.cache.usage").gauge().value() >= 0);
        double writes = registry.get("starling.storage.writes").functionCounter().count();
        assertTrue(writes >= 1);
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put("a".getBytes(), new byte[1]), false);
        storage.store(ColumnFamily.META).apply(new KvBatch().put("b".getBytes(), new byte[1]), false);
        assertEquals(writes + 2, registry.get("starling.storage.writes").functionCounter().count(), "one per batch");

        storage.close();
        assertTrue(Double.isNaN(registry.get("starling.storage.keys.estimated").tag("cf", "data").gauge().value()));
        assertEquals(syncs, registry.get("starling.storage.wal.syncs").functionCounter().count());
    }
}
