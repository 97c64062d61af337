package io.starlingdb.engine.raft;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.RocksStorage;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable state of every Raft group of a node, in the node's one RocksDB: log entries in
 * RAFT_LOG under (group, index), and per group in RAFT_STATE its hard state, latest snapshot and
 * bootstrap configuration.
 *
 * <p>Writes of many groups are staged into one {@link WriteSet} and applied as one atomic,
 * synced RocksDB write: one fsync for everything a driver loop iteration produced (group commit).
 */
public final class RaftLogStore {

    private static final byte hardStateTag = 1;
    private static final byte snapshotTag = 2;
    private static final byte bootstrapTag = 3;

    private final RocksStorage storage;
    /** Last persisted index per group, to delete a truncated suffix. */
    private final Map<Long, Long> lastIndex = new ConcurrentHashMap<>();
    private final Map<Long, Long> snapshotIndex = new ConcurrentHashMap<>();

    public RaftLogStore(RocksStorage storage) {
        this.storage = storage;
    }

    /** The writes of one or more groups, to be made durable together. */
    public static final class WriteSet {
        final KvBatch log = new KvBatch();
        final KvBatch state = new KvBatch();
        final Map<Long, Long> newLast = new java.util.HashMap<>();
        final Map<Long, Long> newSnapshot = new java.util.HashMap<>();

        public boolean isEmpty() {
            return log.isEmpty() && state.isEmpty();
        }
    }

    /**
     * Loads a group's durable state; a group never seen before is created with the bootstrap
     * configuration (persisted, so a restart finds it again).
     */
    public RaftState load(long group, ConfState bootstrapIfNew) {
        return load(group, RaftState.fresh(bootstrapIfNew));
    }

    /**
     * Loads a group's durable state; a group never seen before starts from initialIfNew (its
     * bootstrap configuration, and its snapshot point and hard state if it has them), persisted
     * and synced in one write, so a restart finds it again.
     */
    public RaftState load(long group, RaftState initialIfNew) {
        try (KvSnapshot state = storage.store(ColumnFamily.RAFT_STATE).snapshot();
             KvSnapshot log = storage.store(ColumnFamily.RAFT_LOG).snapshot()) {
            byte[] boot = state.get(RaftCodec.stateKey(group, bootstrapTag));
            ConfState bootstrap;
            if (boot == null) {
                if (!initialIfNew.entries().isEmpty()) {
                    throw new IllegalArgumentException("group " + group + ": an initial state has no log entries");
                }
                byte[] kept = state.get(RaftCodec.stateKey(group, hardStateTag));
                if (kept != null) {
                    // A replica of this group lived here before and was removed: its term and vote
                    // stay, so the new replica never votes twice in a term.
                    initialIfNew = initialIfNew.withTermAndVoteOf(RaftCodec.decodeHardState(kept));
                }
                bootstrap = initialIfNew.bootstrap();
                KvBatch b = new KvBatch().put(RaftCodec.stateKey(group, bootstrapTag), RaftCodec.encodeConf(bootstrap));
                if (initialIfNew.snapshot() != null) {
                    b.put(RaftCodec.stateKey(group, snapshotTag), RaftCodec.encodeSnapshot(initialIfNew.snapshot()));
                }
                if (!initialIfNew.hardState().equals(HardState.EMPTY)) {
                    b.put(RaftCodec.stateKey(group, hardStateTag), RaftCodec.encodeHardState(initialIfNew.hardState()));
                }
                storage.applyAtomically(Map.of(ColumnFamily.RAFT_STATE, b), true);
                long snap = initialIfNew.snapshot() == null ? 0 : initialIfNew.snapshot().index();
                lastIndex.put(group, snap);
                snapshotIndex.put(group, snap);
                return initialIfNew;
            }
            bootstrap = RaftCodec.decodeConf(boot);
            byte[] hs = state.get(RaftCodec.stateKey(group, hardStateTag));
            byte[] snap = state.get(RaftCodec.stateKey(group, snapshotTag));
            Snapshot snapshot = snap == null ? null : RaftCodec.decodeSnapshot(snap);
            long from = snapshot == null ? 1 : snapshot.index() + 1;
            List<Entry> entries = new ArrayList<>();
            try (KvCursor c = log.scan(RaftCodec.logKey(group, from), RaftCodec.logKey(group + 1, 0))) {
                long expect = from;
                while (c.next()) {
                    long index = RaftCodec.indexOfLogKey(c.key());
                    if (index != expect) {
                        throw new IllegalStateException("group " + group + ": log gap, expected index " + expect + ", found " + index);
                    }
                    entries.add(RaftCodec.decodeEntry(index, c.value()));
                    expect++;
                }
            }
            long last = entries.isEmpty() ? from - 1 : entries.get(entries.size() - 1).index();
            lastIndex.put(group, last);
            snapshotIndex.put(group, from - 1);
            HardState hardState = hs == null ? HardState.EMPTY : RaftCodec.decodeHardState(hs);
            return new RaftState(hardState, snapshot, entries, bootstrap);
        }
    }

