package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.KvCursor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Merges a transaction's own buffered writes over its committed view, in key order: an own
 * write replaces the committed pair with the same key, and an own delete hides it.
 */
public final class MergedCursor implements KvCursor {

    private final Iterator<Map.Entry<byte[], byte[]>> own;
    private final KvCursor committed;
    private final byte[] tombstone;
    private Map.Entry<byte[], byte[]> ownHead;
    private boolean committedHasHead;
    private boolean started;
    /** The current pair is the committed cursor's: it moves on at the next call (its key and value stay valid until then). */
    private boolean onCommitted;
    private byte[] key;
    private byte[] value;

    public MergedCursor(Iterator<Map.Entry<byte[], byte[]>> own, KvCursor committed, byte[] tombstone) {
        this.own = own;
        this.committed = committed;
        this.tombstone = tombstone;
    }

    @Override
    public boolean next() {
        if (!started) {
            started = true;
            ownHead = own.hasNext() ? own.next() : null;
            committedHasHead = committed.next();
        } else if (onCommitted) {
            onCommitted = false;
            committedHasHead = committed.next();
        }
        while (ownHead != null || committedHasHead) {
            int cmp;
            if (ownHead == null) {
                cmp = 1;
            } else if (!committedHasHead) {
                cmp = -1;
            } else {
                cmp = Arrays.compareUnsigned(ownHead.getKey(), committed.key());
            }
            if (cmp > 0) {
                key = committed.key();
                value = committed.value();
                onCommitted = true;
                return true;
            }
            Map.Entry<byte[], byte[]> w = ownHead;
            ownHead = own.hasNext() ? own.next() : null;
            if (cmp == 0) {
                committedHasHead = committed.next();
            }
            if (w.getValue() != tombstone) {
                key = w.getKey().clone();
                value = w.getValue().clone();
                return true;
            }
        }
        key = null;
        value = null;
        return false;
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public byte[] value() {
        return value;
    }

    @Override
    public void close() {
        committed.close();
    }
}
