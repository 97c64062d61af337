package io.starlingdb.engine.raft;

/**
 * A state machine's snapshot read piece by piece, to stream to a follower without holding the
 * state in memory ({@link StateMachine#openSnapshot}). The driver polls it from its own thread;
 * the source may prepare pieces on another thread. Each piece travels as one snapshot chunk, in
 * order, and reaches the follower's {@link SnapshotSink} as it was returned.
 */
public interface SnapshotSource extends AutoCloseable {

    /** The applied index the snapshot is as of. */
    long index();

    /**
     * The next piece, at most maxBytes long, or null if none is ready yet (poll again later).
     * Throws if the source failed; the driver then drops the stream (Raft sends again).
     */
    byte[] poll(int maxBytes);

    /** Whether the last piece has been returned. */
    boolean exhausted();

    /** Releases what the source holds (files, a storage snapshot); idempotent. */
    @Override
    void close();
}
