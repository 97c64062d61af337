package io.starlingdb.server;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.sql.system.SystemView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's SQL store with a register of the transactions open on it now (for
 * {@code SYS.TRANSACTIONS}): each is entered when it begins, with its isolation, start time and
 * the writes it has buffered, and leaves when it commits, rolls back or is closed. A
 * transaction writes nothing to the key space before it commits, so this register is the only
 * place where the cluster can see one that is open. Every call, default methods of the
 * interfaces included, goes to the wrapped store and transaction, so their own ways (batched
 * reads, stale snapshots) are kept ({@code TrackedTransactionalStoreTest} checks it).
 */
final class TrackedTransactionalStore implements TransactionalStore {

    private final TransactionalStore store;
    private final Map<Long, Tracked> open = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    TrackedTransactionalStore(TransactionalStore store) {
        this.store = store;
    }

    @Override
    public Transaction begin(Isolation isolation) {
        return track(isolation, store.begin(isolation));
    }

    @Override
    public Transaction beginStatement(Isolation isolation) {
        return track(isolation, store.beginStatement(isolation));
    }

    @Override
    public Transaction beginStale(Isolation isolation, long maxStalenessMillis) {
        return track(isolation, store.beginStale(isolation, maxStalenessMillis));
    }

    @Override
    public Transaction beginNonBlocking(Isolation isolation) {
        Transaction txn = store.beginNonBlocking(isolation);
        return txn == null ? null : track(isolation, txn);
    }

    @Override
    public Transaction beginNonBlockingStatement(Isolation isolation) {
        Transaction txn = store.beginNonBlockingStatement(isolation);
        return txn == null ? null : track(isolation, txn);
    }

    private Transaction track(Isolation isolation, Transaction txn) {
        Tracked t = new Tracked(ids.incrementAndGet(), isolation, System.currentTimeMillis(), txn);
        open.put(t.id, t);
        return t;
    }

    /** The transactions open now, oldest first. */
    List<SystemView.OpenTransaction> open() {
        List<SystemView.OpenTransaction> out = new ArrayList<>();
        for (Tracked t : open.values()) {
            out.add(new SystemView.OpenTransaction(t.id, t.isolation.name(), t.startedMillis, t.writes.get()));
        }
        out.sort(java.util.Comparator.comparingLong(SystemView.OpenTransaction::startedMillis));
        return out;
    }

    @Override
    public void close() {
        store.close();
    }

    /** A transaction of the store, counted while open. */
    private final class Tracked implements Transaction {
        final long id;
        final Isolation isolation;
        final long startedMillis;
        final AtomicInteger writes = new AtomicInteger();
        private final Transaction txn;

        Tracked(long id, Isolation isolation, long startedMillis, Transaction txn) {
            this.id = id;
            this.isolation = isolation;
            this.startedMillis = startedMillis;
            this.txn = txn;
        }

        @Override
        public byte[] get(byte[] key) {
            return txn.get(key);
        }

        @Override
        public List<byte[]> getAll(List<byte[]> keys) {
            return txn.getAll(keys);
        }

        @Override
        public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
            return txn.scan(fromInclusive, toExclusive);
        }

        @Override
        public KvCursor scan(byte[] fromInclusive, byte[] toExclusive, RowPredicate filter) {
            return txn.scan(fromInclusive, toExclusive, filter);
        }

        @Override
        public io.starlingdb.engine.encoding.RowAggregate.Partial aggregate(byte[] fromInclusive, byte[] toExclusive,
                                                                           RowPredicate predicate, Runnable beforeEachPage) {
            return txn.aggregate(fromInclusive, toExclusive, predicate, beforeEachPage);
        }

        @Override
        public List<byte[]> firstKeys(List<byte[]> froms, List<byte[]> tos) {
            return txn.firstKeys(froms, tos);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            txn.put(key, value);
            writes.incrementAndGet();
        }

        @Override
        public void delete(byte[] key) {
            txn.delete(key);
            writes.incrementAndGet();
        }

        @Override
        public void commit() {
            try {
                txn.commit();
            } finally {
                open.remove(id);
            }
        }

        @Override
        public void commitBefore(long deadline) {
            txn.commitBefore(deadline);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> commitAsync() {
            java.util.concurrent.CompletableFuture<Void> done = txn.commitAsync();
            return done.whenComplete((v, e) -> open.remove(id));
        }

        @Override
        public void rollback() {
            try {
                txn.rollback();
            } finally {
                open.remove(id);
            }
        }

        @Override
        public void close() {
            try {
                txn.close();
            } finally {
                open.remove(id);
            }
        }
    }
}
