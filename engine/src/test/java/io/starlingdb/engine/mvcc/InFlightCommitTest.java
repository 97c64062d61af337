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

    @Test
    void transactionBegunDuringACommitConflictsWithItInsteadOfLosingIt() throws Exception {
        try (RocksStorage storage = RocksStorage.open(dir, StorageOptions.small())) {
            PausingStore data = new PausingStore(storage.store(ColumnFamily.DATA));
            MvccStore store = new MvccStore(data, new HybridClock(Clock.systemUTC()), false);
            try (Transaction t = store.begin()) {
                t.put(b("k"), b("0"));
                t.commit();
            }
            data.entered = new CountDownLatch(1);
            data.release = new CountDownLatch(1);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
                try (Transaction t = store.begin()) {
                    t.put(b("k"), b("first"));
                    t.commit();
                }
            });
            assertTrue(data.entered.await(30, TimeUnit.SECONDS));
            try (Transaction second = store.begin()) {
                assertArrayEquals(b("0"), second.get(b("k")));
                CountDownLatch release = data.release;
                data.release = null;
                release.countDown();
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
            try (Transaction t = store.begin()) {
                t.put(b("warm-up"), b("raises the clock ceiling"));
                t.commit();
            }
            data.entered = new CountDownLatch(1);
            data.release = new CountDownLatch(1);
            CompletableFuture<Void> early = CompletableFuture.runAsync(() -> {
                try (Transaction t = store.begin()) {
                    t.put(b("a"), b("early"));
                    t.commit();
                }
            });
            assertTrue(data.entered.await(30, TimeUnit.SECONDS));
            CountDownLatch release = data.release;
            data.release = null;
            CompletableFuture<Void> late = new CompletableFuture<>();
            Thread lateCommitter = new Thread(() -> {
                try (Transaction t = store.begin()) {
                    t.put(b("b"), b("late"));
                    t.commit();
                    late.complete(null);
                } catch (RuntimeException e) {
                    late.completeExceptionally(e);
                }
            });
            lateCommitter.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lateCommitter.getState() != Thread.State.WAITING && lateCommitter.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(Thread.State.WAITING, lateCommitter.getState(), "the later commit waits for the earlier one");
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
            try (Transaction t = store.begin()) {
                t.put(b("k"), b("0"));
                t.commit();
            }
            data.entered = new CountDownLatch(1);
            data.release = new CountDownLatch(1);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
                try (Transaction t = store.begin()) {
                    t.put(b("k"), b("first"));
                    t.commit();
                }
            });
            assertTrue(data.entered.await(30, TimeUnit.SECONDS));
            CountDownLatch release = data.release;
            data.release = null;
            CompletableFuture<Void> refused = new CompletableFuture<>();
            Thread second = new Thread(() -> {
                try (Transaction t = store.begin()) {
                    t.put(b("k"), b("second"));
                    t.commit();
                    refused.complete(null);
                } catch (RuntimeException e) {
                    refused.completeExceptionally(e);
                }
            });
            second.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (second.getState() != Thread.State.WAITING && second.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(Thread.State.WAITING, second.getState(), "the refusal waits for the commit it met");
            assertFalse(refused.isDone());
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> refused.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof WriteConflictException, e.toString());
            try (Transaction retry = store.begin()) {
                assertArrayEquals(b("first"), retry.get(b("k")), "the retry's snapshot holds the commit it met");
                retry.put(b("k"), b("second"));
                retry.commit();
            }
        }
    }
}
