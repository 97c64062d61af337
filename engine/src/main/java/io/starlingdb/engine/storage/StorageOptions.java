package io.starlingdb.engine.storage;

/**
 * Tuning of the node's RocksDB instance. Validated at construction; a bad value fails with a
 * message that names the setting and the allowed range.
 *
 * @param blockCacheBytes       shared LRU block cache for all column families, in bytes
 * @param writeBufferBytes      size of one memtable per column family, in bytes
 * @param maxWriteBuffers       memtables per column family (one active, the rest flushing)
 * @param maxBackgroundJobs     flush and compaction threads
 * @param bloomFilterBitsPerKey bloom filter bits per key on DATA (10 gives ~1% false positives)
 * @param maxOpenFiles          open SST file handles kept; -1 keeps all open
 */
public record StorageOptions(
        long blockCacheBytes,
        long writeBufferBytes,
        int maxWriteBuffers,
        int maxBackgroundJobs,
        double bloomFilterBitsPerKey,
        int maxOpenFiles) {

    public static final long defaultBlockCacheBytes = 128L * 1024 * 1024;
    public static final long defaultWriteBufferBytes = 64L * 1024 * 1024;

    public StorageOptions {
        requireRange("blockCacheBytes", blockCacheBytes, 1024 * 1024, 1L << 40);
        requireRange("writeBufferBytes", writeBufferBytes, 64 * 1024, 1L << 32);
        requireRange("maxWriteBuffers", maxWriteBuffers, 2, 16);
        requireRange("maxBackgroundJobs", maxBackgroundJobs, 1, 64);
        if (!(bloomFilterBitsPerKey >= 1 && bloomFilterBitsPerKey <= 32)) {
            throw new IllegalArgumentException("bloomFilterBitsPerKey must be in [1, 32], got " + bloomFilterBitsPerKey);
        }
        if (maxOpenFiles != -1 && maxOpenFiles < 16) {
            throw new IllegalArgumentException("maxOpenFiles must be -1 (unlimited) or >= 16, got " + maxOpenFiles);
        }
    }

    /** Production defaults: 128 MiB block cache, 64 MiB memtables, 10-bit bloom filters. */
    public static StorageOptions defaults() {
        return new StorageOptions(defaultBlockCacheBytes, defaultWriteBufferBytes, 3, 4, 10.0, -1);
    }

    /** Small footprint for tests and local demos: 8 MiB cache, 4 MiB memtables. */
    public static StorageOptions small() {
        return new StorageOptions(8L * 1024 * 1024, 4L * 1024 * 1024, 2, 2, 10.0, 256);
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
