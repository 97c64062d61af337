package io.starlingdb.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SERIALIZABLE on one node: a transaction's commit is refused when a key it read, or a key in a
 * span it scanned, was written by a commit after it began; reads of what nobody changed, and
 * transactions that only read, commit.
 */
class MvccSerializableTest {

    @TempDir
    Path dir;
    RocksStorage storage;
    MvccStore store;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir, StorageOptions.small());
        store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private void put(String k, String v) {
        try (Transaction t = store.begin()) {
            t.put(MvccStoreTest.b(k), MvccStoreTest.b(v));
            t.commit();
        }
    }

    @Test
    void aKeyReadAndChangedByALaterCommitRefusesTheCommit() {
        put("x", "1");
        put("y", "1");
        Transaction reader = store.begin(Isolation.SERIALIZABLE);
        reader.get(MvccStoreTest.b("x"));
        put("x", "2");
        reader.put(MvccStoreTest.b("y"), MvccStoreTest.b("from x"));
        WriteConflictException e = assertThrows(WriteConflictException.class, reader::commit);
        assertTrue(e.getMessage().contains("serialization failure"), e.getMessage());
        assertEquals("1", readLatest("y"), "the refused commit wrote");

        // The same under snapshot isolation commits: it does not check what it read.
        Transaction snapshot = store.begin(Isolation.SNAPSHOT);
        snapshot.get(MvccStoreTest.b("x"));
        put("x", "3");
        snapshot.put(MvccStoreTest.b("y"), MvccStoreTest.b("from x"));
        snapshot.commit();
        assertEquals("from x", readLatest("y"));
    }

    @Test
    void aKeyInsertedIntoAScannedSpanRefusesTheCommit() {
        put("a1", "1");
        Transaction scanner = store.begin(Isolation.SERIALIZABLE);
        int seen = count(scanner, "a", "b");
        assertEquals(1, seen);
        put("a5", "new"); // a phantom in the span the scanner read
        put("c1", "elsewhere");
        scanner.put(MvccStoreTest.b("count"), MvccStoreTest.b(String.valueOf(seen)));
        assertThrows(WriteConflictException.class, scanner::commit);

        // Writes outside every span it read do not refuse it.
        Transaction other = store.begin(Isolation.SERIALIZABLE);
        assertEquals(2, count(other, "a", "b"));
        other.get(MvccStoreTest.b("zz"));
        put("c2", "elsewhere");
        put("zy", "a neighbour of a key it read");
        other.put(MvccStoreTest.b("count"), MvccStoreTest.b("2"));
        other.commit();
        assertEquals("2", readLatest("count"));
    }

    @Test
    void aTransactionThatOnlyReadsCommitsWhateverChanged() {
        put("x", "1");
        Transaction reader = store.begin(Isolation.SERIALIZABLE);
        reader.get(MvccStoreTest.b("x"));
        count(reader, null, null);
        put("x", "2");
        reader.commit();
    }

    @Test
    void itsOwnWritesToWhatItReadDoNotRefuseIt() {
        put("x", "1");
        Transaction t = store.begin(Isolation.SERIALIZABLE);
        int n = Integer.parseInt(MvccStoreTest.s(t.get(MvccStoreTest.b("x"))));
        t.put(MvccStoreTest.b("x"), MvccStoreTest.b(String.valueOf(n + 1)));
        count(t, null, null);
        t.commit();
        assertEquals("2", readLatest("x"));
    }

    private static int count(Transaction t, String from, String to) {
        int n = 0;
        try (KvCursor c = t.scan(from == null ? null : MvccStoreTest.b(from), to == null ? null : MvccStoreTest.b(to))) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    private String readLatest(String k) {
        try (Transaction t = store.begin()) {
            return MvccStoreTest.s(t.get(MvccStoreTest.b(k)));
        }
    }
}
