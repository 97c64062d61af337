package io.starlingdb.engine.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.TickerType;

class RocksStorageTest {

    @TempDir
    Path dir;
    RocksStorage storage;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir, StorageOptions.small());
    }

    @AfterEach
    void close() {
        storage.close();
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static List<String> scan(KvSnapshot s, String from, String to) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = s.scan(from == null ? null : b(from), to == null ? null : b(to))) {
            while (c.next()) {
                out.add(new String(c.key(), UTF_8) + "=" + new String(c.value(), UTF_8));
            }
            assertFalse(c.next(), "an exhausted cursor stays exhausted");
        }
        return out;
    }

    @Test
    void putGetDeleteAndScanRespectBounds() {
        KvStore data = storage.store(ColumnFamily.DATA);
        data.apply(new KvBatch().put(b("a"), b("1")).put(b("b"), b("2")).put(b("c"), b("3")).put(b("d"), b("4")), false);
        data.apply(new KvBatch().delete(b("c")), false);
        try (KvSnapshot s = data.snapshot()) {
            assertArrayEquals(b("1"), s.get(b("a")));
            assertNull(s.get(b("c")));
            assertEquals(List.of("a=1", "b=2", "d=4"), scan(s, null, null));
            assertEquals(List.of("b=2"), scan(s, "b", "d"));
            assertEquals(List.of("b=2", "d=4"), scan(s, "ab", null));
            assertEquals(List.of("a=1"), scan(s, null, "b"));
            assertEquals(List.of(), scan(s, "x", "z"));
        }
    }

    /** first() is a bounded scan's first pair, answered by one reused iterator at the snapshot. */
    @Test
    void firstIsTheFirstPairOfABoundedScan() {
        KvStore data = storage.store(ColumnFamily.DATA);
        data.apply(new KvBatch().put(b("a"), b("1")).put(b("b"), b("2")).put(b("d"), b("4")), false);
        KvSnapshot s = data.snapshot();
        data.apply(new KvBatch().put(b("c"), b("3")).delete(b("a")), false);
        java.util.Random random = new java.util.Random(3);
        String[] bounds = {null, "", "a", "ab", "b", "c", "d", "e"};
        for (int i = 0; i < 200; i++) {
            String from = bounds[random.nextInt(bounds.length)];
            String to = bounds[random.nextInt(bounds.length)];
            if (from == null || (to != null && from.compareTo(to) > 0)) {
                from = "";
            }
            List<String> scanned = scan(s, from, to);
            java.util.Map.Entry<byte[], byte[]> first = s.first(b(from), to == null ? null : b(to));
            assertEquals(scanned.isEmpty() ? null : scanned.get(0),
                    first == null ? null : new String(first.getKey(), UTF_8) + "=" + new String(first.getValue(), UTF_8),
                    from + ".." + to);
        }
        s.close();
        assertThrows(IllegalStateException.class, () -> s.first(b("a"), null));
    }

    @Test
    void snapshotDoesNotSeeLaterWrites() {
        KvStore data = storage.store(ColumnFamily.DATA);
        data.apply(new KvBatch().put(b("k"), b("old")), false);
        try (KvSnapshot s = data.snapshot()) {
            data.apply(new KvBatch().put(b("k"), b("new")).put(b("k2"), b("x")), false);
            assertArrayEquals(b("old"), s.get(b("k")));
            assertEquals(List.of("k=old"), scan(s, null, null));
        }
        try (KvSnapshot s = data.snapshot()) {
            assertArrayEquals(b("new"), s.get(b("k")));
        }
    }

    @Test
    void columnFamiliesAreSeparateKeySpaces() {
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("k"), b("data")), false);
        storage.store(ColumnFamily.META).apply(new KvBatch().put(b("k"), b("meta")), false);
        try (KvSnapshot d = storage.store(ColumnFamily.DATA).snapshot();
             KvSnapshot m = storage.store(ColumnFamily.META).snapshot();
             KvSnapshot log = storage.store(ColumnFamily.RAFT_LOG).snapshot()) {
            assertArrayEquals(b("data"), d.get(b("k")));
            assertArrayEquals(b("meta"), m.get(b("k")));
            assertNull(log.get(b("k")));
        }
    }

    @Test
    void batchAcrossFamiliesSurvivesReopen() {
        Map<ColumnFamily, KvBatch> batches = new EnumMap<>(ColumnFamily.class);
        batches.put(ColumnFamily.RAFT_LOG, new KvBatch().put(b("entry-1"), b("put x")).put(b("entry-2"), b("put y")));
        batches.put(ColumnFamily.RAFT_STATE, new KvBatch().put(b("hard-state"), b("term=3")));
        storage.applyAtomically(batches, true);
        storage.close();
        storage = RocksStorage.open(dir, StorageOptions.small());
        try (KvSnapshot log = storage.store(ColumnFamily.RAFT_LOG).snapshot();
             KvSnapshot state = storage.store(ColumnFamily.RAFT_STATE).snapshot()) {
            assertEquals(List.of("entry-1=put x", "entry-2=put y"), scan(log, null, null));
            assertArrayEquals(b("term=3"), state.get(b("hard-state")));
        }
    }

    @Test
    void oversizedBatchIsRejectedBeforeAnythingIsWritten() {
        byte[] mib = new byte[1024 * 1024];
        KvBatch big = new KvBatch().put(b("first"), b("x"));
        for (int i = 0; i <= Limits.maxBatchBytes / mib.length; i++) {
            big.put(b("k" + i), mib);
        }
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> storage.store(ColumnFamily.DATA).apply(big, true));
        assertEquals("maxBatchBytes", e.limitName());
        assertTrue(e.getMessage().contains("maxBatchBytes"), e.getMessage());
        try (KvSnapshot s = storage.store(ColumnFamily.DATA).snapshot()) {
            assertNull(s.get(b("first")));
        }
    }

    @Test
    void syncedWritesFsyncTheWalAndUnsyncedOnesDoNot() {
        KvStore data = storage.store(ColumnFamily.DATA);
        long before = storage.tickerCount(TickerType.WAL_FILE_SYNCED);
        data.apply(new KvBatch().put(b("a"), b("1")), false);
        assertEquals(before, storage.tickerCount(TickerType.WAL_FILE_SYNCED));
        data.apply(new KvBatch().put(b("b"), b("2")), true);
        assertTrue(storage.tickerCount(TickerType.WAL_FILE_SYNCED) > before);
    }

    @Test
    void deferredBatchesRideOnTheNextWriteOfTheSameThreadOnly() throws Exception {
        storage.deferToNextWrite(Map.of(ColumnFamily.RAFT_STATE, new KvBatch().put(b("commit"), b("7"))));
        KvStore state = storage.store(ColumnFamily.RAFT_STATE);
        try (KvSnapshot s = state.snapshot()) {
            assertNull(s.get(b("commit")), "deferred: not written yet");
        }
        Thread other = new Thread(() -> storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("x"), b("1")), false));
        other.start();
        other.join();
        try (KvSnapshot s = state.snapshot()) {
            assertNull(s.get(b("commit")), "another thread's write does not carry it");
        }
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("y"), b("2")), false);
        try (KvSnapshot s = state.snapshot(); KvSnapshot d = storage.store(ColumnFamily.DATA).snapshot()) {
            assertArrayEquals(b("7"), s.get(b("commit")));
            assertArrayEquals(b("2"), d.get(b("y")));
        }
        storage.deferToNextWrite(Map.of(ColumnFamily.RAFT_STATE, new KvBatch().put(b("commit"), b("8"))));
        storage.flushDeferred();
        try (KvSnapshot s = state.snapshot()) {
            assertArrayEquals(b("8"), s.get(b("commit")), "flushed without another write");
        }
        long writes = storage.tickerCount(TickerType.WRITE_DONE_BY_SELF);
        storage.flushDeferred();
        assertEquals(writes, storage.tickerCount(TickerType.WRITE_DONE_BY_SELF), "nothing left to flush");
    }

    @Test
    void secondOpenOfALiveDirectoryFailsClearly() {
        StorageException e = assertThrows(StorageException.class, () -> RocksStorage.open(dir, StorageOptions.small()));
        assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        // The first instance is unaffected.
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("k"), b("v")), true);
    }

    @Test
    void cursorReadsEveryPairInOrderAcrossBatchBoundaries() {
        // Enough pairs for the growing batches to reach their maximum and cross it several times.
        int pairs = 3 * RocksCursor.maxBatchEntries + RocksCursor.firstBatchEntries + 1;
        KvStore data = storage.store(ColumnFamily.DATA);
        KvBatch batch = new KvBatch();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String key = String.format("k%05d", i);
            batch.put(b(key), b("v" + i));
            expected.add(key + "=v" + i);
        }
        data.apply(batch, false);
        try (KvSnapshot s = data.snapshot()) {
            data.apply(new KvBatch().put(b("k00000a"), b("late")).delete(b(String.format("k%05d", pairs - 1))), false);
            assertEquals(expected, scan(s, null, null), "a long scan sees its snapshot, not later writes");
            int from = RocksCursor.firstBatchEntries - 1;
            int to = from + RocksCursor.maxBatchEntries + 2;
            assertEquals(expected.subList(from, to), scan(s, String.format("k%05d", from), String.format("k%05d", to)));
        }
    }

    @Test
    void batchesOfLargeAndMixedValuesStopAtTheirByteLimitAndLoseNothing() {
        int pairs = 40;
        KvStore data = storage.store(ColumnFamily.DATA);
        KvBatch batch = new KvBatch();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            // Sizes around the byte limit of a batch and around the copy buffers' starting size, up and down.
            int size = switch (i % 4) {
                case 0 -> RocksCursor.maxBatchBytes / 3;
                case 1 -> RocksCursor.initialCopyBufferBytes + 1;
                case 2 -> 3;
                default -> RocksCursor.initialCopyBufferBytes * 4;
            };
            byte[] value = new byte[size];
            java.util.Arrays.fill(value, (byte) i);
            value[0] = (byte) (size >> 8);
            batch.put(new byte[] {(byte) i}, value);
            expected.add(value);
        }
        data.apply(batch, false);
        try (KvSnapshot s = data.snapshot(); KvCursor c = s.scan(null, null)) {
            for (int i = 0; i < pairs; i++) {
                assertTrue(c.next());
                assertArrayEquals(new byte[] {(byte) i}, c.key());
                assertArrayEquals(expected.get(i), c.value(), "value " + i);
            }
            assertFalse(c.next());
            assertThrows(IllegalStateException.class, c::key, "an exhausted cursor has no current pair");
        }
    }

    @Test
    void cursorClosedByStorageMidBatchFailsInsteadOfServingBufferedPairs() {
        KvStore data = storage.store(ColumnFamily.DATA);
        data.apply(new KvBatch().put(b("a"), b("1")).put(b("b"), b("2")).put(b("c"), b("3")), false);
        KvSnapshot s = data.snapshot();
        KvCursor c = s.scan(null, null);
        assertTrue(c.next());
        s.close();
        assertThrows(IllegalStateException.class, c::next);
        c.close();
    }

    @Test
    void closingStorageReleasesOpenSnapshotsAndCursorsAndLaterUseFailsCleanly() {
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("a"), b("1")).put(b("b"), b("2")), false);
        KvSnapshot s = storage.store(ColumnFamily.DATA).snapshot();
        KvCursor c = s.scan(null, null);
        assertTrue(c.next());
        storage.close();
        assertThrows(IllegalStateException.class, c::next);
        assertThrows(IllegalStateException.class, () -> s.get(b("a")));
        c.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("x"), b("y")), false));
        storage = RocksStorage.open(dir, StorageOptions.small());
        try (KvSnapshot again = storage.store(ColumnFamily.DATA).snapshot()) {
            assertArrayEquals(b("2"), again.get(b("b")));
        }
    }

    @Test
    void closedSnapshotRejectsReadsAndClosesItsCursors() {
        storage.store(ColumnFamily.DATA).apply(new KvBatch().put(b("a"), b("1")), false);
        KvSnapshot s = storage.store(ColumnFamily.DATA).snapshot();
        KvCursor c = s.scan(null, null);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, c::next);
        assertThrows(IllegalStateException.class, () -> s.scan(null, null));
        c.close();
    }

    @Test
    void invalidOptionsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StorageOptions(1, 64L << 20, 2, 2, 10, -1));
        assertTrue(e.getMessage().startsWith("blockCacheBytes"), e.getMessage());
    }
}
