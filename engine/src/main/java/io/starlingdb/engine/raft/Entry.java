package io.starlingdb.engine.raft;

import java.util.Arrays;
import java.util.Objects;

/** One log entry. Immutable: the data array is never modified after construction. */
public record Entry(long term, long index, EntryType type, byte[] data) {

    /** Bytes counted against {@link RaftConfig#maxBatchBytes}: the payload plus a fixed header. */
    public static final int headerBytes = 24;

    public Entry {
        if (term < 1 || index < 1) {
            throw new IllegalArgumentException("entry term and index start at 1, got term " + term + " index " + index);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    public int sizeBytes() {
        return data.length + headerBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.term == term && e.index == index && e.type == type && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return index + "@" + term + (type == EntryType.CONF_CHANGE ? " conf " + ConfChange.decode(data) : " (" + data.length + "B)");
    }
}
