package io.starlingdb.engine.txn;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.storage.KvCursor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SQL's view of the replicated key space (issue 12): the {@link TransactionalStore} the SQL
 * engine runs on when a node serves SQL from the cluster. Each transaction is a
 * {@link ClusterTransaction}; SQL's keys (which start with a 4-byte table id, so with 0x00, the
 * system's first byte) live under {@link #sqlKeyPrefix} in the user key space, which this store
 * adds and strips, so SQL sees the same keys as on a single node.
 */
public final class ClusterTransactionalStore implements TransactionalStore {

    /** The first byte of every SQL key in the replicated key space. */
    public static final byte sqlKeyPrefix = 0x10;

    private final ClusterTransactions transactions;

    public ClusterTransactionalStore(ClusterTransactions transactions) {
        this.transactions = transactions;
    }

    @Override
    public Transaction begin(Isolation isolation) {
        return new Prefixed(transactions.begin(isolation));
    }

    @Override
    public Transaction beginStatement(Isolation isolation) {
        return new Prefixed(transactions.beginDeferred(isolation));
    }

    @Override
    public Transaction beginNonBlocking(Isolation isolation) {
        return new Prefixed(transactions.beginNonBlocking(isolation));
    }

    @Override
    public Transaction beginNonBlockingStatement(Isolation isolation) {
        return new Prefixed(transactions.beginNonBlockingStatement(isolation));
    }

    @Override
    public Transaction beginStale(Isolation isolation, long maxStalenessMillis) {
        return new Prefixed(transactions.beginStale(isolation, maxStalenessMillis));
    }

    /**
     * SQL's view of a transaction begun elsewhere (a client's), so that SQL statements and the
     * client's key-value operations commit together.
     */
    public static Transaction sqlView(ClusterTransaction txn) {
        return new Prefixed(txn);
    }

    /** The replicated key of a SQL key. */
    static byte[] outer(byte[] key) {
        byte[] k = new byte[key.length + 1];
        k[0] = sqlKeyPrefix;
        System.arraycopy(key, 0, k, 1, key.length);
        return k;
    }

    @Override
    public void close() {
        // the transactions belong to the node's RangeService, which closes them
    }

    /** The replicated start of a SQL span (null: SQL's first key). */
    private static byte[] outerFrom(byte[] fromInclusive) {
        return fromInclusive == null ? new byte[] {sqlKeyPrefix} : outer(fromInclusive);
    }

    /** The replicated end of a SQL span (null: past SQL's last key). */
    private static byte[] outerTo(byte[] toExclusive) {
        return toExclusive == null ? new byte[] {sqlKeyPrefix + 1} : outer(toExclusive);
    }

    /** A cluster transaction seen through SQL's keys. */
    private static final class Prefixed implements Transaction {
        private final ClusterTransaction txn;

        Prefixed(ClusterTransaction txn) {
            this.txn = txn;
        }

        @Override
        public byte[] get(byte[] key) {
            return txn.get(outer(key));
        }

        @Override
        public List<byte[]> getAll(List<byte[]> keys) {
            List<byte[]> outer = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                outer.add(outer(key));
            }
            return txn.getAll(outer);
        }

        @Override
        public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
            return scan(fromInclusive, toExclusive, null);
        }

        @Override
        public List<byte[]> firstKeys(List<byte[]> froms, List<byte[]> tos) {
            List<byte[]> outerFroms = new ArrayList<>(froms.size());
            List<byte[]> outerTos = new ArrayList<>(tos.size());
            for (int i = 0; i < froms.size(); i++) {
                outerFroms.add(outer(froms.get(i)));
                outerTos.add(outerTo(tos.get(i)));
            }
            List<byte[]> found = txn.firstKeys(outerFroms, outerTos);
            List<byte[]> inner = new ArrayList<>(found.size());
            for (byte[] k : found) {
                inner.add(k == null ? null : Arrays.copyOfRange(k, 1, k.length));
            }
            return inner;
        }

        @Override
        public KvCursor scan(byte[] fromInclusive, byte[] toExclusive, RowPredicate filter) {
            KvCursor inner = txn.scan(outerFrom(fromInclusive), outerTo(toExclusive), filter);
            return new KvCursor() {
                @Override
                public boolean next() {
                    return inner.next();
                }

                @Override
                public byte[] key() {
                    byte[] k = inner.key();
                    return Arrays.copyOfRange(k, 1, k.length);
                }

                @Override
                public byte[] value() {
                    return inner.value();
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }

        @Override
        public RowAggregate.Partial aggregate(byte[] fromInclusive, byte[] toExclusive, RowPredicate predicate,
                                              Runnable beforeEachPage) {
            return txn.aggregate(outerFrom(fromInclusive), outerTo(toExclusive), predicate, beforeEachPage);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            txn.put(outer(key), value);
        }

        @Override
        public void delete(byte[] key) {
            txn.delete(outer(key));
        }

        @Override
        public void commit() {
            txn.commit();
        }

        @Override
        public void commitBefore(long deadline) {
            txn.commitBefore(deadline);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> commitAsync() {
            return txn.commitAsync();
        }

        @Override
        public void rollback() {
            txn.rollback();
        }

        @Override
        public void close() {
            txn.close();
        }
    }
}
