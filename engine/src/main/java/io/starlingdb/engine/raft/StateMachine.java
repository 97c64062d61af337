package io.starlingdb.engine.raft;

/**
 * What a group replicates. Called only from the driver's thread, in log order. Its state is
 * rebuilt after a restart from the latest snapshot and the committed entries after it.
 */
public interface StateMachine {

    /** Applies a committed command at index and returns the result for the proposer. */
    Object apply(long index, byte[] command);

    /**
     * A committed membership change at index, applied to the group's configuration by Raft; a
     * state machine that records its members (a range descriptor) follows it here.
     */
    default void applyConfChange(long index, ConfChange change) {
    }

    /** The whole state, to send to a follower that is too far behind and to compact the log. */
    byte[] snapshot();

    /** Replaces the whole state with a snapshot (null: the empty state). */
    void restore(byte[] snapshot);
}
