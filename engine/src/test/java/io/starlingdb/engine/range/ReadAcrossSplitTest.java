package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read on a network thread while the Raft driver applies a split: the answer's descriptor is
 * the span its snapshot was read under. The reader continues at that descriptor's end, so an
 * answer that read the old, wide span and named the new, narrow one made it read the right
 * half twice (a COUNT(*) of 20 rows answered 22 while nodes were killed and ranges split).
 * The split is applied from inside the storage calls the read makes, at the two points a
 * driver thread can interleave: between the descriptor's read and the snapshot, and during the scan.
 */
class ReadAcrossSplitTest {

    @TempDir
    Path dir;
    private RocksStorage storage;
    private HookedStore store;
    private final RangeHost host = (left, right) -> { };
    private static final ConfState three = ConfState.ofVoters(1L, 2L, 3L);
    private final RangeDescriptor left = new RangeDescriptor(7, new byte[0], b("m"), three, 2);
    private long index = RangeStateMachine.initialIndex;
    private long ts = 1_000;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir.resolve("db"), StorageOptions.small());
        store = new HookedStore(storage.store(ColumnFamily.RANGES));
        RangeStateMachine.bootstrap(store, new RangeDescriptor(7, new byte[0], null, three, 1));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RangeResult apply(RangeStateMachine sm, RangeCommand c) {
        return (RangeResult) sm.apply(++index, RangeCodec.encodeCommand(c));
    }

    private RangeCommand.Write put(String key, String value) {
        return new RangeCommand.Write(List.of(new WriteOp.Put(b(key), b(value))), 0, ++ts);
    }

    private static List<String> keys(RangeStateMachine.Answer a) {
        List<String> out = new ArrayList<>();
        for (RangeResult.KeyValue kv : assertInstanceOf(RangeResult.Rows.class, a.result()).rows()) {
            out.add(new String(kv.key(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A scan of the newest pairs from "a" on, read as a network thread reads. */
    private static RangeStateMachine.Answer scanFromA(RangeStateMachine sm) {
        return sm.read(v -> v.scan(b("a"), null, 100, Long.MAX_VALUE, Long.MAX_VALUE, 0, null));
    }

    /** Every row an answer holds lies in the span it names: the reader skips the rest of that span. */
    private static void assertRowsInItsSpan(RangeStateMachine.Answer a) {
        for (RangeResult.KeyValue kv : ((RangeResult.Rows) a.result()).rows()) {
            assertTrue(a.descriptor().contains(kv.key()), new String(kv.key(), StandardCharsets.UTF_8)
                    + " answered under " + a.descriptor());
        }
    }

    @Test
    void aSplitDuringTheScanLeavesTheAnswerOnTheSpanItRead() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        apply(sm, put("a", "1"));
        apply(sm, put("x", "2"));
        store.onFirstNext(() -> apply(sm, new RangeCommand.Split(b("m"), 8, 1)));

        RangeStateMachine.Answer a = scanFromA(sm);

        // Read from the snapshot before the split, under the span before it: both rows, the wide span.
        assertEquals(List.of("a", "x"), keys(a));
        assertNull(a.descriptor().end());
        assertRowsInItsSpan(a);
        assertEquals(left, sm.descriptor());
        // The next read is of the narrow span.
        RangeStateMachine.Answer after = scanFromA(sm);
        assertEquals(List.of("a"), keys(after));
        assertEquals(left, after.descriptor());
    }

    @Test
    void aSplitBeforeTheSnapshotIsTakenIsReadUnderTheNewSpan() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        apply(sm, put("a", "1"));
        apply(sm, put("x", "2"));
        store.beforeNextSnapshot(null, () -> {
            apply(sm, new RangeCommand.Split(b("m"), 8, 1));
            // The right half's own replica writes to the same store from then on, maybe lagging
            // its range's leaseholder elsewhere: the left range must not answer for it.
            RangeStateMachine right = RangeStateMachine.open(store, 8, host);
            right.apply(RangeStateMachine.initialIndex + 1, RangeCodec.encodeCommand(put("y", "3")));
        });

        RangeStateMachine.Answer a = scanFromA(sm);

        assertEquals(List.of("a"), keys(a));
        assertEquals(left, a.descriptor());
    }

    @Test
    void firstKeysAnswerTheSpanTheyRead() {
        RangeStateMachine sm = RangeStateMachine.open(store, 7, host);
        apply(sm, put("x", "2"));
        store.onFirstNext(() -> apply(sm, new RangeCommand.Split(b("m"), 8, 1)));

        RangeStateMachine.Answer a = sm.read(v -> v.firstKeys(List.of(b("a"), new byte[0]), Long.MAX_VALUE, 0));

        // The first key at or after "a" was "x" in the wide span read, which the answer names.
        assertEquals("x", new String(((RangeResult.Values) a.result()).values().get(0), StandardCharsets.UTF_8));
        assertTrue(a.descriptor().contains(b("x")));
    }
}
