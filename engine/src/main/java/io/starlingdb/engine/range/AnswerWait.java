package io.starlingdb.engine.range;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a thread that blocks on a request's answer waits for it: when it is the only one of its
 * gateway waiting, it spins for up to {@link #spinNanos} checking the answer before it parks;
 * otherwise it parks at once.
 *
 * <p>Parking costs a blocking client a hand-off per request: the thread parks (a {@code futex}
 * wait) and the event loop that reads the answer must wake it (a {@code futex} wake, and on this
 * kind of virtual machine a costly interrupt), 2-3 system calls per get (docs/ranges.md, "What a
 * hop costs"). An answer that arrives while the caller spins is read without either. Spinning
 * takes a core, so it is done only while no other caller of the same gateway waits: a lone
 * caller (one client thread) has the machine's other cores for the nodes; with several callers
 * waiting the machine is busy and a spinning thread would take the core the answer needs.
 */
final class AnswerWait {

    /** Spinning off: every wait parks at once. */
    static final AnswerWait parking = new AnswerWait(0);

    private final long spinNanos;
    /** Callers waiting now (spinning or parked). */
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder answeredSpinning = new java.util.concurrent.atomic.LongAdder();

    AnswerWait(long spinNanos) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spinNanos must be >= 0, got " + spinNanos);
        }
        this.spinNanos = spinNanos;
    }

    long spinNanos() {
        return spinNanos;
    }

    /** Callers waiting now; for tests. */
    int waiting() {
        return waiting.get();
    }

    /** Waits answered while spinning, without a park (for tests and probes). */
    long answeredSpinning() {
        return answeredSpinning.sum();
    }

    /** The answer, waiting at most timeoutMillis; as {@link CompletableFuture#get(long, TimeUnit)}. */
    <T> T get(CompletableFuture<T> answer, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (spinNanos == 0 || answer.isDone()) {
            return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        long start = System.nanoTime();
        boolean spun = waiting.incrementAndGet() == 1;
        if (spun) {
            long spinUntil = start + Math.min(spinNanos, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
            while (!answer.isDone()) {
                // Stop spinning as soon as another caller waits too, or the spin time is up.
                if (waiting.get() > 1 || System.nanoTime() - spinUntil >= 0) {
                    break;
                }
                Thread.onSpinWait();
            }
        }
        try {
            if (answer.isDone()) {
                if (spun) {
                    answeredSpinning.increment();
                }
                return answer.get();
            }
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - (System.nanoTime() - start);
            return answer.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }
}
