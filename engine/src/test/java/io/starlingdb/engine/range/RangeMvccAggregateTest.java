package io.starlingdb.engine.range;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowAggregate.Call;
import io.starlingdb.engine.encoding.RowAggregate.Function;
import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.RowPredicate.Comparison;
import io.starlingdb.engine.encoding.RowPredicate.Op;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan whose filter carries an aggregate answers, page by page, partials that merge into the
 * aggregate of exactly the rows the same scan without the aggregate returns.
 */
class RangeMvccAggregateTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());
    private static final int keys = 150;
    private static final int[] ids = {1, 2, 3, 4};
    private static final ValueType[] types = {ValueType.INTEGER, ValueType.BIGINT, ValueType.DECIMAL, ValueType.VARCHAR};

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(int i) {
        return b(String.format("row%05d", i));
    }

    private static byte[] randomRow(Random r) {
        Object[] values = {
            r.nextInt(6) == 0 ? null : r.nextInt(201) - 100,
            r.nextInt(6) == 0 ? null : r.nextInt(4) == 0 ? Long.MAX_VALUE - r.nextInt(3) : r.nextLong() >> r.nextInt(64),
            r.nextInt(6) == 0 ? null : BigDecimal.valueOf(r.nextInt(2_000_000) - 1_000_000, 3),
            r.nextInt(6) == 0 ? null : "s" + r.nextInt(1000)};
        return RowCodec.encode(ids, types, values);
    }

    private static final List<Comparison> comparisons = List.of(new Comparison(1, ValueType.INTEGER, Op.GE, -40),
            new Comparison(4, ValueType.VARCHAR, Op.NE, "s7"));

    private static final RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(),
            new Call(Function.COUNT, 2, ValueType.BIGINT), new Call(Function.SUM, 2, ValueType.BIGINT),
            new Call(Function.SUM, 1, ValueType.INTEGER), new Call(Function.SUM0, 3, ValueType.DECIMAL),
            new Call(Function.MIN, 4, ValueType.VARCHAR), new Call(Function.MAX, 1, ValueType.INTEGER),
            new Call(Function.MIN, 3, ValueType.DECIMAL)));

    /** Versions of every key: older and newer than the reads, deletions, rollback markers. */
    private static KvBatch randomData(Random r) {
        KvBatch batch = new KvBatch();
        for (int i = 0; i < keys; i++) {
            byte[] k = key(i);
            switch (r.nextInt(6)) {
                case 0 -> { } // never written
                case 1 -> { // written, then deleted at 60
                    batch.put(RangeKeys.versionKey(k, 60), RangeMvcc.encodeVersion(59, null));
                    batch.put(RangeKeys.versionKey(k, 20), RangeMvcc.encodeVersion(19, randomRow(r)));
                }
                case 2 -> { // a newer version above the first read's timestamp
                    batch.put(RangeKeys.versionKey(k, 500), RangeMvcc.encodeVersion(499, randomRow(r)));
                    batch.put(RangeKeys.versionKey(k, 30), RangeMvcc.encodeVersion(29, randomRow(r)));
                }
                case 3 -> { // a rollback marker over its version
                    batch.put(RangeKeys.rollbackKey(k, 70), new byte[0]);
                    batch.put(RangeKeys.versionKey(k, 40), RangeMvcc.encodeVersion(39, randomRow(r)));
                }
                case 4 -> // deleted after the first read's timestamp
                    batch.put(RangeKeys.versionKey(k, 600), RangeMvcc.encodeVersion(599, null))
                            .put(RangeKeys.versionKey(k, 10), RangeMvcc.encodeVersion(9, randomRow(r)));
                default -> batch.put(RangeKeys.versionKey(k, 10 + r.nextInt(80)), RangeMvcc.encodeVersion(5, randomRow(r)));
            }
        }
        return batch;
    }

    /** The rows the plain filtered scan returns at ts (one page holding them all). */
    private static List<RangeResult.KeyValue> plainRows(KvSnapshot s, long ts) {
        RangeResult r = RangeMvcc.scan(s, new byte[0], null, ts, 0, Integer.MAX_VALUE, Long.MAX_VALUE,
                new RowPredicate(comparisons));
        RangeResult.Rows rows = assertInstanceOf(RangeResult.Rows.class, r);
        assertEquals(null, rows.resumeKey());
        return rows.rows();
    }

    /** The aggregating scan's pages, followed through their resume keys, merged; pagesOut gets the page count. */
    private static RowAggregate.Partial aggregatedPages(KvSnapshot s, RowPredicate filter, long ts, long ownStartTs, int maxRows,
                                                        long maxBytes, int[] pagesOut) {
        RowAggregate.Partial merged = filter.aggregate().start();
        byte[] from = new byte[0];
        int pages = 0;
        while (true) {
            RangeResult r = RangeMvcc.scan(s, from, null, ts, ownStartTs, maxRows, maxBytes, filter);
            RangeResult.Rows page = assertInstanceOf(RangeResult.Rows.class, r);
            pages++;
            assertEquals(1, page.rows().size(), "a page answers one pair");
            assertArrayEquals(new byte[0], page.rows().get(0).key(), "under an empty key");
            RowAggregate.Partial partial = filter.aggregate().decodePartial(page.rows().get(0).value());
            assertTrue(partial.rows() <= maxRows, partial.rows() + " rows folded in a page of " + maxRows);
            if (page.resumeKey() != null && maxBytes == Long.MAX_VALUE) {
                assertEquals(maxRows, partial.rows(), "a page ends when it has folded maxRows rows");
            }
            merged.merge(partial);
            if (page.resumeKey() == null) {
                break;
            }
            assertTrue(pages < 10_000, "the scan advances");
            from = page.resumeKey();
        }
        pagesOut[0] = pages;
        return merged;
    }

    @Test
    void pagesOfPartialsMergeIntoTheAggregateOfTheRowsTheFilteredScanReturns() {
        Random r = new Random(seed);
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            KvStore store = storage.store(ColumnFamily.RANGES);
            store.apply(randomData(r), false);
            // The filter as a leaseholder receives it.
            RowPredicate filter = RowPredicate.decode(RowPredicate.aggregating(comparisons, aggregate).encode());
            try (KvSnapshot s = store.snapshot()) {
                for (long ts : new long[] {5, 100, 1000}) {
                    List<RangeResult.KeyValue> rows = plainRows(s, ts);
                    RowAggregate.Partial expected = aggregate.start();
                    for (RangeResult.KeyValue kv : rows) {
                        expected.fold(kv.value());
                    }
                    assertFalse(expected.unreadable());
                    assertEquals(rows.size(), expected.rows());
                    if (ts > 5) {
                        assertTrue(rows.size() > 20, "the data gives the filter rows to keep, seed " + seed);
                    }
                    for (int maxRows : new int[] {1, 2, 7, 33, 1_000}) {
                        for (long maxBytes : new long[] {Long.MAX_VALUE, 300}) {
                            String where = "ts " + ts + ", maxRows " + maxRows + ", maxBytes " + maxBytes + ", seed " + seed;
                            int[] pages = new int[1];
                            RowAggregate.Partial merged = aggregatedPages(s, filter, ts, 0, maxRows, maxBytes, pages);
                            assertFalse(merged.unreadable(), where);
                            assertEquals(expected.rows(), merged.rows(), where);
                            assertArrayEquals(expected.values(), merged.values(), where);
                            assertArrayEquals(expected.encode(), merged.encode(), where);
                            if (maxRows < rows.size()) {
                                assertTrue(pages[0] > 1, "paged: " + where);
                            }
                        }
                    }
                }
                // No comparison at all: COUNT(*) counts every visible row.
                RowPredicate everyRow = RowPredicate.aggregating(List.of(), new RowAggregate(List.of(Call.countRows())));
                RangeResult.Rows all = (RangeResult.Rows) RangeMvcc.scan(s, new byte[0], null, 1000, 0, Integer.MAX_VALUE,
                        Long.MAX_VALUE, null);
                int[] pages = new int[1];
                assertArrayEquals(new Object[] {(long) all.rows().size()},
                        aggregatedPages(s, everyRow, 1000, 0, 4, Long.MAX_VALUE, pages).values());
            }
        }
    }

    @Test
    void aLockInTheSpanIsAnsweredAndAnUnreadableValueMarksThePartial() {
        Random r = new Random(seed);
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            KvStore store = storage.store(ColumnFamily.RANGES);
            store.apply(randomData(r), false);
            RowPredicate filter = RowPredicate.aggregating(comparisons, aggregate);
            // The key to be locked gets a committed row the filter drops.
            byte[] dropped = RowCodec.encode(ids, types, new Object[] {-99, 1L, null, "x"});
            byte[] lockedKey = key(keys / 2);
            store.apply(new KvBatch().put(RangeKeys.versionKey(lockedKey, 95), RangeMvcc.encodeVersion(94, dropped)), false);
            RowAggregate.Partial unlocked;
            try (KvSnapshot s = store.snapshot()) {
                unlocked = aggregatedPages(s, filter, 100, 0, 1_000, Long.MAX_VALUE, new int[1]);
            }
            // A lock of the transaction started at 40.
            store.apply(new KvBatch().put(RangeKeys.dataKey(lockedKey),
                    RangeMvcc.encodeLock(new RangeMvcc.Lock(40, lockedKey, 3000, "c", dropped))), false);
            try (KvSnapshot s = store.snapshot()) {
                RangeResult locked = RangeMvcc.scan(s, new byte[0], null, 100, 0, 1_000, Long.MAX_VALUE, filter);
                RangeResult.Locked l = assertInstanceOf(RangeResult.Locked.class, locked, "another transaction's lock");
                assertEquals(1, l.locks().size());
                assertArrayEquals(lockedKey, l.locks().get(0).key());
                assertEquals(40, l.locks().get(0).startTs());
                // Paged: the pages before the lock answer partials, the page reaching it the lock.
                byte[] from = new byte[0];
                RangeResult page;
                int pages = 0;
                while ((page = RangeMvcc.scan(s, from, null, 100, 0, 3, Long.MAX_VALUE, filter)) instanceof RangeResult.Rows rows) {
                    assertTrue(rows.resumeKey() != null, "the span has a lock: no page ends it");
                    from = rows.resumeKey();
                    pages++;
                }
                assertInstanceOf(RangeResult.Locked.class, page);
                assertTrue(pages > 0);
                // The reader's own lock hides nothing.
                assertArrayEquals(unlocked.encode(), aggregatedPages(s, filter, 100, 40, 1_000, Long.MAX_VALUE, new int[1]).encode(),
                        "the reader's own lock");
            }
            // A lock started after the read does not hide the key.
            store.apply(new KvBatch().put(RangeKeys.dataKey(lockedKey),
                    RangeMvcc.encodeLock(new RangeMvcc.Lock(200, lockedKey, 3000, "c", dropped))), false);
            try (KvSnapshot s = store.snapshot()) {
                assertArrayEquals(unlocked.encode(), aggregatedPages(s, filter, 100, 0, 4, Long.MAX_VALUE, new int[1]).encode());
            }
            // A value that is not a row: the plain scan keeps it whole, the aggregate is marked unreadable.
            byte[] garbage = {9, 9, 9};
            store.apply(new KvBatch().put(RangeKeys.versionKey(key(keys + 5), 50), RangeMvcc.encodeVersion(49, garbage)), false);
            try (KvSnapshot s = store.snapshot()) {
                assertTrue(plainRows(s, 100).stream().anyMatch(kv -> java.util.Arrays.equals(garbage, kv.value())));
                for (int maxRows : new int[] {2, 1_000}) {
                    RowAggregate.Partial merged = aggregatedPages(s, filter, 100, 0, maxRows, Long.MAX_VALUE, new int[1]);
                    assertTrue(merged.unreadable(), "maxRows " + maxRows);
                    assertEquals(unlocked.rows(), merged.rows(), "the unreadable value is not counted");
                }
            }
        }
    }
}
