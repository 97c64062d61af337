package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.Entry;
import io.starlingdb.engine.raft.HardState;
import io.starlingdb.engine.raft.RaftState;
import io.starlingdb.engine.raft.Ready;
import io.starlingdb.engine.raft.Snapshot;

import java.util.ArrayList;

/**
 * A replica's simulated disk: only what was synced. A crash loses everything written since the
 * last sync; the simulator models that by persisting a Ready only when it is synced (a crash
 * "during the fsync" simply never calls {@link #persist}).
 */
final class SimStorage {
    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot;
    /** entries.get(k).index() == snapshotIndex() + 1 + k. */
    private final ArrayList<Entry> entries = new ArrayList<>();

    long snapshotIndex() {
        return snapshot == null ? 0 : snapshot.index();
    }

    /** A commit-only hard state written without sync: lost in a crash unless a later sync covers it. */
    private HardState unsynced;

    /** Atomically persists a Ready's snapshot, entries and hard state; synced if the Ready says it must be. */
    void persist(Ready rd) {
        if (!rd.mustSync()) {
            if (rd.hardState() != null) {
                unsynced = rd.hardState();
            }
            return;
        }
        if (unsynced != null) {
            // A sync makes every earlier write durable too.
            hardState = unsynced;
            unsynced = null;
        }
        if (rd.snapshot() != null) {
            entries.clear();
            snapshot = rd.snapshot();
        }
        if (!rd.entries().isEmpty()) {
            long first = rd.entries().get(0).index();
            long keep = first - snapshotIndex() - 1;
            if (keep < 0 || keep > entries.size()) {
                throw new IllegalStateException("persisted entries from " + first + " leave a gap after "
                        + (snapshotIndex() + entries.size()));
            }
            entries.subList((int) keep, entries.size()).clear();
            entries.addAll(rd.entries());
        }
        if (rd.hardState() != null) {
            hardState = rd.hardState();
        }
    }

    /** Persists a snapshot the replica took of its own state machine, and drops the entries it covers. */
    void compact(Snapshot s) {
        if (s.index() <= snapshotIndex()) {
            return;
        }
        int drop = (int) Math.min(entries.size(), s.index() - snapshotIndex());
        entries.subList(0, drop).clear();
        snapshot = s;
    }

    /** A crash: unsynced writes are gone. */
    void crash() {
        unsynced = null;
    }

    RaftState recover(ConfState bootstrap) {
        return new RaftState(hardState, snapshot, entries, bootstrap);
    }

    Snapshot snapshot() {
        return snapshot;
    }
}
