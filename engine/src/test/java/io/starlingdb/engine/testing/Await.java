package io.starlingdb.engine.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: the engine's tests never sleep for a fixed time. */
public final class Await {

    /** How often the condition is checked again, in milliseconds. */
    private static final long pollMillis = 5;

    private Await() {
    }

    /** Returns once condition holds; fails naming what was awaited once the deadline passed. */
    public static void until(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(pollMillis);
        }
    }
}
