package io.starlingdb.engine.range;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerWaitTest {

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void aLoneWaiterIsAnsweredWhileSpinning() throws Exception {
        AnswerWait wait = new AnswerWait(TimeUnit.SECONDS.toNanos(30));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<String> answer = new CompletableFuture<>();
            Future<String> got = pool.submit(() -> wait.get(answer, 30_000));
            await(() -> wait.waiting() == 1);
            answer.complete("v");
            assertEquals("v", got.get(10, TimeUnit.SECONDS));
            assertEquals(1, wait.answeredSpinning());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSpinnerParksWhenASecondCallerWaitsAndBothAreAnswered() throws Exception {
        AnswerWait wait = new AnswerWait(TimeUnit.SECONDS.toNanos(30));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> second = new CompletableFuture<>();
            Thread[] spinner = new Thread[1];
            Future<String> got1 = pool.submit(() -> {
                spinner[0] = Thread.currentThread();
                return wait.get(first, 30_000);
            });
            await(() -> wait.waiting() == 1);
            Future<String> got2 = pool.submit(() -> wait.get(second, 30_000));
            await(() -> wait.waiting() == 2);
            // The first stops spinning and parks (timed: TIMED_WAITING) rather than spin on.
            await(() -> spinner[0].getState() == Thread.State.TIMED_WAITING);
            first.complete("a");
            second.complete("b");
            assertEquals("a", got1.get(10, TimeUnit.SECONDS));
            assertEquals("b", got2.get(10, TimeUnit.SECONDS));
            assertEquals(0, wait.answeredSpinning());
            assertEquals(0, wait.waiting());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theTimeoutHoldsWhileSpinning() {
        AnswerWait wait = new AnswerWait(TimeUnit.SECONDS.toNanos(30));
        long start = System.nanoTime();
        assertThrows(TimeoutException.class, () -> wait.get(new CompletableFuture<>(), 100));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(0, wait.waiting());
    }

    @Test
    void withSpinningOffAWaitParks() throws Exception {
        AnswerWait wait = AnswerWait.parking;
        CompletableFuture<String> answer = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> answer.complete("v"));
        assertEquals("v", wait.get(answer, 10_000));
        assertEquals(0, wait.answeredSpinning());
    }
}
