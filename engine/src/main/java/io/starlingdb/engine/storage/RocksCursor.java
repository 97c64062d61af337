package io.starlingdb.engine.storage;

import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A RocksIterator over [from, to) of a snapshot, with the bounds pushed into RocksDB.
 *
 * <p>Pairs are copied out of the iterator in batches, under one storage lock acquisition per
 * batch rather than per pair: taking the lock and entering the monitor cost more than a short
 * row does to read. A batch is read from the same snapshot as single pairs would be, so
 * reading ahead changes nothing a caller can see. Batches start small, so a cursor that reads
 * one pair (a point read through a bounded scan) copies little, and grow to
 * {@link #maxBatchEntries} for long scans; a batch also stops once it holds
 * {@link #maxBatchBytes}, so large rows do not pile up.
 */
final class RocksCursor implements KvCursor {

    /** Pairs copied by the first native read of a cursor. */
    static final int firstBatchEntries = 8;
    /** Pairs copied at most by one native read; each batch doubles up to this. */
    static final int maxBatchEntries = 256;
    /** A batch stops once its keys and values take this many bytes (it always holds at least one pair). */
    static final int maxBatchBytes = 256 * 1024;
    /** Starting size of the buffers keys and values are copied through; most rows fit. */
    static final int initialCopyBufferBytes = 512;

    private final RocksSnapshot owner;
    private final RocksStorage storage;
    private final ReadOptions readOptions;
    private final Slice lowerBound;
    private final Slice upperBound;
    private final RocksIterator iterator;
    private final byte[] from;
    /** The current batch; grown with the batch size, so a short cursor allocates little. */
    private byte[][] keys = new byte[firstBatchEntries][];
    private byte[][] values = new byte[firstBatchEntries][];
    /** Pairs in the current batch, and the index of the current pair in it (-1 before the first). */
    private int batchSize;
    private int position = -1;
    private int nextBatchEntries = firstBatchEntries;
    /** Native copies of a long scan land here first; allocated on its second batch, grown to the largest key or value met. */
    private byte[] keyBuffer;
    private byte[] valueBuffer;
    private boolean started;
    /** The iterator has passed its last pair: no more batches. */
    private boolean exhausted;
    /** Set (under the monitor) when the native objects are freed; read without it on every call. */
    private volatile boolean released;

    RocksCursor(RocksSnapshot owner, RocksStorage storage, RocksDB db, ColumnFamilyHandle handle, Snapshot snapshot,
                byte[] fromInclusive, byte[] toExclusive) {
        this.owner = owner;
        this.storage = storage;
        this.from = fromInclusive;
        this.readOptions = new ReadOptions().setSnapshot(snapshot);
        this.lowerBound = fromInclusive == null ? null : new Slice(fromInclusive);
        this.upperBound = toExclusive == null ? null : new Slice(toExclusive);
        if (lowerBound != null) {
            readOptions.setIterateLowerBound(lowerBound);
        }
        if (upperBound != null) {
            readOptions.setIterateUpperBound(upperBound);
        }
        this.iterator = db.newIterator(handle, readOptions);
    }

    @Override
    public boolean next() {
        if (released) {
            throw new IllegalStateException("cursor is closed");
        }
        if (position + 1 < batchSize) {
            position++;
            return true;
        }
        if (exhausted) {
            position = batchSize;
            return false;
        }
        readBatch();
        position = 0;
        return batchSize > 0;
    }

    /** Replaces the current batch with the next pairs of the iterator. */
    private void readBatch() {
        Arrays.fill(keys, 0, batchSize, null);
        Arrays.fill(values, 0, batchSize, null);
        batchSize = 0;
        int limit = nextBatchEntries;
        nextBatchEntries = Math.min(maxBatchEntries, nextBatchEntries * 2);
        if (keys.length < limit) {
            keys = new byte[limit][];
            values = new byte[limit][];
        }
        Lock lock = storage.readLock();
        try {
            synchronized (this) {
                if (released) {
                    throw new IllegalStateException("cursor is closed");
                }
                storage.perfCountersOffForThisThread();
                if (!started) {
                    started = true;
                    if (from == null) {
                        iterator.seekToFirst();
                    } else {
                        iterator.seek(from);
                    }
                } else {
                    iterator.next(); // past the last pair of the previous batch
                }
                long bytes = 0;
                // A short cursor's few pairs come as RocksDB allocates them; a long scan's through reused buffers.
                boolean buffered = limit > firstBatchEntries;
                while (iterator.isValid()) {
                    byte[] k = buffered ? copyKey() : iterator.key();
                    byte[] v = buffered ? copyValue() : iterator.value();
                    keys[batchSize] = k;
                    values[batchSize] = v;
                    batchSize++;
                    bytes += k.length + v.length;
                    if (batchSize == limit || bytes >= maxBatchBytes) {
                        return; // the iterator stays on the last pair copied
                    }
                    iterator.next();
                }
                exhausted = true;
                iterator.status();
            }
        } catch (RocksDBException e) {
            throw new StorageException("scan of " + storage.dataDir() + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The iterator's current key. Copying into a reused buffer and then into an exact-size array
     * costs less than {@link RocksIterator#key()}, which allocates the array from native code.
     */
    private byte[] copyKey() {
        if (keyBuffer == null) {
            keyBuffer = new byte[initialCopyBufferBytes];
        }
        int n = iterator.key(keyBuffer);
        if (n > keyBuffer.length) {
            keyBuffer = new byte[n];
            n = iterator.key(keyBuffer);
        }
        return Arrays.copyOf(keyBuffer, n);
    }

    /** The iterator's current value, copied as {@link #copyKey()} copies keys. */
    private byte[] copyValue() {
        if (valueBuffer == null) {
            valueBuffer = new byte[initialCopyBufferBytes];
        }
        int n = iterator.value(valueBuffer);
        if (n > valueBuffer.length) {
            valueBuffer = new byte[n];
            n = iterator.value(valueBuffer);
        }
        return Arrays.copyOf(valueBuffer, n);
    }

    @Override
    public byte[] key() {
        return current(keys);
    }

    @Override
    public byte[] value() {
        return current(values);
    }

    private byte[] current(byte[][] column) {
        if (position < 0 || position >= batchSize) {
            throw new IllegalStateException("no current pair: call next() first and check it returned true");
        }
        return column[position];
    }

    @Override
    public void close() {
        Lock lock = storage.readLockIfOpen();
        if (lock == null) {
            return;
        }
        try {
            releaseNative();
        } finally {
            lock.unlock();
        }
        owner.cursorClosed(this);
    }

    /** Frees the iterator, then what it reads through; the caller holds a storage lock. Idempotent. */
    synchronized void releaseNative() {
        if (released) {
            return;
        }
        released = true;
        iterator.close();
        readOptions.close();
        if (lowerBound != null) {
            lowerBound.close();
        }
        if (upperBound != null) {
            upperBound.close();
        }
    }
}
