package io.starlingdb.engine.raft;

import java.util.List;
import java.util.Objects;

/**
 * The durable state a replica starts from: what its storage recovered, or the bootstrap state
 * of a new group (empty log, the initial configuration).
 *
 * @param snapshot  the latest persisted snapshot, or null
 * @param entries   the persisted log after the snapshot, contiguous
 * @param bootstrap the group's initial configuration, used when there is no snapshot
 */
public record RaftState(HardState hardState, Snapshot snapshot, List<Entry> entries, ConfState bootstrap) {
    public RaftState {
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(bootstrap, "bootstrap");
        entries = List.copyOf(entries);
    }

    public static RaftState fresh(ConfState bootstrap) {
        return new RaftState(HardState.EMPTY, null, List.of(), bootstrap);
    }
}
