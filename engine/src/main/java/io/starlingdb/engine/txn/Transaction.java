package io.starlingdb.engine.txn;

import io.starlingdb.engine.storage.KvCursor;

/**
 * An MVCC transaction with snapshot isolation: reads see the data committed before it
 * began plus its own writes; writes are buffered and become visible atomically at commit.
 * Keys here are logical keys (no timestamp); the MVCC layer appends timestamps.
 */
public interface Transaction extends AutoCloseable {
    byte[] get(byte[] key);

    /** Logical pairs with fromInclusive &lt;= key &lt; toExclusive, own writes merged in, ascending. */
    KvCursor scan(byte[] fromInclusive, byte[] toExclusive);

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /**
     * Makes all writes durable and visible atomically.
     * @throws WriteConflictException if another transaction committed a write to one of
     *         this transaction's keys after this one began; nothing is written then
     */
    void commit();

    /** Discards all writes. Idempotent; also what close() does if commit() was not called. */
    void rollback();

    @Override
    void close();
}
