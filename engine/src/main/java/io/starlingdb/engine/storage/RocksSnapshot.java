package io.starlingdb.engine.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/** A RocksDB snapshot of one column family; owns the cursors opened on it. */
final class RocksSnapshot implements KvSnapshot {

    private final RocksStorage storage;
    private final RocksDB db;
    private final ColumnFamilyHandle handle;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private final Set<RocksCursor> openCursors = ConcurrentHashMap.newKeySet();
    /** One iterator reused by {@link #first} (seek, read one pair), created on first use; guarded by this. */
    private RocksIterator seeker;
    private boolean released;

    RocksSnapshot(RocksStorage storage, RocksDB db, ColumnFamilyHandle handle) {
        this.storage = storage;
        this.db = db;
        this.handle = handle;
        this.snapshot = db.getSnapshot();
        this.readOptions = new ReadOptions().setSnapshot(snapshot);
    }

    @Override
    public byte[] get(byte[] key) {
        Lock lock = storage.readLock();
        try {
            ensureOpen();
            return db.get(handle, readOptions, key);
        } catch (RocksDBException e) {
            throw new StorageException("get from " + storage.dataDir() + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
        Lock lock = storage.readLock();
        try {
            ensureOpen();
            RocksCursor c = new RocksCursor(this, storage, db, handle, snapshot, fromInclusive, toExclusive);
            openCursors.add(c);
            return c;
        } finally {
            lock.unlock();
        }
    }

    /** Seeks one iterator kept for the snapshot's life instead of opening a cursor per call. */
    @Override
    public Map.Entry<byte[], byte[]> first(byte[] fromInclusive, byte[] toExclusive) {
        Lock lock = storage.readLock();
        try {
            synchronized (this) {
                if (released) {
                    throw new IllegalStateException("snapshot is closed");
                }
                if (seeker == null) {
                    seeker = db.newIterator(handle, readOptions);
                }
                if (fromInclusive == null) {
                    seeker.seekToFirst();
                } else {
                    seeker.seek(fromInclusive);
                }
                if (!seeker.isValid()) {
                    seeker.status();
                    return null;
                }
                byte[] key = seeker.key();
                if (toExclusive != null && Arrays.compareUnsigned(key, toExclusive) >= 0) {
                    return null;
                }
                return Map.entry(key, seeker.value());
            }
        } catch (RocksDBException e) {
            throw new StorageException("seek in " + storage.dataDir() + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    void cursorClosed(RocksCursor c) {
        openCursors.remove(c);
    }

    @Override
    public void close() {
        Lock lock = storage.readLockIfOpen();
        if (lock == null) {
            return; // the storage closed first and released everything
        }
        try {
            releaseNative();
        } finally {
            lock.unlock();
        }
        storage.snapshotClosed(this);
    }

    /** Frees cursors, read options and the snapshot; the caller holds a storage lock. Idempotent. */
    synchronized void releaseNative() {
        if (released) {
            return;
        }
        released = true;
        for (RocksCursor c : new ArrayList<>(openCursors)) {
            c.releaseNative();
        }
        openCursors.clear();
        if (seeker != null) {
            seeker.close();
            seeker = null;
        }
        readOptions.close();
        db.releaseSnapshot(snapshot);
    }

    private synchronized void ensureOpen() {
        if (released) {
            throw new IllegalStateException("snapshot is closed");
        }
    }
}
