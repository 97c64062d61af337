package io.starlingdb.engine.txn;

/**
 * A transaction begun not to block ({@link TransactionalStore#beginNonBlocking}) was asked for
 * something it could only do by waiting (for another node, the oracle, Raft, a lock or a latch).
 * Nothing was done: roll the transaction back and run the statement where waiting is allowed.
 * Carries no stack trace: it is an ordinary outcome on a hot path, not a failure.
 */
public final class WouldBlockException extends RuntimeException {
    public WouldBlockException(String why) {
        super("the transaction would wait: " + why, null, false, false);
    }
}
