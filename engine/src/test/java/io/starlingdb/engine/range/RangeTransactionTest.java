package io.starlingdb.engine.range;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The transaction protocol's steps on one replica of a range (RangeMvcc through the state
 * machine): versions and snapshot reads, prewrite conflicts, commit and rollback, rollback
 * markers against late prewrites, and the status of a transaction at its primary.
 */
class RangeTransactionTest {

    @TempDir
    Path dir;
    private RocksStorage storage;
    private RangeStateMachine sm;
    private long index = RangeStateMachine.initialIndex;
    /** Timestamps as the oracle gives them: wall-clock milliseconds shifted, plus a counter. */
    private long clock = System.currentTimeMillis() << 16;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir.resolve("db"), StorageOptions.small());
        KvStore store = storage.store(ColumnFamily.RANGES);
        RangeStateMachine.bootstrap(store, new RangeDescriptor(7, new byte[] {1}, null, ConfState.ofVoters(1L), 1));
        sm = RangeStateMachine.open(store, 7, (left, right) -> { });
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private long ts() {
        return ++clock;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RangeResult apply(RangeCommand c) {
        return (RangeResult) sm.apply(++index, RangeCodec.encodeCommand(c));
    }

    private RangeResult put(long startTs, long commitTs, String key, String value) {
        return apply(new RangeCommand.Write(List.of(new WriteOp.Put(b(key), b(value))), startTs, commitTs));
    }

    private RangeResult prewrite(long startTs, String primary, long ttl, String... keys) {
        return apply(new RangeCommand.Prewrite(startTs, b(primary), ttl, "test-coordinator",
                java.util.Arrays.stream(keys).map(k -> (WriteOp) new WriteOp.Put(b(k), b(k + "@" + startTs))).toList()));
    }

    /** A parallel commit's prewrite of keys, as the leaseholder proposes it: minCommitTs taken after latching. */
    private RangeResult parallelPrewrite(long startTs, String primary, long minCommitTs, List<String> staged,
                                         String... keys) {
        boolean withPrimary = java.util.Arrays.asList(keys).contains(primary);
        return apply(RangeCommand.Prewrite.parallel(startTs, b(primary), 60_000, "test-coordinator",
                java.util.Arrays.stream(keys).map(k -> (WriteOp) new WriteOp.Put(b(k), b(k + "@" + startTs))).toList(),
                withPrimary ? staged.stream().map(RangeTransactionTest::b).toList() : null).withMinCommitTs(minCommitTs));
    }

    private RangeResult.TxnStatus status(String primary, long startTs, long nowMillis) {
        return (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b(primary), startTs, nowMillis, 0, true));
    }

    private byte[] read(String key, long ts) {
        return ((RangeResult.Value) sm.get(b(key), ts, ts)).value();
    }

    @Test
    void readsSeeTheNewestVersionAtOrBelowTheirTimestamp() {
        long t1 = ts();
        put(0, t1, "k", "one");
        long t2 = ts();
        apply(new RangeCommand.Write(List.of(new WriteOp.Delete(b("k"))), 0, t2));
        long t3 = ts();
        put(0, t3, "k", "three");
        assertNull(read("k", t1 - 1));
        assertArrayEquals(b("one"), read("k", t1));
        assertNull(read("k", t2), "deleted at t2");
        assertArrayEquals(b("three"), read("k", RangeRpc.latest));
        RangeResult.Rows rows = (RangeResult.Rows) sm.scan(b("a"), null, 10, 1 << 20, t2, t2);
        assertEquals(0, rows.rows().size(), "a scan at t2 sees the deletion");
    }

    @Test
    void aWriteBelowANewerVersionIsAConflictAndWritesNothing() {
        long start = ts();
        long other = ts();
        put(0, other, "k", "theirs");
        RangeResult r = put(start, ts(), "k", "mine");
        assertEquals(other, assertInstanceOf(RangeResult.WriteConflict.class, r).commitTs());
        assertInstanceOf(RangeResult.WriteConflict.class, prewrite(start, "k", 1_000, "k"));
        assertArrayEquals(b("theirs"), read("k", RangeRpc.latest));
    }

    @Test
    void locksHideKeysFromLaterReadersUntilCommittedAndRollForward() {
        long start = ts();
        assertInstanceOf(RangeResult.Written.class, prewrite(start, "p", 10_000, "p", "s"));
        long reader = ts();
        RangeResult.Locked locked = assertInstanceOf(RangeResult.Locked.class, sm.get(b("s"), reader, reader));
        assertArrayEquals(b("p"), locked.locks().get(0).primary());
        assertNull(read("s", start - 1), "a lock above the read timestamp hides nothing");
        assertInstanceOf(RangeResult.Locked.class, prewrite(ts(), "s", 10_000, "s"), "another writer meets the lock");

        long commit = ts();
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Commit(start, commit, List.of(b("p")))));
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Commit(start, commit, List.of(b("p")))),
                "committing again is idempotent");
        RangeResult.TxnStatus st = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("p"), start,
                System.currentTimeMillis(), 0, true));
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, st.state());
        assertEquals(commit, st.commitTs());
        apply(new RangeCommand.Commit(start, commit, List.of(b("s"))));
        assertArrayEquals(b("s@" + start), read("s", RangeRpc.latest));
        assertNull(read("s", commit - 1));
    }

    @Test
    void anExpiredLockIsRolledBackAtItsPrimaryAndItsCoordinatorCannotCommitOrPrewriteAfterwards() {
        long start = ts();
        prewrite(start, "p", 5_000, "p");
        long now = System.currentTimeMillis();
        RangeResult.TxnStatus alive = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("p"), start, now, 0, true));
        assertEquals(RangeResult.TxnStatus.State.PENDING, alive.state());
        RangeResult.TxnStatus expired = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("p"), start,
                now + 10_000, 0, true));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, expired.state());
        RangeResult late = apply(new RangeCommand.Commit(start, ts(), List.of(b("p"))));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) late).state());
        RangeResult again = prewrite(start, "p", 50, "p");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) again).state(),
                "a late prewrite meets the rollback marker");
        assertNull(read("p", RangeRpc.latest));
    }

    @Test
    void aHeartbeatExtendsTheLockAndAMissingPrimaryIsRolledBackOnlyWhenAsked() {
        long start = ts();
        prewrite(start, "p", 5_000, "p");
        long now = System.currentTimeMillis();
        apply(new RangeCommand.CheckStatus(b("p"), start, now, 60_000, false));
        RangeResult.TxnStatus st = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("p"), start, now + 10_000, 0,
                true));
        assertEquals(RangeResult.TxnStatus.State.PENDING, st.state(), "the heartbeat extended the TTL");

        long other = ts();
        RangeResult.TxnStatus missing = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("q"), other, now, 0,
                false));
        assertEquals(RangeResult.TxnStatus.State.MISSING, missing.state());
        RangeResult.TxnStatus rolled = (RangeResult.TxnStatus) apply(new RangeCommand.CheckStatus(b("q"), other, now, 0,
                true));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, rolled.state());
        assertEquals(RangeResult.TxnStatus.State.ABORTED,
                ((RangeResult.TxnStatus) prewrite(other, "q", 1_000, "q")).state());
    }

    @Test
    void aStatusIsAnsweredFromStateOnlyWhenDecidingItWritesNothing() {
        long start = ts();
        prewrite(start, "p", 5_000, "p");
        long now = System.currentTimeMillis();
        RangeResult.TxnStatus alive = assertInstanceOf(RangeResult.TxnStatus.class,
                sm.statusWithoutWriting(new RangeCommand.CheckStatus(b("p"), start, now, 0, true)));
        assertEquals(RangeResult.TxnStatus.State.PENDING, alive.state());
        assertNull(sm.statusWithoutWriting(new RangeCommand.CheckStatus(b("p"), start, now + 10_000, 0, false)),
                "an expired transaction must be rolled back through the log");
        assertNull(sm.statusWithoutWriting(new RangeCommand.CheckStatus(b("p"), start, now, 60_000, false)),
                "a heartbeat that extends the lock must go through the log");
        assertEquals(RangeResult.TxnStatus.State.PENDING, ((RangeResult.TxnStatus) sm.statusWithoutWriting(
                new RangeCommand.CheckStatus(b("p"), start, now, 1_000, false))).state(), "a heartbeat below the TTL writes nothing");
        assertEquals(1, entries("p"), "answering wrote nothing");

        long missing = ts();
        assertEquals(RangeResult.TxnStatus.State.MISSING, ((RangeResult.TxnStatus) sm.statusWithoutWriting(
                new RangeCommand.CheckStatus(b("q"), missing, now, 0, false))).state());
        assertNull(sm.statusWithoutWriting(new RangeCommand.CheckStatus(b("q"), missing, now, 0, true)),
                "rolling back a missing transaction writes a marker");

        long commit = ts();
        apply(new RangeCommand.Commit(start, commit, List.of(b("p"))));
        RangeResult.TxnStatus done = (RangeResult.TxnStatus) sm.statusWithoutWriting(
                new RangeCommand.CheckStatus(b("p"), start, now + 10_000, 0, true));
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, done.state());
        assertEquals(commit, done.commitTs());
        apply(new RangeCommand.CheckStatus(b("q"), missing, now, 0, true));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) sm.statusWithoutWriting(
                new RangeCommand.CheckStatus(b("q"), missing, now + 10_000, 0, true))).state());
    }

    @Test
    void rollbackRemovesLocksAndARolledBackCommitIsRefused() {
        long start = ts();
        prewrite(start, "p", 10_000, "p", "s");
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Rollback(start, List.of(b("p"), b("s")))));
        assertNull(read("s", RangeRpc.latest));
        long next = ts();
        assertInstanceOf(RangeResult.Written.class, prewrite(next, "s", 10_000, "s"), "the key is free again");
        long commit = ts();
        apply(new RangeCommand.Commit(next, commit, List.of(b("s"))));
        RangeResult r = apply(new RangeCommand.Rollback(next, List.of(b("s"))));
        assertEquals(RangeResult.TxnStatus.State.COMMITTED, ((RangeResult.TxnStatus) r).state());
        assertArrayEquals(b("s@" + next), read("s", RangeRpc.latest));
    }

    @Test
    void validationFindsCommitsAfterTheStartAndLocksBelowTheCommit() {
        long start = ts();
        long other = ts();
        put(0, other, "b", "x");
        long commit = ts();
        assertInstanceOf(RangeResult.WriteConflict.class, sm.validate(b("a"), b("c"), start, commit));
        assertInstanceOf(RangeResult.Written.class, sm.validate(b("c"), null, start, commit));
        assertInstanceOf(RangeResult.Written.class, sm.validate(b("a"), b("c"), other, commit),
                "a transaction that started after the write read it");
        long locker = ts();
        prewrite(locker, "d", 10_000, "d");
        assertInstanceOf(RangeResult.Locked.class, sm.validate(b("c"), null, start, ts()));
    }

    @Test
    void validationOfPointReadsChecksEachKeyAloneInOneAnswer() {
        long start = ts();
        put(0, ts(), "ab", "a longer key, not read");
        long locker = ts();
        prewrite(locker, "c", 10_000, "c");
        long commit = ts();
        assertInstanceOf(RangeResult.Written.class, sm.validateKeys(List.of(b("a"), b("b")), start, commit),
                "a version of ab is no change of a");
        RangeResult.Locked locked = assertInstanceOf(RangeResult.Locked.class,
                sm.validateKeys(List.of(b("a"), b("c"), b("d")), start, commit));
        assertEquals(1, locked.locks().size());
        assertArrayEquals(b("c"), locked.locks().get(0).key());
        put(0, ts(), "d", "changed");
        RangeResult.WriteConflict c = assertInstanceOf(RangeResult.WriteConflict.class,
                sm.validateKeys(List.of(b("a"), b("c"), b("d")), start, ts()), "a change beats a lock: the answer is 40001");
        assertArrayEquals(b("d"), c.key());
    }

    /** Storage entries (lock slot, versions, markers) of key. */
    private int entries(String key) {
        int n = 0;
        try (io.starlingdb.engine.storage.KvSnapshot s = storage.store(ColumnFamily.RANGES).snapshot();
             io.starlingdb.engine.storage.KvCursor c = s.scan(RangeKeys.dataKey(b(key)), RangeKeys.afterKey(b(key)))) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void gcRemovesWhatNoReadAtOrAboveItsThresholdSeesAndADeletionTogetherWithWhatItHides() {
        put(0, ts(), "k", "1");
        put(0, ts(), "k", "2");
        long deletedK = ts();
        apply(new RangeCommand.Write(List.of(new WriteOp.Delete(b("k"))), 0, deletedK));
        put(0, ts(), "j", "1");
        apply(new RangeCommand.Write(List.of(new WriteOp.Delete(b("j"))), 0, ts()));
        put(0, ts(), "single", "only");
        long threshold = ts();
        long later = ts();
        put(0, later, "k", "4");
        long[] at = {threshold, later - 1, later, RangeRpc.latest};
        List<String> before = new java.util.ArrayList<>();
        for (long t : at) {
            for (String key : List.of("j", "k", "single")) {
                byte[] v = read(key, t);
                before.add(key + "@" + t + "=" + (v == null ? null : new String(v, StandardCharsets.UTF_8)));
            }
        }
        List<byte[]> garbage = sm.keysWithGarbage(threshold, 100);
        assertEquals(List.of("j", "k"), garbage.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList());
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Gc(threshold, garbage)));
        List<String> after = new java.util.ArrayList<>();
        for (long t : at) {
            for (String key : List.of("j", "k", "single")) {
                byte[] v = read(key, t);
                after.add(key + "@" + t + "=" + (v == null ? null : new String(v, StandardCharsets.UTF_8)));
            }
        }
        assertEquals(before, after, "reads at and above the threshold see the same");
        assertEquals(0, entries("j"), "a deleted key's versions and its deletion are gone together");
        assertEquals(1, entries("k"), "only the version above the threshold stays");
        assertEquals(1, entries("single"));
        assertEquals(List.of(), sm.keysWithGarbage(threshold, 100));
    }

    /**
     * Rollback markers stop a late prewrite of an aborted transaction; once the GC threshold is
     * above the transaction's start, the range refuses that prewrite anyway, so GC removes the
     * marker, and the transaction's status still reads "aborted". A marker of a transaction that
     * started at or above the threshold stays.
     */
    @Test
    void gcRemovesRollbackMarkersOfTransactionsThatStartedBelowItsThreshold() {
        long old = ts();
        assertInstanceOf(RangeResult.Written.class, prewrite(old, "a", 60_000, "a", "b"));
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Rollback(old, List.of(b("a"), b("b")))));
        put(0, ts(), "b", "kept");
        long threshold = ts();
        assertInstanceOf(RangeResult.Written.class, prewrite(threshold, "c", 60_000, "c"));
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Rollback(threshold, List.of(b("c")))));
        assertEquals(1, entries("a"));
        assertEquals(2, entries("b"), "the marker and the version");
        assertEquals(1, entries("c"));
        assertEquals(RangeResult.TxnStatus.aborted(), prewrite(old, "a", 60_000, "a"), "the marker refuses a late prewrite");

        List<byte[]> garbage = sm.keysWithGarbage(threshold, 100);
        assertEquals(List.of("a", "b"), garbage.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList(),
                "keys with a marker below the threshold, nothing else to collect");
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Gc(threshold, garbage)));
        assertEquals(0, entries("a"), "the marker is gone");
        assertEquals(1, entries("b"), "the version stays, the marker is gone");
        assertArrayEquals(b("kept"), read("b", RangeRpc.latest));
        assertEquals(1, entries("c"), "the marker of a transaction that started at the threshold stays");
        assertEquals(List.of(), sm.keysWithGarbage(threshold, 100));

        assertEquals(new RangeResult.BelowGcThreshold(old, threshold), prewrite(old, "a", 60_000, "a"),
                "without its marker the late prewrite is still refused, by the threshold");
        assertEquals(0, entries("a"), "and writes nothing");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, status("a", old, System.currentTimeMillis()).state(),
                "its status, asked by a resolver of an expired lock, is still aborted");
        assertEquals(RangeResult.TxnStatus.aborted(), prewrite(threshold, "c", 60_000, "c"), "the kept marker still refuses");
    }

    /**
     * After a version GC at threshold T the range refuses what GC may have changed the answer of: a
     * transaction that started below T could find no conflict with a deletion GC removed (a lost
     * update), and a read below T could miss a version. It keeps T across a restart, gives it to
     * the right half of a split, and sends it with a snapshot.
     */
    @Test
    void afterAVersionGcTransactionsThatStartedBelowItsThresholdAreRefusedEvenAfterARestartASplitAndASnapshot() {
        put(0, ts(), "k", "1");
        long startedBeforeTheDeletion = ts();
        long deleted = ts();
        apply(new RangeCommand.Write(List.of(new WriteOp.Delete(b("k"))), 0, deleted));
        put(0, ts(), "q", "1");
        put(0, ts(), "q", "2");
        long threshold = ts();
        assertNull(sm.belowGcThreshold(startedBeforeTheDeletion), "no GC yet");
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Gc(threshold, sm.keysWithGarbage(threshold, 100))));
        assertEquals(0, entries("k"), "the deletion and the value it hid are gone");
        assertEquals(threshold, sm.gcThreshold());

        RangeResult.BelowGcThreshold refused = new RangeResult.BelowGcThreshold(startedBeforeTheDeletion, threshold);
        assertEquals(refused, prewrite(startedBeforeTheDeletion, "k", 60_000, "k"),
                "without the threshold this prewrite would find no conflict with the deletion");
        assertEquals(refused, put(startedBeforeTheDeletion, ts(), "k", "lost update"), "a one-phase write alike");
        assertEquals(0, entries("k"), "nothing was written");
        assertEquals(refused, sm.belowGcThreshold(startedBeforeTheDeletion), "what a read at that timestamp answers");
        assertNull(sm.belowGcThreshold(threshold));
        assertNull(sm.belowGcThreshold(RangeRpc.latest));
        assertInstanceOf(RangeResult.Written.class, put(0, ts(), "q", "3"), "writes without a start timestamp go on");

        KvStore store = storage.store(ColumnFamily.RANGES);
        sm = RangeStateMachine.open(store, 7, (left, right) -> { });
        assertEquals(threshold, sm.gcThreshold(), "kept across a restart");
        index = sm.appliedIndex();
        assertInstanceOf(RangeResult.SplitDone.class, apply(new RangeCommand.Split(b("m"), 8, 1)));
        assertEquals(threshold, RangeStateMachine.open(store, 8, (left, right) -> { }).gcThreshold(),
                "the right half of a split");

        RocksStorage other = RocksStorage.open(dir.resolve("db2"), StorageOptions.small());
        try {
            RangeStateMachine fresh = RangeStateMachine.uninitialised(other.store(ColumnFamily.RANGES), 7, (left, right) -> { });
            fresh.restore(sm.snapshot());
            assertEquals(threshold, fresh.gcThreshold(), "a replica initialised by a snapshot");
            assertEquals(threshold, RangeStateMachine.open(other.store(ColumnFamily.RANGES), 7, (left, right) -> { })
                    .gcThreshold(), "and after its restart");
        } finally {
            other.close();
        }
    }

    @Test
    void keysThatArePrefixesOfOthersKeepTheirVersionsApart() {
        long t1 = ts();
        apply(new RangeCommand.Write(List.of(new WriteOp.Put(b("a"), b("1")), new WriteOp.Put(b("a\u0000"), b("2")),
                new WriteOp.Put(b("ab"), b("3"))), 0, t1));
        put(0, ts(), "a", "4");
        RangeResult.Rows rows = (RangeResult.Rows) sm.scan(b("a"), b("b"), 10, 1 << 20, RangeRpc.latest, RangeRpc.latest);
        assertEquals(List.of("a=4", "a\u0000=2", "ab=3"), rows.rows().stream()
                .map(kv -> new String(kv.key(), StandardCharsets.UTF_8) + "=" + new String(kv.value(), StandardCharsets.UTF_8))
                .toList());
        RangeResult.Rows page = (RangeResult.Rows) sm.scan(b("a"), b("b"), 1, 1 << 20, RangeRpc.latest, RangeRpc.latest);
        assertArrayEquals(b("a\u0000"), page.resumeKey());
    }

    @Test
    void aFilteredScanLeavesOutRejectedRowsButAnswersLocksAndEndsItsPageByBytesLookedAt() {
        long t1 = ts();
        List<WriteOp> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(new WriteOp.Put(b(String.format("r%03d", i)), RowCodec.encode(new int[] {1}, new ValueType[] {ValueType.INTEGER},
                    new Object[] {i})));
        }
        apply(new RangeCommand.Write(rows, 0, t1));
        RowPredicate under10 = new RowPredicate(List.of(new RowPredicate.Comparison(1, ValueType.INTEGER, RowPredicate.Op.LT, 10)));
        long t2 = ts();
        RangeResult.Rows kept = (RangeResult.Rows) sm.scan(b("r"), b("s"), 1000, 1 << 20, t2, t2, under10);
        assertEquals(10, kept.rows().size());
        assertNull(kept.resumeKey());
        // Bytes looked at count, kept or not: a small budget ends the page early, with a resume key.
        RangeResult.Rows first = (RangeResult.Rows) sm.scan(b("r"), b("s"), 1000, 200, t2, t2, under10);
        assertEquals(10, first.rows().size(), "the first rows are the ones kept");
        // each pair is 7 bytes (a 4-byte key, a 3-byte row): 29 of them reach the 200 bytes
        assertArrayEquals(b("r029"), first.resumeKey());
        // A lock hides a value that is not known yet: answered even if the committed row is filtered out.
        long t3 = ts();
        prewrite(t3, "r050", 10_000, "r050");
        long t4 = ts();
        assertInstanceOf(RangeResult.Locked.class, sm.scan(b("r"), b("s"), 1000, 1 << 20, t4, t4, under10));
    }

    @Test
    void aScanWithKeptColumnsAnswersRowsWithoutTheColumnsItDoesNotRead() {
        long t1 = ts();
        int[] ids = {1, 2};
        ValueType[] types = {ValueType.INTEGER, ValueType.VARCHAR};
        List<WriteOp> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(new WriteOp.Put(b(String.format("p%03d", i)), RowCodec.encode(ids, types, new Object[] {i, "payload " + i})));
        }
        apply(new RangeCommand.Write(rows, 0, t1));
        long t2 = ts();
        RowPredicate under5 = new RowPredicate(List.of(new RowPredicate.Comparison(1, ValueType.INTEGER, RowPredicate.Op.LT, 5)),
                new int[0]);
        RangeResult.Rows kept = (RangeResult.Rows) sm.scan(b("p"), b("q"), 1000, 1 << 20, t2, t2, under5);
        assertEquals(List.of(0, 1, 2, 3, 4), kept.rows().stream().map(kv -> RowCodec.decode(kv.value(), ids, types))
                .peek(row -> assertNull(row[1], "the unread column stays at the leaseholder")).map(row -> row[0]).toList());
        RowPredicate secondOnly = new RowPredicate(List.of(), new int[] {2});
        RangeResult.Rows all = (RangeResult.Rows) sm.scan(b("p"), b("q"), 1000, 1 << 20, t2, t2, secondOnly);
        assertEquals(20, all.rows().size());
        assertArrayEquals(new Object[] {null, "payload 7"}, RowCodec.decode(all.rows().get(7).value(), ids, types));
    }

    @Test
    void firstKeysAnswerEachSpanInOneSnapshotOrTheLocksThatHideThem() {
        long t1 = ts();
        put(0, t1, "ua1", "x");
        put(0, t1 + 1, "ub5", "y");
        clock = t1 + 1;
        long t2 = ts();
        RangeResult.Values first = (RangeResult.Values) sm.firstKeys(List.of(b("ua"), b("ub"), b("ub"), b("uc"), b("ua2"),
                b("ub")), t2, t2);
        assertEquals(java.util.Arrays.asList("ua1", "ub5", null), first.values().stream()
                .map(k -> k == null ? null : new String(k, StandardCharsets.UTF_8)).toList());
        assertNull(((RangeResult.Values) sm.firstKeys(List.of(b("ua1"), b("ua1")), t2, t2)).values().get(0),
                "an empty span holds nothing");
        assertNull(((RangeResult.Values) sm.firstKeys(List.of(b("ub5"), b("ub5")), t1, t1)).values().get(0),
                "a version above the read timestamp is not seen");
        long t3 = ts();
        prewrite(t3, "ua3", 10_000, "ua3");
        long t4 = ts();
        assertInstanceOf(RangeResult.Locked.class, sm.firstKeys(List.of(b("ua2"), b("ub")), t4, t4));
        assertInstanceOf(RangeResult.Values.class, sm.firstKeys(List.of(b("ua"), b("ub")), t4, t4),
                "a span whose first key is visible is answered whatever follows it");
    }

    // ------------------------------------------------------------------ parallel commits

    @Test
    void aRetriedParallelPrewriteAnswersTheMinCommitTsItsLocksHoldNotItsOwn() {
        long start = ts();
        long first = ts();
        assertEquals(new RangeResult.Prewritten(first), parallelPrewrite(start, "p", first, List.of("s"), "p", "q"));
        long retry = ts();
        assertEquals(new RangeResult.Prewritten(first), parallelPrewrite(start, "p", retry, List.of("s"), "p", "q"),
                "a retry finds the locks and answers what they hold");
        try (io.starlingdb.engine.storage.KvSnapshot snap = storage.store(ColumnFamily.RANGES).snapshot()) {
            assertEquals(first, RangeMvcc.lock(snap, b("q")).minCommitTs(), "the stored minCommitTs is the first attempt's");
        }
        long other = ts();
        assertEquals(new RangeResult.Prewritten(other), parallelPrewrite(start, "p", other, List.of(), "s"),
                "a secondary's own prewrite");
        assertEquals(new RangeResult.Prewritten(other), apply(new RangeCommand.CheckPrewrite(start, List.of(b("q"), b("s")))),
                "every key locked: their largest minCommitTs");
    }

    @Test
    void anExpiredStagingRecordIsAnsweredWithItsListAndNeverRolledBackOnExpiry() {
        long start = ts();
        long min = ts();
        parallelPrewrite(start, "p", min, List.of("s", "t"), "p");
        assertEquals(RangeResult.TxnStatus.State.PENDING, status("p", start, System.currentTimeMillis()).state(),
                "alive: pending, as any lock");
        long late = System.currentTimeMillis() + 3_600_000;
        RangeResult.TxnStatus st = status("p", start, late);
        assertEquals(RangeResult.TxnStatus.State.STAGING, st.state());
        assertEquals(min, st.commitTs(), "the primary lock's minCommitTs");
        assertEquals(List.of("s", "t"), st.stagedKeys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList());
        RangeResult.TxnStatus read = assertInstanceOf(RangeResult.TxnStatus.class,
                sm.statusWithoutWriting(new RangeCommand.CheckStatus(b("p"), start, late, 0, true)),
                "answering STAGING writes nothing, so the leaseholder answers it from its state");
        assertEquals(RangeResult.TxnStatus.State.STAGING, read.state());
        assertInstanceOf(RangeResult.Locked.class, sm.get(b("p"), RangeRpc.latest, RangeRpc.latest), "the record stays");
        // A plain (not parallel) lock that expired is rolled back as before.
        long plain = ts();
        prewrite(plain, "x", 1, "x");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, status("x", plain, late).state());
    }

    @Test
    void aPrewriteCheckPreventsAMissingPrewriteForGoodAndFindsCommits() {
        long start = ts();
        parallelPrewrite(start, "p", ts(), List.of("s", "t"), "p");
        parallelPrewrite(start, "p", ts(), List.of(), "s");
        RangeResult.TxnStatus r = (RangeResult.TxnStatus) apply(new RangeCommand.CheckPrewrite(start, List.of(b("s"), b("t"))));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, r.state(), "t holds nothing of the transaction");
        assertEquals(RangeResult.TxnStatus.aborted(), parallelPrewrite(start, "p", ts(), List.of(), "t"),
                "the late prewrite of t is refused: the transaction can never be committed");
        assertInstanceOf(RangeResult.Locked.class, sm.get(b("s"), RangeRpc.latest, RangeRpc.latest),
                "a lock found is left to the decision at the primary");

        long committed = ts();
        parallelPrewrite(committed, "a", ts(), List.of("b"), "a");
        long bTs = ts();
        parallelPrewrite(committed, "a", bTs, List.of(), "b");
        long commitTs = ts();
        apply(new RangeCommand.Commit(committed, commitTs, List.of(b("a"), b("b"))));
        assertEquals(RangeResult.TxnStatus.committed(commitTs), apply(new RangeCommand.CheckPrewrite(committed, List.of(b("b")))));
        assertEquals(RangeResult.TxnStatus.committed(commitTs), parallelPrewrite(committed, "a", ts(), List.of(), "b"),
                "a prewrite retried after a recoverer committed the transaction learns it committed");
        assertInstanceOf(RangeResult.Refused.class, apply(new RangeCommand.Commit(committed, commitTs + 1, List.of(b("a")))),
                "a transaction has one commit timestamp: a commit at another is refused");
        assertInstanceOf(RangeResult.Written.class, apply(new RangeCommand.Commit(committed, commitTs, List.of(b("a")))));
    }

    @Test
    void aStagingDecisionCommitsAtTheLargestMinCommitTsUnlessAPrewriteIsMissing() {
        RangeResult.TxnStatus staging = new RangeResult.TxnStatus(RangeResult.TxnStatus.State.STAGING, 50, 0, List.of(b("s")));
        StagingDecision all = new StagingDecision(staging);
        all.add(new RangeResult.Prewritten(70));
        all.add(new RangeResult.Prewritten(60));
        assertEquals(new StagingDecision.Outcome.Commit(70), all.outcome());
        StagingDecision below = new StagingDecision(staging);
        below.add(new RangeResult.Prewritten(40));
        assertEquals(new StagingDecision.Outcome.Commit(50), below.outcome(), "the primary's own minCommitTs counts");
        StagingDecision missing = new StagingDecision(staging);
        missing.add(new RangeResult.Prewritten(70));
        missing.add(RangeResult.TxnStatus.aborted());
        assertEquals(new StagingDecision.Outcome.Abort(), missing.outcome());
        StagingDecision done = new StagingDecision(staging);
        done.add(RangeResult.TxnStatus.aborted());
        done.add(RangeResult.TxnStatus.committed(65));
        assertEquals(new StagingDecision.Outcome.Commit(65), done.outcome(), "a key already committed decides it");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new StagingDecision(staging).add(new RangeResult.Written()));
    }

    private long oldestLockIn(String from, String to) {
        RangeResult.LockList l = (RangeResult.LockList) sm.oldestLock(b(from), to == null ? null : b(to));
        assertTrue(l.locks().size() <= 1);
        return l.locks().isEmpty() ? Long.MAX_VALUE : l.locks().get(0).startTs();
    }

    @Test
    void theOldestLockIsTheOneWithTheSmallestStartTimestampWhateverItsKey() {
        assertEquals(Long.MAX_VALUE, oldestLockIn("a", null), "no lock yet");
        long older = ts();
        long younger = ts();
        prewrite(younger, "b", 60_000, "b", "c");
        prewrite(older, "x", 60_000, "x");
        assertEquals(older, oldestLockIn("a", null), "x sorts after b and c but started first");
        assertEquals(younger, oldestLockIn("a", "d"), "within [a, d) only");
        apply(new RangeCommand.Rollback(older, List.of(b("x"))));
        assertEquals(younger, oldestLockIn("a", null));
        apply(new RangeCommand.Commit(younger, ts(), List.of(b("b"), b("c"))));
        assertEquals(Long.MAX_VALUE, oldestLockIn("a", null), "every lock resolved");
    }

    @Test
    void versionGcStaysAtOrBelowTheOldestLockAndKeepsItsLastThresholdWhenTheSurveyFails() {
        long[] oldest = {Long.MAX_VALUE};
        boolean[] fails = {true};
        RangeVersionGc gc = new RangeVersionGc(null, 60_000, () -> {
            if (fails[0]) {
                throw new RangeUnavailableException("a range without a leaseholder");
            }
            return oldest[0];
        });
        long now = System.currentTimeMillis();
        assertEquals(0, gc.roundThreshold(now), "no round before a survey succeeded");
        fails[0] = false;
        assertEquals(gc.threshold(now), gc.roundThreshold(now), "no lock: the clock's bound");
        long lockTs = gc.threshold(now) - 1_000;
        oldest[0] = lockTs;
        assertEquals(lockTs, gc.roundThreshold(now + 60_000), "held at the oldest lock");
        fails[0] = true;
        assertEquals(lockTs, gc.roundThreshold(now + 120_000), "the survey failed: the last good threshold");
        fails[0] = false;
        oldest[0] = Long.MAX_VALUE;
        assertEquals(gc.threshold(now + 120_000), gc.roundThreshold(now + 120_000), "the lock is gone: GC goes on");
    }
}
