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

    /**
     * Rewrites the range [from, to) (null: unbounded) so that deleted keys stop costing reads.
     * A hint: a store without such a cost may ignore it. Blocks until done.
     */
    default void compactRange(byte[] fromInclusive, byte[] toExclusive) {
    }

    /**
     * About how many bytes the keys in [from, to) (null: unbounded) take, flushed or not; a
     * store that cannot tell answers -1. For decisions such as splitting a range, not for limits.
     */
    default long approximateBytes(byte[] fromInclusive, byte[] toExclusive) {
        return -1;
    }

    @Override
    void close();
}
