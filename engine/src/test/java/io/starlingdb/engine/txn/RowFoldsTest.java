package io.starlingdb.engine.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowAggregate.Call;
import io.starlingdb.engine.encoding.RowAggregate.Function;
import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.RowPredicate.Comparison;
import io.starlingdb.engine.encoding.RowPredicate.Op;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local store's aggregate (Transaction's default): the rows its scan returns, own writes
 * merged in, folded by the predicate's aggregate, the statement's check run as it goes.
 */
class RowFoldsTest {

    private static final long seed = Long.getLong("seed", System.nanoTime());
    private static final int[] ids = {1, 2, 3};
    private static final ValueType[] types = {ValueType.INTEGER, ValueType.BIGINT, ValueType.VARCHAR};
    private static final RowAggregate aggregate = new RowAggregate(List.of(Call.countRows(),
            new Call(Function.SUM, 2, ValueType.BIGINT), new Call(Function.MAX, 3, ValueType.VARCHAR),
            new Call(Function.MIN, 1, ValueType.INTEGER)));
    private static final RowPredicate predicate = RowPredicate.aggregating(
            List.of(new Comparison(1, ValueType.INTEGER, Op.LT, 50)), aggregate);

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("k%06d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] row(Random r) {
        return RowCodec.encode(ids, types, new Object[] {r.nextInt(100), r.nextInt(4) == 0 ? null : r.nextLong() >> 8,
            "s" + r.nextInt(10_000)});
    }

    /** The aggregate folded directly of the rows the transaction's scan returns. */
    private static RowAggregate.Partial expected(Transaction t) {
        RowAggregate.Partial p = aggregate.start();
        try (KvCursor c = t.scan(null, null)) {
            while (c.next()) {
                if (predicate.test(c.value())) {
                    p.fold(c.value());
                }
            }
        }
        return p;
    }

    @Test
    void aLocalTransactionFoldsItsScanOwnWritesIncludedAndChecksAsItGoes() {
        Random r = new Random(seed);
        int rows = 5_000;
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
            try (Transaction t = store.begin()) {
                for (int i = 0; i < rows; i++) {
                    t.put(key(i), row(r));
                }
                t.commit();
            }
            try (Transaction t = store.begin()) {
                // Own writes: some rows changed, some deleted, some added, not committed.
                for (int n = 0; n < 300; n++) {
                    int i = r.nextInt(rows + 100);
                    if (r.nextBoolean()) {
                        t.put(key(i), row(r));
                    } else {
                        t.delete(key(i));
                    }
                }
                AtomicInteger checks = new AtomicInteger();
                RowAggregate.Partial folded = t.aggregate(null, null, predicate, checks::incrementAndGet);
                RowAggregate.Partial direct = expected(t);
                assertArrayEquals(direct.values(), folded.values(), "seed " + seed);
                assertEquals(direct.rows(), folded.rows());
                // Once before the scan, then every ROWS_PER_CHECK rows scanned.
                assertEquals(1 + scanned(t) / RowFolds.ROWS_PER_CHECK, checks.get());
                // A span: only its rows.
                RowAggregate.Partial span = t.aggregate(key(1_000), key(2_000), predicate, () -> { });
                long inSpan = 0;
                try (KvCursor c = t.scan(key(1_000), key(2_000))) {
                    while (c.next()) {
                        inSpan += predicate.test(c.value()) ? 1 : 0;
                    }
                }
                assertEquals(inSpan, span.rows());
                // A check that fails stops the fold: a cancelled statement does not read on.
                RuntimeException cancelled = new RuntimeException("cancelled");
                AtomicInteger runs = new AtomicInteger();
                assertSame(cancelled, assertThrows(RuntimeException.class, () -> t.aggregate(null, null, predicate, () -> {
                    if (runs.incrementAndGet() == 2) {
                        throw cancelled;
                    }
                })));
                // A row the aggregate cannot read: no answer, the caller reads the rows itself.
                t.put(key(7), RowCodec.encode(new int[] {1, 2}, new ValueType[] {ValueType.INTEGER, ValueType.INTEGER},
                        new Object[] {1, 2}));
                assertNull(t.aggregate(null, null, predicate, () -> { }));
            }
        }
    }

    private static long scanned(Transaction t) {
        long n = 0;
        try (KvCursor c = t.scan(null, null)) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }
}
