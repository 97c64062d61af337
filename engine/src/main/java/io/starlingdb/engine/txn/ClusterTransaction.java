package io.starlingdb.engine.txn;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MergedCursor;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeStore;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.storage.KvCursor;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One transaction on the replicated key space (DESIGN.md, "Transactions"). It reads the snapshot
 * at its start timestamp (resolving the locks it meets), buffers its writes, and at commit:
 * <ul>
 * <li>if every write falls in one range (and, under SERIALIZABLE, it read nothing but keys it
 *     writes), commits in one Raft proposal, timestamped by the range's leaseholder;</li>
 * <li>else, if it validates no reads and writes at most {@link RangeCommand.Prewrite#maxStagedKeys}
 *     other keys, commits in parallel: prewrites a lock on every key at once, the primary's
 *     carrying the STAGING record (the other keys), each with a minCommitTs from its leaseholder;
 *     once all are durable it is committed at the largest minCommitTs, answers, and commits the
 *     primary and the other locks in the background (docs/transactions.md, "Parallel commits");</li>
 * <li>else prewrites a lock on every key (the first key in order is the primary), takes its
 *     commit timestamp, validates its reads (SERIALIZABLE), commits the primary (the commit
 *     point), answers, and commits the other locks in the background. While it commits it
 *     heartbeats its primary lock, so readers do not roll it back.</li>
 * </ul>
 * <p>A transaction begun <em>deferred</em> ({@link ClusterTransactions#beginDeferred}, an
 * auto-commit SQL statement) takes no start timestamp until it needs one: its first read, if it
 * is of one key, reads the newest value at the key's leaseholder (linearizable, as a read at a
 * fresh timestamp, but without the oracle's round trip). If it then commits writes in one range
 * and read no other key, the one-phase commit checks at the leaseholder that the key still
 * holds the value read (a compare-and-set in the same proposal), so the transaction is
 * equivalent to running alone at its commit timestamp, as a serializable one must be. Anything
 * else it does (a second key, a scan, writes across ranges, writes that leave the key read
 * alone) first takes a start timestamp from the oracle and reads the first key again at it: if
 * its value changed, the transaction fails with 40001, else every read is one snapshot at that
 * timestamp, as in a transaction begun with one.
 *
 * <p>Errors: {@link WriteConflictException} (40001: nothing was committed, retry the whole
 * transaction), {@link OutcomeUnknownException} (40003: the commit may or may not have
 * happened; read to find out before retrying), {@link LimitExceededException}.
 *
 * <p>Not thread-safe: one thread uses a transaction at a time.
 */
public final class ClusterTransaction implements Transaction {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterTransaction.class);

    private enum State { ACTIVE, COMMITTING, COMMITTED, ROLLED_BACK }

    /** Marks a buffered delete (compared by identity). */
    private static final byte[] deleted = new byte[0];
    /** A prewrite or commit command carries at most this many bytes of keys and values. */
    static final long maxCommandPayload = MultiRaft.maxCommandBytes / 2;
    /** Times the commit of the primary is asked again when its outcome is unknown, before answering 40003. */
    static final int primaryCommitAttempts = 3;

    private final ClusterTransactions owner;
    private final DistSender sender;
    /** The snapshot's timestamp; {@link #deferred} until a deferred transaction needs one. */
    private long startTs;
    /** A start timestamp not taken yet (no timestamp the oracle gives is 0). */
    static final long deferred = 0;
    /** When the transaction began, for its age limit. */
    private final long beganMillis = System.currentTimeMillis();
    /** A deferred transaction's first read, at the newest value (firstValue: null if absent), before it took a timestamp. */
    private byte[] firstKey;
    private byte[] firstValue;
    private final Isolation isolation;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    private long writeBytes;
    /** What a SERIALIZABLE transaction read: spans [from, to) (to null: the end). */
    private final List<byte[][]> reads = new ArrayList<>();
    private State state = State.ACTIVE;
    /** The timestamp the commit timestamp must be below (0: none); see {@link #commitBefore}. */
    private long commitDeadline;
    private volatile boolean heartbeating;
    /**
     * Reads at a timestamp the oracle gave earlier, possibly to other transactions too (bounded
     * staleness): such a transaction may not write, since a transaction's locks and status record
     * are identified by its primary key and start timestamp, which must be its own.
     */
    private final boolean readOnly;
    /**
     * Runs on a thread that must never wait (a client connection's event loop): its one read is
     * answered by this node's own store now, or it fails with {@link WouldBlockException}
     * ({@link ClusterTransactions#beginNonBlocking}). Cleared when {@link #commitAsync} hands
     * the commit to a thread that may wait.
     */
    private boolean nonBlocking;
    /** A non-blocking transaction that may write, and commits with {@link #commitAsync}. */
    private final boolean writesWithoutWaiting;

    ClusterTransaction(ClusterTransactions owner, long startTs, Isolation isolation) {
        this(owner, startTs, isolation, false);
    }

    /** startTs {@link #deferred}: taken when needed (see the class comment). */
    ClusterTransaction(ClusterTransactions owner, long startTs, Isolation isolation, boolean readOnly) {
        this(owner, startTs, isolation, readOnly, false);
    }

    ClusterTransaction(ClusterTransactions owner, long startTs, Isolation isolation, boolean readOnly, boolean nonBlocking) {
        this(owner, startTs, isolation, readOnly, nonBlocking, false);
    }

    ClusterTransaction(ClusterTransactions owner, long startTs, Isolation isolation, boolean readOnly, boolean nonBlocking,
                       boolean writesWithoutWaiting) {
        this.owner = owner;
        this.writesWithoutWaiting = writesWithoutWaiting;
        this.sender = owner.sender;
        this.startTs = startTs;
        this.isolation = isolation;
        this.readOnly = readOnly;
        this.nonBlocking = nonBlocking;
    }

    /** The snapshot's timestamp (a deferred transaction takes it now if it has none yet). */
    public long startTimestamp() {
        assignStart();
        return startTs;
    }

    /**
     * Takes the start timestamp of a deferred transaction, and checks that the first key it read
     * (at the newest value) still holds that value at it, so that its reads are one snapshot.
     */
    private void assignStart() {
        if (startTs != deferred) {
            return;
        }
        if (nonBlocking) {
            throw new WouldBlockException("it needs a start timestamp from the oracle");
        }
        long ts;
        long started = System.nanoTime();
        try {
            ts = owner.timestamps.next();
            owner.stepTimes.record(TransactionStepTimes.Step.START_TIMESTAMP, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking a start timestamp", e);
        }
        if (firstKey != null && !Arrays.equals(sender.getAt(firstKey, ts), firstValue)) {
            throw new WriteConflictException("a statement read " + RangeDescriptor.hex(firstKey)
                    + ", which another transaction changed before its snapshot was taken: retry the transaction");
        }
        startTs = ts;
    }

    /** Whether this deferred transaction has read nothing but the first key (and may read it again without a timestamp). */
    private boolean readsAtNewest(byte[] key) {
        return startTs == deferred && (firstKey == null || Arrays.equals(firstKey, key));
    }

    /** The first read of a deferred transaction: the newest value, remembered for the checks above. */
    private byte[] readNewest(byte[] key) {
        if (firstKey == null) {
            if (nonBlocking) {
                RangeResult.Value now = sender.getHereNow(key);
                if (now == null) {
                    throw new WouldBlockException("this node's store cannot read " + RangeDescriptor.hex(key) + " now");
                }
                firstValue = now.value();
            } else {
                long started = System.nanoTime();
                firstValue = sender.getAt(key, RangeRpc.latest);
                owner.stepTimes.record(TransactionStepTimes.Step.NEWEST_READ, started);
            }
            firstKey = key.clone();
        }
        return firstValue == null ? null : firstValue.clone();
    }

    public Isolation isolation() {
        return isolation;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public byte[] get(byte[] key) {
        ensureActive();
        byte[] own = writes.get(key);
        if (own != null) {
            return own == deleted ? null : own.clone();
        }
        recordRead(key, successor(key));
        if (readsAtNewest(key)) {
            return readNewest(key);
        }
        assignStart();
        long started = System.nanoTime();
        byte[] value = sender.getAt(key, startTs);
        owner.stepTimes.record(TransactionStepTimes.Step.READ, started);
        return value;
    }

    /** The values of keys (null where absent), in the order asked; each range's keys read in one request. */
    public List<byte[]> getAll(List<byte[]> keys) {
        ensureActive();
        if (keys.size() == 1) {
            return java.util.Collections.singletonList(get(keys.get(0)));
        }
        List<byte[]> remote = new ArrayList<>();
        for (byte[] k : keys) {
            if (!writes.containsKey(k)) {
                remote.add(k);
                recordRead(k, successor(k));
            }
        }
        if (!remote.isEmpty()) {
            assignStart();
        }
        long started = System.nanoTime();
        List<byte[]> values = remote.isEmpty() ? List.of() : sender.getAllAt(remote, startTs);
        if (!remote.isEmpty()) {
            owner.stepTimes.record(TransactionStepTimes.Step.READ, started);
        }
        List<byte[]> out = new ArrayList<>(keys.size());
        int r = 0;
        for (byte[] k : keys) {
            byte[] own = writes.get(k);
            out.add(own != null ? (own == deleted ? null : own.clone()) : values.get(r++));
        }
        return out;
    }

    @Override
    public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
        return scan(fromInclusive, toExclusive, null);
    }

    /** The filter goes with every page to the range's leaseholder; own writes are merged in unfiltered. */
    @Override
    public KvCursor scan(byte[] fromInclusive, byte[] toExclusive, RowPredicate filter) {
        ensureActive();
        byte[] from = fromInclusive == null ? new byte[] {1} : fromInclusive;
        assignStart();
        recordRead(from, toExclusive);
        NavigableMap<byte[], byte[]> range = toExclusive == null ? writes.tailMap(from, true)
                : Arrays.compareUnsigned(from, toExclusive) < 0 ? writes.subMap(from, true, toExclusive, false)
                : new TreeMap<>(Arrays::compareUnsigned);
        List<Map.Entry<byte[], byte[]>> own = new ArrayList<>(range.size());
        for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
            own.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        KvCursor committed = new PagedCursor(from, toExclusive, filter);
        return own.isEmpty() ? committed : new MergedCursor(own.iterator(), committed, deleted);
    }

    /**
     * Each page's partial from its range's leaseholder, merged in key order; null when this
     * transaction wrote in the span (its writes are not at the ranges yet) or a range met a row
     * the aggregate could not read.
     */
    @Override
    public RowAggregate.Partial aggregate(byte[] fromInclusive, byte[] toExclusive, RowPredicate predicate,
                                          Runnable beforeEachPage) {
        RowAggregate aggregate = predicate.aggregate();
        if (aggregate == null) {
            throw new IllegalArgumentException("an aggregate needs an aggregating predicate");
        }
        ensureActive();
        byte[] from = fromInclusive == null ? new byte[] {1} : fromInclusive;
        if (writesIn(from, toExclusive)) {
            // The ranges do not know this transaction's writes: its scan merges them in.
            return Transaction.super.aggregate(fromInclusive, toExclusive, predicate, beforeEachPage);
        }
        assignStart();
        recordRead(from, toExclusive);
        RowAggregate.Partial total = aggregate.start();
        byte[] next = from;
        while (next != null) {
            beforeEachPage.run();
            long started = System.nanoTime();
            DistSender.ScanPage p = sender.scanPage(next, toExclusive, RangeStore.maxScanRows, startTs, predicate);
            owner.stepTimes.record(TransactionStepTimes.Step.READ, started);
            for (RangeResult.KeyValue pair : p.rows()) {
                if (pair.key().length != 0) {
                    throw new IllegalStateException("a range answered rows to an aggregating scan");
                }
                total.merge(aggregate.decodePartial(pair.value()));
            }
            if (total.unreadable()) {
                return null;
            }
            next = p.next();
        }
        return total;
    }

    /**
     * Spans without writes of this transaction are asked of their ranges together; a span holding
     * some of its writes is scanned as {@link #scan} does, so they are merged in.
     */
    @Override
    public List<byte[]> firstKeys(List<byte[]> froms, List<byte[]> tos) {
        ensureActive();
        byte[][] out = new byte[froms.size()][];
        List<Integer> remote = new ArrayList<>();
        for (int i = 0; i < froms.size(); i++) {
            byte[] to = tos.get(i);
            if (writesIn(froms.get(i), to)) {
                try (KvCursor c = scan(froms.get(i), to)) {
                    out[i] = c.next() ? c.key() : null;
                }
            } else if (to == null || Arrays.compareUnsigned(froms.get(i), to) < 0) {
                remote.add(i);
            }
        }
        if (!remote.isEmpty()) {
            assignStart();
            List<byte[]> from = new ArrayList<>(remote.size());
            List<byte[]> to = new ArrayList<>(remote.size());
            for (int i : remote) {
                recordRead(froms.get(i), tos.get(i));
                from.add(froms.get(i));
                to.add(tos.get(i));
            }
            long started = System.nanoTime();
            List<byte[]> found = sender.firstKeysAt(from, to, startTs);
            owner.stepTimes.record(TransactionStepTimes.Step.READ, started);
            for (int k = 0; k < remote.size(); k++) {
                out[remote.get(k)] = found.get(k);
            }
        }
        return Arrays.asList(out);
    }

    /** Whether this transaction wrote (or deleted) a key in [from, to) (to null: no bound). */
    private boolean writesIn(byte[] from, byte[] to) {
        return to == null ? !writes.tailMap(from, true).isEmpty()
                : Arrays.compareUnsigned(from, to) < 0 && !writes.subMap(from, true, to, false).isEmpty();
    }

    /** The pairs visible at the start timestamp, a page at a time from each range's leaseholder. */
    private final class PagedCursor implements KvCursor {
        private final byte[] to;
        private final RowPredicate filter;
        private byte[] next;
        private List<RangeResult.KeyValue> page = List.of();
        private int at = -1;

        PagedCursor(byte[] from, byte[] to, RowPredicate filter) {
            this.next = from;
            this.to = to;
            this.filter = filter;
        }

        @Override
        public boolean next() {
            while (++at >= page.size()) {
                if (next == null) {
                    return false;
                }
                long started = System.nanoTime();
                DistSender.ScanPage p = sender.scanPage(next, to, owner.settings.scanPageRows(), startTs, filter);
                owner.stepTimes.record(TransactionStepTimes.Step.READ, started);
                page = p.rows();
                next = p.next();
                at = -1;
            }
            return true;
        }

        @Override
        public byte[] key() {
            return page.get(at).key();
        }

        @Override
        public byte[] value() {
            return page.get(at).value();
        }

        @Override
        public void close() {
            page = List.of();
            next = null;
        }
    }

    private void recordRead(byte[] from, byte[] to) {
        if (isolation == Isolation.SERIALIZABLE) {
            reads.add(new byte[][] {from.clone(), to == null ? null : to.clone()});
        }
    }

    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void put(byte[] key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("put needs a value; use delete");
        }
        LimitExceededException.check("maxRowBytes", Limits.maxRowBytes, value.length);
        buffer(key, value.clone());
    }

    @Override
    public void delete(byte[] key) {
        buffer(key, deleted);
    }

    private void buffer(byte[] key, byte[] value) {
        ensureActive();
        if (readOnly) {
            throw new IllegalStateException("a transaction reading at an earlier timestamp (bounded staleness) cannot write");
        }
        if (nonBlocking && !writesWithoutWaiting) {
            throw new IllegalStateException("a transaction that must not wait only reads");
        }
        if (key == null || key.length == 0 || key[0] == 0) {
            throw new IllegalArgumentException("a user key has at least one byte and does not begin with 0x00");
        }
        LimitExceededException.check("maxKeyBytes", Limits.maxKeyBytes, key.length);
        byte[] previous = writes.get(key);
        long bytes = writeBytes + key.length + value.length - (previous == null ? 0 : key.length + previous.length);
        LimitExceededException.check("maxTransactionBytes", owner.settings.maxTransactionBytes(), bytes);
        if (previous == null) {
            LimitExceededException.check("maxTransactionWrites", owner.settings.maxTransactionWrites(), writes.size() + 1L);
        }
        writes.put(key.clone(), value);
        writeBytes = bytes;
    }

    // ------------------------------------------------------------------ commit

    /**
     * Makes the commit refuse, with {@link WriteConflictException} and nothing committed, a
     * commit timestamp at or above deadline (a hybrid timestamp; 0: no bound). Where the
     * coordinator takes the commit timestamp, it checks before its commit point; where a
     * leaseholder takes it (a one-phase commit, a parallel commit's prewrites), the leaseholder
     * checks before proposing ({@link RangeRpc.Request#write(long, RangeCommand, long)}). SQL
     * bounds a transaction that wrote rows by its node's catalog lease (docs/cluster.md, "Schema
     * changes"): a commit that reaches its commit point after the lease ran out is refused, however
     * long it took to get there.
     */
    @Override
    public void commitBefore(long deadline) {
        if (deadline < 0) {
            throw new IllegalArgumentException("a commit deadline is a timestamp or 0, not " + deadline);
        }
        commitDeadline = deadline;
    }

    private WriteConflictException deadlinePassed(long commitTs) {
        return new WriteConflictException("transaction " + (startTs == deferred ? "(not started)" : String.valueOf(startTs))
                + " reached its commit point at " + commitTs + ", not before its deadline " + commitDeadline
                + " (the node's catalog lease ran out meanwhile); nothing was committed: retry the transaction");
    }

    @Override
    public void commit() {
        ensureActive();
        if (nonBlocking && !writes.isEmpty()) {
            throw new WouldBlockException("a transaction begun not to block commits its writes with commitAsync");
        }
        state = State.COMMITTING;
        boolean done = false;
        try {
            if (!writes.isEmpty()) {
                commitWrites();
            }
            done = true;
        } finally {
            state = done ? State.COMMITTED : State.ROLLED_BACK;
            heartbeating = false;
        }
    }

    private void commitWrites() {
        List<WriteOp> ops = new ArrayList<>(writes.size());
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            ops.add(e.getValue() == deleted ? new WriteOp.Delete(e.getKey()) : new WriteOp.Put(e.getKey(), e.getValue()));
        }
        long atNewest = System.nanoTime();
        if (startTs == deferred && (firstKey == null || writes.containsKey(firstKey)) && writeBytes < maxCommandPayload
                && commitOnePhaseAtNewest(ops)) {
            owner.stepTimes.record(TransactionStepTimes.Step.ONE_PHASE_COMMIT, atNewest);
            return;
        }
        assignStart();
        byte[] primary = ops.get(0).key();
        long started = System.nanoTime();
        if ((isolation == Isolation.SNAPSHOT || readsToValidate().isEmpty()) && writeBytes < maxCommandPayload
                && commitOnePhase(ops)) {
            owner.stepTimes.record(TransactionStepTimes.Step.ONE_PHASE_COMMIT, started);
            return;
        }
        commitTwoPhases(ops, primary);
    }

    /** Commits in one proposal if every write is in one range; false (nothing done) if they are not. */
    private boolean commitOnePhase(List<WriteOp> ops) {
        RangeDescriptor d = sender.rangeOf(ops.get(0).key());
        if (!d.contains(ops.get(ops.size() - 1).key())) {
            return false;
        }
        RangeRpc.Response r;
        try {
            r = sender.request(ops.get(0).key(), range -> {
                if (!range.contains(ops.get(ops.size() - 1).key())) {
                    throw new SpansRanges();
                }
                return RangeRpc.Request.write(range.rangeId(), new RangeCommand.Write(ops, startTs, 0), commitDeadline);
            }, true, startTs);
        } catch (SpansRanges e) {
            return false; // the range split meanwhile: two phases
        } catch (RangeUnavailableException e) {
            throw new OutcomeUnknownException("transaction " + startTs + ": the one-phase commit may or may not have"
                    + " applied: " + e.getMessage());
        }
        if (r.result() instanceof RangeResult.WriteConflict c) {
            throw conflict(c);
        }
        if (r.result() instanceof RangeResult.CommitDeadlinePassed p) {
            throw deadlinePassed(p.timestamp());
        }
        if (!(r.result() instanceof RangeResult.Written)) {
            throw new IllegalStateException("transaction " + startTs + ": one-phase commit answered " + r.result());
        }
        return true;
    }

    /**
     * The one-phase commit of a deferred transaction (no start timestamp: it read at most one
     * key, at its newest value, and writes it): the leaseholder latches the keys, takes the
     * commit timestamp, and applies the writes only if the key read still holds the value read
     * (a compare-and-set in the same proposal). False (nothing done) if the writes span ranges.
     */
    private boolean commitOnePhaseAtNewest(List<WriteOp> ops) {
        List<WriteOp> checked = checkedAtNewest(ops);
        RangeDescriptor d = sender.rangeOf(checked.get(0).key());
        if (!d.contains(checked.get(checked.size() - 1).key())) {
            return false;
        }
        RangeRpc.Response r;
        try {
            r = sender.request(checked.get(0).key(), range -> {
                if (!range.contains(checked.get(checked.size() - 1).key())) {
                    throw new SpansRanges();
                }
                return RangeRpc.Request.write(range.rangeId(), new RangeCommand.Write(checked), commitDeadline);
            }, true);
        } catch (SpansRanges e) {
            return false;
        } catch (RangeUnavailableException e) {
            throw new OutcomeUnknownException("a statement's one-phase commit may or may not have applied: " + e.getMessage());
        }
        checkAtNewest(r);
        return true;
    }

    /** The writes of a one-phase commit at the newest value: the key read written only if it still holds the value read. */
    private List<WriteOp> checkedAtNewest(List<WriteOp> ops) {
        List<WriteOp> checked = new ArrayList<>(ops.size());
        for (WriteOp op : ops) {
            checked.add(firstKey != null && Arrays.equals(op.key(), firstKey)
                    ? new WriteOp.CompareAndSet(op.key(), firstValue, op instanceof WriteOp.Put p ? p.value() : null)
                    : op);
        }
        return checked;
    }

    /** Throws what a leaseholder's answer to a one-phase commit at the newest value means, unless it wrote. */
    private void checkAtNewest(RangeRpc.Response r) {
        if (r.result() instanceof RangeResult.ConditionFailed) {
            throw new WriteConflictException("a statement read " + RangeDescriptor.hex(firstKey) + ", which another"
                    + " transaction changed before it committed; nothing was written: retry the transaction");
        }
        if (r.result() instanceof RangeResult.WriteConflict c) {
            throw new WriteConflictException("a statement's write to " + RangeDescriptor.hex(c.key()) + " met a version"
                    + " committed at " + c.commitTs() + "; nothing was written: retry the transaction");
        }
        if (r.result() instanceof RangeResult.CommitDeadlinePassed p) {
            throw deadlinePassed(p.timestamp());
        }
        if (!(r.result() instanceof RangeResult.Written)) {
            throw new IllegalStateException("a statement's one-phase commit answered " + r.result());
        }
    }

    /**
     * Commits a transaction begun not to block that may write
     * ({@link ClusterTransactions#beginNonBlockingStatement}) without waiting on this thread: the
     * one-phase commit at the newest value that {@link #commit} makes for a deferred statement,
     * sent to this node's own store, which leads the range of its writes. The future completes on
     * the thread that applies the commit (a Raft driver: keep what follows it short), with what
     * {@link #commit} throws if it fails. Throws {@link WouldBlockException}, having sent nothing
     * and left the transaction active (to be rolled back), when the commit could not be made so:
     * it needs a start timestamp (it read a key it does not write, or its writes are too large for
     * one command), its writes span ranges, or this node's store does not lead their range as
     * far as this node knows now. An answer meaning the commit was not made there (the lease
     * moved, the range split meanwhile) has it made as {@link #commit} makes it, on a thread of
     * the node's transactions (the resolution threads, which wait for nothing SQL holds: not a SQL
     * thread, which a schema change may hold up while it waits for this commit).
     */
    @Override
    public CompletableFuture<Void> commitAsync() {
        ensureActive();
        if (!nonBlocking || !writesWithoutWaiting) {
            throw new IllegalStateException("commitAsync commits a transaction begun not to block that may write");
        }
        if (writes.isEmpty()) {
            state = State.COMMITTED;
            return CompletableFuture.completedFuture(null);
        }
        if (startTs != deferred || (firstKey != null && !writes.containsKey(firstKey)) || writeBytes >= maxCommandPayload) {
            throw new WouldBlockException("its commit needs a start timestamp from the oracle");
        }
        List<WriteOp> ops = new ArrayList<>(writes.size());
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            ops.add(e.getValue() == deleted ? new WriteOp.Delete(e.getKey()) : new WriteOp.Put(e.getKey(), e.getValue()));
        }
        List<WriteOp> checked = checkedAtNewest(ops);
        byte[] last = checked.get(checked.size() - 1).key();
        CompletableFuture<RangeRpc.Response> sent;
        long started = System.nanoTime();
        try {
            sent = sender.writeHereAsync(checked.get(0).key(), range -> {
                if (!range.contains(last)) {
                    throw new SpansRanges();
                }
                return RangeRpc.Request.write(range.rangeId(), new RangeCommand.Write(checked), commitDeadline);
            });
        } catch (SpansRanges e) {
            sent = null;
        }
        if (sent == null) {
            throw new WouldBlockException("this node's store does not lead the range of its writes now, or they span ranges");
        }
        state = State.COMMITTING;
        return sent.handle((r, e) -> {
            if (e == null && notMadeHere(r)) {
                return (CompletableFuture<Void>) null;
            }
            boolean done = false;
            try {
                if (e != null) {
                    throw new OutcomeUnknownException("a statement's one-phase commit may or may not have applied: "
                            + (e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e));
                }
                if (r.status() != RangeRpc.Status.OK) {
                    throw new OutcomeUnknownException(r.error());
                }
                checkAtNewest(r);
                owner.stepTimes.record(TransactionStepTimes.Step.ONE_PHASE_COMMIT, started);
                done = true;
                return CompletableFuture.<Void>completedFuture(null);
            } finally {
                state = done ? State.COMMITTED : State.ROLLED_BACK;
            }
        }).thenCompose(f -> f != null ? f : CompletableFuture.runAsync(() -> {
            // Nothing was written: commit as any deferred statement does, waiting as it must.
            nonBlocking = false;
            state = State.ACTIVE;
            commit();
        }, owner.resolution));
    }

    /**
     * Whether a leaseholder's answer to a write says the write was not made there and may be
     * sent again (as {@link DistSender#request} retries it): the store does not lead the range,
     * the range is not there or not the key's any more, it could not propose now, or a lock is on
     * a key (which only a blocking commit resolves).
     */
    private static boolean notMadeHere(RangeRpc.Response r) {
        return switch (r.status()) {
            case NOT_LEASEHOLDER, RANGE_NOT_FOUND, DROPPED, UNAVAILABLE -> true;
            case OK -> r.result() instanceof RangeResult.KeyMismatch || r.result() instanceof RangeResult.Locked;
            default -> false;
        };
    }

    /** Thrown from a request builder when the writes no longer fit one range. */
    private static final class SpansRanges extends RuntimeException {
        SpansRanges() {
            super(null, null, false, false);
        }
    }

    private void commitTwoPhases(List<WriteOp> ops, byte[] primary) {
        if ((isolation == Isolation.SNAPSHOT || readsToValidate().isEmpty())
                && ops.size() - 1 <= RangeCommand.Prewrite.maxStagedKeys && chunks(ops).size() == 1) {
            commitInParallel(ops, primary);
            return;
        }
        long started = System.nanoTime();
        long commitFloor;
        try {
            commitFloor = prewrite(ops, primary);
            owner.stepTimes.record(TransactionStepTimes.Step.PREWRITE, started);
        } catch (RuntimeException e) {
            rollbackLocks(ops);
            if (e instanceof WriteConflictException || e instanceof LimitExceededException) {
                throw e;
            }
            throw new WriteConflictException("transaction " + startTs + " could not lock its keys (" + e.getMessage()
                    + "); nothing was committed: retry the transaction");
        }
        heartbeating = true;
        owner.later(() -> heartbeat(primary), owner.settings.lockTtlMillis() / 3);
        long commitTs;
        try {
            if (commitFloor > startTs) {
                // Every range timestamped its prewrite after latching its keys: the largest of
                // those is a commit timestamp taken after every lock was in place, as the oracle
                // would give one now (docs/transactions.md, "Commit timestamp from the prewrites").
                commitTs = commitFloor;
            } else {
                started = System.nanoTime();
                commitTs = owner.timestamps.next();
                owner.stepTimes.record(TransactionStepTimes.Step.COMMIT_TIMESTAMP, started);
            }
            if (isolation == Isolation.SERIALIZABLE && !readsToValidate().isEmpty()) {
                started = System.nanoTime();
                validateReads(commitTs);
                owner.stepTimes.record(TransactionStepTimes.Step.VALIDATE, started);
            }
            if (commitDeadline > 0 && commitTs >= commitDeadline) {
                throw deadlinePassed(commitTs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rollbackLocks(ops);
            throw new IllegalStateException("interrupted while committing", e);
        } catch (RuntimeException e) {
            rollbackLocks(ops);
            throw e;
        }
        started = System.nanoTime();
        commitPrimary(primary, commitTs);
        owner.stepTimes.record(TransactionStepTimes.Step.COMMIT_PRIMARY, started);
        heartbeating = false;
        List<byte[]> secondaries = new ArrayList<>();
        for (int i = 1; i < ops.size(); i++) {
            secondaries.add(ops.get(i).key());
        }
        if (!secondaries.isEmpty()) {
            owner.resolveLater(() -> commitSecondaries(secondaries, commitTs));
        }
    }

    /**
     * A parallel commit (docs/transactions.md, "Parallel commits"): prewrites every key at once,
     * the primary's lock carrying the STAGING record (the list of the other keys), each lock a
     * minCommitTs its leaseholder took from the oracle after latching it. Once every prewrite is
     * durable the transaction is committed, at the largest minCommitTs: it answers then, and
     * commits the primary and the other keys in the background. A transaction that validates
     * reads needs its commit timestamp before its commit point, and commits its primary first.
     */
    private void commitInParallel(List<WriteOp> ops, byte[] primary) {
        long started = System.nanoTime();
        List<byte[]> others = new ArrayList<>(ops.size() - 1);
        for (int i = 1; i < ops.size(); i++) {
            others.add(ops.get(i).key());
        }
        long commitTs;
        try {
            commitTs = prewriteInParallel(ops, primary, others);
        } catch (RuntimeException e) {
            long committedAt = abandonParallelCommit(ops, primary, e);
            owner.resolveLater(() -> commitSecondaries(others, committedAt));
            return;
        }
        owner.stepTimes.record(TransactionStepTimes.Step.PREWRITE, started);
        List<byte[]> keys = new ArrayList<>(ops.size());
        keys.add(primary);
        keys.addAll(others);
        owner.resolveLater(() -> {
            long began = System.nanoTime();
            commitAllInBackground(keys, commitTs);
            owner.stepTimes.record(TransactionStepTimes.Step.BACKGROUND_COMMIT, began);
        });
    }

    /** Times a parallel commit's prewrites are sent again while some outcome is unknown (each retry answers the locks' own minCommitTs). */
    static final int parallelPrewriteAttempts = 3;

    /** Thrown when a prewrite finds the transaction already decided by a recoverer; the primary tells how. */
    private static final class DecidedElsewhere extends RuntimeException {
        DecidedElsewhere(String message) {
            super(message, null, false, false);
        }
    }

    /** Prewrites every key of a parallel commit; answers the commit timestamp (the largest minCommitTs). */
    private long prewriteInParallel(List<WriteOp> ops, byte[] primary, List<byte[]> others) {
        // The lock lives lockTtlMillis from now: its expiry counts from the start timestamp.
        long ttl = Math.max(1, System.currentTimeMillis() - HybridClock.physicalMillis(startTs)
                + owner.settings.lockTtlMillis());
        List<byte[]> keys = ops.stream().map(WriteOp::key).toList();
        OutcomeUnknownException unknown = null;
        for (int attempt = 0; attempt < parallelPrewriteAttempts; attempt++) {
            long commitTs = 0;
            try {
                for (DistSender.GroupAnswer a : sender.sendGrouped(keys, true, (d, idx) -> {
                    List<WriteOp> part = pick(ops, idx);
                    boolean withPrimary = d.contains(primary);
                    return RangeRpc.Request.write(d.rangeId(), RangeCommand.Prewrite.parallel(startTs, primary, ttl,
                            owner.coordinatorId, part, withPrimary ? others : null), commitDeadline);
                }, startTs)) {
                    RangeResult r = a.response().result();
                    if (r instanceof RangeResult.Prewritten p) {
                        commitTs = Math.max(commitTs, p.commitFloorTs());
                    } else if (r instanceof RangeResult.WriteConflict c) {
                        throw conflict(c);
                    } else if (r instanceof RangeResult.CommitDeadlinePassed p) {
                        throw deadlinePassed(p.timestamp()); // abandoned: rolled back unless every lock was there
                    } else if (r instanceof RangeResult.TxnStatus t) {
                        throw new DecidedElsewhere("transaction " + startTs + " was decided by another (" + t.state()
                                + ") while it prewrote");
                    } else {
                        throw new IllegalStateException("parallel prewrite answered " + r);
                    }
                }
                return commitTs;
            } catch (OutcomeUnknownException e) {
                unknown = e; // prewriting again is idempotent: a lock already there answers its own minCommitTs
            }
        }
        throw unknown;
    }

    /**
     * After a parallel commit's prewrite failed (refused, or its outcome unknown), rolls back the
     * primary first, since a recoverer that found every lock may have committed it meanwhile, and
     * the other keys only once the primary is rolled back. Answers the commit timestamp if the
     * primary shows the transaction committed; else throws what the caller is to see.
     */
    private long abandonParallelCommit(List<WriteOp> ops, byte[] primary, RuntimeException cause) {
        RangeResult r;
        try {
            r = sender.request(primary, d -> RangeRpc.Request.write(d.rangeId(),
                    new RangeCommand.Rollback(startTs, List.of(primary))), true).result();
        } catch (OutcomeUnknownException | RangeUnavailableException e) {
            throw new OutcomeUnknownException("transaction " + startTs + ": the commit may or may not have happened ("
                    + cause.getMessage() + "; then " + e.getMessage() + "); read the data to find out before retrying");
        }
        if (r instanceof RangeResult.TxnStatus t && t.state() == RangeResult.TxnStatus.State.COMMITTED) {
            return t.commitTs(); // a recoverer found every lock and committed it
        }
        if (!(r instanceof RangeResult.Written)) {
            throw new IllegalStateException("transaction " + startTs + ": rolling back the primary answered " + r);
        }
        rollbackLocks(ops.subList(1, ops.size()));
        if (cause instanceof WriteConflictException || cause instanceof LimitExceededException) {
            throw cause;
        }
        throw new WriteConflictException("transaction " + startTs + " could not lock its keys (" + cause.getMessage()
                + "); nothing was committed: retry the transaction");
    }

    /**
     * Commits a parallel commit's keys after the answer, all at once: one {@code Commit} per range,
     * the ranges in parallel, the primary with the other keys of its range. The transaction is
     * committed already (every prewrite is durable), so its keys need no order: a reader that
     * meets the primary's STAGING record after another key's commit decides it committed at that
     * key's timestamp ({@link io.starlingdb.engine.range.StagingDecision}), as the coordinator
     * would. Committing the primary first and then the others took two Raft rounds in a row, still
     * running on the same cores and disks when the next transaction began (docs/transactions.md,
     * "Where a transfer's time goes"). Each is sent as a background commit: its leaseholder may
     * hold it a few milliseconds for the range's next proposal to carry it into the log, sharing
     * that proposal's append and fsync ({@code RangeRpc.Request.backgroundCommit}). A range whose
     * outcome stays unknown after the attempts keeps its locks, which readers then commit through
     * the STAGING record.
     */
    private void commitAllInBackground(List<byte[]> keys, long commitTs) {
        for (List<byte[]> chunk : keyChunks(keys)) {
            for (int attempt = 0; attempt < primaryCommitAttempts; attempt++) {
                List<DistSender.GroupAnswer> answers;
                try {
                    answers = sender.sendGrouped(chunk, true, (d, idx) -> RangeRpc.Request.backgroundCommit(d.rangeId(),
                            new RangeCommand.Commit(startTs, commitTs, pick(chunk, idx))));
                } catch (OutcomeUnknownException | RangeUnavailableException e) {
                    continue; // committing again is idempotent: a key committed already is left
                } catch (RuntimeException e) {
                    return;
                }
                for (DistSender.GroupAnswer a : answers) {
                    if (!(a.response().result() instanceof RangeResult.Written)) {
                        // Every prewrite was durable, so nobody may roll it back, and everyone computes
                        // this commit timestamp: a broken invariant, said loudly (this runs in the background).
                        log.error("transaction {} answered committed, but the commit of its keys answered {}", startTs,
                                a.response().result());
                    }
                }
                break;
            }
        }
    }

    /**
     * Locks every key; answers the largest commit floor the ranges gave
     * ({@link RangeResult.Prewritten}), or 0 if some range gave none (the coordinator then takes
     * its commit timestamp from the oracle).
     */
    private long prewrite(List<WriteOp> ops, byte[] primary) {
        long floor = Long.MAX_VALUE;
        // The lock lives lockTtlMillis from now: its expiry counts from the start timestamp.
        long ttl = System.currentTimeMillis() - HybridClock.physicalMillis(startTs) + owner.settings.lockTtlMillis();
        for (List<WriteOp> chunk : chunks(ops)) {
            List<byte[]> keys = chunk.stream().map(WriteOp::key).toList();
            for (DistSender.GroupAnswer a : sender.sendGrouped(keys, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                    new RangeCommand.Prewrite(startTs, primary, Math.max(1, ttl), owner.coordinatorId, pick(chunk, idx))),
                    startTs)) {
                RangeResult r = a.response().result();
                if (r instanceof RangeResult.WriteConflict c) {
                    throw conflict(c);
                }
                if (r instanceof RangeResult.TxnStatus) {
                    throw new WriteConflictException("transaction " + startTs + " was rolled back by another (its"
                            + " locks expired): retry the transaction");
                }
                if (r instanceof RangeResult.Prewritten p) {
                    floor = floor == 0 ? 0 : floor == Long.MAX_VALUE ? p.commitFloorTs() : Math.max(floor, p.commitFloorTs());
                } else if (r instanceof RangeResult.Written) {
                    floor = 0;
                } else {
                    throw new IllegalStateException("prewrite answered " + r);
                }
            }
        }
        return floor == Long.MAX_VALUE ? 0 : floor;
    }

    /**
     * The reads a SERIALIZABLE commit must validate: all but the point reads of keys this
     * transaction also writes. Those need none: the prewrite of such a key is refused if any
     * version was committed on it after the start timestamp, and from then on the key holds this
     * transaction's lock, which no other transaction commits past (a one-phase write or a
     * prewrite meets it; a reader removes it only after rolling this transaction back at its
     * primary, and then the commit of the primary fails). So nothing is committed on it in
     * (startTs, commitTs] if the primary commits. The same check, in the one proposal of a
     * one-phase commit, covers a transaction that read only keys it writes.
     */
    private List<byte[][]> readsToValidate() {
        List<byte[][]> out = new ArrayList<>();
        for (byte[][] span : reads) {
            if (!(isPointRead(span) && writes.containsKey(span[0]))) {
                out.add(span);
            }
        }
        return out;
    }

    private static boolean isPointRead(byte[][] span) {
        return span[1] != null && Arrays.equals(span[1], successor(span[0]));
    }

    /**
     * Checks that nothing this transaction read (and must validate: {@link #readsToValidate})
     * was committed by another after its start: its point reads with one VALIDATE request per
     * range, all ranges in parallel; its scans span by span, range by range.
     */
    private void validateReads(long commitTs) {
        java.util.TreeSet<byte[]> points = new java.util.TreeSet<>(Arrays::compareUnsigned);
        List<byte[][]> spans = new ArrayList<>();
        for (byte[][] span : readsToValidate()) {
            if (isPointRead(span)) {
                points.add(span[0]);
            } else {
                spans.add(span);
            }
        }
        if (!points.isEmpty()) {
            List<byte[]> keys = new ArrayList<>(points);
            for (DistSender.GroupAnswer a : sender.sendGrouped(keys, false, (d, idx) -> RangeRpc.Request.validateKeys(
                    d.rangeId(), pick(keys, idx), startTs, commitTs), startTs)) {
                if (a.response().result() instanceof RangeResult.WriteConflict c) {
                    throw readChanged(c);
                }
            }
        }
        for (byte[][] span : spans) {
            byte[] at = span[0];
            byte[] to = span[1];
            while (at != null) {
                byte[] from = at;
                RangeRpc.Response r = sender.request(from, d -> RangeRpc.Request.validate(d.rangeId(), from,
                        d.end() == null || (to != null && Arrays.compareUnsigned(to, d.end()) <= 0) ? to : d.end(),
                        startTs, commitTs), false, startTs);
                if (r.result() instanceof RangeResult.WriteConflict c) {
                    throw readChanged(c);
                }
                byte[] end = r.descriptor() == null ? null : r.descriptor().end();
                at = end == null || (to != null && Arrays.compareUnsigned(end, to) >= 0) ? null : end;
            }
        }
    }

    private WriteConflictException readChanged(RangeResult.WriteConflict c) {
        return new WriteConflictException("transaction " + startTs + " read " + RangeDescriptor.hex(c.key())
                + ", which another transaction changed at " + c.commitTs() + " before this one committed"
                + " (SERIALIZABLE): retry the transaction");
    }

    /** Commits the primary key: the commit point. Asks again while its outcome is unknown. */
    private void commitPrimary(byte[] primary, long commitTs) {
        String unknown = null;
        for (int attempt = 0; attempt < primaryCommitAttempts; attempt++) {
            RangeResult r;
            try {
                r = sender.request(primary, d -> RangeRpc.Request.write(d.rangeId(),
                        new RangeCommand.Commit(startTs, commitTs, List.of(primary))), true).result();
            } catch (OutcomeUnknownException | RangeUnavailableException e) {
                unknown = e.getMessage();
                continue; // committing the primary again is idempotent: it answers what happened
            }
            if (r instanceof RangeResult.Written) {
                return;
            }
            throw new WriteConflictException("transaction " + startTs + " was rolled back by another before it"
                    + " committed (its locks expired): retry the transaction");
        }
        throw new OutcomeUnknownException("transaction " + startTs + ": the commit may or may not have happened ("
                + unknown + "); read the data to find out before retrying");
    }

    private void commitSecondaries(List<byte[]> keys, long commitTs) {
        try {
            for (List<byte[]> chunk : keyChunks(keys)) {
                sender.resolver().commit(startTs, commitTs, chunk);
            }
        } catch (RuntimeException e) {
            // Left as locks: readers roll them forward through the committed primary.
        }
    }

    private void heartbeat(byte[] primary) {
        if (!heartbeating) {
            return;
        }
        try {
            long ttl = System.currentTimeMillis() - HybridClock.physicalMillis(startTs) + owner.settings.lockTtlMillis();
            sender.resolver().status(primary, startTs, System.currentTimeMillis(), ttl, false);
        } catch (RuntimeException e) {
            // the next heartbeat tries again; the locks stay alive for their TTL
        }
        owner.later(() -> heartbeat(primary), owner.settings.lockTtlMillis() / 3);
    }

    /** Removes this transaction's locks (and leaves rollback markers) after a failed commit; best effort. */
    private void rollbackLocks(List<WriteOp> ops) {
        heartbeating = false;
        List<byte[]> keys = ops.stream().map(WriteOp::key).toList();
        owner.resolveLater(() -> {
            try {
                for (List<byte[]> chunk : keyChunks(keys)) {
                    sender.resolver().rollback(startTs, chunk);
                }
            } catch (RuntimeException e) {
                // locks left expire and readers roll them back
            }
        });
    }

    private WriteConflictException conflict(RangeResult.WriteConflict c) {
        return new WriteConflictException("transaction " + startTs + " conflicts with a transaction that wrote "
                + RangeDescriptor.hex(c.key()) + " at " + c.commitTs() + " after this one started: retry the transaction");
    }

    private static List<List<WriteOp>> chunks(List<WriteOp> ops) {
        List<List<WriteOp>> out = new ArrayList<>();
        List<WriteOp> cur = new ArrayList<>();
        long bytes = 0;
        for (WriteOp op : ops) {
            long b = op.key().length + (op instanceof WriteOp.Put p ? p.value().length : 0) + 16;
            if (!cur.isEmpty() && (bytes + b > maxCommandPayload || cur.size() >= DistSender.maxKeysPerRequest)) {
                out.add(cur);
                cur = new ArrayList<>();
                bytes = 0;
            }
            cur.add(op);
            bytes += b;
        }
        out.add(cur);
        return out;
    }

    private static List<List<byte[]>> keyChunks(List<byte[]> keys) {
        List<List<byte[]>> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += DistSender.maxKeysPerRequest) {
            out.add(keys.subList(i, Math.min(keys.size(), i + DistSender.maxKeysPerRequest)));
        }
        return out;
    }

    private static <T> List<T> pick(List<T> items, List<Integer> idx) {
        List<T> out = new ArrayList<>(idx.size());
        for (int i : idx) {
            out.add(items.get(i));
        }
        return out;
    }

    // ------------------------------------------------------------------ end

    @Override
    public void rollback() {
        if (state == State.ACTIVE) {
            state = State.ROLLED_BACK;
            writes.clear();
        }
    }

    @Override
    public void close() {
        rollback();
    }

    private void ensureActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("transaction " + startTs + " is " + state.name().toLowerCase());
        }
        // Version GC removes what no transaction younger than this may read (RangeVersionGc).
        long age = System.currentTimeMillis() - (startTs == deferred ? beganMillis : HybridClock.physicalMillis(startTs));
        if (age > owner.settings.maxDurationMillis()) {
            throw new LimitExceededException("maxTransactionMillis", owner.settings.maxDurationMillis(), age);
        }
    }
}
