package io.starlingdb.engine.storage;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one RocksDB instance, with a column family per {@link ColumnFamily}. Hands out a
 * {@link KvStore} view per family and applies write batches atomically across families (so
 * Raft can persist log entries and hard state in one write).
 *
 * <p>Every native object is owned here or by the snapshot or cursor that created it and is
 * closed exactly once. Operations hold a read lock and {@link #close()} the write lock, so a
 * close that races with a read cannot free memory a native call is still using; snapshots
 * (and their cursors) left open are closed by {@link #close()} with a warning.
 */
public final class RocksStorage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RocksStorage.class);

    /** Data blocks of 16 KiB: fewer index entries than the 4 KiB default, good for range scans. */
    private static final long blockSizeBytes = 16 * 1024;
    /** Sync SST and WAL writes to disk incrementally every 1 MiB instead of in one burst. */
    private static final long bytesPerSync = 1024 * 1024;
    /** RocksDB's own LOG files kept in the data directory. */
    private static final long keepInfoLogFiles = 5;
    /**
     * Write-ahead log files kept to be written over again instead of new ones: none. Recycling
     * made a synced write cheaper here (141-198 against 209-330 µs at p50: a write over an old
     * file need not update the file's size), but RocksDB's recovery of several recycled files
     * is only safe when their sequence numbers follow each other (RocksDB PR 12918, which took
     * recycling out of RocksDB's own crash test for a reproduced loss of data): ingesting an SST
     * file, which every replica snapshot here does, takes sequence numbers without a log record,
     * and recovery may then stop at the old tail of a recycled file and drop the acknowledged
     * writes of the files after it.
     */
    static final int recycledLogFiles = 0;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dataDir;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final Statistics statistics;
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final List<ColumnFamilyOptions> cfOptions;
    private final List<ColumnFamilyHandle> allHandles;
    private final EnumMap<ColumnFamily, ColumnFamilyHandle> handles = new EnumMap<>(ColumnFamily.class);
    private final EnumMap<ColumnFamily, KvStore> stores = new EnumMap<>(ColumnFamily.class);
    private final WriteOptions syncWrite;
    private final WriteOptions asyncWrite;
    private final Set<RocksSnapshot> openSnapshots = ConcurrentHashMap.newKeySet();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Path transferDir;
    private boolean closed;

    private RocksStorage(Path dataDir, RocksDB db, DBOptions dbOptions, Statistics statistics, LRUCache blockCache,
                         BloomFilter bloomFilter, List<ColumnFamilyOptions> cfOptions, List<ColumnFamilyHandle> allHandles) {
        this.dataDir = dataDir;
        this.db = db;
        this.dbOptions = dbOptions;
        this.statistics = statistics;
        this.blockCache = blockCache;
        this.bloomFilter = bloomFilter;
        this.cfOptions = cfOptions;
        this.allHandles = allHandles;
        ColumnFamily[] families = ColumnFamily.values();
        for (int i = 0; i < families.length; i++) {
            handles.put(families[i], allHandles.get(i + 1)); // index 0 is RocksDB's default family
            stores.put(families[i], new RocksKvStore(this, families[i]));
        }
        this.syncWrite = new WriteOptions().setSync(true);
        this.asyncWrite = new WriteOptions().setSync(false);
        this.transferDir = SstFiles.prepareDirectory(dataDir);
    }

    /** SST files written outside a family and ingested into it (replica snapshots). */
    public SstFiles sstFiles(ColumnFamily cf) {
        return new SstFiles(this, cf, transferDir);
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle handle(ColumnFamily cf) {
        return handles.get(cf);
    }

    /** Writes a prepared batch, synced; the caller holds {@link #readLock()}. */
    void writeSynced(WriteBatch wb) throws RocksDBException {
        db.write(syncWrite, wb);
    }

    /**
     * Opens (creating if needed) the database in dataDir.
     * @throws StorageException if the directory cannot be created, is already open (by this or
     *         another process), or RocksDB cannot open it
     */
    public static RocksStorage open(Path dataDir, StorageOptions options) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Statistics statistics = new Statistics();
        LRUCache cache = new LRUCache(options.blockCacheBytes());
        BloomFilter bloom = new BloomFilter(options.bloomFilterBitsPerKey());
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(options.maxBackgroundJobs())
                .setBytesPerSync(bytesPerSync)
                .setMaxOpenFiles(options.maxOpenFiles())
                .setKeepLogFileNum(keepInfoLogFiles)
                .setRecycleLogFileNum(recycledLogFiles)
                .setStatistics(statistics);
        List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        ColumnFamilyOptions defaultOptions = columnFamilyOptions(options, cache, null);
        cfOptions.add(defaultOptions);
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions));
        for (ColumnFamily cf : ColumnFamily.values()) {
            // Point lookups by whole key happen on DATA and RANGES (and rarely elsewhere): only they pay for filters.
            ColumnFamilyOptions o = columnFamilyOptions(options, cache, cf == ColumnFamily.DATA || cf == ColumnFamily.RANGES ? bloom : null);
            cfOptions.add(o);
            descriptors.add(new ColumnFamilyDescriptor(cf.rocksNameBytes(), o));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dataDir.toString(), descriptors, handles);
            log.info("Opened storage at {} (block cache {} MiB)", dataDir, options.blockCacheBytes() >> 20);
            return new RocksStorage(dataDir, db, dbOptions, statistics, cache, bloom, cfOptions, handles);
        } catch (RocksDBException e) {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            cfOptions.forEach(ColumnFamilyOptions::close);
            dbOptions.close();
            bloom.close();
            cache.close();
            statistics.close();
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("lock") || msg.contains("LOCK")) {
                throw new StorageException("data directory " + dataDir
                        + " is already in use by another process or another open storage in this one: " + msg, e);
            }
            throw new StorageException("cannot open storage at " + dataDir + ": " + msg, e);
        }
    }

    private static ColumnFamilyOptions columnFamilyOptions(StorageOptions options, LRUCache cache, BloomFilter bloom) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(blockSizeBytes)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        if (bloom != null) {
            table.setFilterPolicy(bloom);
        }
        return new ColumnFamilyOptions()
                .setWriteBufferSize(options.writeBufferBytes())
                .setMaxWriteBufferNumber(options.maxWriteBuffers())
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true)
                .setTableFormatConfig(table);
    }

    /** A KvStore view of one column family. Closing the view does nothing; close the storage. */
    public KvStore store(ColumnFamily cf) {
        return stores.get(cf);
    }

    /**
     * Batches a thread deferred to its next write ({@link #deferToNextWrite}); null: none. Only the
     * thread that deferred them writes them, so no other thread's write is made to carry them.
     */
    private final ThreadLocal<Map<ColumnFamily, KvBatch>> deferred = new ThreadLocal<>();

    /**
     * Makes batches durable with the next write this thread makes ({@link #applyAtomically},
     * atomically with it and ahead of its operations) or at {@link #flushDeferred}, whichever comes
     * first, instead of in a write of their own: for writes that need no sync and must only reach
     * the disk no later than what this thread writes next (the Raft driver's commit indexes, which
     * ride on the apply of the entries they commit). Batches deferred before and not yet written
     * are written first.
     */
    public void deferToNextWrite(Map<ColumnFamily, KvBatch> batches) {
        flushDeferred();
        deferred.set(batches);
    }

    /** Writes, without sync, what this thread deferred ({@link #deferToNextWrite}) and no write of it took yet. */
    public void flushDeferred() {
        if (deferred.get() != null) {
            applyAtomically(Map.of(), false);
        }
    }

    /**
     * Applies the batches of several column families as one RocksDB WriteBatch: all or none,
     * together with (after) what this thread deferred ({@link #deferToNextWrite}).
     * When sync, the WAL is fsynced before this returns; concurrent synced callers share fsyncs
     * (RocksDB's write-group leader syncs once for the whole group).
     * @throws LimitExceededException if the batches together exceed {@link Limits#maxBatchBytes}
     */
    public void applyAtomically(Map<ColumnFamily, KvBatch> batches, boolean sync) {
        Map<ColumnFamily, KvBatch> carried = deferred.get();
        List<Map<ColumnFamily, KvBatch>> parts = carried == null ? List.of(batches) : List.of(carried, batches);
        long bytes = 0;
        int ops = 0;
        for (Map<ColumnFamily, KvBatch> part : parts) {
            for (KvBatch b : part.values()) {
                bytes += b.bytes();
                ops += b.size();
            }
        }
        LimitExceededException.check("maxBatchBytes", Limits.maxBatchBytes, bytes);
        if (ops == 0) {
            deferred.remove();
            return;
        }
        Lock lock = readLock();
        try (WriteBatch wb = new WriteBatch()) {
            for (Map<ColumnFamily, KvBatch> part : parts) {
                for (Map.Entry<ColumnFamily, KvBatch> e : part.entrySet()) {
                    ColumnFamilyHandle h = handles.get(e.getKey());
                    for (KvBatch.Op op : e.getValue().ops()) {
                        if (op.isDelete()) {
                            wb.delete(h, op.key());
                        } else {
                            wb.put(h, op.key(), op.value());
                        }
                    }
                }
            }
            db.write(sync ? syncWrite : asyncWrite, wb);
            deferred.remove();
        } catch (RocksDBException e) {
            throw new StorageException("write of " + ops + " operations to " + dataDir + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Compacts the keys of one family in [from, to) (null: unbounded) down to the last level,
     * so that keys deleted there stop costing reads (a delete leaves a tombstone every read
     * steps over until compaction drops it). Blocks until done; {@link #close()} waits for it.
     */
    public void compactRange(ColumnFamily cf, byte[] from, byte[] to) {
        Lock lock = readLock();
        // Rewrite the bottommost level too: a file moved down without rewriting keeps its tombstones.
        try (CompactRangeOptions options = new CompactRangeOptions()
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)) {
            db.compactRange(handles.get(cf), from, to, options);
        } catch (RocksDBException e) {
            throw new StorageException("compaction of " + cf + " in " + dataDir + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** About how many bytes the keys of one family in [from, to) take, in files and memtables; -1 when closed. */
    public long approximateBytes(ColumnFamily cf, byte[] from, byte[] to) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            byte[] start = from == null ? new byte[0] : from;
            byte[] end = to == null ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff} : to;
            try (org.rocksdb.Slice a = new org.rocksdb.Slice(start); org.rocksdb.Slice b = new org.rocksdb.Slice(end)) {
                long[] sizes = db.getApproximateSizes(handles.get(cf), java.util.List.of(new org.rocksdb.Range(a, b)),
                        org.rocksdb.SizeApproximationFlag.INCLUDE_FILES, org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES);
                return sizes.length == 0 ? -1 : sizes[0];
            }
        } finally {
            lock.unlock();
        }
    }

    /** A RocksDB property of one family, e.g. {@code rocksdb.estimate-num-keys}; -1 when closed or unknown. */
    public long longProperty(ColumnFamily cf, String property) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            return db.getLongProperty(handles.get(cf), property);
        } catch (RocksDBException e) {
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /** A RocksDB statistics ticker since open; -1 when closed. */
    public long tickerCount(TickerType ticker) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            return closed ? -1 : statistics.getTickerCount(ticker);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes held by the shared block cache; -1 when closed. */
    public long blockCacheUsageBytes() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            return closed ? -1 : blockCache.getUsage();
        } finally {
            lock.unlock();
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    KvSnapshot openSnapshot(ColumnFamily cf) {
        Lock lock = readLock();
        try {
            RocksSnapshot s = new RocksSnapshot(this, db, handles.get(cf));
            openSnapshots.add(s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    void snapshotClosed(RocksSnapshot s) {
        openSnapshots.remove(s);
    }

    /** Locks out close() for the duration of a native call; throws if already closed. */
    Lock readLock() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IllegalStateException("storage at " + dataDir + " is closed");
        }
        return lock;
    }

    /**
     * RocksDB's per-thread perf counters ({@code PerfContext}, counting by default) cost every
     * iterator step thread-local lookups; nothing here reads them. Turned off once per thread
     * that reads (the level is the thread's, not the database's). Call under {@link #readLock()}.
     */
    void perfCountersOffForThisThread() {
        if (!perfCountersOff.get()) {
            db.setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            perfCountersOff.set(Boolean.TRUE);
        }
    }

    private static final ThreadLocal<Boolean> perfCountersOff = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** Same as {@link #readLock()} but returns null instead of throwing when closed. */
    Lock readLockIfOpen() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            return null;
        }
        return lock;
    }

    /** Closes every open snapshot and cursor, then the database and its options. Idempotent. */
    @Override
    public void close() {
        List<RocksSnapshot> leftover;
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            leftover = new ArrayList<>(openSnapshots);
            for (RocksSnapshot s : leftover) {
                s.releaseNative();
            }
            openSnapshots.clear();
            closed = true;
            for (ColumnFamilyHandle h : allHandles) {
                h.close();
            }
            try {
                db.syncWal();
                db.closeE();
            } catch (RocksDBException e) {
                log.error("Closing storage at {} failed: {}", dataDir, e.getMessage());
                db.close();
            }
            syncWrite.close();
            asyncWrite.close();
            cfOptions.forEach(ColumnFamilyOptions::close);
            dbOptions.close();
            bloomFilter.close();
            blockCache.close();
            statistics.close();
        } finally {
            lock.unlock();
        }
        if (!leftover.isEmpty()) {
            log.warn("Closed {} snapshots left open on storage at {}", leftover.size(), dataDir);
        }
        log.info("Closed storage at {}", dataDir);
    }
}
