package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Background commits held by the leaseholder for the range's next proposal
 * (docs/transactions.md, "Background commits ride on the next proposal"), on a range store with
 * one replica: a held commit enters the log with the next proposal, in its driver turn and fsync;
 * a read or a status that needs it has it proposed at once and sees the commit, never its locks;
 * a write that latches its keys comes after it in the log; with nothing to carry it, it is
 * proposed alone once its time is up.
 */
class BackgroundCommitTest {

    private static final long range = MetaKeys.firstUserRangeId;
    /** Held this long, a commit is proposed only by another proposal or a request that needs it: never by its timer within a test. */
    private static final long holdForever = 600_000;

    @TempDir
    Path dir;
    private RocksStorage storage;
    private MultiRaft raft;
    private RangeStore store;
    private final InMemoryTransport hub = new InMemoryTransport();
    /** One counter stands in for the timestamp oracle. */
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis() << 16);

    @BeforeEach
    void start() throws Exception {
        storage = RocksStorage.open(dir.resolve("n1"), StorageOptions.small());
        ConfState one = ConfState.ofVoters(1L);
        RangeStore.bootstrapIfEmpty(storage.store(ColumnFamily.RANGES), MetaKeys.initialMeta(one),
                MetaKeys.initialUserRange(one));
        raft = new MultiRaft(1, RaftConfig.defaults().withTickMillis(25), new RaftLogStore(storage), 1);
        store = new RangeStore(1, storage.store(ColumnFamily.RANGES), raft);
        store.useTimestamps(() -> CompletableFuture.completedFuture(clock.incrementAndGet()));
        store.open();
        raft.start(hub.connect(1, raft));
        // Both ranges led (their elections done), so that no other work of the driver syncs during a test.
        Await.until("store 1 leads both ranges", Duration.ofSeconds(20),
                () -> raft.leaseTermNow(range) > 0 && raft.leaseTermNow(MetaKeys.metaRangeId) > 0);
    }

    @AfterEach
    void stop() {
        hub.disconnect(1);
        raft.close();
        storage.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RangeResult answer(RangeRpc.Request r) throws Exception {
        RangeRpc.Response resp = store.handle(r).get(20, TimeUnit.SECONDS);
        assertEquals(RangeRpc.Status.OK, resp.status(), "answer to " + r.kind() + ": " + resp);
        return resp.result();
    }

    /** A transaction's prewrite of keys (primary first) through the store; answers its start timestamp. */
    private long prewrite(String... keys) throws Exception {
        long startTs = clock.incrementAndGet();
        assertInstanceOf(RangeResult.Prewritten.class, answer(RangeRpc.Request.write(range, new RangeCommand.Prewrite(
                startTs, b(keys[0]), 60_000, "test", java.util.Arrays.stream(keys)
                .map(k -> (WriteOp) new WriteOp.Put(b(k), b(k + "@" + startTs))).toList()))));
        return startTs;
    }

    private CompletableFuture<RangeRpc.Response> backgroundCommit(long startTs, long commitTs, String... keys) {
        return store.handle(RangeRpc.Request.backgroundCommit(range, new RangeCommand.Commit(startTs, commitTs,
                java.util.Arrays.stream(keys).map(BackgroundCommitTest::b).toList())));
    }

    /** Completes once the store holds a background commit (it latched its keys first). */
    private void awaitHeld() throws InterruptedException {
        Await.until("the background commit is held", Duration.ofSeconds(20), () -> store.heldCommits(range) > 0);
    }

    @Test
    void aHeldCommitRidesOnTheRangesNextProposalInItsFsync() throws Exception {
        store.commitDeferralMillis(holdForever);
        long t1 = prewrite("a1", "a2");
        long commitTs = clock.incrementAndGet();
        CompletableFuture<RangeRpc.Response> committed = backgroundCommit(t1, commitTs, "a1", "a2");
        awaitHeld();
        assertFalse(committed.isDone(), "a background commit is held for the next proposal");

        long syncsBefore = raft.syncCount();
        // The next proposal of the range: another transaction's prewrite of other keys.
        long t2 = prewrite("b1");
        assertInstanceOf(RangeResult.Written.class, committed.get(20, TimeUnit.SECONDS).result());
        assertEquals(1, raft.syncCount() - syncsBefore, "the commit and the prewrite share one append and fsync");
        assertEquals(1, store.commitsCarried());
        assertEquals(0, store.commitsProposedAlone());
        RangeResult.Value v = (RangeResult.Value) answer(RangeRpc.Request.get(range, b("a2"), commitTs));
        assertArrayEquals(b("a2@" + t1), v.value());
        assertInstanceOf(RangeResult.Locked.class, answer(RangeRpc.Request.get(range, b("b1"), clock.incrementAndGet())),
                "transaction " + t2 + " holds its lock");
    }

    @Test
    void aReadOfAHeldCommitsKeyHasItProposedAtOnceAndSeesTheCommitNotTheLock() throws Exception {
        store.commitDeferralMillis(holdForever);
        long t1 = prewrite("k");
        long commitTs = clock.incrementAndGet();
        CompletableFuture<RangeRpc.Response> committed = backgroundCommit(t1, commitTs, "k");
        awaitHeld();
        RangeResult read = answer(RangeRpc.Request.get(range, b("k"), clock.incrementAndGet()));
        assertArrayEquals(b("k@" + t1), assertInstanceOf(RangeResult.Value.class, read).value());
        assertInstanceOf(RangeResult.Written.class, committed.get(20, TimeUnit.SECONDS).result());
        assertEquals(1, store.commitsProposedAlone());

        long t2 = prewrite("s1", "s2");
        backgroundCommit(t2, clock.incrementAndGet(), "s1", "s2");
        awaitHeld();
        RangeResult.Rows rows = (RangeResult.Rows) answer(RangeRpc.Request.scan(range, b("s"), b("t"), 10, 1 << 20,
                clock.incrementAndGet()));
        assertEquals(2, rows.rows().size(), "a scan over the held commit's keys reads its versions");
    }

    @Test
    void aStatusAskedAtAPrimaryWhoseCommitIsHeldAnswersCommitted() throws Exception {
        store.commitDeferralMillis(holdForever);
        long t1 = prewrite("p", "q");
        long commitTs = clock.incrementAndGet();
        CompletableFuture<RangeRpc.Response> committed = backgroundCommit(t1, commitTs, "p", "q");
        awaitHeld();
        RangeResult.TxnStatus st = (RangeResult.TxnStatus) answer(RangeRpc.Request.write(range,
                new RangeCommand.CheckStatus(b("p"), t1, System.currentTimeMillis(), 0, false)));
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, st.state(), "not pending: the asker would wait and ask again");
        assertEquals(commitTs, st.commitTs());
        assertInstanceOf(RangeResult.Written.class, committed.get(20, TimeUnit.SECONDS).result());
    }

    @Test
    void aWriteOfAHeldCommitsKeyComesAfterItInTheLog() throws Exception {
        store.commitDeferralMillis(holdForever);
        long t1 = prewrite("w");
        long commitTs = clock.incrementAndGet();
        CompletableFuture<RangeRpc.Response> committed = backgroundCommit(t1, commitTs, "w");
        awaitHeld();
        // A later transaction's prewrite of the key finds the commit, not the lock (which would answer Locked).
        long t2 = prewrite("w");
        assertInstanceOf(RangeResult.Written.class, committed.get(20, TimeUnit.SECONDS).result());
        assertEquals(RangeResult.TxnStatus.State.PENDING, ((RangeResult.TxnStatus) answer(RangeRpc.Request.write(range,
                new RangeCommand.CheckStatus(b("w"), t2, System.currentTimeMillis(), 0, false)))).state());
    }

    @Test
    void aHeldCommitWithNothingToCarryItIsProposedAloneWhenItsTimeIsUp() throws Exception {
        long t1 = prewrite("alone");
        CompletableFuture<RangeRpc.Response> committed = backgroundCommit(t1, clock.incrementAndGet(), "alone");
        assertInstanceOf(RangeResult.Written.class, committed.get(20, TimeUnit.SECONDS).result());
        assertEquals(1, store.commitsProposedAlone());
        assertEquals(0, store.commitsCarried());
    }
}
