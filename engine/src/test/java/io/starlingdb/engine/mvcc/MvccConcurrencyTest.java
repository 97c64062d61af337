package io.starlingdb.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MvccConcurrencyTest {

    private static final int threads = 6;

    @TempDir
    Path dir;
    RocksStorage storage;
    MvccStore store;
    ExecutorService pool;

    @BeforeEach
    void open() {
        storage = RocksStorage.open(dir, StorageOptions.small());
        store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
        pool = Executors.newFixedThreadPool(threads + 2);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        storage.close();
    }

    static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] num(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long num(byte[] b) {
        return b == null ? 0 : ByteBuffer.wrap(b).getLong();
    }

    @ParameterizedTest(name = "syncCommits={0}")
    @ValueSource(booleans = {false, true})
    void concurrentIncrementsNeverLoseAnAcknowledgedCommit(boolean syncCommits) throws Exception {
        store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), syncCommits);
        int incrementsPerThread = 150;
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < incrementsPerThread; i++) {
                    while (true) {
                        try (Transaction tx = store.begin()) {
                            long v = num(tx.get(key("counter")));
                            tx.put(key("counter"), num(v + 1));
                            tx.put(key("thread-" + id + "-" + i), num(v));
                            tx.commit();
                            acknowledged.incrementAndGet();
                            break;
                        } catch (WriteConflictException e) {
                            conflicts.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        try (Transaction tx = store.begin()) {
            assertEquals(acknowledged.get(), num(tx.get(key("counter"))),
                    "every acknowledged increment is counted (" + conflicts.get() + " conflicts retried)");
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < incrementsPerThread; i++) {
                    assertNotNull(tx.get(key("thread-" + t + "-" + i)));
                }
            }
        }
    }

    @Test
    void readersAlwaysSeeWholeCommitsWhileTransfersRun() throws Exception {
        int accounts = 5;
        long initial = 1000;
        try (Transaction tx = store.begin()) {
            for (int a = 0; a < accounts; a++) {
                tx.put(key("acct-" + a), num(initial));
            }
            tx.commit();
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong transfers = new AtomicLong();
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads - 2; t++) {
            int seed = t;
            writers.add(pool.submit(() -> {
                java.util.Random r = new java.util.Random(seed);
                while (!stop.get()) {
                    int from = r.nextInt(accounts);
                    int to = (from + 1 + r.nextInt(accounts - 1)) % accounts;
                    try (Transaction tx = store.begin()) {
                        tx.put(key("acct-" + from), num(num(tx.get(key("acct-" + from))) - 7));
                        tx.put(key("acct-" + to), num(num(tx.get(key("acct-" + to))) + 7));
                        tx.commit();
                        transfers.incrementAndGet();
                    } catch (WriteConflictException e) {
                        // retried by the next loop iteration with fresh reads
                    }
                }
                return null;
            }));
        }
        long reads = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Until both sides did enough: on a loaded machine the writers once made their 500
        // transfers before this thread read once.
        while ((transfers.get() < 500 || reads < 100) && System.nanoTime() < deadline) {
            try (Transaction tx = store.begin()) {
                long sum = 0;
                try (var c = tx.scan(key("acct-"), key("acct.")) ) {
                    while (c.next()) {
                        sum += num(c.value());
                    }
                }
                assertEquals(accounts * initial, sum, "a reader saw part of a transfer after " + transfers.get() + " transfers");
                reads++;
            }
        }
        stop.set(true);
        for (Future<?> f : writers) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertTrue(transfers.get() >= 500, "writers made progress: " + transfers.get());
        assertTrue(reads >= 100, "the reader made progress: " + reads);
    }
}
