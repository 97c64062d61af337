package io.starlingdb.engine.raft;

/**
 * The proposal may or may not have taken effect: it was in the log when this replica lost track
 * of it (a snapshot covered its index, or the node stopped). It must not be reported as failed:
 * a client that retries a non-idempotent command could apply it twice. Callers answer "outcome
 * unknown" and let the client decide (re-read, or retry a command that is safe to repeat).
 */
public final class OutcomeUnknownException extends RuntimeException {
    public OutcomeUnknownException(String message) {
        super(message);
    }
}
