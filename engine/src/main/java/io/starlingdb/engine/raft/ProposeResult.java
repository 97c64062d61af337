package io.starlingdb.engine.raft;

/** The answer to a proposal. */
public sealed interface ProposeResult {

    /** Appended to the leader's log at index in term; it commits, or is overwritten by another entry. */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /** This replica is not the leader; leaderId is the leader it knows of, 0 if none. */
    record NotLeader(long leaderId) implements ProposeResult {
    }

    /** The leader cannot take it now (leadership transfer or membership change in progress, invalid change). */
    record Dropped(String reason) implements ProposeResult {
    }
}
