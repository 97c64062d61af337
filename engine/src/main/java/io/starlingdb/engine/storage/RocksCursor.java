package io.starlingdb.engine.storage;

import java.util.concurrent.locks.Lock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/** A RocksIterator over [from, to) of a snapshot, with the bounds pushed into RocksDB. */
final class RocksCursor implements KvCursor {

    private final RocksSnapshot owner;
    private final RocksStorage storage;
    private final ReadOptions readOptions;
    private final Slice lowerBound;
    private final Slice upperBound;
    private final RocksIterator iterator;
    private final byte[] from;
    private boolean started;
    private boolean released;
    private byte[] key;
    private byte[] value;

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
        Lock lock = storage.readLock();
        try {
            synchronized (this) {
                if (released) {
                    throw new IllegalStateException("cursor is closed");
                }
                if (!started) {
                    started = true;
                    if (from == null) {
                        iterator.seekToFirst();
                    } else {
                        iterator.seek(from);
                    }
                } else if (key != null) {
                    iterator.next();
                } else {
                    return false; // already exhausted
                }
                if (iterator.isValid()) {
                    key = iterator.key();
                    value = iterator.value();
                    return true;
                }
                key = null;
                value = null;
                iterator.status();
                return false;
            }
        } catch (RocksDBException e) {
            throw new StorageException("scan of " + storage.dataDir() + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] key() {
        if (key == null) {
            throw new IllegalStateException("no current pair: call next() first and check it returned true");
        }
        return key;
    }

    @Override
    public byte[] value() {
        if (value == null) {
            throw new IllegalStateException("no current pair: call next() first and check it returned true");
        }
        return value;
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
