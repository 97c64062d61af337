package io.starlingdb.engine.storage;

/**
 * An ordered byte key-value store with snapshot reads and atomic write batches.
 * The single-node store writes to RocksDB directly; the replicated store of a later
 * issue implements the same interface by proposing batches through Raft.
 */
public interface KvStore extends AutoCloseable {
    /** A consistent read view; close it when done. */
    KvSnapshot snapshot();

    /** Applies every operation of the batch atomically; when sync, durable (fsynced) before it returns. */
    void apply(KvBatch batch, boolean sync);

    @Override
    void close();
}
