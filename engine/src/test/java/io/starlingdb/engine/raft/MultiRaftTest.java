package io.starlingdb.engine.raft;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.TickerType;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiRaftTest {

    /** Fast ticks so that elections take 250-500 ms, yet a loaded machine does not lose leaders all the time. */
    static final RaftConfig fast = RaftConfig.defaults().withTickMillis(25);
    private RaftConfig config = fast;
    static final ConfState three = ConfState.ofVoters(1L, 2L, 3L);

    @TempDir
    Path dir;

    private final InMemoryTransport hub = new InMemoryTransport();
    private final RocksStorage[] storages = new RocksStorage[5];
    private final MultiRaft[] nodes = new MultiRaft[5];
    private final List<List<CounterMachine>> machines = new ArrayList<>();

    /** Sums the longs proposed to it; remembers every command applied. */
    static final class CounterMachine implements StateMachine {
        volatile long sum;
        volatile long applied;

        @Override
        public Object apply(long index, byte[] command) {
            sum += ByteBuffer.wrap(command).getLong();
            applied++;
            return sum;
        }

        /** Padded so that a snapshot spans many chunks in the streaming test. */
        static final int snapshotBytes = 4096;

        @Override
        public byte[] snapshot() {
            return ByteBuffer.allocate(snapshotBytes).putLong(sum).putLong(applied).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            if (snapshot == null) {
                sum = 0;
                applied = 0;
            } else {
                ByteBuffer b = ByteBuffer.wrap(snapshot);
                sum = b.getLong();
                applied = b.getLong();
            }
        }
    }

    private void startNode(int id, int groups) {
        storages[id] = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small());
        nodes[id] = new MultiRaft(id, config, new RaftLogStore(storages[id]), id);
        while (machines.size() <= id) {
            machines.add(new ArrayList<>());
        }
        machines.get(id).clear();
        for (int g = 1; g <= groups; g++) {
            CounterMachine m = new CounterMachine();
            machines.get(id).add(m);
            nodes[id].createGroup(g, three, m);
        }
        nodes[id].start(hub.connect(id, nodes[id]));
    }

    private void stopNode(int id) {
        hub.disconnect(id);
        nodes[id].close();
        storages[id].close();
        nodes[id] = null;
    }

    @AfterEach
    void stopAll() {
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i] != null) {
                stopNode(i);
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(20), condition);
    }

    /**
     * A read barrier asked as a client asks it: a replica that knows no leader at that moment (an
     * election, on a loaded machine) answers NotLeaderException at once, by design (docs/raft.md,
     * "Linearizable reads"), and the client asks again until a leader is known and confirms the
     * read, within readRetryDeadline.
     */
    static void readBarrierAsAClient(MultiRaft node, int id) throws Exception {
        long end = System.nanoTime() + readRetryDeadline.toNanos();
        while (true) {
            Await.until("a leader known to node " + id, Duration.ofNanos(Math.max(0, end - System.nanoTime())),
                    () -> node.leader(1) != RaftCore.NONE);
            try {
                node.readBarrier(1).get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > end) {
                    throw e;
                }
            }
        }
    }

    /** How long a read barrier is retried while leadership moves: the tests' usual 20 s. */
    private static final Duration readRetryDeadline = Duration.ofSeconds(20);

    private int leaderOf(long group) throws InterruptedException {
        int[] found = new int[1];
        await("a leader of group " + group, () -> {
            for (int i = 1; i < nodes.length; i++) {
                if (nodes[i] != null && nodes[i].leader(group) == i) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private Object proposeUntilAccepted(long group, long value) throws InterruptedException {
        while (true) {
            int leader = leaderOf(group);
            try {
                // Waits for the answer: a proposal given up on after a timeout could still commit, and
                // proposing again would apply the value twice.
                return nodes[leader].propose(group, ByteBuffer.allocate(8).putLong(value).array()).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // Leadership moved, the proposal not applied: ask again (a dropped proposal was replaced
                // by a later leader's entry; a node that refused must first stop taking itself for the
                // leader). Any other answer is a failure.
                if (e.getCause() instanceof NotLeaderException) {
                    await("node " + leader + " to give up leading group " + group,
                            () -> nodes[leader] == null || nodes[leader].leader(group) != leader);
                } else if (!(e.getCause() instanceof ProposalDroppedException)) {
                    throw new AssertionError("proposal failed with " + e.getCause(), e);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("proposal of " + value + " to group " + group + " unanswered after 20 s", e);
            }
        }
    }

    private void changeUntilApplied(ConfChange cc) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("membership change " + cc + " not applied within 20 s");
            }
            try {
                nodes[leaderOf(1)].proposeConfChange(1, cc).get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                Thread.sleep(10); // leadership moved, or the new leader has not applied its first entry yet
            }
        }
    }

    @Test
    void hundredsOfGroupsShareOneThreadPerNodeAndReplicate() throws Exception {
        // 50 ms ticks: 200 groups heartbeating every 10 ms would be a load test, not this test.
        config = fast.withTickMillis(50);
        int groups = 200;
        for (int i = 1; i <= 3; i++) {
            startNode(i, groups);
        }
        for (int g = 1; g <= groups; g++) {
            assertEquals(5L, proposeUntilAccepted(g, 5));
        }
        for (int g = 1; g <= groups; g++) {
            int gi = g - 1;
            await("group applied everywhere", () -> machines.get(1).get(gi).sum == 5 && machines.get(2).get(gi).sum == 5
                    && machines.get(3).get(gi).sum == 5);
        }
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("raft-node-")).count();
        assertEquals(3, threads, "one driver thread per node, whatever the number of groups");
    }

    @Test
    void followerAnswersWithTheLeaderAndReadsAreLinearizable() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 7);
        int follower = leader % 3 + 1;
        await("follower knows the leader", () -> nodes[follower].leader(1) == leader);
        CompletionException e = assertThrows(CompletionException.class,
                () -> nodes[follower].propose(1, ByteBuffer.allocate(8).putLong(1).array()).join());
        NotLeaderException nle = assertInstanceOf(NotLeaderException.class, e.getCause());
        // The leader it names (the same one unless an election happened in between, on a loaded machine).
        assertTrue(nle.leaderId() != 0 && nle.leaderId() != follower, "named leader " + nle.leaderId());
        // A read barrier on the follower waits until the follower has applied the leader's commit.
        readBarrierAsAClient(nodes[follower], follower);
        assertEquals(7, machines.get(follower).get(0).sum);
    }

    @Test
    void linearizableReadsSeeEveryAcknowledgedWriteOnLeaderAndFollowers() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        long expected = 0;
        for (int k = 1; k <= 20; k++) {
            proposeUntilAccepted(1, k);
            expected += k;
            for (int i = 1; i <= 3; i++) {
                long seen;
                try {
                    seen = nodes[i].linearizableRead(1, sm -> ((CounterMachine) sm).sum).get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // No leader known at that instant (an election on a loaded machine): not a stale answer.
                    assertInstanceOf(NotLeaderException.class, e.getCause());
                    continue;
                }
                assertEquals(expected, seen, "read on node " + i + " after write " + k);
            }
        }
    }

    @Test
    void proposalsInFlightWhenTheNodeStopsHaveAnUnknownOutcome() throws Exception {
        // Slow ticks: the leader cut off from its followers keeps leading (check-quorum) for seconds.
        config = RaftConfig.defaults().withTickMillis(200);
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        for (int i = 1; i <= 3; i++) {
            if (i != leader) {
                hub.disconnect(i);
            }
        }
        CompletableFuture<Object> inFlight = nodes[leader].propose(1, ByteBuffer.allocate(8).putLong(5).array());
        await("the proposal is in the leader's log", () -> {
            try {
                return nodes[leader].status(1).get().lastIndex() >= 2;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        stopNode(leader);
        CompletionException e = assertThrows(CompletionException.class, inFlight::join);
        assertInstanceOf(OutcomeUnknownException.class, e.getCause());
    }

    /**
     * A driver turn that fails after its applies (the turn's write throws, as TurnBatchedStore's
     * would on a disk error) stops the node. The proposal whose entry that turn applied answers
     * "outcome unknown" (the write may or may not have happened) instead of leaving its caller
     * waiting for ever: the turn had already taken it off the pending proposals.
     */
    @Test
    void aProposalWhoseDriverTurnFailsAfterItsApplyHasAnUnknownOutcomeInsteadOfHanging() throws Exception {
        storages[1] = RocksStorage.open(dir.resolve("n1"), StorageOptions.small());
        nodes[1] = new MultiRaft(1, config, new RaftLogStore(storages[1]), 1);
        CounterMachine machine = new CounterMachine();
        nodes[1].createGroup(1, ConfState.ofVoters(1L), machine);
        java.util.concurrent.atomic.AtomicBoolean failTurns = new java.util.concurrent.atomic.AtomicBoolean();
        nodes[1].applyTurn(new MultiRaft.ApplyTurn() {
            long appliedAtBegin;

            @Override
            public void begin() {
                appliedAtBegin = machine.applied;
            }

            @Override
            public void end() {
                if (failTurns.get() && machine.applied > appliedAtBegin) {
                    throw new IllegalStateException("the turn's write failed (test)");
                }
            }
        });
        nodes[1].start(hub.connect(1, nodes[1]));
        proposeUntilAccepted(1, 1);
        failTurns.set(true);
        CompletableFuture<Object> inTheFailingTurn = nodes[1].propose(1, ByteBuffer.allocate(8).putLong(5).array());
        ExecutionException e = assertThrows(ExecutionException.class, () -> inTheFailingTurn.get(20, TimeUnit.SECONDS));
        assertInstanceOf(OutcomeUnknownException.class, e.getCause());
        assertEquals(6, machine.sum, "its entry was applied: reporting it failed would invite a second apply");
    }

    @Test
    void oversizedCommandIsRefusedBeforeItReachesTheLog() throws Exception {
        startNode(1, 1);
        CompletionException e = assertThrows(CompletionException.class,
                () -> nodes[1].propose(1, new byte[MultiRaft.maxCommandBytes + 1]).join());
        io.starlingdb.engine.LimitExceededException limit = assertInstanceOf(io.starlingdb.engine.LimitExceededException.class,
                e.getCause());
        assertEquals("maxCommandBytes", limit.limitName());
    }

    @Test
    void concurrentProposalsShareFsyncs() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 1);
        long walSyncsBefore = storages[leader].tickerCount(TickerType.WAL_FILE_SYNCED);
        long loopSyncsBefore = nodes[leader].syncCount();
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        int proposals = 500;
        for (int i = 0; i < proposals; i++) {
            futures.add(nodes[leader].propose(1, ByteBuffer.allocate(8).putLong(1).array()));
        }
        for (CompletableFuture<Object> f : futures) {
            f.get(20, TimeUnit.SECONDS);
        }
        long walSyncs = storages[leader].tickerCount(TickerType.WAL_FILE_SYNCED) - walSyncsBefore;
        long loopSyncs = nodes[leader].syncCount() - loopSyncsBefore;
        assertTrue(loopSyncs < proposals / 5, loopSyncs + " driver fsyncs for " + proposals + " proposals");
        assertTrue(walSyncs < proposals / 5, walSyncs + " WAL fsyncs for " + proposals + " proposals");
        assertEquals(proposals + 1, machines.get(leader).get(0).sum);
    }

    @Test
    void commandsProposedTogetherTakeConsecutiveEntriesAndOneFsyncAndAWithdrawnOneIsDroppedAlone() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 1);
        for (int round = 0; round < 20; round++) {
            long syncsBefore = nodes[leader].syncCount();
            List<CompletableFuture<Object>> answers = nodes[leader].proposeAll(1,
                    List.of(ByteBuffer.allocate(8).putLong(10).array(), ByteBuffer.allocate(8).putLong(100).array(),
                            ByteBuffer.allocate(8).putLong(1000).array()),
                    List.<BooleanSupplier>of(() -> true, () -> false, () -> true));
            long first = (Long) answers.get(0).get(20, TimeUnit.SECONDS);
            ExecutionException dropped = assertThrows(ExecutionException.class, () -> answers.get(1).get(20, TimeUnit.SECONDS));
            assertInstanceOf(ProposalDroppedException.class, dropped.getCause());
            // The sums each entry applied: the third right after the first, the dropped one not in between.
            assertEquals(first + 1000, (Long) answers.get(2).get(20, TimeUnit.SECONDS));
            // Appended in one driver turn: one fsync for both (a heartbeat's or an answer's turn may add one).
            long syncs = nodes[leader].syncCount() - syncsBefore;
            assertTrue(syncs >= 1 && syncs <= 3, syncs + " fsyncs on the leader for two entries proposed together");
        }
        assertEquals(1 + 20 * 1010, machines.get(leader).get(0).sum);
    }

    @Test
    void aCommitIndexGoesToDiskWithTheApplyOfTheEntriesItCommits() throws Exception {
        // One voter: an entry is appended (synced) in one loop iteration and committed in the
        // next, which has only the commit index to persist: that rides on the entry's apply, so a
        // proposal costs two RocksDB writes, not three.
        storages[1] = RocksStorage.open(dir.resolve("n1"), StorageOptions.small());
        nodes[1] = new MultiRaft(1, config, new RaftLogStore(storages[1]), 1);
        KvStore data = storages[1].store(ColumnFamily.DATA);
        byte[] appliedKey = "applied".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        nodes[1].createGroup(1, ConfState.ofVoters(1L), new StateMachine() {
            @Override
            public Object apply(long index, byte[] command) {
                data.apply(new KvBatch().put(appliedKey, ByteBuffer.allocate(8).putLong(index).array()), false);
                return index;
            }

            @Override
            public byte[] snapshot() {
                return new byte[0];
            }

            @Override
            public void restore(byte[] snapshot) {
            }
        });
        nodes[1].start(hub.connect(1, nodes[1]));
        proposeUntilAccepted(1, 1);
        long writesBefore = rocksWrites(storages[1]);
        long ridesBefore = nodes[1].commitOnlyWrites();
        int proposals = 20;
        for (int i = 0; i < proposals; i++) {
            nodes[1].propose(1, ByteBuffer.allocate(8).putLong(1).array()).get(10, TimeUnit.SECONDS);
        }
        long writes = rocksWrites(storages[1]) - writesBefore;
        assertTrue(writes <= 2L * proposals, writes + " RocksDB writes for " + proposals + " proposals");
        assertTrue(nodes[1].commitOnlyWrites() - ridesBefore >= proposals,
                (nodes[1].commitOnlyWrites() - ridesBefore) + " commit-only iterations for " + proposals + " proposals");
        long applied;
        try (KvSnapshot s = data.snapshot()) {
            applied = ByteBuffer.wrap(s.get(appliedKey)).getLong();
        }
        long leaderTerm = nodes[1].status(1).get(5, TimeUnit.SECONDS).hardState().term();
        stopNode(1);
        // Reopened, the durable commit index covers every entry the state machine applied.
        storages[1] = RocksStorage.open(dir.resolve("n1"), StorageOptions.small());
        RaftState recovered = new RaftLogStore(storages[1]).load(1, ConfState.ofVoters(1L));
        assertEquals(leaderTerm, recovered.hardState().term());
        assertTrue(recovered.hardState().commit() >= applied, "commit " + recovered.hardState().commit()
                + " recovered below the applied index " + applied);
        storages[1].close();
    }

    private static long rocksWrites(RocksStorage storage) {
        return storage.tickerCount(TickerType.WRITE_DONE_BY_SELF) + storage.tickerCount(TickerType.WRITE_DONE_BY_OTHER);
    }

    @Test
    void whileLeadingRunsOnTheLeaderWithItsTermAndFailsElsewhere() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        proposeUntilAccepted(1, 1);
        int leader = leaderOf(1);
        long term = nodes[leader].status(1).get(5, TimeUnit.SECONDS).hardState().term();
        // The leader may lose its lead meanwhile on a loaded machine: then it fails as a follower does.
        try {
            assertEquals("term " + term, nodes[leader].whileLeading(1, t -> "term " + t).get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
            assertInstanceOf(NotLeaderException.class, e.getCause());
        }
        int follower = leader % 3 + 1;
        try {
            long ranIn = nodes[follower].whileLeading(1, t -> t).get(10, TimeUnit.SECONDS);
            assertTrue(ranIn > term, "node " + follower + " ran the action in term " + ranIn + ", which node " + leader
                    + " led"); // it may only have run it after winning a later term
        } catch (java.util.concurrent.ExecutionException e) {
            assertInstanceOf(NotLeaderException.class, e.getCause());
        }
        int now = leaderOf(1);
        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> nodes[now].whileLeading(1, t -> {
                    throw new IllegalStateException("the action failed");
                }).get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof IllegalStateException || failed.getCause() instanceof NotLeaderException,
                String.valueOf(failed.getCause()));
    }

    @Test
    void proposalsToManyGroupsShareEachNodesFsync() throws Exception {
        // Each group has one proposal in flight at a time (its proposer waits for it), so a driver
        // that synced each group's appends on their own would pay one fsync per proposal on the
        // leader and on each follower: 3 per proposal over the three nodes. One batch per loop
        // iteration for all groups (and one message batch per follower) shares them.
        int groups = 8;
        int perGroup = 30;
        for (int i = 1; i <= 3; i++) {
            startNode(i, groups);
        }
        for (int g = 1; g <= groups; g++) {
            proposeUntilAccepted(g, 1);
        }
        long syncsBefore = 0;
        long walSyncsBefore = 0;
        for (int i = 1; i <= 3; i++) {
            syncsBefore += nodes[i].syncCount();
            walSyncsBefore += storages[i].tickerCount(TickerType.WAL_FILE_SYNCED);
        }
        List<CompletableFuture<Void>> proposers = new ArrayList<>();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(groups);
        for (int g = 1; g <= groups; g++) {
            long group = g;
            proposers.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int k = 0; k < perGroup; k++) {
                        proposeUntilAccepted(group, 1);
                    }
                } catch (InterruptedException e) {
                    throw new CompletionException(e);
                }
            }, threads));
        }
        try {
            for (CompletableFuture<Void> p : proposers) {
                p.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        long syncs = -syncsBefore;
        long walSyncs = -walSyncsBefore;
        for (int i = 1; i <= 3; i++) {
            syncs += nodes[i].syncCount();
            walSyncs += storages[i].tickerCount(TickerType.WAL_FILE_SYNCED);
        }
        int proposals = groups * perGroup;
        // Unshared: at least 3 per proposal. Measured about 1 per proposal at load 20 on 2 cores.
        assertTrue(syncs < 2L * proposals, syncs + " driver fsyncs on the three nodes for " + proposals
                + " proposals, one at a time per group over " + groups + " groups (unshared: " + 3 * proposals + ")");
        assertTrue(walSyncs < 2L * proposals, walSyncs + " WAL fsyncs on the three nodes for " + proposals + " proposals");
        for (int g = 1; g <= groups; g++) {
            int leader = leaderOf(g);
            assertTrue(machines.get(leader).get(g - 1).sum >= perGroup + 1, "group " + g + " applied every proposal");
        }
    }

    @Test
    void restartedNodeRecoversItsDurableStateAndCatchesUp() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 2);
        }
        for (int k = 0; k < 20; k++) {
            proposeUntilAccepted(1, 1);
            proposeUntilAccepted(2, 10);
        }
        int victim = leaderOf(1) % 3 + 1;
        await("victim applied", () -> machines.get(victim).get(0).sum == 20 && machines.get(victim).get(1).sum == 200);
        GroupStatus before = nodes[victim].status(1).get(5, TimeUnit.SECONDS);
        stopNode(victim);

        // Exactly the durable state comes back: same term, vote, commit and log.
        try (RocksStorage s = RocksStorage.open(dir.resolve("n" + victim), StorageOptions.small())) {
            RaftState state = new RaftLogStore(s).load(1, three);
            assertEquals(before.hardState().term(), state.hardState().term());
            assertEquals(before.hardState().vote(), state.hardState().vote());
            assertTrue(state.hardState().commit() >= before.applied());
            long last = state.entries().isEmpty() ? state.snapshot().index()
                    : state.entries().get(state.entries().size() - 1).index();
            assertEquals(before.lastIndex(), last);
        }
        for (int k = 0; k < 10; k++) {
            proposeUntilAccepted(1, 1);
        }
        startNode(victim, 2);
        await("restarted node replays its log and catches up", () -> machines.get(victim).get(0).sum == 30
                && machines.get(victim).get(1).sum == 200);
    }

    @Test
    void followerTooFarBehindCatchesUpFromASnapshotStreamedInChunks() throws Exception {
        config = fast.withSnapshots(20, 100);
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        int victim = leader % 3 + 1;
        stopNode(victim);
        for (int k = 0; k < 100; k++) {
            proposeUntilAccepted(1, 1);
        }
        GroupStatus ls = nodes[leaderOf(1)].status(1).get(5, TimeUnit.SECONDS);
        assertTrue(ls.snapshotIndex() > 50, "the leader compacted its log: " + ls);
        startNode(victim, 1);
        await("the follower caught up", () -> machines.get(victim).get(0).sum == 100);
        long chunks = hub.snapshotChunks();
        assertTrue(chunks >= CounterMachine.snapshotBytes / 100, chunks + " chunks for a " + CounterMachine.snapshotBytes
                + "-byte snapshot in 100-byte chunks");
        GroupStatus vs = nodes[victim].status(1).get(5, TimeUnit.SECONDS);
        assertTrue(vs.snapshotIndex() > 0, "the follower installed a snapshot: " + vs);
    }

    @Test
    void replicaMovesToANewNodeThroughLearnerPromoteRemove() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        for (int k = 0; k < 10; k++) {
            proposeUntilAccepted(1, 1);
        }
        startNode(4, 1); // started with the group's bootstrap configuration; it learns the rest from the log
        changeUntilApplied(new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        await("the learner catches up", () -> machines.get(4).get(0).sum == 10);
        changeUntilApplied(new ConfChange(ConfChange.Type.PROMOTE, 4));
        int removed;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            assertTrue(System.nanoTime() < deadline, "removal not applied within 20 s");
            int leader = leaderOf(1);
            removed = leader == 1 ? 2 : 1;
            try {
                nodes[leader].proposeConfChange(1, new ConfChange(ConfChange.Type.REMOVE, removed)).get(5, TimeUnit.SECONDS);
                break;
            } catch (Exception e) {
                Thread.sleep(10); // leadership moved: ask the new leader
            }
        }
        stopNode(removed);
        GroupStatus s = nodes[leaderOf(1)].status(1).get(5, TimeUnit.SECONDS);
        assertEquals(Role.LEADER, s.role());
        // With the removed node gone for good, {leader, the other, 4} still commits.
        assertEquals(11L, proposeUntilAccepted(1, 1));
        await("node 4 applies as a voter", () -> machines.get(4).get(0).sum == 11);
    }

    /**
     * The lease other threads see ({@link MultiRaft#leaseTermNow}) is the leader's alone, and it
     * has ended by the time another replica can be elected: after the leader is cut off from both
     * followers, once a new leader is seen, the old one reports no lease.
     */
    @Test
    void leaseSeenByOtherThreadsIsTheLeadersAloneAndEndsBeforeANewLeaderIsElected() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        proposeUntilAccepted(1, 1);
        int[] holder = new int[1];
        long[] term = new long[1];
        await("a replica holds the lease", () -> {
            for (int i = 1; i <= 3; i++) {
                long t = nodes[i].leaseTermNow(1);
                if (t > 0) {
                    holder[0] = i;
                    term[0] = t;
                    return true;
                }
            }
            return false;
        });
        int old = holder[0];
        for (int i = 1; i <= 3; i++) {
            if (i != old) {
                assertEquals(-1, nodes[i].leaseTermNow(1), "follower " + i + " publishes no lease");
                hub.cut(old, i);
            }
        }
        int a = old % 3 + 1;
        int b = a % 3 + 1;
        await("the followers elect a new leader", () -> nodes[a].leader(1) == a || nodes[b].leader(1) == b);
        assertEquals(-1, nodes[old].leaseTermNow(1), "the cut-off leader's lease (term " + term[0]
                + ") ended before another replica could lead");
        hub.heal();
    }

    /** A leadership transfer withdraws the lease before the TIMEOUT_NOW that lets the target campaign leaves. */
    @Test
    void leadershipTransferWithdrawsTheLeaseOtherThreadsSee() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        proposeUntilAccepted(1, 1);
        int[] holder = new int[1];
        await("a replica holds the lease", () -> {
            for (int i = 1; i <= 3; i++) {
                if (nodes[i].leaseTermNow(1) > 0) {
                    holder[0] = i;
                    return true;
                }
            }
            return false;
        });
        int old = holder[0];
        int target = old % 3 + 1;
        nodes[old].transferLeadership(1, target);
        await("the target leads", () -> nodes[target].leader(1) == target);
        assertEquals(-1, nodes[old].leaseTermNow(1), "the lease was given up with the lead");
        await("the new leader holds the lease", () -> nodes[target].leaseTermNow(1) > 0);
    }

    @Test
    void aReadPendingWhenItsLeaderStepsDownFailsAtOnceInsteadOfHanging() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 1);
        for (int i = 1; i <= 3; i++) {
            if (i != leader) {
                hub.cut(leader, i);
            }
        }
        // A ReadIndex round the cut-off leader cannot confirm; it steps down (no quorum), which
        // drops the request in the Raft core.
        CompletableFuture<Void> read = nodes[leader].readBarrier(1);
        int old = leader;
        await("the cut-off leader steps down", () -> nodes[old].leader(1) != old);
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS),
                "the dropped read must fail, not wait for its caller's timeout");
        assertInstanceOf(NotLeaderException.class, e.getCause());
        hub.heal();
    }

    /**
     * A leader that steps down tells its step-down listener (RangeStore releases the range's
     * latches there), and a proposal whose precondition the listener withdrew is never proposed:
     * the precondition is asked on the driver thread, after the notice.
     */
    @Test
    void aLeaderThatStepsDownIsNoticedAndAProposalItWithdrewIsNeverProposed() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 1);
        java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Long> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        nodes[leader].onStepDown(group -> {
            notices.add(group);
            wanted.set(false);
        });
        for (int i = 1; i <= 3; i++) {
            if (i != leader) {
                hub.cut(leader, i);
            }
        }
        await("the cut-off leader's step-down is noticed", () -> notices.contains(1L));
        assertEquals(List.of(1L), notices);
        ExecutionException e = assertThrows(ExecutionException.class, () -> nodes[leader]
                .propose(1, ByteBuffer.allocate(8).putLong(2).array(), wanted::get).get(5, TimeUnit.SECONDS));
        assertInstanceOf(ProposalDroppedException.class, e.getCause());
        hub.heal();
    }

    @Test
    void lostQuorumStopsCommitsAndHealingResumesThem() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i, 1);
        }
        int leader = leaderOf(1);
        proposeUntilAccepted(1, 1);
        for (int i = 1; i <= 3; i++) {
            if (i != leader) {
                hub.cut(leader, i);
            }
        }
        CompletableFuture<Object> f = nodes[leader].propose(1, ByteBuffer.allocate(8).putLong(1).array());
        Thread.sleep(1_000); // two of the longest election timeouts (2 x 20 ticks x 25 ms): nothing commits without a quorum
        assertTrue(!f.isDone() || f.isCompletedExceptionally(), "no commit without a quorum");
        hub.heal();
        proposeUntilAccepted(1, 1);
        await("replicas converge", () -> machines.get(1).get(0).sum == machines.get(2).get(0).sum
                && machines.get(2).get(0).sum == machines.get(3).get(0).sum && machines.get(1).get(0).sum >= 2);
    }

    /** A state machine that keeps its state itself (as a range's does) and counts the commands it applies. */
    private static final class DurableCounter implements StateMachine {
        volatile long applied;

        @Override
        public Object apply(long index, byte[] command) {
            return ++applied;
        }

        @Override
        public byte[] snapshot() {
            return new byte[0];
        }

        @Override
        public void restore(byte[] snapshot) {
        }

        @Override
        public boolean isDurable() {
            return true;
        }
    }

    @Test
    void aGroupSplitOffOverAnEmptyReplicaStartsFromItsInitialStateAndElectsALeader() throws Exception {
        // Group 1 (voters 1-3) was split off on node 1, which led it and is gone for good. Nodes 2
        // and 3 hosted it empty for a message of that leader before the split reached them; node 3
        // also restarted in between. Once the split applies on both, their two votes must elect.
        for (int id = 2; id <= 3; id++) {
            storages[id] = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small());
            nodes[id] = new MultiRaft(id, config, new RaftLogStore(storages[id]), id);
            nodes[id].start(hub.connect(id, nodes[id]));
            nodes[id].createEmptyGroup(1, new DurableCounter()).get(10, TimeUnit.SECONDS);
        }
        stopNode(3);
        storages[3] = RocksStorage.open(dir.resolve("n3"), StorageOptions.small());
        nodes[3] = new MultiRaft(3, config, new RaftLogStore(storages[3]), 3);
        nodes[3].start(hub.connect(3, nodes[3]));
        RaftState split = RaftState.initial(three, 10, 5);
        DurableCounter[] machines = {null, null, new DurableCounter(), new DurableCounter()};
        for (int id = 2; id <= 3; id++) {
            nodes[id].createGroupAtInitialState(1, split, machines[id]).get(10, TimeUnit.SECONDS);
        }
        int leader = leaderOf(1);
        assertTrue(leader == 2 || leader == 3, "leader " + leader);
        proposeUntilAccepted(1, 1);
        await("both replicas apply the command", () -> machines[2].applied >= 1 && machines[3].applied >= 1);
    }
}
