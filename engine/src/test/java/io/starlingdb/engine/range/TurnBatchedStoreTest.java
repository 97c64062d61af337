package io.starlingdb.engine.range;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TurnBatchedStoreTest {

    @TempDir
    Path dir;
    RocksStorage storage;
    KvStore rocks;
    TurnBatchedStore store;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir, StorageOptions.small());
        rocks = storage.store(ColumnFamily.RANGES);
        store = new TurnBatchedStore(rocks);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> scan(KvStore st, String from, String to) {
        List<String> out = new ArrayList<>();
        try (KvSnapshot snap = st.snapshot(); KvCursor c = snap.scan(from == null ? null : b(from), to == null ? null : b(to))) {
            while (c.next()) {
                out.add(s(c.key()) + "=" + s(c.value()));
            }
        }
        return out;
    }

    @Test
    void aTurnsAppliesAreOneWriteReadByTheTurnAndInvisibleElsewhereUntilItEnds() throws Exception {
        rocks.apply(new KvBatch().put(b("a"), b("1")).put(b("c"), b("3")).put(b("e"), b("5")), false);
        long writes = store.writes();
        store.begin();
        store.apply(new KvBatch().put(b("b"), b("2")).delete(b("c")), false);
        store.apply(new KvBatch().put(b("a"), b("10")).put(b("d"), b("4")), false);
        List<Integer> afterWrite = new ArrayList<>();
        store.afterWrite(() -> afterWrite.add(1));
        // The turn's thread reads its own applies.
        assertEquals(List.of("a=10", "b=2", "d=4", "e=5"), scan(store, null, null));
        assertEquals(List.of("b=2", "d=4"), scan(store, "b", "e"));
        try (KvSnapshot snap = store.snapshot()) {
            assertEquals("10", s(snap.get(b("a"))));
            assertNull(snap.get(b("c")));
            assertEquals("d", s(snap.first(b("c"), null).getKey()));
            assertEquals("b", s(snap.first(b("b"), b("c")).getKey()));
            assertNull(snap.first(b("c"), b("d")));
        }
        // Another thread sees the store as before the turn.
        assertEquals(List.of("a=1", "c=3", "e=5"), CompletableFuture.supplyAsync(() -> scan(store, null, null)).get());
        assertEquals(List.of(), afterWrite);
        store.end();
        assertEquals(List.of(1), afterWrite);
        assertEquals(writes + 1, store.writes(), "two applies, one write");
        assertEquals(List.of("a=10", "b=2", "d=4", "e=5"), scan(rocks, null, null));
    }

    @Test
    void aSyncedApplyInATurnWritesThePendingOnesWithIt() {
        store.begin();
        store.apply(new KvBatch().put(b("x"), b("1")), false);
        store.apply(new KvBatch().put(b("y"), b("2")), true);
        assertEquals(List.of("x=1", "y=2"), scan(rocks, null, null));
        store.apply(new KvBatch().put(b("z"), b("3")), false);
        store.end();
        assertEquals(List.of("x=1", "y=2", "z=3"), scan(rocks, null, null));
    }

    /** Random puts and deletes in turns: the turn's reads agree with a model at every step. */
    @Test
    void readsInATurnAgreeWithAModel() {
        Random random = new Random(7);
        TreeMap<String, String> model = new TreeMap<>();
        for (int turn = 0; turn < 200; turn++) {
            store.begin();
            for (int op = 0; op < 1 + random.nextInt(8); op++) {
                KvBatch batch = new KvBatch();
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    String k = "k" + random.nextInt(30);
                    if (random.nextInt(3) == 0) {
                        batch.delete(b(k));
                        model.remove(k);
                    } else {
                        String v = "v" + turn + "." + op + "." + i;
                        batch.put(b(k), b(v));
                        model.put(k, v);
                    }
                }
                store.apply(batch, false);
                String from = "k" + random.nextInt(30);
                String to = random.nextBoolean() ? null : "k" + random.nextInt(30);
                List<String> expected = new ArrayList<>();
                Map<String, String> view = to == null ? model.tailMap(from, true)
                        : from.compareTo(to) >= 0 ? Map.of() : model.subMap(from, true, to, false);
                view.forEach((k, v) -> expected.add(k + "=" + v));
                assertEquals(expected, scan(store, from, to), "turn " + turn + " scan " + from + ".." + to);
                try (KvSnapshot snap = store.snapshot()) {
                    Map.Entry<byte[], byte[]> first = from.compareTo(to == null ? "~" : to) >= 0 ? null
                            : snap.first(b(from), to == null ? null : b(to));
                    assertEquals(expected.isEmpty() ? null : expected.get(0),
                            first == null ? null : s(first.getKey()) + "=" + s(first.getValue()));
                    assertEquals(model.get(from), s(snap.get(b(from))));
                }
            }
            store.end();
        }
        List<String> all = new ArrayList<>();
        model.forEach((k, v) -> all.add(k + "=" + v));
        assertEquals(all, scan(rocks, null, null));
    }

    /**
     * A real range store (one voter, RocksDB): 60 compare-and-sets of one key, each expecting the
     * value the one before writes, proposed at once, so the driver applies many in one turn. Each
     * succeeds only if its apply reads the one before it from the turn's pending batch; and the
     * applies take fewer RocksDB writes than entries.
     */
    @Test
    void aRangeStoreAppliesATurnsEntriesInOneWriteEachReadingTheOnesBefore(@TempDir Path nodeDir) throws Exception {
        RocksStorage node = RocksStorage.open(nodeDir, StorageOptions.small());
        io.starlingdb.engine.raft.ConfState one = io.starlingdb.engine.raft.ConfState.ofVoters(1L);
        RangeStore.bootstrapIfEmpty(node.store(ColumnFamily.RANGES), MetaKeys.initialMeta(one), MetaKeys.initialUserRange(one));
        io.starlingdb.engine.raft.MultiRaft raft = new io.starlingdb.engine.raft.MultiRaft(1,
                io.starlingdb.engine.raft.RaftConfig.defaults().withTickMillis(10), new io.starlingdb.engine.raft.RaftLogStore(node), 1);
        io.starlingdb.engine.raft.InMemoryTransport hub = new io.starlingdb.engine.raft.InMemoryTransport();
        try {
            RangeStore rangeStore = new RangeStore(1, node.store(ColumnFamily.RANGES), raft, null);
            rangeStore.open();
            raft.start(hub.connect(1, raft));
            long range = MetaKeys.firstUserRangeId;
            io.starlingdb.engine.testing.Await.until("a leader", java.time.Duration.ofSeconds(30), () -> raft.leader(range) == 1);
            // The meta range's first entry (a new leader's, empty) writes its applied index too:
            // applied before the count starts, so that only the compare-and-sets are counted.
            io.starlingdb.engine.testing.Await.until("the meta range led, its first entry applied", java.time.Duration.ofSeconds(30),
                    () -> {
                        try {
                            io.starlingdb.engine.raft.GroupStatus meta = raft.status(MetaKeys.metaRangeId).get(5,
                                    java.util.concurrent.TimeUnit.SECONDS);
                            return meta.leader() == 1 && meta.applied() == meta.lastIndex();
                        } catch (Exception e) {
                            return false;
                        }
                    });
            byte[] key = {0x01, 'k'};
            raft.propose(range, RangeCodec.encodeCommand(new RangeCommand.Write(
                    List.of(new WriteOp.Put(key, b("0"))), 0, 1))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            TurnBatchedStore turn = rangeStore.turnStore();
            long writes = turn.writes();
            long batches = turn.batches();
            List<CompletableFuture<Object>> results = new ArrayList<>();
            int n = 60;
            for (int i = 1; i <= n; i++) {
                results.add(raft.propose(range, RangeCodec.encodeCommand(new RangeCommand.Write(List.of(
                        new WriteOp.CompareAndSet(key, b(Integer.toString(i - 1)), b(Integer.toString(i)))), 0, 1 + i))));
            }
            for (int i = 0; i < n; i++) {
                assertInstanceOf(RangeResult.Written.class, results.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS),
                        "compare-and-set " + (i + 1));
            }
            assertEquals(n, turn.batches() - batches, "one batch per entry");
            assertTrue(turn.writes() - writes < n, "writes " + (turn.writes() - writes) + " for " + n + " entries");
            RangeResult got = rangeStore.replica(range).get(key, Long.MAX_VALUE >> 1, 0);
            assertEquals(Integer.toString(n), s(((RangeResult.Value) got).value()));
        } finally {
            hub.disconnect(1);
            raft.close();
            node.close();
        }
    }
}