    /**
     * Reduces a group's durable state to its term and vote, with no members, no snapshot point
     * and no log (synced): for a replica whose state machine has no state and must be
     * initialised by a snapshot. The term and vote stay so that the replica never votes twice
     * in a term.
     */
    public void resetToEmpty(long group) {
        KvBatch log = new KvBatch();
        HardState hs;
        try (KvSnapshot state = storage.store(ColumnFamily.RAFT_STATE).snapshot();
             KvSnapshot entries = storage.store(ColumnFamily.RAFT_LOG).snapshot();
             KvCursor c = entries.scan(RaftCodec.logKey(group, 0), RaftCodec.logKey(group + 1, 0))) {
            byte[] h = state.get(RaftCodec.stateKey(group, hardStateTag));
            hs = h == null ? HardState.EMPTY : RaftCodec.decodeHardState(h);
            while (c.next()) {
                log.delete(c.key().clone());
            }
        }
        KvBatch state = new KvBatch()
                .put(RaftCodec.stateKey(group, bootstrapTag), RaftCodec.encodeConf(ConfState.NONE))
                .put(RaftCodec.stateKey(group, hardStateTag), RaftCodec.encodeHardState(new HardState(hs.term(), hs.vote(), 0)))
                .delete(RaftCodec.stateKey(group, snapshotTag));
        Map<ColumnFamily, KvBatch> batches = new EnumMap<>(ColumnFamily.class);
        batches.put(ColumnFamily.RAFT_STATE, state);
        if (!log.isEmpty()) {
            batches.put(ColumnFamily.RAFT_LOG, log);
        }
        storage.applyAtomically(batches, true);
        lastIndex.put(group, 0L);
        snapshotIndex.put(group, 0L);
    }

    /** Stages what a Ready asks to persist. The caller applies the set with {@link #write}. */
    public void stage(long group, Ready rd, WriteSet set) {
        long last = set.newLast.getOrDefault(group, lastIndex.getOrDefault(group, 0L));
        if (rd.snapshot() != null) {
            Snapshot s = rd.snapshot();
            long snapIdx = set.newSnapshot.getOrDefault(group, snapshotIndex.getOrDefault(group, 0L));
            for (long i = snapIdx + 1; i <= last; i++) {
                set.log.delete(RaftCodec.logKey(group, i));
            }
            set.state.put(RaftCodec.stateKey(group, snapshotTag), RaftCodec.encodeSnapshot(s));
            set.newSnapshot.put(group, s.index());
            last = s.index();
        }
        if (!rd.entries().isEmpty()) {
            long first = rd.entries().get(0).index();
            for (long i = first; i <= last; i++) {
                set.log.delete(RaftCodec.logKey(group, i));
            }
            for (Entry e : rd.entries()) {
                set.log.put(RaftCodec.logKey(group, e.index()), RaftCodec.encodeEntry(e));
            }
            last = rd.entries().get(rd.entries().size() - 1).index();
        }
        set.newLast.put(group, last);
        if (rd.hardState() != null) {
            set.state.put(RaftCodec.stateKey(group, hardStateTag), RaftCodec.encodeHardState(rd.hardState()));
        }
    }

