package io.starlingdb.engine.txn;

/** Begins MVCC transactions over a key-value store. */
public interface TransactionalStore extends AutoCloseable {
    Transaction begin();

    @Override
    void close();
}
