package io.starlingdb.engine.range;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RangeMvccTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newestVersionIsFoundPastRollbackMarkersAndNeverFromTheNextKey() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            KvStore store = storage.store(ColumnFamily.RANGES);
            // Newest first in storage order: the markers of two transactions rolled back at 12 and
            // 9 come before the version committed at 7 by the transaction started at 5.
            store.apply(new KvBatch()
                    .put(RangeKeys.rollbackKey(b("k"), 12), new byte[0])
                    .put(RangeKeys.rollbackKey(b("k"), 9), new byte[0])
                    .put(RangeKeys.versionKey(b("k"), 7), RangeMvcc.encodeVersion(5, b("seven")))
                    .put(RangeKeys.versionKey(b("k"), 3), RangeMvcc.encodeVersion(2, b("three")))
                    .put(RangeKeys.rollbackKey(b("m"), 20), new byte[0])
                    .put(RangeKeys.versionKey(b("ka"), 30), RangeMvcc.encodeVersion(29, b("other key"))), false);
            try (KvSnapshot s = store.snapshot()) {
                RangeMvcc.Version newest = RangeMvcc.newest(s, b("k"), Long.MAX_VALUE);
                assertEquals(7, newest.commitTs());
                assertEquals(5, newest.startTs());
                assertArrayEquals(b("seven"), newest.value());
                assertArrayEquals(b("three"), RangeMvcc.newest(s, b("k"), 6).value());
                assertNull(RangeMvcc.newest(s, b("k"), 2), "nothing committed at or before 2");
                assertNull(RangeMvcc.newest(s, b("m"), Long.MAX_VALUE), "a key with only a rollback marker");
                assertNull(RangeMvcc.newest(s, b("j"), Long.MAX_VALUE), "a key never written");
            }
        }
    }
}
