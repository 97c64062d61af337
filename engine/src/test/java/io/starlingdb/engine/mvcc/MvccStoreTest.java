package io.starlingdb.engine.mvcc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvccStoreTest {

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

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, UTF_8);
    }

    void commitPut(String k, String v) {
        try (Transaction t = store.begin()) {
            t.put(b(k), b(v));
            t.commit();
        }
    }

    static List<String> scanAll(Transaction t, String from, String to) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = t.scan(from == null ? null : b(from), to == null ? null : b(to))) {
            while (c.next()) {
                out.add(s(c.key()) + "=" + s(c.value()));
            }
        }
        return out;
    }

    @Test
    void readerKeepsItsSnapshotWhileOthersCommit() {
        commitPut("a", "1");
        try (Transaction reader = store.begin()) {
            assertEquals("1", s(reader.get(b("a"))));
            commitPut("a", "2");
            commitPut("b", "new");
            assertEquals("1", s(reader.get(b("a"))));
            assertNull(reader.get(b("b")));
            assertEquals(List.of("a=1"), scanAll(reader, null, null));
        }
        try (Transaction later = store.begin()) {
            assertEquals("2", s(later.get(b("a"))));
        }
    }

    @Test
    void transactionReadsItsOwnWrites() {
        commitPut("a", "1");
        try (Transaction t = store.begin()) {
            t.put(b("a"), b("mine"));
            t.put(b("c"), b("3"));
            assertEquals("mine", s(t.get(b("a"))));
            t.delete(b("a"));
            assertNull(t.get(b("a")));
            assertEquals(List.of("c=3"), scanAll(t, null, null));
        }
        try (Transaction t = store.begin()) {
            assertEquals("1", s(t.get(b("a"))), "rolled-back writes are invisible");
        }
    }

    @Test
    void scanMergesOwnWritesAndDeletesWithSnapshot() {
        commitPut("a", "1");
        commitPut("b", "2");
        commitPut("d", "4");
        try (Transaction t = store.begin()) {
            t.delete(b("d"));
            t.commit();
        }
        try (Transaction t = store.begin()) {
            t.put(b("c"), b("own"));
            t.delete(b("a"));
            t.put(b("b"), b("22"));
            t.put(b("e"), b("5"));
            assertEquals(List.of("b=22", "c=own", "e=5"), scanAll(t, null, null));
            assertEquals(List.of("b=22", "c=own"), scanAll(t, "b", "d"));
            assertEquals(List.of("c=own", "e=5"), scanAll(t, "bb", null));
            assertEquals(List.of("b=22"), scanAll(t, null, "c"));
        }
    }

    @Test
    void concurrentWriteToSameKeyConflictsAndWritesNothing() {
        commitPut("k", "0");
        Transaction first = store.begin();
        Transaction second = store.begin();
        first.put(b("k"), b("first"));
        second.put(b("k"), b("second"));
        second.put(b("other"), b("x"));
        first.commit();
        assertThrows(WriteConflictException.class, second::commit);
        second.close();
        try (Transaction t = store.begin()) {
            assertEquals("first", s(t.get(b("k"))));
            assertNull(t.get(b("other")), "a conflicting commit writes nothing");
        }
    }

    @Test
    void keysThatArePrefixesOfEachOtherKeepSeparateVersions() {
        byte[] shortKey = {1};
        byte[] longKey = {1, 0, 0, 0, 0, 0, 0, 0, 0};
        try (Transaction t = store.begin()) {
            t.put(shortKey, b("short"));
            t.put(longKey, b("long"));
            t.commit();
        }
        try (Transaction t = store.begin()) {
            t.delete(shortKey);
            t.commit();
        }
        try (Transaction t = store.begin()) {
            assertNull(t.get(shortKey));
            assertEquals("long", s(t.get(longKey)));
            try (KvCursor c = t.scan(null, null)) {
                assertTrue(c.next());
                assertArrayEquals(longKey, c.key());
            }
        }
    }

    @Test
    void writingDuringAScanNeitherFailsNorFeedsTheScan() {
        commitPut("r1", "a");
        commitPut("r2", "b");
        try (Transaction t = store.begin()) {
            t.put(b("r3"), b("own"));
            List<String> seen = new ArrayList<>();
            try (KvCursor c = t.scan(b("r"), b("s"))) {
                while (c.next()) {
                    seen.add(s(c.key()));
                    t.put(c.key(), b("updated"));
                    t.put(b("r9-" + s(c.key())), b("new"));
                }
            }
            assertEquals(List.of("r1", "r2", "r3"), seen);
            assertEquals(List.of("r1=updated", "r2=updated", "r3=updated", "r9-r1=new", "r9-r2=new", "r9-r3=new"),
                    scanAll(t, "r", "s"));
            assertEquals(List.of(), scanAll(t, "s", "r"), "an inverted range is empty");
        }
    }

    @Test
    void longScansMatchAModelAcrossVersionsTombstonesSnapshotsAndOwnWrites() {
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        String why = "seed " + seed;
        // Keys with zero bytes and shared prefixes exercise the escaped key layout; 600 keys
        // span several cursor batches.
        int keyCount = 600;
        java.util.TreeMap<byte[], byte[]> model = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < keyCount; i++) {
            keys.add(i % 7 == 0 ? new byte[] {(byte) (i >> 8), 0, (byte) i} : new byte[] {(byte) (i >> 8), (byte) i});
        }
        Transaction reader = null;
        java.util.TreeMap<byte[], byte[]> readerModel = null;
        for (int round = 0; round < 4; round++) {
            try (Transaction t = store.begin()) {
                for (byte[] key : keys) {
                    int action = random.nextInt(4);
                    if (action == 0) {
                        t.delete(key);
                        model.remove(key);
                    } else if (action < 3) {
                        byte[] value = b("r" + round + "-" + random.nextInt(1000));
                        t.put(key, value);
                        model.put(key, value);
                    }
                }
                t.commit();
            }
            if (round == 1) {
                reader = store.begin();
                readerModel = new java.util.TreeMap<>(model);
            }
        }
        try (Transaction own = store.begin()) {
            java.util.TreeMap<byte[], byte[]> ownModel = new java.util.TreeMap<>(model);
            for (int i = 0; i < keyCount; i += 5) {
                byte[] key = keys.get(random.nextInt(keyCount));
                if (random.nextBoolean()) {
                    own.delete(key);
                    ownModel.remove(key);
                } else {
                    own.put(key, b("own" + i));
                    ownModel.put(key, b("own" + i));
                }
            }
            own.put(new byte[] {(byte) 0xFF}, b("after every committed key"));
            ownModel.put(new byte[] {(byte) 0xFF}, b("after every committed key"));
            assertEquals(describe(ownModel), pairs(own, null, null), why);
            byte[] from = keys.get(keyCount / 4);
            byte[] to = keys.get(3 * keyCount / 4);
            assertEquals(describe(ownModel.subMap(from, to)), pairs(own, from, to), why);
        }
        try (Transaction latest = store.begin()) {
            assertEquals(describe(model), pairs(latest, null, null), why);
        }
        assertEquals(describe(readerModel), pairs(reader, null, null), why + ": an old snapshot keeps its versions");
        reader.close();
    }

    private static List<String> describe(java.util.SortedMap<byte[], byte[]> model) {
        List<String> out = new ArrayList<>();
        model.forEach((k, v) -> out.add(java.util.HexFormat.of().formatHex(k) + "=" + s(v)));
        return out;
    }

    private static List<String> pairs(Transaction t, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        try (KvCursor c = t.scan(from, to)) {
            while (c.next()) {
                out.add(java.util.HexFormat.of().formatHex(c.key()) + "=" + s(c.value()));
            }
        }
        return out;
    }
}
