package io.starlingdb.engine.mvcc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvccDurabilityTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static Clock fixedAt(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void committedDataSurvivesReopenEvenWhenTheWallClockWentBack() {
        long later = 2_000_000_000_000L;
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(fixedAt(later)), true);
            try (Transaction t = store.begin()) {
                t.put(b("k"), b("v1"));
                t.put(b("gone"), b("x"));
                t.commit();
            }
            try (Transaction t = store.begin()) {
                t.delete(b("gone"));
                t.commit();
            }
        }
        // The restarted node's wall clock is an hour behind the data: reads must still see it,
        // and new commits must still be newer than what is stored.
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(fixedAt(later - 3_600_000)), true);
            try (Transaction t = store.begin()) {
                assertArrayEquals(b("v1"), t.get(b("k")));
                assertNull(t.get(b("gone")));
                t.put(b("k"), b("v2"));
                t.commit();
            }
            try (Transaction t = store.begin()) {
                assertArrayEquals(b("v2"), t.get(b("k")));
            }
        }
    }

    @Test
    void readOnlyCommitWritesNothing() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), true);
            try (Transaction t = store.begin()) {
                assertNull(t.get(b("nothing")));
                t.commit();
            }
            try (KvSnapshot s = storage.store(ColumnFamily.DATA).snapshot(); var c = s.scan(null, null)) {
                assertTrue(!c.next(), "DATA stays empty after a read-only commit");
            }
        }
    }

    @Test
    void writesBeyondLimitsAreRejectedWithTheLimitName() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
            try (Transaction t = store.begin()) {
                LimitExceededException key = assertThrows(LimitExceededException.class,
                        () -> t.put(new byte[Limits.maxKeyBytes + 1], b("v")));
                assertEquals("maxKeyBytes", key.limitName());
                assertEquals(Limits.maxKeyBytes + 1, key.actual());
                LimitExceededException row = assertThrows(LimitExceededException.class,
                        () -> t.put(b("k"), new byte[Limits.maxRowBytes + 1]));
                assertEquals("maxRowBytes", row.limitName());
                byte[] bigRow = new byte[Limits.maxRowBytes];
                LimitExceededException batch = assertThrows(LimitExceededException.class, () -> {
                    for (int i = 0; i <= Limits.maxBatchBytes / Limits.maxRowBytes; i++) {
                        t.put(b("row-" + i), bigRow);
                    }
                });
                assertEquals("maxBatchBytes", batch.limitName());
                // Overwriting a buffered key does not count its bytes twice.
                t.put(b("row-0"), b("small"));
                t.put(b("row-1"), bigRow);
                t.commit();
            }
        }
    }

    @Test
    void finishedTransactionRejectsFurtherUse() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
            Transaction t = store.begin();
            t.put(b("k"), b("v"));
            t.rollback();
            t.rollback();
            assertThrows(IllegalStateException.class, t::commit);
            assertThrows(IllegalStateException.class, () -> t.get(b("k")));
            t.close();
        }
    }
}
