package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.engine.txn.WriteConflictException;
import java.util.Arrays;
import java.util.HexFormat;
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
 * <p>Old versions are kept; version garbage collection is not implemented yet.
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

    /** Begins a snapshot-isolation transaction. Close it (or commit/rollback) to release its snapshot. */
    @Override
    public Transaction begin() {
        long startTs;
        synchronized (timestampLock) {
            long now = clock.now();
            startTs = inFlightTimestamps.isEmpty() ? now : inFlightTimestamps.first() - 1;
        }
        return new MvccTransaction(this, data, startTs);
    }

    /** The store does not own the KvStore; closing it releases nothing. */
    @Override
    public void close() {
    }

    /**
     * Checks the written keys for conflicts, then writes them all at a fresh commit timestamp in
     * one batch. Returns the commit timestamp once it and every earlier commit are written.
     */
    long commit(long startTs, Map<byte[], byte[]> writes) {
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

    private static WriteConflictException conflict(byte[] key, long otherTs, long startTs) {
        return new WriteConflictException("write-write conflict on key " + describe(key)
                + ": committed at " + otherTs + " after this transaction began at " + startTs);
    }

    /** Timestamp of the newest committed version (value or tombstone) of key, or -1 if none. */
    private static long newestVersion(KvSnapshot s, byte[] key) {
        byte[] prefix = MvccKeys.prefix(key);
        try (KvCursor c = s.scan(prefix, KeyEncoder.prefixEnd(prefix))) {
            return c.next() ? MvccKeys.decode(c.key()).timestamp() : -1;
        }
    }

    static String describe(byte[] key) {
        int shown = Math.min(key.length, 32);
        String hex = HexFormat.of().formatHex(key, 0, shown);
        return key.length > shown ? hex + "...(" + key.length + " bytes)" : hex;
    }
}
