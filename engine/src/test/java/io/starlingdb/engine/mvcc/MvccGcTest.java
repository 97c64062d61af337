package io.starlingdb.engine.mvcc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version garbage collection removes only what no open or later transaction can read. */
class MvccGcTest {

    @TempDir
    Path dir;
    RocksStorage storage;
    KvStore data;
    MvccStore store;
    /** Runs after every write that reaches storage through {@link #store}, while set. */
    Runnable afterWrite;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir, StorageOptions.small());
        data = storage.store(ColumnFamily.DATA);
        store = new MvccStore(new ObservedStore(data), new HybridClock(Clock.systemUTC()), false);
    }

    /** The real store, with {@link #afterWrite} run after each applied batch. */
    private final class ObservedStore implements KvStore {
        private final KvStore inner;

        ObservedStore(KvStore inner) {
            this.inner = inner;
        }

        @Override
        public KvSnapshot snapshot() {
            return inner.snapshot();
        }

        @Override
        public void apply(KvBatch batch, boolean sync) {
            inner.apply(batch, sync);
            if (afterWrite != null) {
                afterWrite.run();
            }
        }

        @Override
        public void compactRange(byte[] fromInclusive, byte[] toExclusive) {
            inner.compactRange(fromInclusive, toExclusive);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private void put(String k, String v) {
        try (Transaction t = store.begin()) {
            t.put(b(k), b(v));
            t.commit();
        }
    }

    private void delete(String k) {
        try (Transaction t = store.begin()) {
            t.delete(b(k));
            t.commit();
        }
    }

    private String read(String k) {
        try (Transaction t = store.begin()) {
            byte[] v = t.get(b(k));
            return v == null ? null : new String(v, UTF_8);
        }
    }

    /** Stored versions per logical key, as raw DATA keys show them. */
    private Map<String, Integer> versions() {
        Map<String, Integer> out = new TreeMap<>();
        try (KvSnapshot s = data.snapshot(); KvCursor c = s.scan(MvccKeys.firstLogicalPrefix, null)) {
            while (c.next()) {
                out.merge(new String(MvccKeys.decode(c.key()).logicalKey(), UTF_8), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Every logical key and value a reader at {@code ts} sees, read from storage directly. */
    private Map<String, String> readAt(long ts) {
        Map<String, String> out = new TreeMap<>();
        try (KvSnapshot s = data.snapshot();
             VersionCursor c = new VersionCursor(s.scan(MvccKeys.firstLogicalPrefix, null), ts)) {
            while (c.next()) {
                out.put(new String(c.key(), UTF_8), new String(c.value(), UTF_8));
            }
        }
        return out;
    }

    private long fullPass(int stepVersions) {
        return fullPass(stepVersions, Long.MAX_VALUE, MvccStore.gcBatchDeletes);
    }

    private long fullPassAt(long watermark, int batchDeletes) {
        return fullPass(1000, watermark, batchDeletes);
    }

    private long fullPass(int stepVersions, long watermark, int batchDeletes) {
        long removed = 0;
        byte[] from = null;
        do {
            MvccStore.GcStep step = store.collectGarbage(from, stepVersions, watermark, batchDeletes);
            assertTrue(step.versionsScanned() > 0 || step.resumeKey() == null);
            removed += step.versionsRemoved();
            from = step.resumeKey();
        } while (from != null);
        return removed;
    }

    @Test
    void onlyTheNewestVersionOfEachKeyAndNoDeletedKeySurvive() {
        for (int i = 0; i < 5; i++) {
            put("a", "a" + i);
            put("b", "b" + i);
        }
        put("c", "c0");
        delete("c");
        assertEquals(Map.of("a", 5, "b", 5, "c", 2), versions());
        assertEquals(10, fullPass(1000));
        assertEquals(Map.of("a", 1, "b", 1), versions());
        assertEquals("a4", read("a"));
        assertEquals("b4", read("b"));
        assertNull(read("c"));
        assertEquals(0, fullPass(1000), "a second pass finds nothing");
    }

    @Test
    void anOpenTransactionKeepsTheVersionsItCanRead() {
        put("k", "old");
        Transaction reader = store.begin(); // no read yet: it holds no storage snapshot
        put("k", "new");
        delete("gone-later");
        put("d", "d0");
        Transaction reader2 = store.begin();
        delete("d");
        assertEquals(0, fullPass(1000));
        assertEquals("old", new String(reader.get(b("k")), UTF_8));
        assertEquals("d0", new String(reader2.get(b("d")), UTF_8));
        reader.close();
        assertEquals(2, fullPass(1000), "k's old version, once its last reader is gone, and the lone delete");
        reader2.close();
        assertEquals(2, fullPass(1000), "d's value and its delete");
        assertEquals(Map.of("k", 1), versions());
        assertEquals("new", read("k"));
    }

    /** Removing a delete under an open writer would hide the conflict and resurrect the row. */
    @Test
    void aDeleteAnOpenTransactionConflictsWithIsKept() {
        put("row", "v1");
        Transaction writer = store.begin();
        assertEquals("v1", new String(writer.get(b("row")), UTF_8));
        delete("row");
        fullPass(1000);
        writer.put(b("row"), b("v2"));
        assertThrows(WriteConflictException.class, writer::commit);
        assertNull(read("row"));
    }

    @Test
    void stepsResumeBetweenKeysAndNeverSplitOneKeysVersions() {
        for (int i = 0; i < 25; i++) {
            put("many", "v" + i);
        }
        for (int k = 0; k < 30; k++) {
            put("key" + k, "x");
            put("key" + k, "y");
        }
        MvccStore.GcStep first = store.collectGarbage(null, 3);
        // key0's two versions come first, then key1, key10..., and "many" sorts after all "key"s.
        assertEquals(4, first.versionsScanned(), "two whole keys: the step stops at a key boundary");
        assertEquals(2, first.versionsRemoved());
        assertEquals(24 + 28, fullPass(3), "the rest, in steps of about three versions");
        Map<String, Integer> left = versions();
        assertEquals(31, left.size());
        left.values().forEach(n -> assertEquals(1, n));
        assertEquals("v24", read("many"));
    }

    /** A step that removed many versions compacts its range, so scans stop stepping over their tombstones. */
    @Test
    void aStepThatRemovedManyVersionsCompactsItsRange() {
        for (int i = 0; i < 10; i++) {
            put("small", "v" + i);
        }
        assertTrue(!store.collectGarbage(null, 100_000).compacted(), "9 versions removed: not worth a compaction");
        for (int i = 0; i < MvccStore.gcCompactMinRemoved + 10; i++) {
            put("hot", "v" + i);
        }
        MvccStore.GcStep step = store.collectGarbage(null, 100_000);
        assertEquals(MvccStore.gcCompactMinRemoved + 9, step.versionsRemoved());
        assertTrue(step.compacted());
        assertEquals(Map.of("hot", 1, "small", 1), versions());
        long skippedBefore = storage.tickerCount(org.rocksdb.TickerType.NUMBER_ITER_SKIP);
        try (Transaction t = store.begin(); KvCursor c = t.scan(null, null)) {
            int rows = 0;
            while (c.next()) {
                rows++;
            }
            assertEquals(2, rows);
        }
        long skipped = storage.tickerCount(org.rocksdb.TickerType.NUMBER_ITER_SKIP) - skippedBefore;
        assertTrue(skipped < 100, "a scan after compaction steps over no tombstones of removed versions: " + skipped);
    }

    /**
     * A deleted row with more removable versions than one write holds: every write the step
     * makes (and so every state a crash can leave, since RocksDB recovers its writes in order)
     * still reads it as deleted. Removing the tombstone first, as collection once did, showed
     * the row's old value between two writes.
     */
    @Test
    void aDeletedRowWithMoreVersionsThanOneWriteNeverReappearsBetweenWrites() {
        int updates = 2 * MvccStore.gcBatchDeletes + 10;
        for (int i = 0; i < updates; i++) {
            put("row", "v" + i);
        }
        delete("row");
        put("other", "x");
        long readTs = store.gcHorizon();
        int[] writes = {0};
        int[] stored = {updates + 2};
        afterWrite = () -> {
            writes[0]++;
            assertNull(readAt(readTs).get("row"), "the deleted row reappeared after write " + writes[0]);
            int now = versions().values().stream().mapToInt(Integer::intValue).sum();
            assertTrue(stored[0] - now <= MvccStore.gcBatchDeletes, "write " + writes[0] + " removed " + (stored[0] - now));
            stored[0] = now;
        };
        assertEquals(updates + 1, fullPass(100_000));
        afterWrite = null;
        assertTrue(writes[0] >= 3, "the key's deletes needed several bounded writes: " + writes[0]);
        assertEquals(Map.of("other", 1), versions());
    }

    /**
     * Random histories collected at a watermark the caller passes, with writes of one or a few
     * deletes: after every write, reads at the watermark, at each later commit and at the end
     * see exactly what they saw before collection, and versions above the watermark stay.
     */
    @Test
    void everyWriteOfCollectionReadsTheSameAtOrAboveTheWatermark() {
        long seed = Long.getLong("seed", 11);
        Random random = new Random(seed);
        for (int round = 0; round < 12; round++) {
            String prefix = "r" + round + "-";
            int keys = 1 + random.nextInt(6);
            int before = 5 + random.nextInt(60);
            int after = random.nextInt(15);
            for (int op = 0; op < before; op++) {
                randomWrite(random, prefix, keys, op);
            }
            long watermark = store.gcHorizon();
            List<Long> readTimestamps = new ArrayList<>(List.of(watermark));
            for (int op = 0; op < after; op++) {
                randomWrite(random, prefix, keys, before + op);
                readTimestamps.add(store.gcHorizon());
            }
            readTimestamps.add(Long.MAX_VALUE);
            Map<Long, Map<String, String>> expected = new TreeMap<>();
            for (long ts : readTimestamps) {
                expected.put(ts, readAt(ts));
            }
            int batchDeletes = 1 + random.nextInt(4);
            String context = "seed " + seed + ", round " + round + ", " + batchDeletes + " deletes a write";
            afterWrite = () -> expected.forEach((ts, seen) -> assertEquals(seen, readAt(ts), context + ", read at " + ts));
            byte[] from = null;
            do {
                MvccStore.GcStep step = store.collectGarbage(from, 1 + random.nextInt(20), watermark, batchDeletes);
                assertEquals(watermark, step.horizon(), context);
                from = step.resumeKey();
            } while (from != null);
            afterWrite = null;
            expected.forEach((ts, seen) -> assertEquals(seen, readAt(ts), context + ", read at " + ts));
        }
    }

    private void randomWrite(Random random, String prefix, int keys, int op) {
        String key = prefix + random.nextInt(keys);
        if (random.nextInt(4) == 0) {
            delete(key);
        } else {
            put(key, "v" + op);
        }
    }

    /** A watermark below the store's own horizon keeps what a reader at the watermark still sees. */
    @Test
    void theCallersWatermarkKeepsWhatAReaderThereSees() {
        put("k", "old");
        put("d", "d0");
        long watermark = store.gcHorizon();
        put("k", "new");
        delete("d");
        put("gone", "g0");
        delete("gone");
        assertEquals(0, fullPassAt(watermark, 1), "nothing is older than what the watermark reads");
        assertEquals(Map.of("k", 2, "d", 2, "gone", 2), versions());
        assertEquals(Map.of("k", "old", "d", "d0"), readAt(watermark));
        assertEquals(5, fullPassAt(Long.MAX_VALUE, 1), "at the store's own horizon all but k's newest version go");
        assertEquals(Map.of("k", 1), versions());
    }

    /** A key's removable versions that fit in one write go in one write, never split with another key's. */
    @Test
    void aKeysVersionsAndTombstoneGoInOneWriteWhenTheyFit() {
        for (int i = 0; i < 3; i++) {
            put("a", "a" + i);
        }
        delete("a");
        for (int i = 0; i < 3; i++) {
            put("b", "b" + i);
        }
        delete("b");
        List<Integer> writeSizes = new ArrayList<>();
        int[] stored = {versions().values().stream().mapToInt(Integer::intValue).sum()};
        afterWrite = () -> {
            int now = versions().values().stream().mapToInt(Integer::intValue).sum();
            writeSizes.add(stored[0] - now);
            stored[0] = now;
        };
        assertEquals(8, fullPassAt(Long.MAX_VALUE, 5));
        afterWrite = null;
        assertEquals(List.of(4, 4), writeSizes, "each key whole in its own write: 4 + 4 does not fit in 5");
    }

    /** Random histories with open readers: every read equals a model of snapshot reads. */
    @Test
    void randomHistoriesReadTheSameWithCollection() {
        Random random = new Random(Long.getLong("seed", 7));
        Map<String, String> latest = new HashMap<>();
        List<Object[]> readers = new ArrayList<>(); // {transaction, snapshot of latest at begin}
        for (int op = 0; op < 2000; op++) {
            String key = "k" + random.nextInt(20);
            int choice = random.nextInt(10);
            if (choice < 5) {
                String value = "v" + op;
                put(key, value);
                latest.put(key, value);
            } else if (choice < 6) {
                delete(key);
                latest.remove(key);
            } else if (choice < 7 && readers.size() < 4) {
                readers.add(new Object[] {store.begin(), new HashMap<>(latest)});
            } else if (choice < 8 && !readers.isEmpty()) {
                Object[] r = readers.remove(random.nextInt(readers.size()));
                check((Transaction) r[0], castMap(r[1]));
                ((Transaction) r[0]).close();
            } else {
                store.collectGarbage(null, 1 + random.nextInt(50));
            }
        }
        for (Object[] r : readers) {
            check((Transaction) r[0], castMap(r[1]));
            ((Transaction) r[0]).close();
        }
        fullPass(7);
        Map<String, Integer> left = versions();
        assertEquals(latest.keySet(), left.keySet());
        left.values().forEach(n -> assertEquals(1, n));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Object o) {
        return (Map<String, String>) o;
    }

    private static void check(Transaction t, Map<String, String> expected) {
        for (int k = 0; k < 20; k++) {
            byte[] v = t.get(b("k" + k));
            assertEquals(expected.get("k" + k), v == null ? null : new String(v, UTF_8), "k" + k);
        }
    }
}
