package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvStore;

/**
 * Groups the deletes of one garbage-collection step into atomic writes of at most
 * {@code batchDeletes} deletes, so that every intermediate state, as a reader or a restart after
 * a crash sees it (RocksDB recovers a prefix of the writes, in order), reads the same at or above
 * the horizon as before collection.
 *
 * <p>The rule: a key's deletes go into one write together, and several small keys share a write.
 * A key with more deletes than fit is written in parts, each part holding only versions below
 * the key's newest visible one (hidden by it whether they exist or not); its visible tombstone, if
 * it has one, is held back and goes into the key's last part. So a tombstone is never removed
 * while anything older than it is still stored.
 */
final class GcWriter {

    private final KvStore data;
    private final int batchDeletes;
    /** Deletes of finished keys, not yet written. */
    private KvBatch pending = new KvBatch();
    /** Deletes of the current key's shadowed versions, not yet written. */
    private KvBatch key = new KvBatch();
    /** The current key's tombstone that readers at the horizon see; removed last. */
    private byte[] visibleTombstone;
    private long removed;

    GcWriter(KvStore data, int batchDeletes) {
        this.data = data;
        this.batchDeletes = batchDeletes;
    }

    /** A version of the current key older than its newest visible one. */
    void deleteShadowed(byte[] versionKey) {
        key.delete(versionKey);
        removed++;
        if (key.size() >= batchDeletes) {
            // The key alone needs more than one write: write what is hidden so far. What is left
            // is then below the limit, so the last part has room for the tombstone.
            flush();
            data.apply(key, false);
            key = new KvBatch();
        }
    }

    /** The current key's newest version at or below the horizon, a delete: removed with the last part of the key. */
    void deleteVisibleTombstone(byte[] versionKey) {
        if (visibleTombstone != null || !key.isEmpty()) {
            throw new IllegalStateException("a key's visible tombstone comes before its shadowed versions");
        }
        visibleTombstone = versionKey;
        removed++;
    }

    /** The current key's versions are all seen: its deletes join the pending write, whole. */
    void endKey() {
        if (visibleTombstone != null) {
            key.delete(visibleTombstone);
            visibleTombstone = null;
        }
        if (key.isEmpty()) {
            return;
        }
        if (pending.size() + key.size() > batchDeletes) {
            flush();
        }
        if (pending.isEmpty()) {
            pending = key;
        } else {
            for (KvBatch.Op op : key.ops()) {
                pending.delete(op.key());
            }
        }
        key = new KvBatch();
    }

    /** Writes the pending deletes of finished keys. */
    void flush() {
        if (!pending.isEmpty()) {
            data.apply(pending, false);
            pending = new KvBatch();
        }
    }

    /** Versions deleted or to be deleted so far. */
    long removed() {
        return removed;
    }
}
