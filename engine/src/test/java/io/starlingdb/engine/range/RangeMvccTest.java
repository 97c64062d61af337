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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

    /**
     * Reads and one-phase writes find a key's lock and newest version with one seek (its first
     * pair) where they used a get and a seek: what they answer stays what the two gave, for a key
     * with nothing stored, a lock of another transaction or of the writer, rollback markers before
     * its newest version, and only versions above the read timestamp.
     */
    @Test
    void oneSeekPerKeyAnswersWhatALockGetAndANewestSeekAnswered() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            KvStore store = storage.store(ColumnFamily.RANGES);
            store.apply(new KvBatch()
                    // "locked": a lock of the transaction started at 40 over a version committed at 7
                    .put(RangeKeys.dataKey(b("locked")), RangeMvcc.encodeLock(new RangeMvcc.Lock(40, b("locked"), 3000, "c", b("new"))))
                    .put(RangeKeys.versionKey(b("locked"), 7), RangeMvcc.encodeVersion(5, b("old")))
                    // "marked": a rollback marker newer than its newest version
                    .put(RangeKeys.rollbackKey(b("marked"), 12), new byte[0])
                    .put(RangeKeys.versionKey(b("marked"), 7), RangeMvcc.encodeVersion(5, b("seven")))
                    // "late": versions at 30 and 10 only
                    .put(RangeKeys.versionKey(b("late"), 30), RangeMvcc.encodeVersion(29, b("thirty")))
                    .put(RangeKeys.versionKey(b("late"), 10), RangeMvcc.encodeVersion(9, b("ten"))), false);
            try (KvSnapshot s = store.snapshot()) {
                assertNull(((RangeResult.Value) RangeMvcc.get(s, b("absent"), 100, 0)).value());
                assertInstanceOf(RangeResult.Locked.class, RangeMvcc.get(s, b("locked"), 50, 0), "another's lock hides the key");
                assertArrayEquals(b("old"), ((RangeResult.Value) RangeMvcc.get(s, b("locked"), 30, 0)).value(),
                        "a lock that started after the read does not hide the version below it");
                assertArrayEquals(b("old"), ((RangeResult.Value) RangeMvcc.get(s, b("locked"), 50, 40)).value(),
                        "the reader's own lock");
                assertArrayEquals(b("seven"), ((RangeResult.Value) RangeMvcc.get(s, b("marked"), 100, 0)).value());
                assertArrayEquals(b("ten"), ((RangeResult.Value) RangeMvcc.get(s, b("late"), 20, 0)).value());
                assertArrayEquals(b("thirty"), ((RangeResult.Value) RangeMvcc.get(s, b("late"), 30, 0)).value());
                assertNull(((RangeResult.Value) RangeMvcc.get(s, b("late"), 5, 0)).value());
                RangeResult values = RangeMvcc.getAll(s, List.of(b("absent"), b("marked"), b("late")), 20, 0);
                assertEquals(3, ((RangeResult.Values) values).values().size());

                List<WriteOp> one = List.of(new WriteOp.Put(b("late"), b("x")));
                assertEquals(new RangeResult.WriteConflict(b("late"), 30).commitTs(),
                        ((RangeResult.WriteConflict) RangeMvcc.write(s, one, 20, 50, new KvBatch())).commitTs(),
                        "a version committed after the writer's start");
                assertInstanceOf(RangeResult.Written.class, RangeMvcc.write(s, one, 30, 50, new KvBatch()));
                assertInstanceOf(RangeResult.Locked.class,
                        RangeMvcc.write(s, List.of(new WriteOp.Put(b("locked"), b("x"))), 20, 50, new KvBatch()));
                assertInstanceOf(RangeResult.Written.class,
                        RangeMvcc.write(s, List.of(new WriteOp.Put(b("locked"), b("x"))), 40, 50, new KvBatch()),
                        "the writer's own lock");
                assertInstanceOf(RangeResult.WriteConflict.class,
                        RangeMvcc.write(s, List.of(new WriteOp.Put(b("marked"), b("x"))), 6, 50, new KvBatch()),
                        "the newest version past a rollback marker");
                assertInstanceOf(RangeResult.Written.class,
                        RangeMvcc.write(s, List.of(new WriteOp.Put(b("marked"), b("x")), new WriteOp.Put(b("absent"), b("y"))),
                                7, 50, new KvBatch()));
            }
        }
    }

    /**
     * A batch's keys share seeks ({@link RangeMvcc.FirstPairs}): in ascending order, in
     * descending order and shuffled, every key of a mix of absent keys between stored ones, a
     * lock, a rollback marker and versions above the read gets what a lookup of its own gets;
     * and a write of new keys still meets a version stored after a run of absent keys.
     */
    @Test
    void keysCheckedTogetherGetWhatEachGetsAlone() {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            KvStore store = storage.store(ColumnFamily.RANGES);
            KvBatch batch = new KvBatch();
            for (int i = 0; i < 200; i += 7) {
                batch.put(RangeKeys.versionKey(key(i), 10 + i), RangeMvcc.encodeVersion(9 + i, b("v" + i)));
            }
            batch.put(RangeKeys.dataKey(key(50)), RangeMvcc.encodeLock(new RangeMvcc.Lock(80, key(50), 3000, "c", b("locked"))));
            batch.put(RangeKeys.rollbackKey(key(63), 300), new byte[0]);
            batch.put(RangeKeys.versionKey(key(64), 500), RangeMvcc.encodeVersion(499, b("late")));
            store.apply(batch, false);
            java.util.List<byte[]> ascending = new java.util.ArrayList<>();
            for (int i = 0; i < 210; i++) {
                ascending.add(key(i));
            }
            java.util.List<byte[]> descending = new java.util.ArrayList<>(ascending);
            java.util.Collections.reverse(descending);
            java.util.List<byte[]> shuffled = new java.util.ArrayList<>(ascending);
            java.util.Collections.shuffle(shuffled, new java.util.Random(7));
            try (KvSnapshot s = store.snapshot()) {
                for (java.util.List<byte[]> keys : List.of(ascending, descending, shuffled)) {
                    for (long ts : new long[] {100, 400, 1000}) {
                        java.util.List<byte[]> withoutLocked = keys.stream().filter(k -> !java.util.Arrays.equals(k, key(50))).toList();
                        RangeResult.Values together = (RangeResult.Values) RangeMvcc.getAll(s, withoutLocked, ts, 0);
                        for (int i = 0; i < withoutLocked.size(); i++) {
                            byte[] alone = ((RangeResult.Value) RangeMvcc.get(s, withoutLocked.get(i), ts, 0)).value();
                            assertArrayEquals(alone, together.values().get(i), "key " + new String(withoutLocked.get(i), StandardCharsets.UTF_8) + " at " + ts);
                        }
                        assertInstanceOf(RangeResult.Locked.class, RangeMvcc.getAll(s, keys, ts, 0));
                    }
                }
                // Absent keys 100-104, then key 105 committed at 115: a writer that started at 110 conflicts.
                java.util.List<WriteOp> ops = new java.util.ArrayList<>();
                for (int i = 100; i <= 105; i++) {
                    ops.add(new WriteOp.Put(key(i), b("new")));
                }
                RangeResult r = RangeMvcc.write(s, ops, 110, 600, new KvBatch());
                assertInstanceOf(RangeResult.WriteConflict.class, r);
                assertArrayEquals(key(105), ((RangeResult.WriteConflict) r).key());
                // New keys only (absent, in a gap): written.
                assertInstanceOf(RangeResult.Written.class, RangeMvcc.write(s, List.of(new WriteOp.Put(key(201), b("a")),
                        new WriteOp.Put(key(202), b("b")), new WriteOp.Put(key(205), b("c"))), 110, 600, new KvBatch()));
                assertInstanceOf(RangeResult.Locked.class, RangeMvcc.write(s, List.of(new WriteOp.Put(key(49), b("a")),
                        new WriteOp.Put(key(50), b("b"))), 110, 600, new KvBatch()));
            }
        }
    }

    private static byte[] key(int i) {
        return b(String.format("row%05d", i));
    }
}
