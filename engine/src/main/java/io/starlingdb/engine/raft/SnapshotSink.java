package io.starlingdb.engine.raft;

/**
 * A snapshot being received piece by piece from a leader's {@link SnapshotSource}
 * ({@link StateMachine#receiveSnapshot}); the pieces arrive in order, on the driver's thread.
 */
public interface SnapshotSink extends AutoCloseable {

    /** Takes the next piece; throws if it is malformed or cannot be stored (the stream is dropped). */
    void write(byte[] piece);

    /**
     * Replaces the state machine's state with the complete snapshot, atomically: a crash
     * leaves the old state or one the replica can recover from, never half of each.
     */
    void install();

    /** Discards whatever was received and not installed; idempotent. */
    @Override
    void close();
}
