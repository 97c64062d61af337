package io.starlingdb.engine.txn;

/** Begins MVCC transactions over a key-value store. */
public interface TransactionalStore extends AutoCloseable {

    /** Begins a transaction at the given isolation level. */
    Transaction begin(Isolation isolation);

    /**
     * Begins a read-only transaction whose snapshot may be up to {@code maxStalenessMillis} old,
     * where reading an older snapshot saves work (a store whose timestamps come over the network);
     * a store whose newest snapshot is as cheap simply begins a transaction.
     */
    default Transaction beginStale(Isolation isolation, long maxStalenessMillis) {
        return begin(isolation);
    }

    /**
     * Begins the transaction of one auto-commit statement, with every guarantee of
     * {@link #begin(Isolation)}. A store whose timestamps come over the network may take the
     * snapshot's timestamp only once the statement needs one, so that a point statement pays
     * no round trip for it; a store whose timestamps cost nothing simply begins a transaction.
     */
    default Transaction beginStatement(Isolation isolation) {
        return begin(isolation);
    }

    /**
     * Begins the transaction of one auto-commit query on a thread that must never wait (a client
     * connection's event loop), or returns null if this store has none. Its reads either answer
     * at once, with every guarantee of {@link #beginStatement}'s, or throw
     * {@link WouldBlockException} having waited for nothing; it may not write.
     */
    default Transaction beginNonBlocking(Isolation isolation) {
        return null;
    }

    /**
     * As {@link #beginNonBlocking}, for an auto-commit statement that may also write (a point
     * UPDATE or DELETE), or null if this store has none: its reads answer at once or throw
     * {@link WouldBlockException}, and it commits with {@link Transaction#commitAsync}, which
     * starts the commit without waiting or throws that, having done nothing.
     */
    default Transaction beginNonBlockingStatement(Isolation isolation) {
        return null;
    }

    /** Begins a transaction at {@link Isolation#SNAPSHOT}, the default. */
    default Transaction begin() {
        return begin(Isolation.SNAPSHOT);
    }

    @Override
    void close();
}
