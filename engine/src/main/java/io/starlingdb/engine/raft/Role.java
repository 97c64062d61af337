package io.starlingdb.engine.raft;

/** What a replica currently is. */
public enum Role {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
