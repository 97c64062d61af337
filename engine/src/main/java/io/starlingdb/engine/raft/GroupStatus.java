package io.starlingdb.engine.raft;

import java.util.Map;

/**
 * A consistent view of one replica of a group, taken on the driver's thread.
 *
 * @param matched on the leader, the highest log index known replicated on each other member
 *                (voters and learners); empty elsewhere
 */
public record GroupStatus(long group, Role role, long leader, HardState hardState, long lastIndex, long applied,
                          long snapshotIndex, long committed, Map<Long, Long> matched) {
    public GroupStatus {
        matched = Map.copyOf(matched);
    }
}
