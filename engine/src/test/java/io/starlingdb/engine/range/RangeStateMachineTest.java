package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfChange;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeStateMachineTest {

    @TempDir
    Path dir;
    private RocksStorage storage;
    private KvStore store;
    private final List<RangeDescriptor[]> splits = new ArrayList<>();
    private final RangeHost host = (left, right) -> splits.add(new RangeDescriptor[] {left, right});
    private static final ConfState three = ConfState.ofVoters(1L, 2L, 3L);

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir.resolve("db"), StorageOptions.small());
        store = storage.store(ColumnFamily.RANGES);
        RangeStateMachine.bootstrap(store, new RangeDescriptor(7, new byte[0], null, three, 1));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    /** The log index of a range's n-th entry: its log starts after the initial index. */
    private static long at(long n) {
        return RangeStateMachine.initialIndex + n;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Commit timestamps of the tests' single writes, increasing as the oracle's would. */
    private static final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);

    private static byte[] write(WriteOp... ops) {
        return RangeCodec.encodeCommand(new RangeCommand.Write(List.of(ops), 0, clock.incrementAndGet()));
    }

    private static byte[] value(RangeResult r) {
        return ((RangeResult.Value) r).value();
    }

    @Test
    void batchWithAFailedConditionAppliesNothingAndNamesTheOperation() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        assertInstanceOf(RangeResult.Written.class, sm.apply(at(1), write(new WriteOp.Put(b("a"), b("1")))));
        RangeResult r = (RangeResult) sm.apply(at(2), write(new WriteOp.Put(b("b"), b("2")),
                new WriteOp.CompareAndSet(b("a"), b("9"), b("3"))));
        RangeResult.ConditionFailed failed = assertInstanceOf(RangeResult.ConditionFailed.class, r);
        assertEquals(1, failed.opIndex());
        assertArrayEquals(b("1"), failed.actual());
        assertNull(value(sm.get(b("b"))));
        // A condition sees the batch's own earlier writes.
        assertInstanceOf(RangeResult.Written.class, sm.apply(at(3), write(new WriteOp.Delete(b("a")),
                new WriteOp.CompareAndSet(b("a"), null, b("4")))));
        assertArrayEquals(b("4"), value(sm.get(b("a"))));
        assertEquals(at(3), sm.appliedIndex());
    }

    @Test
    void restartSkipsTheCommandsAlreadyApplied() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        byte[] first = write(new WriteOp.CompareAndSet(b("k"), null, b("1")));
        byte[] second = write(new WriteOp.CompareAndSet(b("k"), b("1"), b("2")));
        sm.apply(at(1), first);
        sm.apply(at(2), second);
        RangeStateMachine reopened = RangeStateMachine.open(store, 7, host);
        assertEquals(at(2), reopened.appliedIndex());
        // Raft hands the committed entries again after a restart: re-applying them would make the
        // first CAS fail and the second one succeed wrongly; they are skipped instead.
        assertNull(reopened.apply(at(1), first));
        assertNull(reopened.apply(at(2), second));
        assertArrayEquals(b("2"), value(reopened.get(b("k"))));
        assertInstanceOf(RangeResult.Written.class, reopened.apply(at(3), write(new WriteOp.Put(b("k"), b("3")))));
        assertEquals(at(3), RangeStateMachine.open(store, 7, host).appliedIndex());
    }

    @Test
    void destroyingAReplicaDeletesItsSpanAndStateButNotTheOtherRangesHere() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.apply(at(1), write(new WriteOp.Put(b("a"), b("1")), new WriteOp.Put(b("z"), b("3"))));
        sm.apply(at(2), RangeCodec.encodeCommand(new RangeCommand.Split(b("m"), 8, 1)));
        RangeStateMachine right = RangeStateMachine.open(store, 8, host);

        right.destroy();

        assertEquals(List.of(sm.descriptor()), RangeStateMachine.storedRanges(store));
        assertArrayEquals(b("1"), value(sm.get(b("a"))));
        RangeStateMachine hostedAgain = RangeStateMachine.uninitialised(store, 8, host);
        RangeDescriptor wide = new RangeDescriptor(8, b("m"), null, three, 2);
        // Nothing of the destroyed replica is left to be read: the span is empty until a snapshot arrives.
        hostedAgain.restore(RangeCodec.encodeSnapshot(new RangeCodec.RangeSnapshot(wide, at(5), 0, List.of())));
        assertNull(value(hostedAgain.get(b("z"))));
        assertArrayEquals(b("1"), value(sm.get(b("a"))));
    }

    @Test
    void aWriteOrPrewriteWithAKeyOutsideTheRangeIsAnsweredAMismatchBeforeItIsProposed() {
        RangeDescriptor left = new RangeDescriptor(7, new byte[0], b("m"), three, 2);
        RangeCommand.Write inside = new RangeCommand.Write(List.of(new WriteOp.Put(b("a"), b("1"))), 0, 0);
        RangeCommand.Write straddling = new RangeCommand.Write(List.of(new WriteOp.Put(b("a"), b("1")),
                new WriteOp.Put(b("n"), b("2"))), 0, 0);
        RangeCommand.Prewrite beyond = new RangeCommand.Prewrite(5, b("n"), 1_000, "c1",
                List.of(new WriteOp.Put(b("n"), b("2"))));
        assertNull(RangeStateMachine.keyOutside(left, inside));
        assertEquals(left, RangeStateMachine.keyOutside(left, straddling).current());
        assertEquals(left, RangeStateMachine.keyOutside(left, beyond).current());
        // The same answer as applying it would give (the range only narrows meanwhile).
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.apply(at(1), RangeCodec.encodeCommand(new RangeCommand.Split(b("m"), 8, 1)));
        assertEquals(new RangeResult.KeyMismatch(left), sm.apply(at(2), RangeCodec.encodeCommand(straddling.at(clock.incrementAndGet()))));
    }

    @Test
    void aSplitInitialisesAnEmptyReplicaOfItsRightHalfHostedBefore() {
        RangeStateMachine.markUninitialised(store, 8);
        assertEquals(List.of(8L), RangeStateMachine.storedUninitialised(store));
        RangeStateMachine.open(store, 7, host).apply(at(1), RangeCodec.encodeCommand(new RangeCommand.Split(b("m"), 8, 1)));
        assertEquals(List.of(), RangeStateMachine.storedUninitialised(store));
        assertEquals(RangeStateMachine.initialIndex, RangeStateMachine.open(store, 8, host).appliedIndex());
    }

    @Test
    void splitHandsTheUpperKeysToANewRangeOnTheSameReplicas() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.apply(at(1), write(new WriteOp.Put(b("a"), b("1")), new WriteOp.Put(b("m"), b("2")), new WriteOp.Put(b("z"), b("3"))));
        RangeResult r = (RangeResult) sm.apply(at(2), RangeCodec.encodeCommand(new RangeCommand.Split(b("m"), 8, 1)));
        RangeResult.SplitDone done = assertInstanceOf(RangeResult.SplitDone.class, r);
        assertEquals(new RangeDescriptor(7, new byte[0], b("m"), three, 2), done.left());
        assertEquals(new RangeDescriptor(8, b("m"), null, three, 2), done.right());
        assertEquals(1, splits.size());
        assertEquals(done.right(), splits.get(0)[1]);

        // The left half refuses the right half's keys, with its new descriptor as the hint.
        RangeResult.KeyMismatch miss = assertInstanceOf(RangeResult.KeyMismatch.class,
                sm.apply(at(3), write(new WriteOp.Put(b("n"), b("x")))));
        assertEquals(done.left(), miss.current());
        assertInstanceOf(RangeResult.KeyMismatch.class, sm.get(b("z")));

        RangeStateMachine right = RangeStateMachine.open(store, 8, host);
        assertEquals(RangeStateMachine.initialIndex, right.appliedIndex());
        assertArrayEquals(b("3"), value(right.get(b("z"))));
        RangeResult.Rows rows = assertInstanceOf(RangeResult.Rows.class, right.scan(b("m"), null, 10, 1 << 20));
        assertEquals(2, rows.rows().size());
        assertEquals(List.of(done.left(), done.right()), RangeStateMachine.storedRanges(store));

        // A retried split (same expected generation) changes nothing.
        assertInstanceOf(RangeResult.Refused.class,
                sm.apply(at(4), RangeCodec.encodeCommand(new RangeCommand.Split(b("c"), 9, 1))));
        assertEquals(1, splits.size());
    }

    @Test
    void scanPagesStopAtTheRangeEndAndAtTheRowLimit() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        for (int i = 0; i < 10; i++) {
            sm.apply(at(i + 1), write(new WriteOp.Put(b("k" + i), b("v" + i))));
        }
        sm.apply(at(11), RangeCodec.encodeCommand(new RangeCommand.Split(b("k5"), 8, 1)));
        RangeResult.Rows page = (RangeResult.Rows) sm.scan(b("k1"), null, 3, 1 << 20);
        assertEquals(3, page.rows().size());
        assertArrayEquals(b("k4"), page.resumeKey());
        RangeResult.Rows rest = (RangeResult.Rows) sm.scan(page.resumeKey(), null, 3, 1 << 20);
        assertEquals(1, rest.rows().size(), "k4 only: k5 belongs to the right range");
        assertNull(rest.resumeKey());
    }

    @Test
    void membershipChangesFollowIntoTheDescriptor() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.applyConfChange(at(1), new ConfChange(ConfChange.Type.ADD_LEARNER, 4));
        sm.applyConfChange(at(2), new ConfChange(ConfChange.Type.PROMOTE, 4));
        sm.applyConfChange(at(3), new ConfChange(ConfChange.Type.REMOVE, 1));
        RangeDescriptor d = RangeStateMachine.open(store, 7, host).descriptor();
        assertEquals(ConfState.ofVoters(2L, 3L, 4L), d.conf());
        assertEquals(4, d.generation(), "each membership change raises the generation, so the newest descriptor wins");
    }

    @Test
    void theSystemKeysOfTheMetaRangeNeverSplitOff() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        RangeResult.Refused refused = assertInstanceOf(RangeResult.Refused.class,
                sm.apply(at(1), RangeCodec.encodeCommand(new RangeCommand.Split(new byte[] {0, 5}, 8, 1))));
        assertTrue(refused.reason().contains("meta"), refused.reason());
        assertEquals(1, sm.descriptor().generation());
        assertEquals(0, splits.size());
    }

    @Test
    void snapshotInstallsOnAnotherReplicaAndAnOlderOneChangesNothing() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.apply(at(1), write(new WriteOp.Put(b("a"), b("1")), new WriteOp.Put(b("q"), b("2"))));
        sm.apply(at(2), RangeCodec.encodeCommand(new RangeCommand.Split(b("m"), 8, 1)));
        sm.apply(at(3), write(new WriteOp.Put(b("b"), b("3"))));
        byte[] snapshot = sm.snapshot();

        try (RocksStorage other = RocksStorage.open(dir.resolve("other"), StorageOptions.small())) {
            KvStore o = other.store(ColumnFamily.RANGES);
            // A replica that never applied the split: its span is still the whole key space.
            RangeStateMachine.bootstrap(o, new RangeDescriptor(7, new byte[0], null, three, 1));
            RangeStateMachine lagging = RangeStateMachine.open(o, 7, host);
            lagging.apply(at(1), write(new WriteOp.Put(b("a"), b("1")), new WriteOp.Put(b("q"), b("2"))));
            lagging.restore(snapshot);
            assertEquals(at(3), lagging.appliedIndex());
            assertEquals(sm.descriptor(), lagging.descriptor());
            assertArrayEquals(b("3"), value(lagging.get(b("b"))));
            // "q" belongs to range 8, which never started here: the snapshot cut it off.
            RangeResult.Rows all = (RangeResult.Rows) lagging.scan(new byte[0], null, 100, 1 << 20);
            assertEquals(2, all.rows().size());
            assertEquals(List.of(sm.descriptor()), RangeStateMachine.storedRanges(o));

            lagging.restore(null);
            lagging.restore(snapshot);
            assertEquals(at(3), lagging.appliedIndex());
        }
    }

    @Test
    void corruptCommandsAreRejectedBeforeAllocating() {
        byte[] bad = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RangeCodec.decodeCommand(bad));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    @Test
    void uninitialisedReplicaRefusesEntriesAndIsInitialisedByItsFirstSnapshot() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        sm.apply(at(1), write(new WriteOp.Put(b("a"), b("1"))));
        byte[] snapshot = sm.snapshot();

        try (RocksStorage other = RocksStorage.open(dir.resolve("empty"), StorageOptions.small())) {
            KvStore o = other.store(ColumnFamily.RANGES);
            List<RangeDescriptor> initialised = new ArrayList<>();
            RangeHost recording = new RangeHost() {
                @Override
                public void splitApplied(RangeDescriptor left, RangeDescriptor right) {
                }

                @Override
                public void initialised(RangeDescriptor descriptor) {
                    initialised.add(descriptor);
                }
            };
            RangeStateMachine.markUninitialised(o, 7);
            RangeStateMachine empty = RangeStateMachine.uninitialised(o, 7, recording);
            assertEquals(List.of(7L), RangeStateMachine.storedUninitialised(o));
            assertThrows(IllegalStateException.class, () -> empty.apply(at(2), write(new WriteOp.Put(b("b"), b("2")))));

            empty.restore(snapshot);
            assertEquals(List.of(sm.descriptor()), initialised);
            assertEquals(at(1), empty.appliedIndex());
            assertArrayEquals(b("1"), value(empty.get(b("a"))));
            assertEquals(List.of(), RangeStateMachine.storedUninitialised(o));
            assertEquals(List.of(sm.descriptor()), RangeStateMachine.storedRanges(o));
        }
    }
}
