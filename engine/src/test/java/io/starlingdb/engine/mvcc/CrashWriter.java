package io.starlingdb.engine.mvcc;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Child process of {@link CrashRecoveryTest}: commits unique keys with synced commits from
 * several threads forever, printing {@code ACK <key>} after each commit returns, until killed.
 * Arguments: the data directory, the threads, and optionally the bytes of padding after each
 * value (so that the write-ahead log switches files within seconds).
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int padding = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        PrintStream out = System.out;
        RocksStorage storage = RocksStorage.open(dir, StorageOptions.small());
        MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), true);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String key = "w" + id + "-" + i;
                    try (Transaction tx = store.begin()) {
                        tx.put(key.getBytes(StandardCharsets.UTF_8), CrashRecoveryTest.value(key, padding));
                        tx.commit();
                    }
                    synchronized (out) {
                        out.println("ACK " + key);
                        out.flush();
                    }
                }
            });
            w.start();
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
    }
}