    /** Writes a staged set atomically; with sync, durable (one fsync) when this returns. */
    public void write(WriteSet set, boolean sync) {
        if (set.isEmpty()) {
            return;
        }
        storage.applyAtomically(batches(set), sync);
        lastIndex.putAll(set.newLast);
        snapshotIndex.putAll(set.newSnapshot);
    }

    /**
     * Writes a staged set that needs no sync (it only moves commit indexes: a lower recovered
     * commit index is safe) atomically with the next write the calling thread makes to the
     * storage, or at {@link #flushDeferred}: the Raft driver's commit indexes ride on the apply
     * of the entries they commit instead of costing a RocksDB write of their own, and still reach
     * the disk no later than that apply, so a recovered commit index is never below an index the
     * state machine recovered as applied. See {@link RocksStorage#deferToNextWrite}.
     */
    public void writeWithNext(WriteSet set) {
        if (set.isEmpty()) {
            return;
        }
        storage.deferToNextWrite(batches(set));
        lastIndex.putAll(set.newLast);
        snapshotIndex.putAll(set.newSnapshot);
    }

    /** Writes, without sync, a set {@link #writeWithNext} deferred and no write of this thread took yet. */
    public void flushDeferred() {
        storage.flushDeferred();
    }

    private static Map<ColumnFamily, KvBatch> batches(WriteSet set) {
        Map<ColumnFamily, KvBatch> batches = new EnumMap<>(ColumnFamily.class);
        if (!set.log.isEmpty()) {
            batches.put(ColumnFamily.RAFT_LOG, set.log);
        }
        if (!set.state.isEmpty()) {
            batches.put(ColumnFamily.RAFT_STATE, set.state);
        }
        return batches;
    }

    /**
     * Deletes what is stored for a group (its log, snapshot point and bootstrap configuration),
     * synced: the group's replica was removed from this node. The hard state stays: a replica of
     * the group hosted here again later starts from its term and vote ({@link #load}), so this
     * node never votes twice in one term of the group.
     */
    public void deleteGroup(long group) {
        long from = snapshotIndex.getOrDefault(group, 0L) + 1;
        long to = lastIndex.getOrDefault(group, from - 1);
        KvBatch log = new KvBatch();
        for (long i = from; i <= to; i++) {
            log.delete(RaftCodec.logKey(group, i));
        }
        KvBatch state = new KvBatch().delete(RaftCodec.stateKey(group, snapshotTag))
                .delete(RaftCodec.stateKey(group, bootstrapTag));
        Map<ColumnFamily, KvBatch> batches = new EnumMap<>(ColumnFamily.class);
        batches.put(ColumnFamily.RAFT_STATE, state);
        if (!log.isEmpty()) {
            batches.put(ColumnFamily.RAFT_LOG, log);
        }
        storage.applyAtomically(batches, true);
        snapshotIndex.remove(group);
        lastIndex.remove(group);
    }

    /**
     * Persists a snapshot the node took of its own state machine and deletes the entries it
     * covers, atomically. Not synced: if lost in a crash, the entries are still there.
     */
    public void compact(long group, Snapshot s) {
        long from = snapshotIndex.getOrDefault(group, 0L) + 1;
        KvBatch log = new KvBatch();
        for (long i = from; i <= s.index(); i++) {
            log.delete(RaftCodec.logKey(group, i));
        }
        KvBatch state = new KvBatch().put(RaftCodec.stateKey(group, snapshotTag), RaftCodec.encodeSnapshot(s));
        Map<ColumnFamily, KvBatch> batches = new EnumMap<>(ColumnFamily.class);
        batches.put(ColumnFamily.RAFT_STATE, state);
        if (!log.isEmpty()) {
            batches.put(ColumnFamily.RAFT_LOG, log);
        }
        storage.applyAtomically(batches, false);
        snapshotIndex.put(group, s.index());
    }
}
