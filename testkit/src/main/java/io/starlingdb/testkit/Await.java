package io.starlingdb.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition of a live system until it holds or a deadline passes: tests await, they never sleep a fixed time. */
public final class Await {

    /** How often the condition is checked again, in milliseconds. */
    static final long pollMillis = 20;

    private Await() {
    }

    /**
     * Returns once condition holds; once deadline has passed, fails with what {@code state}
     * says (asked then, so it can name the last failure the condition saw).
     */
    public static void until(Duration deadline, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(state.get() + " (after " + deadline + ")");
            }
            TimeUnit.MILLISECONDS.sleep(pollMillis);
        }
    }
}
