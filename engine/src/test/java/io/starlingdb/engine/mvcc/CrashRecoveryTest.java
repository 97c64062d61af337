package io.starlingdb.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageException;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a writing process with SIGKILL and checks that every acknowledged commit survived. */
class CrashRecoveryTest {

    private static final int acksBeforeKill = 400;

    @TempDir
    Path dir;

    /** A commit's value: its key, then padding bytes. */
    static byte[] value(String key, int padding) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = java.util.Arrays.copyOf(k, k.length + padding);
        java.util.Arrays.fill(v, k.length, v.length, (byte) 'p');
        return v;
    }

    @Test
    void acknowledgedCommitsSurviveSigkillAndALiveDirectoryCannotBeOpenedTwice() throws Exception {
        List<String> acked = writeAndKill(acksBeforeKill, 0);
        checkSurvived(acked, 0);
    }

    /**
     * Commits acknowledged after the write-ahead log switched files several times (memtables
     * flushed, older log files released) survive a SIGKILL, and nothing older comes back.
     */
    @Test
    void acknowledgedCommitsAcrossLogSwitchesSurviveSigkill() throws Exception {
        int padding = 8 * 1024;
        // 32 MiB written switch the 4 MiB memtables, and the log file, about eight times.
        List<String> acked = writeAndKill(4_000, padding);
        checkSurvived(acked, padding);
    }

    private List<String> writeAndKill(int acks, int padding) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), "8", String.valueOf(padding))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> acked = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean triedSecondOpen = false;
            while (acked.size() < acks && (line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
                if (!triedSecondOpen && (line.equals("READY") || line.startsWith("ACK "))) {
                    triedSecondOpen = true;
                    StorageException e = assertThrows(StorageException.class, () -> RocksStorage.open(dir, StorageOptions.small()));
                    assertTrue(e.getMessage().contains("already in use"), e.getMessage());
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertEquals(acks, acked.size(), "the writer acknowledged enough commits before the kill");
        return acked;
    }

    private void checkSurvived(List<String> acked, int padding) {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), true);
            try (Transaction tx = store.begin()) {
                for (String key : acked) {
                    byte[] k = key.getBytes(StandardCharsets.UTF_8);
                    assertArrayEquals(value(key, padding), tx.get(k), "acknowledged commit of " + key + " survived the kill");
                }
                // Keys are w<thread>-<i> from 0 up: each thread's survivors are a prefix (no hole from a replay of old records).
                for (int t = 0; t < 8; t++) {
                    boolean gap = false;
                    for (long i = 0; i < 100_000; i++) {
                        byte[] v = tx.get(("w" + t + "-" + i).getBytes(StandardCharsets.UTF_8));
                        if (v == null) {
                            gap = true;
                        } else {
                            assertTrue(!gap, "thread " + t + "'s commit " + i + " survived after a missing one");
                        }
                        if (gap && i > 20_000) {
                            break;
                        }
                    }
                }
            }
        }
    }
}
