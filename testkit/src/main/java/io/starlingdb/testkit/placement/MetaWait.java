package io.starlingdb.testkit.placement;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Waits, in a test of a live cluster, until meta's range descriptors show what the test expects. */
public final class MetaWait {

    /** How often the descriptors are read again, in milliseconds. */
    static final long pollMillis = 250;

    private MetaWait() {
    }

    /**
     * Reads the descriptors through the client until {@code done} holds for them, and returns
     * them; an unavailable meta range (an election, a lease move) is asked again.
     *
     * @throws AssertionError naming {@code what} and the last descriptors read, once the timeout passed
     */
    public static List<RangeDescriptor> until(StarlingClient client, String what, Duration timeout,
            Predicate<List<RangeDescriptor>> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<RangeDescriptor> ranges = List.of();
        while (true) {
            try {
                ranges = client.ranges();
                if (done.test(ranges)) {
                    return ranges;
                }
            } catch (RangeUnavailableException e) {
                // meta moving: ask again
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError(what + " within " + timeout + ": " + ranges);
            }
            Thread.sleep(pollMillis);
        }
    }
}
