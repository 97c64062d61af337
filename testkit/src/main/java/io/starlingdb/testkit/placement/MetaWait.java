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

    /**
     * The store leading the range that holds key, once the client has heard from it: its cache
     * forgets a leaseholder that moved (lease balancing, a restart) until a request reaches the
     * range again, so this reads the descriptors (a scan of meta) and the key (a user key, longer
     * than one byte) until the cache names a store.
     *
     * @throws AssertionError once the timeout passed with no leaseholder known
     */
    public static long knownLeaseholder(StarlingClient client, byte[] key, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                client.ranges();
                if (key.length > 1) {
                    client.get(key);
                }
            } catch (RangeUnavailableException e) {
                // not yet: the range is electing a leader
            }
            long leaseholder = client.leaseholder(key);
            if (leaseholder != 0) {
                return leaseholder;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no leaseholder known for " + java.util.Arrays.toString(key) + " within " + timeout);
            }
            Thread.sleep(pollMillis);
        }
    }
}
