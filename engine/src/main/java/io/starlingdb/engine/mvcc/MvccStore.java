package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.ReadSet;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.engine.txn.WriteConflictException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshot-isolation transactions over MVCC versions in a {@link KvStore} (the DATA family),
 * for a single node. See {@link MvccKeys} for the layout.
 *
 * <p>Commit protocol. Under one commit lock a committer checks its keys for conflicts, takes a
 * commit timestamp and registers the commit as in flight (its timestamp and its keys). It
 * writes its batch after releasing the lock, so concurrent committers reach RocksDB together
 * and share WAL fsyncs (group commit; measured in docs/storage.md). Correctness rests on three
 * rules:
 * <ul>
 * <li>Conflicts: a key is in conflict if an in-flight commit holds it or a committed version
 *     newer than the transaction's start exists. In-flight keys are checked before storage, and
 *     a commit leaves the in-flight set only after its batch is applied, so no commit is missed.
 * <li>Visibility: a transaction starts just below the oldest in-flight commit (or now, if
 *     none), so everything at or below its start timestamp is already written and durable, and
 *     nothing it could read changes afterwards.
 * <li>Acknowledgement: commit() returns only once every commit with a lower timestamp has
 *     finished too, so a client that saw its commit succeed sees it in its next transaction.
 * </ul>
 * A restarted node must never issue a timestamp at or below stored data even if its wall clock
 * stepped back; a persisted clock ceiling, raised in a small synced write at most once per
 * {@link #clockCeilingLeadMillis}, guarantees it.
 *
 * <p>Garbage collection ({@link #collectGarbage}) removes the versions no transaction can read
 * any more: of each key's versions at or below the {@linkplain #gcHorizon horizon} (the start of
 * the oldest open transaction, or now), all but the newest, and that one too if it is a delete.
 * The horizon never passes an open transaction, so its reads and its conflict checks see the
 * same versions as without collection; a key's old versions and its tombstone go in one atomic
 * write ({@link GcWriter}), so no reader or crash sees a deleted row come back.
 */
public final class MvccStore implements TransactionalStore {

    /**
     * How far ahead of the current commit timestamp the persisted clock ceiling is set, in
     * milliseconds. Larger means fewer ceiling writes; after a restart within that window the
     * clock may run up to this much ahead of wall time.
     */
    static final long clockCeilingLeadMillis = 1000;

    private final KvStore data;
    private final HybridClock clock;
    private final boolean syncCommits;
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Keys of commits that passed their conflict check but are not yet applied, with their commit timestamps. */
    private final ConcurrentSkipListMap<byte[], Long> inFlightKeys = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    /** Guards inFlightTimestamps; notified whenever a commit finishes. */
    private final Object timestampLock = new Object();
    private final TreeSet<Long> inFlightTimestamps = new TreeSet<>();
    /** Start timestamps of open transactions, with how many share each; guarded by timestampLock. */
    private final TreeMap<Long, Integer> openStarts = new TreeMap<>();
    /** Highest timestamp the persisted ceiling covers; guarded by commitLock. */
    private long clockCeiling;

    public MvccStore(KvStore data, HybridClock clock, boolean syncCommits) {
        this.data = data;
        this.clock = clock;
        this.syncCommits = syncCommits;
        try (KvSnapshot s = data.snapshot()) {
            byte[] ceiling = s.get(MvccKeys.clockKey);
            if (ceiling != null) {
                clockCeiling = MvccKeys.decodeTimestamp(ceiling);
                clock.update(clockCeiling);
            }
        }
    }

    /** Begins a transaction. Close it (or commit/rollback) to release its snapshot. */
    @Override
    public Transaction begin(Isolation isolation) {
        long startTs;
        synchronized (timestampLock) {
            long now = clock.now();
            startTs = inFlightTimestamps.isEmpty() ? now : inFlightTimestamps.first() - 1;
            openStarts.merge(startTs, 1, Integer::sum);
        }
        return new MvccTransaction(this, data, startTs, isolation);
    }

    /** A transaction begun at startTs has ended (committed or rolled back); called once per transaction. */
    void ended(long startTs) {
        synchronized (timestampLock) {
            openStarts.computeIfPresent(startTs, (ts, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * The garbage-collection horizon: no open transaction, and none begun from now on, reads
     * below it (a new transaction starts at now, or just below the oldest in-flight commit, which
     * the horizon also stays below). Of a key's versions at or below it only the newest can
     * still be read.
     */
    public long gcHorizon() {
        synchronized (timestampLock) {
            long horizon = clock.now();
            if (!openStarts.isEmpty()) {
                horizon = Math.min(horizon, openStarts.firstKey());
            }
            if (!inFlightTimestamps.isEmpty()) {
                horizon = Math.min(horizon, inFlightTimestamps.first() - 1);
            }
            return horizon;
        }
    }

    /**
     * A step that removed at least this many versions, and at least a quarter of what it read,
     * compacts its range afterwards: RocksDB keeps a tombstone for each deleted version that every
     * scan steps over until a compaction drops it, so without compaction collection would save
     * space only later and scans nothing.
     */
    static final int gcCompactMinRemoved = 1000;

    /**
     * Most deletes in one garbage-collection write (unsynced: garbage that reappears after a
     * crash is collected again). A key's deletes share one write unless the key alone has more.
     */
    static final int gcBatchDeletes = 1000;

    /**
     * One step of garbage collection at the store's own {@linkplain #gcHorizon horizon}; see
     * {@link #collectGarbage(byte[], int, long)}.
     */
    public GcStep collectGarbage(byte[] from, int maxVersions) {
        return collectGarbage(from, maxVersions, Long.MAX_VALUE);
    }

    /**
     * One step of garbage collection: reads versions in key order from {@code from} (null: the
     * first), about {@code maxVersions} of them but never splitting one key's versions between
     * steps, and deletes those that no reader at or above the horizon can see: every version
     * older than the newest one at or below the horizon, and that one too if it is a delete. The
     * horizon is the lower of {@code lowWatermark} (a caller's bound, such as a cluster-wide low
     * watermark; {@link Long#MAX_VALUE}: none) and this store's {@link #gcHorizon}.
     *
     * <p>A key's deletes reach storage in one atomic write, so no reader and no crash ever sees
     * part of them. A key with more than {@link #gcBatchDeletes} removable versions is written in
     * bounded parts: the versions below its newest visible one first, which hides them, and that
     * one itself (when it is a delete) only in the last part, with the rest below it; so a reader
     * at or above the horizon, or a restart after any part, never sees a deleted row come back.
     *
     * @return what the step did, and where the next step resumes (null once it reached the end)
     */
    public GcStep collectGarbage(byte[] from, int maxVersions, long lowWatermark) {
        return collectGarbage(from, maxVersions, lowWatermark, gcBatchDeletes);
    }

    /** As {@link #collectGarbage(byte[], int, long)}, with at most {@code batchDeletes} deletes a write (tests set it small). */
    GcStep collectGarbage(byte[] from, int maxVersions, long lowWatermark, int batchDeletes) {
        if (maxVersions < 1) {
            throw new IllegalArgumentException("maxVersions must be positive: " + maxVersions);
        }
        if (batchDeletes < 1) {
            throw new IllegalArgumentException("batchDeletes must be positive: " + batchDeletes);
        }
        long horizon = Math.min(lowWatermark, gcHorizon());
        GcWriter writer = new GcWriter(data, batchDeletes);
        long scanned = 0;
        byte[] resume = null;
        byte[] first = null;
        try (KvSnapshot snapshot = data.snapshot();
             KvCursor c = snapshot.scan(from == null ? MvccKeys.firstLogicalPrefix : from, null)) {
            byte[] current = null;
            int currentLength = 0;
            boolean shadowed = false;
            while (c.next()) {
                byte[] key = c.key();
                int length = MvccKeys.logicalPrefixLength(key);
                if (current == null || !Arrays.equals(current, 0, currentLength, key, 0, length)) {
                    writer.endKey();
                    if (scanned >= maxVersions) {
                        resume = key; // the newest version of the next key
                        break;
                    }
                    current = key;
                    currentLength = length;
                    shadowed = false;
                }
                if (first == null) {
                    first = key;
                }
                scanned++;
                if (shadowed) {
                    writer.deleteShadowed(key);
                } else if (MvccKeys.timestampOf(key) <= horizon) {
                    shadowed = true; // the version readers at the horizon see; older ones are hidden
                    if (MvccKeys.isTombstone(c.value())) {
                        writer.deleteVisibleTombstone(key); // reads at or above the horizon find nothing either way
                    }
                }
            }
            writer.endKey();
        }
        writer.flush();
        long removed = writer.removed();
        boolean compact = removed >= gcCompactMinRemoved && removed * 4 >= scanned;
        if (compact) {
            data.compactRange(first, resume);
        }
        return new GcStep(horizon, scanned, removed, resume, compact);
    }

    /**
     * What one {@link #collectGarbage} step did; {@code resumeKey} is null once the pass is
     * complete; {@code compacted} if the step compacted its range.
     */
    public record GcStep(long horizon, long versionsScanned, long versionsRemoved, byte[] resumeKey, boolean compacted) {
    }

    /** The store does not own the KvStore; closing it releases nothing. */
    @Override
    public void close() {
    }

    /**
     * Checks the written keys for conflicts and, for a SERIALIZABLE transaction ({@code reads}
     * not null), that nothing it read was written after it began; then writes them all at a
     * fresh commit timestamp in one batch. Returns the commit timestamp once it and every earlier
     * commit are written.
     *
     * <p>The read check makes the transaction equivalent to running alone at its commit
     * timestamp: under the commit lock no other commit takes a timestamp, every commit that took
     * one before is either applied (its versions are in {@code latest}) or in flight (its keys
     * are in {@code inFlightKeys}), and each of those above the start timestamp that touched a
     * read key or span refuses this commit.
     */
    long commit(long startTs, Map<byte[], byte[]> writes, ReadSet reads) {
        try {
            return checkAndWrite(startTs, writes, reads);
        } catch (WriteConflictException e) {
            // A transaction begins below the oldest commit still being written (begin). Retried at
            // once, the refused one would begin below the commit it met again and be refused again,
            // as often as it can retry within one fsync. Answer once the commits in flight now are
            // written, so that the retry's snapshot holds them; only a real new conflict refuses it.
            long issued;
            synchronized (timestampLock) {
                issued = clock.now();
            }
            awaitEarlierCommits(issued);
            throw e;
        }
    }

    private long checkAndWrite(long startTs, Map<byte[], byte[]> writes, ReadSet reads) {
        long commitTs;
        KvBatch batch = new KvBatch();
        commitLock.lock();
        try {
            for (byte[] key : writes.keySet()) {
                Long pending = inFlightKeys.get(key);
                if (pending != null) {
                    throw conflict(key, pending, startTs);
                }
            }
            try (KvSnapshot latest = data.snapshot()) {
                for (byte[] key : writes.keySet()) {
                    long newest = newestVersion(latest, key);
                    if (newest > startTs) {
                        throw conflict(key, newest, startTs);
                    }
                }
                if (reads != null) {
                    validate(latest, reads, startTs);
                }
            }
            synchronized (timestampLock) {
                commitTs = clock.now();
                inFlightTimestamps.add(commitTs);
            }
            try {
                raiseClockCeiling(commitTs);
            } catch (RuntimeException e) {
                finish(commitTs);
                throw e;
            }
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                byte[] value = w.getValue() == MvccTransaction.TOMBSTONE ? null : w.getValue();
                batch.put(MvccKeys.versionKey(w.getKey(), commitTs), MvccKeys.encodeValue(value));
                inFlightKeys.put(w.getKey(), commitTs);
            }
        } finally {
            commitLock.unlock();
        }
        try {
            data.apply(batch, syncCommits);
        } finally {
            for (byte[] key : writes.keySet()) {
                inFlightKeys.remove(key, commitTs);
            }
            finish(commitTs);
        }
        awaitEarlierCommits(commitTs);
        return commitTs;
    }

    private void raiseClockCeiling(long commitTs) {
        if (commitTs < clockCeiling) {
            return;
        }
        long ceiling = commitTs + (clockCeilingLeadMillis << HybridClock.logicalBits);
        data.apply(new KvBatch().put(MvccKeys.clockKey, MvccKeys.encodeTimestamp(ceiling)), true);
        clockCeiling = ceiling;
    }

    private void finish(long commitTs) {
        synchronized (timestampLock) {
            inFlightTimestamps.remove(commitTs);
            timestampLock.notifyAll();
        }
    }

    private void awaitEarlierCommits(long commitTs) {
        synchronized (timestampLock) {
            boolean interrupted = false;
            while (!inFlightTimestamps.isEmpty() && inFlightTimestamps.first() < commitTs) {
                try {
                    timestampLock.wait();
                } catch (InterruptedException e) {
                    // The commit is already written; finish the wait so the caller's next read sees it.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Refuses the commit if a commit above startTs wrote a key the transaction read or a key in a span it scanned. */
    private void validate(KvSnapshot latest, ReadSet reads, long startTs) {
        for (byte[] key : reads.keys()) {
            Long pending = inFlightKeys.get(key);
            long newest = pending != null ? pending : newestVersion(latest, key);
            if (newest > startTs) {
                throw readConflict(key, newest, startTs);
            }
        }
        for (ReadSet.Span span : reads.spans()) {
            if (span.to() != null && Arrays.compareUnsigned(span.from(), span.to()) >= 0) {
                continue; // an empty span read nothing
            }
            Map.Entry<byte[], Long> pending = span.to() == null ? inFlightKeys.ceilingEntry(span.from())
                    : inFlightKeys.subMap(span.from(), true, span.to(), false).firstEntry();
            if (pending != null) {
                throw readConflict(pending.getKey(), pending.getValue(), startTs);
            }
            byte[] lower = MvccKeys.prefix(span.from());
            byte[] upper = span.to() == null ? null : MvccKeys.prefix(span.to());
            try (KvCursor c = latest.scan(lower, upper)) {
                while (c.next()) {
                    long ts = MvccKeys.timestampOf(c.key());
                    if (ts > startTs) {
                        throw readConflict(Arrays.copyOf(c.key(), MvccKeys.logicalPrefixLength(c.key())), ts, startTs);
                    }
                }
            }
        }
    }

    private static WriteConflictException readConflict(byte[] key, long otherTs, long startTs) {
        return new WriteConflictException("serialization failure: key " + describe(key) + " read by this transaction was"
                + " written by a commit at " + otherTs + " after it began at " + startTs);
    }

    private static WriteConflictException conflict(byte[] key, long otherTs, long startTs) {
        return new WriteConflictException("write-write conflict on key " + describe(key)
                + ": committed at " + otherTs + " after this transaction began at " + startTs);
    }

    /** Timestamp of the newest committed version (value or tombstone) of key, or -1 if none. */
    private static long newestVersion(KvSnapshot s, byte[] key) {
        byte[] prefix = MvccKeys.prefix(key);
        Map.Entry<byte[], byte[]> newest = s.first(prefix, KeyEncoder.prefixEnd(prefix));
        return newest == null ? -1 : MvccKeys.timestampOf(newest.getKey());
    }

    static String describe(byte[] key) {
        int shown = Math.min(key.length, 32);
        String hex = HexFormat.of().formatHex(key, 0, shown);
        return key.length > shown ? hex + "...(" + key.length + " bytes)" : hex;
    }
}
