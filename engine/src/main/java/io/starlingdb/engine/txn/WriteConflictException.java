package io.starlingdb.engine.txn;

/** A concurrent transaction committed a write to a key this transaction also wrote. */
public final class WriteConflictException extends RuntimeException {
    public WriteConflictException(String message) {
        super(message);
    }
}
