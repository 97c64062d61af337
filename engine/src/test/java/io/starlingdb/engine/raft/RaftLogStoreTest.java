package io.starlingdb.engine.raft;

import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RaftLogStoreTest {

    @TempDir
    Path dir;

    private static Entry entry(long term, long index, String data) {
        return new Entry(term, index, EntryType.NORMAL, data.getBytes());
    }

    private static Ready ready(HardState hs, Snapshot snap, Entry... entries) {
        return new Ready(hs, List.of(entries), snap, List.of(), List.of(), List.of(), true);
    }

    private static void persist(RaftLogStore store, long group, Ready rd) {
        RaftLogStore.WriteSet w = new RaftLogStore.WriteSet();
        store.stage(group, rd, w);
        store.write(w, true);
    }

    @Test
    void aDeletedGroupLeavesItsTermAndVoteSoAReplicaHostedAgainNeverVotesTwiceInATerm() {
        ConfState boot = ConfState.ofVoters(1L, 2L, 3L);
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftLogStore store = new RaftLogStore(storage);
            store.load(7, boot);
            persist(store, 7, ready(new HardState(4, 2, 2), null, entry(4, 1, "a"), entry(4, 2, "b")));
            store.deleteGroup(7);
        }
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftLogStore store = new RaftLogStore(storage);
            RaftState again = store.load(7, RaftState.fresh(ConfState.NONE));
            assertEquals(new HardState(4, 2, 0), again.hardState(), "term and vote kept, nothing committed");
            assertEquals(List.of(), again.entries(), "the log is gone");
            assertEquals(ConfState.NONE, again.bootstrap());
            assertNull(again.snapshot());
        }
    }

    @Test
    void restartRecoversExactlyWhatWasWritten() {
        ConfState boot = ConfState.ofVoters(1L, 2L, 3L);
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftLogStore store = new RaftLogStore(storage);
            assertEquals(RaftState.fresh(boot), store.load(7, boot));
            persist(store, 7, ready(new HardState(1, 1, 0), null, entry(1, 1, "a"), entry(1, 2, "b"), entry(1, 3, "c")));
            // A new leader's entries replace the suffix from index 2.
            persist(store, 7, ready(new HardState(2, 2, 2), null, entry(2, 2, "B")));
            // Another group in the same storage is independent.
            store.load(8, ConfState.ofVoters(1L));
            persist(store, 8, ready(new HardState(5, 1, 1), null, entry(5, 1, "x")));
        }
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftLogStore store = new RaftLogStore(storage);
            RaftState s = store.load(7, ConfState.ofVoters(9L));
            assertEquals(new HardState(2, 2, 2), s.hardState());
            assertEquals(List.of(entry(1, 1, "a"), entry(2, 2, "B")), s.entries());
            assertEquals(boot, s.bootstrap(), "the bootstrap configuration given first is kept");
            assertNull(s.snapshot());
            RaftState other = store.load(8, ConfState.ofVoters(1L));
            assertEquals(List.of(entry(5, 1, "x")), other.entries());
        }
    }

    @Test
    void compactionAndReceivedSnapshotsReplaceTheLogPrefix() {
        ConfState boot = ConfState.ofVoters(1L, 2L, 3L);
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftLogStore store = new RaftLogStore(storage);
            store.load(1, boot);
            List<Entry> ents = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                ents.add(entry(1, i, "e" + i));
            }
            persist(store, 1, ready(new HardState(1, 1, 10), null, ents.toArray(new Entry[0])));
            store.compact(1, new Snapshot(6, 1, boot, "sm@6".getBytes()));
            RaftState s = store.load(1, boot);
            assertEquals(6, s.snapshot().index());
            assertArrayEquals("sm@6".getBytes(), s.snapshot().data());
            assertEquals(ents.subList(6, 10), s.entries());

            // A snapshot from the leader replaces the whole log, then entries follow it.
            Snapshot received = new Snapshot(20, 3, ConfState.ofVoters(1L, 2L), "sm@20".getBytes());
            persist(store, 1, ready(new HardState(3, 0, 20), received, entry(3, 21, "after")));
        }
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            RaftState s = new RaftLogStore(storage).load(1, boot);
            assertEquals(20, s.snapshot().index());
            assertEquals(ConfState.ofVoters(1L, 2L), s.snapshot().conf());
            assertEquals(List.of(entry(3, 21, "after")), s.entries());
            assertEquals(new HardState(3, 0, 20), s.hardState());
            // The recovered state starts a core exactly where it was.
            RaftCore core = new RaftCore(1, RaftConfig.defaults(), new java.util.Random(1), s);
            assertEquals(21, core.lastIndex());
            assertEquals(20, core.committed());
            assertEquals(3, core.term());
        }
    }
}
