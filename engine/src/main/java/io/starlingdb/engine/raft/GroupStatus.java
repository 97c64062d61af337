package io.starlingdb.engine.raft;

/** A consistent view of one replica of a group, taken on the driver's thread. */
public record GroupStatus(long group, Role role, long leader, HardState hardState, long lastIndex, long applied,
                          long snapshotIndex) {
}
