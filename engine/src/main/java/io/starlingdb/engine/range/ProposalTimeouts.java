package io.starlingdb.engine.range;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fails proposals not answered within a fixed timeout, as {@link CompletableFuture#orTimeout}
 * does, by a sweep instead of a timer task per proposal: while any proposal waits, one task runs
 * every {@link #sweepMillis} on {@link CompletableFuture}'s delayer thread and completes those past
 * their deadline with a {@link TimeoutException}. A proposal fails between its timeout and
 * {@link #sweepMillis} after it.
 *
 * <p>{@code orTimeout} scheduled a task on the delayer thread for every put and cancelled it on
 * the answer: a lock, a heap insert and removal, and, when the delayer's queue was empty (every
 * put at one client), a wake-up of its thread (docs/ranges.md, "What a hop costs"). Here a
 * proposal is one lock-free queue insert. The queue is in arrival order, which with one timeout
 * is deadline order: a sweep stops at the first proposal neither answered nor due, so a
 * proposal answered behind one that waits stays queued (a reference to a completed future) until
 * that one is answered or fails; at most a timeout's worth of proposals.
 */
final class ProposalTimeouts {

    /** Period of the sweep while proposals wait; the most a timeout can be late by. */
    static final long sweepMillis = 100;

    private record Waiting(CompletableFuture<?> future, long deadlineNanos) {
    }

    private final long timeoutMillis;
    private final long timeoutNanos;
    private final Executor sweeper;
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    /** A sweep is scheduled; it schedules the next one while anything waits. */
    private final AtomicBoolean sweeping = new AtomicBoolean();

    ProposalTimeouts(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be > 0, got " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        // Runs on the delayer's own thread: the default executor of delayedExecutor is a new thread
        // per task where the common pool has one thread (two cores).
        this.sweeper = CompletableFuture.delayedExecutor(sweepMillis, TimeUnit.MILLISECONDS, Runnable::run);
    }

    /** Fails future with a TimeoutException if it is not complete within the timeout; returns it. */
    <T> CompletableFuture<T> orTimeout(CompletableFuture<T> future) {
        if (future.isDone()) {
            return future;
        }
        waiting.add(new Waiting(future, System.nanoTime() + timeoutNanos));
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
            scheduleSweep();
        }
        return future;
    }

    /** Proposals queued (answered ones the sweep has not dropped yet included); for tests. */
    int queued() {
        return waiting.size();
    }

    private void scheduleSweep() {
        try {
            sweeper.execute(this::sweep);
        } catch (RejectedExecutionException e) {
            sweeping.set(false);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        Waiting w;
        while ((w = waiting.peek()) != null) {
            if (w.future().isDone()) {
                waiting.poll();
            } else if (now - w.deadlineNanos() >= 0) {
                waiting.poll();
                w.future().completeExceptionally(new TimeoutException("not answered within " + timeoutMillis + " ms"));
            } else {
                break;
            }
        }
        if (!waiting.isEmpty()) {
            scheduleSweep();
            return;
        }
        sweeping.set(false);
        // A proposal queued between the isEmpty and the set saw a sweep still scheduled.
        if (!waiting.isEmpty() && sweeping.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }
}
