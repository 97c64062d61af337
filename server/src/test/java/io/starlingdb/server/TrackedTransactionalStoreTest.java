package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.sql.system.SystemView;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The register of open transactions: a transaction is listed from its begin until its commit,
 * rollback or close, with its isolation and buffered writes; and the wrapper hands every call,
 * default methods included, to the store it wraps (a default method left to the interface would
 * silently bypass the store's own, batched or stale, way).
 */
class TrackedTransactionalStoreTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void transactionsAreListedFromBeginToCommitRollbackOrClose() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small());
             MvccStore mvcc = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false)) {
            TrackedTransactionalStore store = new TrackedTransactionalStore(mvcc);
            Transaction a = store.begin(Isolation.SERIALIZABLE);
            a.put(b("k1"), b("v1"));
            a.put(b("k2"), b("v2"));
            a.delete(b("k3"));
            Transaction b = store.begin();
            Transaction c = store.beginStale(Isolation.SNAPSHOT, 500);
            List<SystemView.OpenTransaction> open = store.open();
            assertEquals(3, open.size(), open.toString());
            assertEquals("SERIALIZABLE", open.get(0).isolation());
            assertEquals(3, open.get(0).writes());
            assertEquals(List.of("SNAPSHOT", "SNAPSHOT"), open.subList(1, 3).stream().map(SystemView.OpenTransaction::isolation).toList());
            a.commit();
            b.rollback();
            assertEquals(1, store.open().size());
            c.close();
            assertEquals(List.of(), store.open());
            Transaction d = store.begin();
            List<byte[]> values = d.getAll(List.of(b("k1"), b("k3"), b("k2")));
            assertArrayEquals(b("v1"), values.get(0));
            assertEquals(null, values.get(1));
            assertArrayEquals(b("v2"), values.get(2));
            d.close();
            assertEquals(List.of(), store.open());
        }
    }

    @Test
    void everyMethodOfTheInterfacesIsHandedToTheWrappedStore() throws Exception {
        List<String> missing = new ArrayList<>();
        Class<?> tracked = Class.forName(TrackedTransactionalStore.class.getName() + "$Tracked");
        for (Class<?>[] pair : List.of(new Class<?>[] {TransactionalStore.class, TrackedTransactionalStore.class},
                new Class<?>[] {Transaction.class, tracked})) {
            for (Method m : pair[0].getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                    continue;
                }
                // begin() without an isolation begins at SNAPSHOT through begin(Isolation), which is tracked.
                if (pair[0] == TransactionalStore.class && m.getName().equals("begin") && m.getParameterCount() == 0) {
                    continue;
                }
                try {
                    pair[1].getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(pair[0].getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes()));
                }
            }
        }
        assertTrue(missing.isEmpty(), "not handed to the wrapped store: " + missing);
    }
}
