package io.starlingdb.engine.mvcc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WriteConflictException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A transaction that begins while another commit is being written must not miss it. */
class InFlightCommitTest {

    @TempDir
    Path dir;

    /** Delegates to RocksDB but holds the next apply until released, to widen the in-flight window. */
    static final class PausingStore implements KvStore {
        final KvStore delegate;
        volatile CountDownLatch entered;
        volatile CountDownLatch release;

        PausingStore(KvStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public KvSnapshot snapshot() {
            return delegate.snapshot();
        }

        @Override
        public void apply(KvBatch batch, boolean sync) {
            CountDownLatch r = release;
            if (r != null) {
                entered.countDown();
                try {
                    assertTrue(r.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            delegate.apply(batch, sync);
        }

        @Override
        public void close() {
        }
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** Commits key=value in one transaction. */
    private static void commit(MvccStore store, String key, String value) {
        try (Transaction t = store.begin()) {
            t.put(b(key), b(value));
            t.commit();
        }
    }

    /**
     * Commits key=value on another thread and returns once that commit is being written (held in
     * the store's apply); the caller releases it with the returned latch.
     */
    private static CompletableFuture<Void> commitHeldInFlight(MvccStore store, PausingStore data, String key, String value)
            throws InterruptedException {
        data.entered = new CountDownLatch(1);
        data.release = new CountDownLatch(1);
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> commit(store, key, value));
        assertTrue(data.entered.await(30, TimeUnit.SECONDS));
        return done;
    }

    /** Later applies are not held; counting the returned latch down lets the commit held by {@link #commitHeldInFlight} be written. */
    private static CountDownLatch stopHolding(PausingStore data) {
        CountDownLatch release = data.release;
        data.release = null;
        return release;
    }

    /** Runs work on a new thread, completing the returned future with its outcome. */
    private static CompletableFuture<Void> onThread(Runnable work, Thread[] thread) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread[0] = new Thread(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        thread[0].start();
        return done;
    }

    /** Waits (bounded) until t blocks in a wait or ends; its state then. */
    private static Thread.State awaitBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING && t.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return t.getState();
    }

    @Test
    void transactionBegunDuringACommitConflictsWithItInsteadOfLosingIt() throws Exception {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            PausingStore data = new PausingStore(storage.store(ColumnFamily.DATA));
            MvccStore store = new MvccStore(data, new HybridClock(Clock.systemUTC()), false);
            commit(store, "k", "0");
            CompletableFuture<Void> first = commitHeldInFlight(store, data, "k", "first");
            try (Transaction second = store.begin()) {
                assertArrayEquals(b("0"), second.get(b("k")));
                stopHolding(data).countDown();
                first.get(30, TimeUnit.SECONDS);
                assertArrayEquals(b("0"), second.get(b("k")), "the snapshot stays repeatable");
                second.put(b("k"), b("second"));
                assertThrows(WriteConflictException.class, second::commit);
            }
            try (Transaction t = store.begin()) {
                assertArrayEquals(b("first"), t.get(b("k")));
            }
        }
    }

    @Test
    void laterCommitIsAcknowledgedAndVisibleOnlyAfterEarlierOnesFinish() throws Exception {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            PausingStore data = new PausingStore(storage.store(ColumnFamily.DATA));
            MvccStore store = new MvccStore(data, new HybridClock(Clock.systemUTC()), false);
            commit(store, "warm-up", "raises the clock ceiling");
            CompletableFuture<Void> early = commitHeldInFlight(store, data, "a", "early");
            CountDownLatch release = stopHolding(data);
            Thread[] lateCommitter = new Thread[1];
            CompletableFuture<Void> late = onThread(() -> commit(store, "b", "late"), lateCommitter);
            assertEquals(Thread.State.WAITING, awaitBlocked(lateCommitter[0]), "the later commit waits for the earlier one");
            assertFalse(late.isDone());
            try (Transaction reader = store.begin()) {
                assertNull(reader.get(b("b")), "a written but unacknowledged later commit is not visible yet");
            }
            release.countDown();
            early.get(30, TimeUnit.SECONDS);
            late.get(30, TimeUnit.SECONDS);
            try (Transaction reader = store.begin()) {
                assertArrayEquals(b("early"), reader.get(b("a")));
                assertArrayEquals(b("late"), reader.get(b("b")));
            }
        }
    }

    @Test
    void commitRefusedByACommitInFlightAnswersOnceThatOneIsWrittenSoAnImmediateRetrySucceeds() throws Exception {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            PausingStore data = new PausingStore(storage.store(ColumnFamily.DATA));
            MvccStore store = new MvccStore(data, new HybridClock(Clock.systemUTC()), false);
            commit(store, "k", "0");
            CompletableFuture<Void> first = commitHeldInFlight(store, data, "k", "first");
            CountDownLatch release = stopHolding(data);
            Thread[] second = new Thread[1];
            CompletableFuture<Void> refused = onThread(() -> commit(store, "k", "second"), second);
            assertEquals(Thread.State.WAITING, awaitBlocked(second[0]), "the refusal waits for the commit it met");
            assertFalse(refused.isDone());
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof WriteConflictException, e.toString());
            try (Transaction retry = store.begin()) {
                assertArrayEquals(b("first"), retry.get(b("k")), "the retry's snapshot holds the commit it met");
                retry.put(b("k"), b("second"));
                retry.commit();
            }
        }
    }
}
