package io.starlingdb.engine.txn;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.storage.KvCursor;
import java.util.ArrayList;
import java.util.List;

/**
 * An MVCC transaction with snapshot isolation: reads see the data committed before it
 * began plus its own writes; writes are buffered and become visible atomically at commit.
 * Keys here are logical keys (no timestamp); the MVCC layer appends timestamps.
 */
public interface Transaction extends AutoCloseable {
    byte[] get(byte[] key);

    /**
     * The values of {@code keys} (null where absent), in the order given, as {@link #get} would
     * read them one by one. A store where reads cross the network reads each range's keys in one
     * request, all ranges in parallel: statements checking many keys use this.
     */
    default List<byte[]> getAll(List<byte[]> keys) {
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            values.add(get(key));
        }
        return values;
    }

    /** Logical pairs with fromInclusive &lt;= key &lt; toExclusive, own writes merged in, ascending. */
    KvCursor scan(byte[] fromInclusive, byte[] toExclusive);

    /**
     * {@link #scan(byte[], byte[])}, where pairs whose value (a row) filter rejects MAY be left
     * out, and values MAY come without the columns the filter says the caller does not read
     * ({@link RowPredicate#keptColumns()}): a store whose reads cross the network checks and
     * shapes rows where the data is, so rejected rows and unread columns never travel; a local
     * store returns every pair whole. Either way the caller checks each pair it gets and reads
     * only the kept columns.
     */
    default KvCursor scan(byte[] fromInclusive, byte[] toExclusive, RowPredicate filter) {
        return scan(fromInclusive, toExclusive);
    }

    /**
     * The aggregate ({@link RowPredicate#aggregate()}) of the rows in [fromInclusive, toExclusive)
     * that predicate keeps, own writes included, or null when a row cannot be read as the
     * aggregate expects (the caller then reads the rows and aggregates them itself, meeting the
     * row with its own checks). A store whose reads cross the network computes it where the rows
     * are, so that they never travel; here the rows are scanned and folded one by one, in place,
     * without being decoded into SQL rows. Only a predicate whose comparisons are the caller's
     * whole filter may be given. beforeEachPage runs before each page is asked for, or each
     * {@link RowFolds#ROWS_PER_CHECK} rows (a statement's cancel check).
     */
    default RowAggregate.Partial aggregate(byte[] fromInclusive, byte[] toExclusive, RowPredicate predicate,
                                           Runnable beforeEachPage) {
        return RowFolds.fold(this, fromInclusive, toExclusive, predicate, beforeEachPage);
    }

    /**
     * Per span [froms[i], tos[i]) (tos[i] null: no bound), the first key {@link #scan} would
     * return, or null. A store where reads cross the network asks each range once for all its
     * spans, ranges in parallel: a statement checking many UNIQUE values uses this.
     */
    default List<byte[]> firstKeys(List<byte[]> froms, List<byte[]> tos) {
        List<byte[]> first = new ArrayList<>(froms.size());
        for (int i = 0; i < froms.size(); i++) {
            try (KvCursor c = scan(froms.get(i), tos.get(i))) {
                first.add(c.next() ? c.key() : null);
            }
        }
        return first;
    }

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /**
     * Makes all writes durable and visible atomically.
     * @throws WriteConflictException if another transaction committed a write to one of
     *         this transaction's keys after this one began; nothing is written then
     */
    void commit();

    /**
     * Bounds the commit timestamp: a commit that would take one at or above deadline (a hybrid
     * timestamp; 0: no bound) throws {@link WriteConflictException} and writes nothing. A store
     * whose transactions are only ever this node's (no other node commits against another
     * catalog) ignores it.
     */
    default void commitBefore(long deadline) {
    }

    /**
     * For a transaction begun not to block that may write
     * ({@link TransactionalStore#beginNonBlockingStatement}): starts its commit without waiting and
     * answers the commit's future, which fails with what {@link #commit} throws; or throws
     * {@link WouldBlockException}, having done nothing (roll the transaction back), if it could
     * commit only by waiting. What must wait after the commit started runs on the store's own
     * threads, never the caller's.
     */
    default java.util.concurrent.CompletableFuture<Void> commitAsync() {
        throw new WouldBlockException("this store commits only by waiting");
    }

    /** Discards all writes. Idempotent; also what close() does if commit() was not called. */
    void rollback();

    @Override
    void close();
}
