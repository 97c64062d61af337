package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.GroupStatus;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.raft.Role;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real range stores (RocksDB, MultiRaft, RangeStore) of four nodes in one JVM: a range on three
 * of them gains a replica on the fourth, which starts empty and is initialised by a snapshot.
 */
class ReplicaSnapshotTest {

    private RaftConfig config = RaftConfig.defaults().withTickMillis(25);
    /** The first user range of a new cluster (the meta range, range 1, stays on stores 1-3). */
    private static final long range = MetaKeys.firstUserRangeId;

    @TempDir
    Path dir;

    private final InMemoryTransport hub = new InMemoryTransport();
    private final RocksStorage[] storages = new RocksStorage[5];
    private final MultiRaft[] rafts = new MultiRaft[5];
    private final RangeStore[] stores = new RangeStore[5];
    private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);

    private void startNode(int id) {
        storages[id] = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small());
        if (id <= 3) {
            ConfState three = ConfState.ofVoters(1L, 2L, 3L);
            RangeStore.bootstrapIfEmpty(storages[id].store(ColumnFamily.RANGES), MetaKeys.initialMeta(three),
                    MetaKeys.initialUserRange(three));
        }
        rafts[id] = new MultiRaft(id, config, new RaftLogStore(storages[id]), id);
        stores[id] = new RangeStore(id, storages[id].store(ColumnFamily.RANGES), rafts[id],
                storages[id].sstFiles(ColumnFamily.RANGES));
        // One counter for every store stands in for the cluster's timestamp oracle.
        stores[id].useTimestamps(() -> java.util.concurrent.CompletableFuture.completedFuture(clock.incrementAndGet()));
        stores[id].open();
        rafts[id].start(hub.connect(id, rafts[id]));
    }

    private void stopNode(int id) {
        hub.disconnect(id);
        rafts[id].close();
        storages[id].close();
        rafts[id] = null;
        stores[id] = null;
    }

    @AfterEach
    void stopAll() {
        for (int i = 1; i < rafts.length; i++) {
            if (rafts[i] != null) {
                stopNode(i);
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    private int leader() throws InterruptedException {
        int[] found = new int[1];
        await("a leader of range " + range, () -> {
            for (int i = 1; i < rafts.length; i++) {
                if (rafts[i] != null && rafts[i].leader(range) == i) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Sends a request to the leader until it answers OK (retrying only what did not apply). */
    private RangeRpc.Response untilOk(RangeRpc.Request r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            RangeRpc.Response resp = stores[leader()].handle(r).get(15, TimeUnit.SECONDS);
            if (resp.status() == RangeRpc.Status.OK) {
                return resp;
            }
            assertTrue(resp.status() != RangeRpc.Status.OUTCOME_UNKNOWN, "write with an unknown outcome: " + resp);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no OK answer for " + r + ", last " + resp);
            }
            Thread.sleep(10);
        }
    }

    private void put(String key, String value) throws Exception {
        RangeRpc.Response r = untilOk(RangeRpc.Request.write(range,
                new RangeCommand.Write(List.of(new WriteOp.Put(b(key), b(value))))));
        assertInstanceOf(RangeResult.Written.class, r.result());
    }

    private void changeUntilApplied(ConfChange cc) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                rafts[leader()].proposeConfChange(range, cc).get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("membership change " + cc + " not applied", e);
                }
                Thread.sleep(10); // leadership moved, or the new leader has not applied its first entry yet
            }
        }
    }

    /** The value of key in the replica on node id, read from its own state (no lease needed). */
    private byte[] localValue(int id, String key) throws Exception {
        return rafts[id].status(range).thenApply(s -> {
            RangeStateMachine sm = stores[id].replica(range);
            return sm == null ? null : ((RangeResult.Value) sm.get(b(key))).value();
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void newRangesStartTheirLogAfterTheInitialIndex() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        put("a", "1");
        GroupStatus s = rafts[leader()].status(range).get(5, TimeUnit.SECONDS);
        assertEquals(RangeStateMachine.initialIndex, s.snapshotIndex());
        assertTrue(s.applied() > RangeStateMachine.initialIndex, "applied " + s.applied());
        assertTrue(s.hardState().term() > RangeStateMachine.initialTerm, "term " + s.hardState().term());
    }

    @Test
    void emptyReplicaOnANewStoreIsInitialisedBySnapshotPromotedAndServesTheRange() throws Exception {
        for (int i = 1; i <= 4; i++) {
            startNode(i);
        }
        for (int k = 0; k < 50; k++) {
            put("key" + k, "v" + k);
        }
        // A version GC raised the range's threshold: the snapshot carries it to the new replica.
        assertInstanceOf(RangeResult.Written.class, untilOk(RangeRpc.Request.write(range,
                new RangeCommand.Gc(77, List.of(b("key1"))))).result());
        stores[4].hostEmptyReplica(range).get(5, TimeUnit.SECONDS);
        RangeRpc.Response before = stores[4].handle(RangeRpc.Request.get(range, b("key1"))).get(5, TimeUnit.SECONDS);
        assertEquals(RangeRpc.Status.RANGE_NOT_FOUND, before.status());
        assertTrue(stores[4].descriptors().isEmpty());
        // Several election timeouts: an uninitialised replica never campaigns.
        Thread.sleep(config.tickMillis() * config.electionTicks() * 3L);
        GroupStatus waiting = rafts[4].status(range).get(5, TimeUnit.SECONDS);
        assertEquals(Role.FOLLOWER, waiting.role());
        assertEquals(0, waiting.hardState().term());

        long chunksBefore = hub.snapshotChunks();
        changeUntilApplied(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        await("the learner initialised by a snapshot", () -> stores[4].replica(range) != null);
        assertTrue(hub.snapshotChunks() > chunksBefore, "the learner's state came in snapshot chunks");
        assertArrayEquals(b("v49"), localValue(4, "key49"));
        assertEquals(77, stores[4].replica(range).gcThreshold(), "the GC threshold came with the snapshot");
        changeUntilApplied(new ConfChange(ConfChange.Type.PROMOTE, 4));
        await("the promotion applied on the new replica",
                () -> stores[4].descriptors().size() == 1 && stores[4].descriptors().get(0).conf().voters().contains(4L));
        assertEquals(Set.of(1L, 2L, 3L, 4L), stores[4].descriptors().get(0).conf().voters());

        put("after", "promotion");
        await("the write after the promotion replicated to the new replica", () -> {
            try {
                return localValue(4, "after") != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        // The new replica leads and serves the same data.
        await("leadership moved to the new replica", () -> {
            try {
                int lead = leader();
                if (lead != 4) {
                    rafts[lead].transferLeadership(range, 4).get(5, TimeUnit.SECONDS);
                    return false;
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        for (int k = 0; k < 50; k++) {
            RangeRpc.Response r = untilOk(RangeRpc.Request.get(range, b("key" + k)));
            assertArrayEquals(b("v" + k), ((RangeResult.Value) r.result()).value());
        }
        assertArrayEquals(b("promotion"), ((RangeResult.Value) untilOk(RangeRpc.Request.get(range, b("after"))).result()).value());
        for (int i = 1; i <= 4; i++) {
            int id = i;
            await("no snapshot files left on store " + id, () -> transferFiles(id) == 0);
        }
    }

    /**
     * Found by the cluster differential test: a leader whose last applied entry is its own first,
     * empty one (here after a leadership transfer; at a split, the new range's first leader) sent
     * a follower a snapshot. The range's state machine had not recorded the empty entry, so its
     * snapshot was one index behind Raft's applied index, and the leader's whole Raft node
     * stopped ("the state machine's snapshot is at 10, Raft applied 11").
     */
    @Test
    void aLeaderWhoseLastEntryIsItsEmptyFirstOneSnapshotsALearner() throws Exception {
        for (int i = 1; i <= 4; i++) {
            startNode(i);
        }
        put("key", "v");
        stores[4].hostEmptyReplica(range).get(5, TimeUnit.SECONDS);
        for (int i = 1; i <= 3; i++) {
            hub.cut(4, i);
        }
        changeUntilApplied(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        int old = leader();
        int next = old % 3 + 1;
        long oldTerm = rafts[old].status(range).get(5, TimeUnit.SECONDS).hardState().term();
        await("leadership moved to node " + next + " and its first entry applied", () -> {
            try {
                if (rafts[next].leader(range) != next) {
                    rafts[leader()].transferLeadership(range, next).get(5, TimeUnit.SECONDS);
                    return false;
                }
                GroupStatus s = rafts[next].status(range).get(5, TimeUnit.SECONDS);
                return s.hardState().term() > oldTerm && s.applied() == s.lastIndex();
            } catch (Exception e) {
                return false;
            }
        });
        hub.heal();
        await("the learner initialised by the new leader's snapshot", () -> stores[4].replica(range) != null);
        assertArrayEquals(b("v"), localValue(4, "key"));
        for (int i = 1; i <= 3; i++) {
            assertEquals(range, rafts[i].status(range).get(5, TimeUnit.SECONDS).group(), "node " + i + "'s Raft still runs");
        }
        put("after", "snapshot");
        assertArrayEquals(b("snapshot"), ((RangeResult.Value) untilOk(RangeRpc.Request.get(range, b("after"))).result()).value());
    }

    private long transferFiles(int id) {
        try (var files = java.nio.file.Files.list(storages[id].sstFiles(ColumnFamily.RANGES).directory())) {
            return files.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLearnerThatCrashedWhileInstallingASnapshotIsHostedUninitialisedAndSnapshottedAgain() throws Exception {
        for (int i = 1; i <= 4; i++) {
            startNode(i);
        }
        for (int k = 0; k < 20; k++) {
            put("key" + k, "v" + k);
        }
        stores[4].hostEmptyReplica(range).get(5, TimeUnit.SECONDS);
        changeUntilApplied(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        await("the learner initialised by a snapshot", () -> stores[4].replica(range) != null);
        RangeDescriptor d = stores[4].descriptors().stream().filter(x -> x.rangeId() == range).findFirst().orElseThrow();
        stopNode(4);
        clearAsTheFirstInstallWriteDoes(4, d);
        startNode(4);
        // Never part of a range reported as applied: the replica is hosted again uninitialised.
        assertTrue(stores[4].descriptors().isEmpty());
        assertEquals(RangeRpc.Status.RANGE_NOT_FOUND,
                stores[4].handle(RangeRpc.Request.get(range, b("key1"))).get(5, TimeUnit.SECONDS).status());
        GroupStatus reset = rafts[4].status(range).get(5, TimeUnit.SECONDS);
        assertEquals(0, reset.lastIndex());
        assertEquals(Role.FOLLOWER, reset.role());

        // The leader acknowledged the replica at the snapshot's index, which it no longer holds:
        // it must find that out from the replica's rejections and send it a snapshot again.
        put("after", "the crash");
        await("the crashed learner initialised by a second snapshot", () -> stores[4].replica(range) != null);
        await("the learner caught up", () -> localValueOrNull(4, "after") != null);
        for (int k = 0; k < 20; k++) {
            assertArrayEquals(b("v" + k), localValue(4, "key" + k));
        }
    }

    /** A voter that crashed between the two writes of an install is snapshotted again and counts for quorum. */
    @Test
    void aVoterThatCrashedWhileInstallingASnapshotIsSnapshottedAgainAndCatchesUp() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        for (int k = 0; k < 20; k++) {
            put("key" + k, "v" + k);
        }
        int crashed = leader() == 3 ? 2 : 3;
        await("the voter applied every write", () -> localValueOrNull(crashed, "key19") != null);
        RangeDescriptor d = stores[crashed].descriptors().stream().filter(x -> x.rangeId() == range).findFirst().orElseThrow();
        stopNode(crashed);
        clearAsTheFirstInstallWriteDoes(crashed, d);
        startNode(crashed);
        assertEquals(RangeRpc.Status.RANGE_NOT_FOUND,
                stores[crashed].handle(RangeRpc.Request.get(range, b("key1"))).get(5, TimeUnit.SECONDS).status());

        put("after", "the crash");
        await("the crashed voter initialised by a snapshot again", () -> stores[crashed].replica(range) != null);
        await("the voter caught up", () -> localValueOrNull(crashed, "after") != null);
        for (int k = 0; k < 20; k++) {
            assertArrayEquals(b("v" + k), localValue(crashed, "key" + k));
        }
        // It counts for quorum again: with the third voter down, writes still commit.
        int other = 6 - crashed - leader();
        stopNode(other);
        put("with", "two voters");
        await("the write reached the recovered voter", () -> localValueOrNull(crashed, "with") != null);
    }

    /** Writes what the first write of installing a snapshot leaves, as if the node died before the ingestion. */
    private void clearAsTheFirstInstallWriteDoes(int id, RangeDescriptor d) {
        try (RocksStorage s = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small())) {
            s.sstFiles(ColumnFamily.RANGES).clearSpan(RangeKeys.dataKey(d.start()), RangeKeys.dataBound(d.end()),
                    new io.starlingdb.engine.storage.KvBatch().delete(RangeKeys.appliedIndexKey(range))
                            .delete(RangeKeys.descriptorKey(range)).put(RangeKeys.uninitialisedKey(range), new byte[0]));
        }
    }

    private byte[] localValueOrNull(int id, String key) {
        try {
            return stores[id] == null ? null : localValue(id, key);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void uninitialisedReplicaSurvivesARestartAndIsInitialisedAfterIt() throws Exception {
        for (int i = 1; i <= 4; i++) {
            startNode(i);
        }
        put("x", "1");
        stores[4].hostEmptyReplica(range).get(5, TimeUnit.SECONDS);
        stopNode(4);
        startNode(4);
        GroupStatus waiting = rafts[4].status(range).get(5, TimeUnit.SECONDS);
        assertEquals(0, waiting.lastIndex());
        assertEquals(RangeRpc.Status.RANGE_NOT_FOUND,
                stores[4].handle(RangeRpc.Request.get(range, b("x"))).get(5, TimeUnit.SECONDS).status());

        changeUntilApplied(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        await("the learner initialised by a snapshot", () -> stores[4].replica(range) != null);
        assertArrayEquals(b("1"), localValue(4, "x"));
        // Initialised replicas reopen as such: the data and descriptor are in its store.
        stopNode(4);
        startNode(4);
        assertArrayEquals(b("1"), localValue(4, "x"));
        assertEquals(1, stores[4].descriptors().size());
    }

    @Test
    void compactionKeepsOnlyTheSnapshotPointAndALaggingReplicaCatchesUpFromTheRangeItself() throws Exception {
        config = config.withSnapshots(20, 1024);
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        put("first", "1");
        int lagging = leader() == 3 ? 2 : 3;
        stopNode(lagging);
        for (int k = 0; k < 100; k++) {
            put("key" + k, "v" + k);
        }
        int lead = leader();
        await("the leader compacted its log", () -> {
            try {
                return rafts[lead].status(range).get(5, TimeUnit.SECONDS).snapshotIndex() > RangeStateMachine.initialIndex + 50;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        long chunksBefore = hub.snapshotChunks();
        startNode(lagging);
        await("the lagging replica caught up", () -> {
            try {
                return localValue(lagging, "key99") != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(hub.snapshotChunks() > chunksBefore, "it caught up from a snapshot");
        for (int k = 0; k < 100; k++) {
            assertArrayEquals(b("v" + k), localValue(lagging, "key" + k));
        }
        // The Raft state holds the snapshot point only, on the leader (compaction) and on the
        // replica that installed a snapshot: the range's data lives in the range's keys alone.
        for (int id : new int[] {lead, lagging}) {
            stopNode(id);
            try (RocksStorage s = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small())) {
                io.starlingdb.engine.raft.Snapshot point = new RaftLogStore(s).load(range, ConfState.NONE).snapshot();
                assertTrue(point.index() > RangeStateMachine.initialIndex, "snapshot point " + point);
                assertEquals(0, point.data().length, "snapshot point " + point);
            }
            startNode(id);
        }
        assertArrayEquals(b("v7"), localValue(lagging, "key7"));
        put("after", "restart");
        assertArrayEquals(b("restart"),
                ((RangeResult.Value) untilOk(RangeRpc.Request.get(range, b("after"))).result()).value());
    }
}
