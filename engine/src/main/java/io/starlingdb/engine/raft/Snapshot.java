package io.starlingdb.engine.raft;

import java.util.Objects;

/**
 * The state machine as of log index {@code index} (whose entry had term {@code term}), with the
 * configuration in force at that index. The data is opaque to Raft.
 */
public record Snapshot(long index, long term, ConfState conf, byte[] data) {
    public Snapshot {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(data, "data");
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term start at 1, got " + index + "@" + term);
        }
    }

    @Override
    public String toString() {
        return "snapshot " + index + "@" + term + " " + conf + " (" + data.length + "B)";
    }
}
