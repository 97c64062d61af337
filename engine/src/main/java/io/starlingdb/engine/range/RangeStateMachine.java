package io.starlingdb.engine.range;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.RaftState;
import io.starlingdb.engine.raft.SnapshotSink;
import io.starlingdb.engine.raft.SnapshotSource;
import io.starlingdb.engine.raft.StateMachine;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.SstFiles;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One replica of a range: applies the range's Raft log to the node's range store and serves
 * reads of its span. Every command writes its data, the range's descriptor when it changes, and
 * the applied index in one atomic batch, so after a crash the replica resumes exactly after the
 * last command that reached the disk and skips the log entries it already has.
 *
 * <p>Commands are deterministic functions of the stored state, so every replica reaches the same
 * state and the same answer: conditions (compare-and-set) and span checks are evaluated when a
 * command is applied, not when it is proposed. A write with a key outside the span (the range
 * split after the write was proposed) changes nothing and answers {@link RangeResult.KeyMismatch}.
 *
 * <p>The Raft driver applies on its thread; reads ({@link #read}) run on any thread, each on one
 * storage snapshot and the descriptor it belongs to.
 */
public final class RangeStateMachine implements StateMachine {

    /**
     * The applied index of a range when it is created (bootstrapped or split off): its Raft log
     * starts at the next index ({@link #initialRaftState}). A replica created empty, whose log is
     * at 0, therefore lacks entries the leader no longer has and is initialised by a snapshot,
     * never by replaying a log against a descriptor it does not have (as CockroachDB's initial
     * log index).
     */
    public static final long initialIndex = 10;
    /** The term of a range's initial state; its replicas start in this term. */
    public static final long initialTerm = 5;

    private final KvStore store;
    private final RangeHost host;
    private final long rangeId;
    /** Where snapshots are written and received as SST files; null: snapshots are byte arrays (the simulator). */
    private volatile SstFiles files;
    /**
     * Written on the Raft driver's thread; volatile so that lookups from other threads see the
     * newest. Null while the replica is uninitialised (created empty, waiting for its first snapshot).
     */
    private volatile RangeDescriptor descriptor;
    /** Written on the Raft driver's thread; volatile for operators and tests reading it from others. */
    private volatile long applied;
    /**
     * The range's GC threshold ({@link #gcThreshold()}): raised on the Raft driver's thread when
     * a version GC applies, before its batch is written; volatile for the reads on other threads.
     */
    private volatile long gcThreshold;

    private RangeStateMachine(KvStore store, RangeHost host, long rangeId, RangeDescriptor descriptor, long applied,
                              long gcThreshold) {
        this.store = store;
        this.host = host;
        this.rangeId = rangeId;
        this.descriptor = descriptor;
        this.applied = applied;
        this.gcThreshold = gcThreshold;
    }

    /** Writes the initial state of a range that starts with no log (the first ranges of a new cluster). */
    public static void bootstrap(KvStore store, RangeDescriptor descriptor) {
        bootstrap(store, List.of(descriptor), List.of());
    }

    /**
     * Writes, in one batch, the initial state of ranges that start with no log, holding the given
     * pairs (each inside one of them): a new cluster's meta range and first user range.
     */
    public static void bootstrap(KvStore store, List<RangeDescriptor> ranges, List<RangeResult.KeyValue> pairs) {
        KvBatch b = new KvBatch();
        for (RangeResult.KeyValue kv : pairs) {
            if (ranges.stream().noneMatch(d -> d.contains(kv.key()))) {
                throw new IllegalArgumentException("key " + RangeDescriptor.hex(kv.key()) + " is outside " + ranges);
            }
            b.put(RangeKeys.versionKey(kv.key(), 0), RangeMvcc.encodeVersion(0, kv.value()));
        }
        for (RangeDescriptor d : ranges) {
            putLocalState(b, d, initialIndex);
        }
        store.apply(b, true);
    }

    /**
     * The Raft state a replica of a range with this membership starts from when its node has
     * none: the log starts after {@link #initialIndex}. Every replica of a new range (bootstrapped
     * on its initial members, or split off on every member of the parent) starts the same way.
     */
    public static RaftState initialRaftState(ConfState conf) {
        return RaftState.initial(conf, initialIndex, initialTerm);
    }

    /**
     * Records that this store hosts an uninitialised replica of rangeId (synced), so that it is
     * hosted again after a restart until its first snapshot arrives.
     */
    public static void markUninitialised(KvStore store, long rangeId) {
        store.apply(new KvBatch().put(RangeKeys.uninitialisedKey(rangeId), new byte[0]), true);
    }

    /** The ranges this store hosts uninitialised replicas of (created empty, no snapshot installed yet). */
    public static List<Long> storedUninitialised(KvStore store) {
        List<Long> out = new ArrayList<>();
        try (KvSnapshot s = store.snapshot(); KvCursor c = s.scan(RangeKeys.localSpanStart(), RangeKeys.localSpanEnd())) {
            while (c.next()) {
                if (RangeKeys.isUninitialisedKey(c.key())) {
                    out.add(RangeKeys.rangeIdOfLocalKey(c.key()));
                }
            }
        }
        return out;
    }

    /**
     * A replica of rangeId with no state yet: it applies nothing until a snapshot installs the
     * range's descriptor, data and applied index (then it tells the host, {@link RangeHost#initialised}).
     */
    public static RangeStateMachine uninitialised(KvStore store, long rangeId, RangeHost host) {
        return new RangeStateMachine(store, host, rangeId, null, 0, 0);
    }

    /** The ranges whose state this store holds, for reopening their replicas after a restart. */
    public static List<RangeDescriptor> storedRanges(KvStore store) {
        List<RangeDescriptor> out = new ArrayList<>();
        try (KvSnapshot s = store.snapshot(); KvCursor c = s.scan(RangeKeys.localSpanStart(), RangeKeys.localSpanEnd())) {
            while (c.next()) {
                if (RangeKeys.isDescriptorKey(c.key())) {
                    out.add(RangeCodec.decodeDescriptor(c.value()));
                }
            }
        }
        return out;
    }

    /** Opens the replica of rangeId whose state the store holds. */
    public static RangeStateMachine open(KvStore store, long rangeId, RangeHost host) {
        try (KvSnapshot s = store.snapshot()) {
            byte[] d = s.get(RangeKeys.descriptorKey(rangeId));
            byte[] a = s.get(RangeKeys.appliedIndexKey(rangeId));
            if (d == null || a == null) {
                throw new IllegalStateException("no state stored for range " + rangeId);
            }
            return new RangeStateMachine(store, host, rangeId, RangeCodec.decodeDescriptor(d), ByteBuffer.wrap(a).getLong(),
                    storedGcThreshold(s, rangeId));
        }
    }

    /** The range's descriptor as of the applied index; null while the replica is uninitialised. */
    public RangeDescriptor descriptor() {
        return descriptor;
    }

    public long rangeId() {
        return rangeId;
    }

    /** Whether the replica has its state (bootstrapped, split off, or a snapshot installed). */
    public boolean isInitialised() {
        return descriptor != null;
    }

    public long appliedIndex() {
        return applied;
    }

    /**
     * The highest threshold of a version GC applied to this range (0: none): a version GC removes
     * versions only a read below its threshold could see, so the range refuses reads at a
     * timestamp below it, and prewrites and one-phase writes of transactions that started below
     * it (their conflict check could miss a deletion GC removed), with
     * {@link RangeResult.BelowGcThreshold}. Part of the range's replicated state: kept with the
     * applied index, carried into the right half of a split and in snapshots. A reader checks it
     * after reading (it rises before the GC's batch is written, so a read that saw the batch
     * sees the threshold).
     */
    public long gcThreshold() {
        return gcThreshold;
    }

    /** The refusal of a read or a transaction's write at timestamp ts, or null when the range's GC left ts alone. */
    public RangeResult.BelowGcThreshold belowGcThreshold(long ts) {
        long threshold = gcThreshold;
        return ts > 0 && ts < threshold ? new RangeResult.BelowGcThreshold(ts, threshold) : null;
    }

    private static long storedGcThreshold(KvSnapshot s, long rangeId) {
        byte[] t = s.get(RangeKeys.gcThresholdKey(rangeId));
        return t == null ? 0 : ByteBuffer.wrap(t).getLong();
    }

    /** Raises the threshold to at least threshold, into batch (the GC's own). */
    private void raiseGcThreshold(long threshold, KvBatch batch) {
        if (threshold > gcThreshold) {
            gcThreshold = threshold;
            putGcThreshold(batch, rangeId, threshold);
        }
    }

    private static void putGcThreshold(KvBatch batch, long rangeId, long threshold) {
        batch.put(RangeKeys.gcThresholdKey(rangeId), ByteBuffer.allocate(8).putLong(threshold).array());
    }

    // ------------------------------------------------------------------ applying

    @Override
    public Object apply(long index, byte[] command) {
        if (index <= applied) {
            return null; // replayed after a restart: already in the store
        }
        requireInitialised(index);
        RangeCommand c = RangeCodec.decodeCommand(command);
        KvBatch batch = new KvBatch();
        RangeResult result;
        RangeDescriptor right = null;
        if (c instanceof RangeCommand.Split s) {
            result = split(s, batch);
            if (result instanceof RangeResult.SplitDone done) {
                right = done.right();
                descriptor = done.left();
            }
        } else {
            result = applyData(c, batch);
        }
        if (right != null) {
            putLocalState(batch, descriptor, index);
        } else {
            // The descriptor changes only by a split or a membership change: a data command
            // writes the applied index alone (the stored descriptor is the one in memory).
            putAppliedIndex(batch, rangeId, index);
        }
        store.apply(batch, false);
        applied = index;
        if (c instanceof RangeCommand.Prewrite) {
            // After the locks are written (see locks()): in a driver turn, after the turn's write.
            if (store instanceof TurnBatchedStore turn) {
                turn.afterWrite(lockWrites::incrementAndGet);
            } else {
                lockWrites.incrementAndGet();
            }
        }
        if (right != null) {
            if (store instanceof TurnBatchedStore turn) {
                // The right half's state is written before its Raft group is created, as when
                // every apply was a write of its own.
                turn.flush();
            }
            host.splitApplied(descriptor, right);
        }
        return result;
    }

    @Override
    public void applyEmpty(long index) {
        if (index <= applied || descriptor == null) {
            return; // replayed, or a replica still to be initialised by a snapshot (which brings its own index)
        }
        KvBatch batch = new KvBatch();
        putAppliedIndex(batch, rangeId, index);
        store.apply(batch, false);
        applied = index;
    }

    @Override
    public void applyConfChange(long index, ConfChange change) {
        if (index <= applied) {
            return;
        }
        requireInitialised(index);
        // A membership change raises the generation too, so the newest descriptor always wins (caches, meta).
        descriptor = new RangeDescriptor(descriptor.rangeId(), descriptor.start(), descriptor.end(),
                descriptor.conf().apply(change), descriptor.generation() + 1);
        KvBatch batch = new KvBatch();
        putLocalState(batch, descriptor, index);
        // Synced: a replica this change removes may be destroyed as soon as meta shows it gone.
        // Were the new members to lose the change in a crash (their commit index is not synced
        // either), they would elect under the old configuration, whose quorum may need the
        // destroyed replica: the range would stay without a leader (seed 4279 of the KV simulator).
        store.apply(batch, true);
        applied = index;
    }

    /** An entry reached a replica with no state: its log would be replayed against nothing. */
    private void requireInitialised(long index) {
        if (descriptor == null) {
            throw new IllegalStateException("range " + rangeId + ": entry " + index
                    + " reached an uninitialised replica; it must be initialised by a snapshot");
        }
    }

    /**
     * Applies a command on the range's data (a write batch or a step of a transaction) if every
     * key of it is in the range, into batch (left empty when the command is refused).
     */
    private RangeResult applyData(RangeCommand c, KvBatch batch) {
        RangeResult.KeyMismatch mismatch = keyOutside(descriptor, c);
        if (mismatch != null) {
            return mismatch;
        }
        List<byte[]> keys = keysOf(c);
        boolean system = MetaKeys.isSystemKey(keys.get(0));
        for (byte[] key : keys) {
            if (MetaKeys.isSystemKey(key) != system) {
                return new RangeResult.Refused("a command writes keys of the system or user keys, not both");
            }
        }
        if (c instanceof RangeCommand.Write w && (w.commitTs() == 0) != system) {
            return new RangeResult.Refused(system ? "keys of the system are not versioned"
                    : "a write of user keys needs a commit timestamp");
        }
        if (system && !(c instanceof RangeCommand.Write)) {
            return new RangeResult.Refused("keys of the system are not written in transactions");
        }
        RangeResult.BelowGcThreshold old = c instanceof RangeCommand.Prewrite p ? belowGcThreshold(p.startTs())
                : c instanceof RangeCommand.Write w ? belowGcThreshold(w.startTs()) : null;
        if (old != null) {
            return old;
        }
        try (KvSnapshot s = store.snapshot()) {
            if (c instanceof RangeCommand.Write w) {
                return RangeMvcc.write(s, w.ops(), w.startTs(), w.commitTs(), batch);
            } else if (c instanceof RangeCommand.Prewrite p) {
                return RangeMvcc.prewrite(s, p, batch);
            } else if (c instanceof RangeCommand.Commit cm) {
                return RangeMvcc.commit(s, cm.startTs(), cm.commitTs(), cm.keys(), batch);
            } else if (c instanceof RangeCommand.Rollback r) {
                return RangeMvcc.rollback(s, r.startTs(), r.keys(), batch);
            } else if (c instanceof RangeCommand.Gc g) {
                raiseGcThreshold(g.threshold(), batch);
                return RangeMvcc.gc(s, g.threshold(), g.keys(), batch);
            } else if (c instanceof RangeCommand.CheckPrewrite cp) {
                return RangeMvcc.checkPrewrite(s, cp.startTs(), cp.keys(), batch);
            } else {
                return RangeMvcc.status(s, (RangeCommand.CheckStatus) c, batch);
            }
        }
    }

    /**
     * The answer of a data command with a key outside range (a gateway routed it with a stale
     * descriptor), or null when every key is in it. A leaseholder may answer it before latching
     * the keys and proposing: a range only narrows (by splits), so a key outside its span now is
     * outside it when the command would apply. Latched and proposed, such a write held the
     * latches on keys of another range until it applied or timed out, and a read of those keys
     * at that range, when this store led it too, waited as long (KV simulator, seed 6036).
     */
    public static RangeResult.KeyMismatch keyOutside(RangeDescriptor range, RangeCommand c) {
        for (byte[] key : keysOf(c)) {
            if (!range.contains(key)) {
                return new RangeResult.KeyMismatch(range);
            }
        }
        return null;
    }

    /** The user keys a data command touches. */
    static List<byte[]> keysOf(RangeCommand c) {
        if (c instanceof RangeCommand.Write w) {
            return w.ops().stream().map(WriteOp::key).toList();
        } else if (c instanceof RangeCommand.Prewrite p) {
            return p.ops().stream().map(WriteOp::key).toList();
        } else if (c instanceof RangeCommand.Commit cm) {
            return cm.keys();
        } else if (c instanceof RangeCommand.Rollback r) {
            return r.keys();
        } else if (c instanceof RangeCommand.CheckStatus st) {
            return List.of(st.primary());
        } else if (c instanceof RangeCommand.Gc g) {
            return g.keys();
        } else if (c instanceof RangeCommand.CheckPrewrite cp) {
            return cp.keys();
        }
        return List.of();
    }

    private RangeResult split(RangeCommand.Split s, KvBatch batch) {
        if (s.expectedGeneration() != descriptor.generation()) {
            return new RangeResult.Refused("range " + descriptor.rangeId() + " is at generation " + descriptor.generation()
                    + ", the split expected " + s.expectedGeneration());
        }
        if (MetaKeys.isSystemKey(s.splitKey())) {
            return new RangeResult.Refused("the meta range (keys that begin with 0x00) does not split");
        }
        if (!descriptor.contains(s.splitKey()) || Arrays.equals(s.splitKey(), descriptor.start())) {
            return new RangeResult.Refused("split key " + RangeDescriptor.hex(s.splitKey()) + " is not inside " + descriptor);
        }
        long generation = descriptor.generation() + 1;
        RangeDescriptor left = new RangeDescriptor(descriptor.rangeId(), descriptor.start(), s.splitKey(), descriptor.conf(),
                generation);
        RangeDescriptor right = new RangeDescriptor(s.newRangeId(), s.splitKey(), descriptor.end(), descriptor.conf(),
                generation);
        putLocalState(batch, right, initialIndex);
        if (gcThreshold > 0) {
            putGcThreshold(batch, right.rangeId(), gcThreshold); // the right half's versions were GCed alike
        }
        // An empty replica of the right half hosted here before (for its leader) is initialised now.
        batch.delete(RangeKeys.uninitialisedKey(right.rangeId()));
        return new RangeResult.SplitDone(left, right);
    }

    private static void putLocalState(KvBatch batch, RangeDescriptor d, long appliedIndex) {
        batch.put(RangeKeys.descriptorKey(d.rangeId()), RangeCodec.encodeDescriptor(d));
        putAppliedIndex(batch, d.rangeId(), appliedIndex);
    }

    private static void putAppliedIndex(KvBatch batch, long rangeId, long appliedIndex) {
        batch.put(RangeKeys.appliedIndexKey(rangeId), ByteBuffer.allocate(8).putLong(appliedIndex).array());
    }

    // ------------------------------------------------------------------ reads

    /** A read's result and the descriptor it was answered against, whose span its snapshot read. */
    public record Answer(RangeResult result, RangeDescriptor descriptor) {
    }

    /**
     * Runs read against one storage snapshot and the descriptor that snapshot belongs to, on any
     * thread. The Raft driver sets a new descriptor (a split, a membership change, a snapshot
     * restored) before it writes the batch that goes with it, so a descriptor that is still the
     * same after the snapshot was taken is one whose change had not been written when it was: the
     * snapshot's data is the range's as that descriptor describes it. The answer carries that
     * descriptor, which the reader must use to know where the range's part of its span ended.
     * Reading the descriptor apart from the snapshot, and again for the answer, made a scan that
     * a split crossed read the right half under the old span and answer the new one, so the
     * reader read the right half twice: COUNT(*) counted 22 of 20 rows. (A snapshot installed
     * from SST files, {@link #installFiles}, clears the old data before it sets the descriptor; it
     * happens only at a replica without the lease, whose reads run on the driver's thread or fail
     * the lease's second look, {@code RangeStore.leaseHeldThroughout}.)
     */
    public Answer read(java.util.function.Function<View, RangeResult> read) {
        while (true) {
            RangeDescriptor d = descriptor;
            if (d == null) {
                throw new IllegalStateException("range " + rangeId + " has no state here yet (its replica waits for a snapshot)");
            }
            KvSnapshot s = store.snapshot();
            if (descriptor != d) {
                s.close();
                continue; // the descriptor changed meanwhile: the snapshot may be of either
            }
            try (s) {
                return new Answer(read.apply(new View(d, s)), d);
            }
        }
    }

    /** The reads of one snapshot of the range's data, within the span of the descriptor it belongs to: see {@link #read}. */
    public final class View {
        private final RangeDescriptor d;
        private final KvSnapshot s;

        private View(RangeDescriptor d, KvSnapshot s) {
            this.d = d;
            this.s = s;
        }

        /**
         * The value of key visible at ts (Long.MAX_VALUE: the newest), a lock of another transaction
         * than ownStartTs that hides it, or a mismatch if the key is not in this range.
         */
        public RangeResult get(byte[] key, long ts, long ownStartTs) {
            return d.contains(key) ? RangeMvcc.get(s, key, ts, ownStartTs) : new RangeResult.KeyMismatch(d);
        }

        /** The values of keys at ts (null where absent), the locks that hide some, or a mismatch if one is not in this range. */
        public RangeResult getAll(List<byte[]> keys, long ts, long ownStartTs) {
            for (byte[] key : keys) {
                if (!d.contains(key)) {
                    return new RangeResult.KeyMismatch(d);
                }
            }
            return RangeMvcc.getAll(s, keys, ts, ownStartTs);
        }

        /**
         * The pairs visible at ts with from &lt;= key &lt; to (null: no bound) that lie in this
         * range, at most maxRows of them and about maxBytes (or the locks that hide some), less
         * the rows whose value filter (null: none) rejects; from must be in the range.
         */
        public RangeResult scan(byte[] from, byte[] to, int maxRows, long maxBytes, long ts, long ownStartTs,
                                RowPredicate filter) {
            if (!d.contains(from)) {
                return new RangeResult.KeyMismatch(d);
            }
            return RangeMvcc.scan(s, from, clampEnd(to), ts, ownStartTs, maxRows, maxBytes, filter);
        }

        /**
         * Per span of fromToPairs (pairs from, to; an empty to: no bound), the first key visible at
         * ts in the span's part inside this range, or null. Locks that hide a span's first key are
         * answered instead (the reader resolves them and asks again).
         */
        public RangeResult firstKeys(List<byte[]> fromToPairs, long ts, long ownStartTs) {
            if (fromToPairs.size() % 2 != 0) {
                throw new IllegalArgumentException("first keys need (from, to) pairs, got " + fromToPairs.size() + " keys");
            }
            for (int i = 0; i < fromToPairs.size(); i += 2) {
                if (!d.contains(fromToPairs.get(i))) {
                    return new RangeResult.KeyMismatch(d);
                }
            }
            List<byte[]> first = new ArrayList<>(fromToPairs.size() / 2);
            List<RangeResult.LockInfo> locks = new ArrayList<>();
            for (int i = 0; i < fromToPairs.size(); i += 2) {
                byte[] to = fromToPairs.get(i + 1);
                RangeResult r = RangeMvcc.scan(s, fromToPairs.get(i), clampEnd(to.length == 0 ? null : to), ts, ownStartTs, 1,
                        Long.MAX_VALUE, null);
                if (r instanceof RangeResult.Locked l) {
                    locks.addAll(l.locks());
                } else {
                    List<RangeResult.KeyValue> rows = ((RangeResult.Rows) r).rows();
                    first.add(rows.isEmpty() ? null : rows.get(0).key());
                }
            }
            return locks.isEmpty() ? new RangeResult.Values(first) : new RangeResult.Locked(locks);
        }

        /** Read validation of a SERIALIZABLE transaction over [from, to) within this range: see {@link RangeMvcc#validate}. */
        public RangeResult validate(byte[] from, byte[] to, long startTs, long commitTs) {
            if (!d.contains(from)) {
                return new RangeResult.KeyMismatch(d);
            }
            return RangeMvcc.validate(s, from, clampEnd(to), startTs, commitTs);
        }

        /**
         * Read validation of a SERIALIZABLE transaction's point reads in this range, each key as the
         * span [key, key 0x00): the first conflict found, else every lock met (at most
         * {@link RangeMvcc#maxLocksPerAnswer}), else valid; a mismatch if a key is not in this range.
         */
        public RangeResult validateKeys(List<byte[]> keys, long startTs, long commitTs) {
            for (byte[] key : keys) {
                if (!d.contains(key)) {
                    return new RangeResult.KeyMismatch(d);
                }
            }
            List<RangeResult.LockInfo> locks = new ArrayList<>();
            for (byte[] key : keys) {
                RangeResult r = RangeMvcc.validate(s, key, Arrays.copyOf(key, key.length + 1), startTs, commitTs);
                if (r instanceof RangeResult.WriteConflict) {
                    return r;
                }
                if (r instanceof RangeResult.Locked l && locks.size() < RangeMvcc.maxLocksPerAnswer) {
                    locks.addAll(l.locks());
                }
            }
            return locks.isEmpty() ? new RangeResult.Written() : new RangeResult.Locked(locks);
        }

        /** The locks in [from, to) within this range, at most max (resumeKey: where the next page starts). */
        public RangeResult lockList(byte[] from, byte[] to, int max) {
            if (!d.contains(from)) {
                return new RangeResult.KeyMismatch(d);
            }
            List<RangeMvcc.KeyLock> found = RangeMvcc.locks(s, from, clampEnd(to), max + 1);
            List<RangeResult.LockInfo> out = new ArrayList<>();
            for (int i = 0; i < Math.min(max, found.size()); i++) {
                out.add(found.get(i).lock().info(found.get(i).key()));
            }
            return new RangeResult.LockList(out, found.size() > max ? found.get(max).key() : null);
        }

        /**
         * The lock with the smallest start timestamp in [from, to) within this range, as a list of
         * at most one lock. A range that {@link #mayHoldLocks may hold no lock} answers none without
         * reading.
         */
        public RangeResult oldestLock(byte[] from, byte[] to) {
            if (!d.contains(from)) {
                return new RangeResult.KeyMismatch(d);
            }
            if (!mayHoldLocks()) {
                return new RangeResult.LockList(List.of(), null);
            }
            RangeMvcc.KeyLock oldest = RangeMvcc.oldestLock(s, from, clampEnd(to));
            return new RangeResult.LockList(oldest == null ? List.of() : List.of(oldest.lock().info(oldest.key())), null);
        }

        private byte[] clampEnd(byte[] to) {
            return d.end() == null ? to : to == null || Arrays.compareUnsigned(to, d.end()) > 0 ? d.end() : to;
        }
    }

    /** {@link View#get} of one snapshot. */
    public RangeResult get(byte[] key, long ts, long ownStartTs) {
        return read(v -> v.get(key, ts, ownStartTs)).result();
    }

    /** The newest value of key (no transaction). */
    public RangeResult get(byte[] key) {
        return get(key, Long.MAX_VALUE, 0);
    }

    /** {@link View#getAll} of one snapshot. */
    public RangeResult getAll(List<byte[]> keys, long ts, long ownStartTs) {
        return read(v -> v.getAll(keys, ts, ownStartTs)).result();
    }

    /** {@link View#scan} of one snapshot, without a filter. */
    public RangeResult scan(byte[] from, byte[] to, int maxRows, long maxBytes, long ts, long ownStartTs) {
        return scan(from, to, maxRows, maxBytes, ts, ownStartTs, null);
    }

    /** {@link View#scan} of one snapshot. */
    public RangeResult scan(byte[] from, byte[] to, int maxRows, long maxBytes, long ts, long ownStartTs, RowPredicate filter) {
        return read(v -> v.scan(from, to, maxRows, maxBytes, ts, ownStartTs, filter)).result();
    }

    /** {@link View#firstKeys} of one snapshot. */
    public RangeResult firstKeys(List<byte[]> fromToPairs, long ts, long ownStartTs) {
        return read(v -> v.firstKeys(fromToPairs, ts, ownStartTs)).result();
    }

    /** The newest pairs (no transaction): {@link #scan(byte[], byte[], int, long, long, long)}. */
    public RangeResult scan(byte[] from, byte[] to, int maxRows, long maxBytes) {
        return scan(from, to, maxRows, maxBytes, Long.MAX_VALUE, 0);
    }

    /** {@link View#validate} of one snapshot. */
    public RangeResult validate(byte[] from, byte[] to, long startTs, long commitTs) {
        return read(v -> v.validate(from, to, startTs, commitTs)).result();
    }

    /** {@link View#validateKeys} of one snapshot. */
    public RangeResult validateKeys(List<byte[]> keys, long startTs, long commitTs) {
        return read(v -> v.validateKeys(keys, startTs, commitTs)).result();
    }

    /**
     * The answer to a status request decided from this replica's state, if deciding it writes
     * nothing (committed, rolled back, pending and alive, missing without rollbackIfMissing);
     * null if it must write (roll back an expired or missing transaction, extend a lock), and
     * so must go through the range's log. Asked at the leaseholder under its lease: see
     * {@code RangeStore} for why a "pending" answer that is stale by then is still safe.
     */
    public RangeResult statusWithoutWriting(RangeCommand.CheckStatus c) {
        KvBatch scratch = new KvBatch();
        RangeResult r = read(v -> !v.d.contains(c.primary()) ? new RangeResult.KeyMismatch(v.d)
                : MetaKeys.isSystemKey(c.primary()) ? null // the log's apply refuses it, with the reason
                : RangeMvcc.status(v.s, c, scratch)).result();
        return r instanceof RangeResult.KeyMismatch || scratch.isEmpty() ? r : null;
    }

    /** Prewrites applied (or snapshots installed) since this replica opened: see {@link #mayHoldLocks}. */
    private final java.util.concurrent.atomic.AtomicLong lockWrites = new java.util.concurrent.atomic.AtomicLong(1);
    /** The value of {@link #lockWrites} when a scan of the whole range last found no lock (0: never). */
    private volatile long noLocksAt;

    /**
     * Whether the range may hold locks: false only after {@link #locks} found none in the whole
     * range and no prewrite applied since, so the recovery sweep skips ranges without transactions.
     */
    public boolean mayHoldLocks() {
        return lockWrites.get() != noLocksAt;
    }

    /**
     * The locks of this range, at most max, read from a storage snapshot (any thread). If there
     * is none, the range is remembered as holding none until the next prewrite.
     */
    List<RangeMvcc.KeyLock> locks(int max) {
        RangeDescriptor d = descriptor;
        if (d == null) {
            return List.of();
        }
        long writes = lockWrites.get();
        List<RangeMvcc.KeyLock> found;
        try (KvSnapshot s = store.snapshot()) {
            found = RangeMvcc.locks(s, d.start(), d.end(), max);
        }
        if (found.isEmpty()) {
            noLocksAt = writes;
        }
        return found;
    }

    /** {@link View#lockList} of one snapshot. */
    public RangeResult lockList(byte[] from, byte[] to, int max) {
        return read(v -> v.lockList(from, to, max)).result();
    }

    /** {@link View#oldestLock} of one snapshot. */
    public RangeResult oldestLock(byte[] from, byte[] to) {
        return read(v -> v.oldestLock(from, to)).result();
    }

    /** The keys of this range with versions no read at or above threshold can see, at most max (a storage snapshot; any thread). */
    List<byte[]> keysWithGarbage(long threshold, int max) {
        RangeDescriptor d = descriptor;
        if (d == null) {
            return List.of();
        }
        try (KvSnapshot s = store.snapshot()) {
            return RangeMvcc.keysWithGarbage(s, d.start(), d.end(), threshold, max);
        }
    }

    /** About how many bytes this range's data takes on disk and in memtables (-1: unknown). */
    public long approximateBytes() {
        RangeDescriptor d = descriptor;
        return store.approximateBytes(RangeKeys.dataKey(d.start()), RangeKeys.dataBound(d.end()));
    }

    /**
     * The key that halves this range's data by bytes (keys and values), or null if the range has
     * fewer than two keys: where a range that grew too large splits. Reads the range twice.
     */
    public byte[] middleKey() {
        RangeDescriptor d = descriptor;
        long total = 0;
        long keys = 0;
        try (KvSnapshot s = store.snapshot()) {
            try (KvCursor c = s.scan(RangeKeys.dataKey(d.start()), RangeKeys.dataBound(d.end()))) {
                while (c.next()) {
                    total += c.key().length + c.value().length;
                    keys++;
                }
            }
            if (keys < 2) {
                return null;
            }
            long seen = 0;
            try (KvCursor c = s.scan(RangeKeys.dataKey(d.start()), RangeKeys.dataBound(d.end()))) {
                byte[] first = null;
                while (c.next()) {
                    byte[] key = RangeKeys.userKey(c.key());
                    if (first == null) {
                        first = key;
                    } else if (seen * 2 >= total && !Arrays.equals(key, first)) {
                        return key; // a user key's lock slot and versions all go to one side
                    }
                    seen += c.key().length + c.value().length;
                }
            }
        }
        return null;
    }

    /**
     * Deletes this replica's data (its span) and its local state in one synced batch, after its
     * range moved away from this store (it is no longer a member): a replica of the range
     * hosted here again starts empty and is initialised by a snapshot, never by replaying the
     * old log onto data another range here may hold by then. The Raft group's own durable
     * state (term and vote) is the caller's to keep, so the store never votes twice in a term.
     * The replica must not be used afterwards.
     */
    public void destroy() {
        KvBatch batch = new KvBatch();
        if (descriptor != null) {
            try (KvSnapshot s = store.snapshot();
                 KvCursor c = s.scan(RangeKeys.dataKey(descriptor.start()), RangeKeys.dataBound(descriptor.end()))) {
                while (c.next()) {
                    batch.delete(c.key().clone());
                }
            }
        }
        batch.delete(RangeKeys.descriptorKey(rangeId));
        batch.delete(RangeKeys.appliedIndexKey(rangeId));
        batch.delete(RangeKeys.uninitialisedKey(rangeId));
        batch.delete(RangeKeys.gcThresholdKey(rangeId));
        store.apply(batch, true);
        descriptor = null;
        applied = 0;
        gcThreshold = 0;
    }

    // ------------------------------------------------------------------ snapshots

    /** Streams this replica's snapshots as SST files through files (ingested on the receiver). */
    RangeStateMachine withSnapshotFiles(SstFiles files) {
        this.files = files;
        return this;
    }

    @Override
    public SnapshotSource openSnapshot() {
        SstFiles f = files;
        if (f == null) {
            return null;
        }
        KvSnapshot s = store.snapshot();
        return new RangeSnapshotSource(s, f, descriptor, applied, storedGcThreshold(s, rangeId));
    }

    @Override
    public SnapshotSink receiveSnapshot(long index) {
        SstFiles f = files;
        return f == null ? null : new RangeSnapshotSink(this, f, index);
    }

    /**
     * Replaces this replica's state with a snapshot received as SST files (data keys of
     * snapshot's span, in order, not overlapping), unless it is not ahead of the applied index.
     * Two writes: first, synced, the old span (and the snapshot's) is cleared and the replica
     * marked uninitialised (descriptor and applied index deleted); then one atomic ingestion adds
     * the data files and a file with the descriptor and applied index that removes the mark. A
     * crash between the two leaves an uninitialised replica, which its node hosts again as such
     * and the leader snapshots again: never part of a range reported as applied.
     */
    void installFiles(RangeDescriptor snapshot, long snapshotApplied, long snapshotGcThreshold, List<Path> dataFiles,
                      SstFiles sst) {
        if (snapshotApplied <= applied) {
            return;
        }
        if (snapshot.rangeId() != rangeId) {
            throw new IllegalArgumentException("snapshot of range " + snapshot.rangeId() + " offered to range " + rangeId);
        }
        RangeDescriptor old = descriptor;
        byte[] from = old == null ? snapshot.start() : min(old.start(), snapshot.start());
        byte[] to = old == null ? snapshot.end()
                : old.end() == null || snapshot.end() == null ? null : max(old.end(), snapshot.end());
        sst.clearSpan(RangeKeys.dataKey(from), RangeKeys.dataBound(to), new KvBatch()
                .delete(RangeKeys.appliedIndexKey(rangeId))
                .delete(RangeKeys.descriptorKey(rangeId))
                .put(RangeKeys.uninitialisedKey(rangeId), new byte[0]));
        Path stateFile = sst.newFile("range-" + rangeId + "-state");
        try (SstFiles.SstWriter w = sst.writer(stateFile)) {
            // In key order: applied index (tag 1), descriptor (2), uninitialised mark (3), GC threshold (4).
            w.put(RangeKeys.appliedIndexKey(rangeId), ByteBuffer.allocate(8).putLong(snapshotApplied).array());
            w.put(RangeKeys.descriptorKey(rangeId), RangeCodec.encodeDescriptor(snapshot));
            w.delete(RangeKeys.uninitialisedKey(rangeId));
            w.put(RangeKeys.gcThresholdKey(rangeId), ByteBuffer.allocate(8).putLong(snapshotGcThreshold).array());
            w.finish();
        }
        List<Path> all = new ArrayList<>(dataFiles);
        all.add(stateFile);
        try {
            sst.ingest(all);
        } catch (RuntimeException e) {
            // The old state is gone and this object still describes it: stop the node, which
            // restarts with an uninitialised replica that the leader snapshots again.
            throw new Error("range " + rangeId + ": installing a snapshot at " + snapshotApplied
                    + " failed after the old state was cleared", e);
        } finally {
            SstFiles.delete(stateFile);
        }
        gcThreshold = Math.max(gcThreshold, snapshotGcThreshold);
        descriptor = snapshot;
        applied = snapshotApplied;
        lockWrites.incrementAndGet();
        if (old == null) {
            host.initialised(descriptor);
        }
    }

    @Override
    public byte[] snapshot() {
        List<RangeResult.KeyValue> pairs = new ArrayList<>();
        try (KvSnapshot s = store.snapshot();
             KvCursor c = s.scan(RangeKeys.dataKey(descriptor.start()), RangeKeys.dataBound(descriptor.end()))) {
            while (c.next()) {
                pairs.add(new RangeResult.KeyValue(c.key().clone(), c.value().clone()));
            }
        }
        return RangeCodec.encodeSnapshot(new RangeCodec.RangeSnapshot(descriptor, applied, gcThreshold, pairs));
    }

    /**
     * Installs a snapshot from the leader. The replica's own state is durable, so a snapshot that
     * is not ahead of it (the one Raft reloads at start-up, null for none) changes nothing. One
     * that is ahead replaces the data of the replica's span (which may be wider: a split this
     * replica skipped; the cut-off part belongs to no replica here any more) in one batch. The
     * first snapshot of an uninitialised replica gives it its state.
     */
    /** Data, descriptor and applied index go into one batch per command: see the class comment. */
    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public void restore(byte[] data) {
        if (data == null || data.length == 0) {
            return; // no snapshot, or the initial snapshot point of a range (its state is the stored one)
        }
        RangeCodec.RangeSnapshot snap = RangeCodec.decodeSnapshot(data);
        if (snap.appliedIndex() <= applied) {
            return;
        }
        if (snap.descriptor().rangeId() != rangeId) {
            throw new IllegalArgumentException("snapshot of range " + snap.descriptor().rangeId() + " offered to range "
                    + rangeId);
        }
        RangeDescriptor old = descriptor;
        KvBatch batch = new KvBatch();
        byte[] from = old == null ? snap.descriptor().start() : min(old.start(), snap.descriptor().start());
        byte[] to = old == null ? snap.descriptor().end()
                : old.end() == null || snap.descriptor().end() == null ? null : max(old.end(), snap.descriptor().end());
        try (KvSnapshot s = store.snapshot(); KvCursor c = s.scan(RangeKeys.dataKey(from), RangeKeys.dataBound(to))) {
            while (c.next()) {
                batch.delete(c.key().clone());
            }
        }
        for (RangeResult.KeyValue kv : snap.pairs()) {
            batch.put(kv.key(), kv.value()); // storage keys of the span: lock slots, versions, markers
        }
        if (old == null) {
            batch.delete(RangeKeys.uninitialisedKey(rangeId));
        }
        descriptor = snap.descriptor();
        applied = snap.appliedIndex();
        gcThreshold = Math.max(gcThreshold, snap.gcThreshold());
        lockWrites.incrementAndGet();
        putLocalState(batch, descriptor, applied);
        putGcThreshold(batch, rangeId, gcThreshold);
        store.apply(batch, false);
        if (old == null) {
            host.initialised(descriptor);
        }
    }

    private static byte[] min(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }
}
