package io.starlingdb.engine.txn;

/** Begins MVCC transactions over a key-value store. */
public interface TransactionalStore extends AutoCloseable {

    /** Begins a transaction at the given isolation level. */
    Transaction begin(Isolation isolation);

    /** Begins a transaction at {@link Isolation#SNAPSHOT}, the default. */
    default Transaction begin() {
        return begin(Isolation.SNAPSHOT);
    }

    @Override
    void close();
}
