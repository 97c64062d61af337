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

    @Test
    void acknowledgedCommitsSurviveSigkillAndALiveDirectoryCannotBeOpenedTwice() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), "8")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> acked = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean triedSecondOpen = false;
            while (acked.size() < acksBeforeKill && (line = in.readLine()) != null) {
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
        assertEquals(acksBeforeKill, acked.size(), "the writer acknowledged enough commits before the kill");
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), true);
            try (Transaction tx = store.begin()) {
                for (String key : acked) {
                    byte[] k = key.getBytes(StandardCharsets.UTF_8);
                    assertArrayEquals(k, tx.get(k), "acknowledged commit of " + key + " survived the kill");
                }
            }
        }
    }
}
