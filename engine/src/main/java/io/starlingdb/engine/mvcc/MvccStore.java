package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.engine.txn.WriteConflictException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshot-isolation transactions over MVCC versions in a {@link KvStore} (the DATA family),
 * for a single node. See {@link MvccKeys} for the layout.
 *
 * <p>Commits are serialised by one commit lock: the conflict check, the commit timestamp and
 * the write of all versions in one atomic batch happen under it, so a later committer always
 * sees every earlier commit when it checks for conflicts. A transaction's start timestamp is
 * chosen so that every commit at or below it is already fully written: if a commit is in
 * flight (timestamp taken, batch not yet applied) a beginning transaction reads just below
 * that commit's timestamp, and so it can neither see half of it nor miss it and still write
 * over it (the conflict check would catch that).
 *
 * <p>Old versions are kept; version garbage collection is not implemented yet.
 */
public final class MvccStore implements TransactionalStore {

    private final KvStore data;
    private final HybridClock clock;
    private final boolean syncCommits;
    private final ReentrantLock commitLock = new ReentrantLock();
    private final Object timestampLock = new Object();
    /** Timestamp of the commit whose batch is being written, 0 if none; guarded by timestampLock. */
    private long inFlightCommitTs;

    public MvccStore(KvStore data, HybridClock clock, boolean syncCommits) {
        this.data = data;
        this.clock = clock;
        this.syncCommits = syncCommits;
        try (KvSnapshot s = data.snapshot()) {
            byte[] highest = s.get(MvccKeys.clockKey);
            if (highest != null) {
                clock.update(MvccKeys.decodeTimestamp(highest));
            }
        }
    }

    /** Begins a snapshot-isolation transaction. Close it (or commit/rollback) to release its snapshot. */
    @Override
    public Transaction begin() {
        long startTs;
        synchronized (timestampLock) {
            long now = clock.now();
            startTs = inFlightCommitTs != 0 ? inFlightCommitTs - 1 : now;
        }
        return new MvccTransaction(this, data, startTs);
    }

    /** The store does not own the KvStore; closing it releases nothing. */
    @Override
    public void close() {
    }

    /**
     * Checks the written keys for newer committed versions, then writes them all at a fresh
     * commit timestamp in one batch. Returns the commit timestamp.
     */
    long commit(long startTs, Map<byte[], byte[]> writes) {
        commitLock.lock();
        try {
            try (KvSnapshot latest = data.snapshot()) {
                for (byte[] key : writes.keySet()) {
                    long newest = newestVersion(latest, key);
                    if (newest > startTs) {
                        throw new WriteConflictException("write-write conflict on key " + describe(key)
                                + ": committed at " + newest + " after this transaction began at " + startTs);
                    }
                }
            }
            long commitTs;
            synchronized (timestampLock) {
                commitTs = clock.now();
                inFlightCommitTs = commitTs;
            }
            try {
                KvBatch batch = new KvBatch();
                for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                    byte[] value = w.getValue() == MvccTransaction.TOMBSTONE ? null : w.getValue();
                    batch.put(MvccKeys.versionKey(w.getKey(), commitTs), MvccKeys.encodeValue(value));
                }
                batch.put(MvccKeys.clockKey, MvccKeys.encodeTimestamp(commitTs));
                data.apply(batch, syncCommits);
            } finally {
                synchronized (timestampLock) {
                    inFlightCommitTs = 0;
                }
            }
            return commitTs;
        } finally {
            commitLock.unlock();
        }
    }

    /** Timestamp of the newest committed version (value or tombstone) of key, or -1 if none. */
    private static long newestVersion(KvSnapshot s, byte[] key) {
        byte[] prefix = MvccKeys.prefix(key);
        try (KvCursor c = s.scan(prefix, io.starlingdb.engine.encoding.KeyEncoder.prefixEnd(prefix))) {
            return c.next() ? MvccKeys.decode(c.key()).timestamp() : -1;
        }
    }

    static String describe(byte[] key) {
        int shown = Math.min(key.length, 32);
        String hex = HexFormat.of().formatHex(key, 0, shown);
        return key.length > shown ? hex + "...(" + key.length + " bytes)" : hex;
    }
}
