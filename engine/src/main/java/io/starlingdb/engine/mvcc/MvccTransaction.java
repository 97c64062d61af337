package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.ReadSet;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One transaction: reads at its start timestamp, buffers writes in a sorted map, and hands them
 * to {@link MvccStore#commit} at the end. At SERIALIZABLE it also records what it read
 * ({@link ReadSet}), which the commit validates. Not thread-safe: one transaction belongs to one
 * session.
 */
final class MvccTransaction implements Transaction {

    /** Marks a buffered delete; compared by identity. */
    static final byte[] TOMBSTONE = new byte[0];

    private enum State { ACTIVE, COMMITTED, ROLLED_BACK }

    private final MvccStore store;
    private final KvStore data;
    private final long startTs;
    /** What it read, at SERIALIZABLE; null at SNAPSHOT. */
    private final ReadSet reads;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    /** Bytes the buffered writes will take in the commit batch. */
    private long batchBytes;
    private KvSnapshot snapshot;
    private State state = State.ACTIVE;

    MvccTransaction(MvccStore store, KvStore data, long startTs, Isolation isolation) {
        this.store = store;
        this.data = data;
        this.startTs = startTs;
        this.reads = isolation == Isolation.SERIALIZABLE ? new ReadSet() : null;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureActive();
        byte[] own = writes.get(key);
        if (own != null) {
            return own == TOMBSTONE ? null : own.clone();
        }
        if (reads != null) {
            reads.key(key);
        }
        byte[] prefix = MvccKeys.prefix(key);
        Map.Entry<byte[], byte[]> version = snapshot().first(MvccKeys.versionKey(key, startTs), KeyEncoder.prefixEnd(prefix));
        return version == null ? null : MvccKeys.decodeValue(version.getValue());
    }

    @Override
    public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
        ensureActive();
        if (reads != null) {
            reads.span(fromInclusive == null ? new byte[0] : fromInclusive, toExclusive);
        }
        // Own writes are copied so the caller may write while it scans (UPDATE does), and so a
        // scan sees the transaction as it was when the scan began.
        NavigableMap<byte[], byte[]> range = writes;
        if (fromInclusive != null && toExclusive != null) {
            range = Arrays.compareUnsigned(fromInclusive, toExclusive) < 0
                    ? writes.subMap(fromInclusive, true, toExclusive, false) : new TreeMap<>(Arrays::compareUnsigned);
        } else if (fromInclusive != null) {
            range = writes.tailMap(fromInclusive, true);
        } else if (toExclusive != null) {
            range = writes.headMap(toExclusive, false);
        }
        List<Map.Entry<byte[], byte[]>> own = new ArrayList<>(range.size());
        for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
            own.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        byte[] lower = fromInclusive == null ? MvccKeys.firstLogicalPrefix : MvccKeys.prefix(fromInclusive);
        byte[] upper = toExclusive == null ? null : MvccKeys.prefix(toExclusive);
        VersionCursor committed = new VersionCursor(snapshot().scan(lower, upper), startTs);
        return own.isEmpty() ? committed : new MergedCursor(own.iterator(), committed, TOMBSTONE);
    }

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
        buffer(key, TOMBSTONE);
    }

    private void buffer(byte[] key, byte[] value) {
        ensureActive();
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        LimitExceededException.check("maxKeyBytes", Limits.maxKeyBytes, key.length);
        long entryBytes = MvccKeys.versionKeyBytes(key) + 1L + value.length;
        byte[] copy = key.clone();
        byte[] previous = writes.get(copy);
        long newBytes = batchBytes + entryBytes
                - (previous == null ? 0 : MvccKeys.versionKeyBytes(key) + 1L + previous.length);
        LimitExceededException.check("maxBatchBytes", Limits.maxBatchBytes, newBytes);
        if (previous == null) {
            LimitExceededException.check("maxTransactionWrites", Limits.maxTransactionWrites, writes.size() + 1L);
        }
        writes.put(copy, value);
        batchBytes = newBytes;
    }

    @Override
    public void commit() {
        ensureActive();
        try {
            // Without writes it commits nothing, and at any isolation a transaction that only read
            // is serializable at its start timestamp: it saw exactly the commits below it.
            if (!writes.isEmpty()) {
                store.commit(startTs, writes, reads);
            }
            state = State.COMMITTED;
        } catch (WriteConflictException e) {
            state = State.ROLLED_BACK;
            throw e;
        } finally {
            if (state != State.ACTIVE) {
                release();
            }
        }
    }

    @Override
    public void rollback() {
        if (state == State.ACTIVE) {
            state = State.ROLLED_BACK;
            release();
        }
    }

    @Override
    public void close() {
        rollback();
    }

    private void release() {
        store.ended(startTs);
        writes.clear();
        if (snapshot != null) {
            snapshot.close();
            snapshot = null;
        }
    }

    private KvSnapshot snapshot() {
        if (snapshot == null) {
            snapshot = data.snapshot();
        }
        return snapshot;
    }

    private void ensureActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("transaction at " + startTs + " is already " + state);
        }
    }
}
