package io.starlingdb.engine.storage;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.txn.Transaction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.rocksdb.TickerType;

/**
 * Measures synced single-row writes per second with 1 and 16 threads, straight to RocksStorage
 * and through MvccStore commits, and how many WAL fsyncs they needed. Not a test: run by hand
 * (see docs/storage.md), since it takes about half a minute and loads the disk.
 *
 * <p>Arguments: [seconds per run, default 5] [data directory parent, default java.io.tmpdir].
 */
public final class GroupCommitMeasurement {

    private GroupCommitMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path parent = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
        for (boolean mvcc : new boolean[] {false, true}) {
            for (int threads : new int[] {1, 16}) {
                Path dir = Files.createTempDirectory(parent, "group-commit");
                try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
                    run(storage, mvcc, threads, seconds);
                } finally {
                    delete(dir);
                }
            }
        }
    }

    private static void run(RocksStorage storage, boolean mvcc, int threads, int seconds) throws InterruptedException {
        KvStore data = storage.store(ColumnFamily.DATA);
        MvccStore store = new MvccStore(data, new HybridClock(Clock.systemUTC()), true);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long syncsBefore = storage.tickerCount(TickerType.WAL_FILE_SYNCED);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                byte[] value = new byte[100];
                for (long i = 0; !stop.get(); i++) {
                    byte[] key = ByteBuffer.allocate(12).putInt(id).putLong(i).array();
                    if (mvcc) {
                        try (Transaction tx = store.begin()) {
                            tx.put(key, value);
                            tx.commit();
                        }
                    } else {
                        data.apply(new KvBatch().put(key, value), true);
                    }
                    writes.incrementAndGet();
                }
            }, "writer-" + t);
            w.start();
            workers.add(w);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long syncs = storage.tickerCount(TickerType.WAL_FILE_SYNCED) - syncsBefore;
        System.out.printf("%-22s threads=%2d  %8.0f synced writes/s  %6.2f writes per WAL fsync%n",
                mvcc ? "MvccStore.commit" : "RocksStorage.apply", threads, writes.get() / elapsed,
                syncs == 0 ? 0.0 : (double) writes.get() / syncs);
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
