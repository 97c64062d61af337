package io.starlingdb.cluster.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; tests never sleep for a fixed time. */
public final class Await {

    private static final long pollMillis = 10;

    private Await() {
    }

    public static void until(Duration deadline, BooleanSupplier condition, Supplier<String> whatFailed) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toMillis() + " ms: " + whatFailed.get());
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    public static void until(Duration deadline, BooleanSupplier condition, String whatFailed) {
        until(deadline, condition, () -> whatFailed);
    }
}
