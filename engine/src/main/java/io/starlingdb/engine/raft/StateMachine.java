package io.starlingdb.engine.raft;

/**
 * What a group replicates. Called only from the driver's thread, in log order. Its state is
 * rebuilt after a restart from the latest snapshot and the committed entries after it.
 */
public interface StateMachine {

    /** Applies a committed command at index and returns the result for the proposer. */
    Object apply(long index, byte[] command);

    /**
     * A committed entry without a command at index (the one a new leader appends) was applied:
     * a durable state machine records the index, so that its applied index, hence a snapshot it
     * opens, is Raft's (a leader whose last entry was its first, empty one had to send a
     * follower a snapshot at the index before it, and stopped).
     */
    default void applyEmpty(long index) {
    }

    /**
     * A committed membership change at index, applied to the group's configuration by Raft; a
     * state machine that records its members (a range descriptor) follows it here.
     */
    default void applyConfChange(long index, ConfChange change) {
    }

    /**
     * The whole state as of the last applied index: sent to a follower that is too far behind
     * and, unless the state machine {@link #isDurable() is durable}, kept when the log is compacted.
     */
    byte[] snapshot();

    /**
     * Replaces the whole state with a snapshot (null or empty: keep the state, there is none to
     * install). A durable state machine installs it in one atomic write and skips it if it is
     * not ahead of its own applied index.
     */
    void restore(byte[] snapshot);

    /**
     * Whether the state machine keeps its state and its applied index durable by itself, in one
     * atomic write per applied entry, and skips entries at or below that index when they are
     * applied again. Then compaction records only the snapshot point (index, term,
     * configuration) — the log store never holds a copy of the state — a snapshot for a
     * follower is taken from the state machine when it is sent, and a follower installs a
     * received snapshot into the state machine before Raft records it, so that a crash in
     * between leaves the state machine ahead of the log, never behind its snapshot point.
     * An in-memory state machine (false) is rebuilt after a restart from the snapshot kept with
     * the log.
     */
    default boolean isDurable() {
        return false;
    }

    /**
     * A snapshot of the state as of the applied index, to stream to a follower piece by piece,
     * or null to send {@link #snapshot()} as one array. Called on the driver's thread, so the
     * source sees exactly the applied state. Only for a {@link #isDurable() durable} state machine.
     */
    default SnapshotSource openSnapshot() {
        return null;
    }

    /**
     * Receives a snapshot at index streamed from a leader's {@link #openSnapshot()}, or null if
     * snapshots arrive as one array for {@link #restore}. Leader and follower run the same state
     * machine, so they agree on which.
     */
    default SnapshotSink receiveSnapshot(long index) {
        return null;
    }
}
