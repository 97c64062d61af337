package io.starlingdb.engine;

/**
 * Size limits of the storage engine, in one place. Each is checked where data enters the
 * engine (transaction writes, write batches) and a breach raises {@link LimitExceededException}
 * naming the limit, so the SQL layer can answer the client with a precise error instead of
 * letting RocksDB or the Raft log absorb unbounded input.
 */
public final class Limits {

    /**
     * Largest logical key (encoded primary or index key, without the MVCC timestamp), in bytes.
     * Keys are repeated in every version, index entry and Raft log entry, so they stay small.
     */
    public static final int maxKeyBytes = 4 * 1024;

    /** Largest encoded row (the value stored under one key), in bytes. */
    public static final int maxRowBytes = 1024 * 1024;

    /**
     * Largest write batch applied atomically to storage (sum of key and value bytes), in bytes.
     * Bounds the memory one transaction's buffered writes and one RocksDB WriteBatch can take.
     */
    public static final long maxBatchBytes = 64L * 1024 * 1024;

    /**
     * Most writes (puts and deletes of distinct keys) one transaction may buffer. Together with
     * {@link #maxBatchBytes} this keeps a commit's conflict check and batch bounded.
     */
    public static final int maxTransactionWrites = 1_000_000;

    /**
     * Most reads (point keys plus scanned spans) one SERIALIZABLE transaction may record for its
     * commit-time validation; past it the transaction fails rather than hold an unbounded read set.
     */
    public static final int maxTransactionReads = 1_000_000;

    private Limits() {
    }
}
