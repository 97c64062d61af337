package io.starlingdb.engine.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An ordered list of puts and deletes applied atomically by {@link KvStore#apply}. */
public final class KvBatch {

    /** One operation; value is null for a delete. */
    public record Op(byte[] key, byte[] value) {
        public boolean isDelete() {
            return value == null;
        }
    }

    private final List<Op> ops = new ArrayList<>();
    private long bytes;

    public KvBatch put(byte[] key, byte[] value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("put needs a key and a value");
        }
        ops.add(new Op(key, value));
        bytes += key.length + value.length;
        return this;
    }

    public KvBatch delete(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("delete needs a key");
        }
        ops.add(new Op(key, null));
        bytes += key.length;
        return this;
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }

    public int size() {
        return ops.size();
    }

    /** Total bytes of keys and values, for size limits. */
    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
