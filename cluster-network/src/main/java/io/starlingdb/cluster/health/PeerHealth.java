package io.starlingdb.cluster.health;

import java.util.Arrays;

/**
 * Rolling measurements of the link to one peer: the last round trips, the last probe outcomes
 * and the traffic rate. Written by the membership driver, read by anyone.
 *
 * <p>Score = (1 - loss) * reference / (reference + p99): a lossless link with a p99 of one
 * millisecond scores 0.98 against the default 50 ms reference.
 */
public final class PeerHealth {

    private final HealthOptions options;
    private final long[] rttNanos;
    private int rttCount;
    private int rttNext;
    private final boolean[] lost;
    private int probeCount;
    private int probeNext;
    private int lostInWindow;
    private long lastSampleNanos;
    private long lastBytesIn;
    private long lastBytesOut;
    private double bytesInPerSec;
    private double bytesOutPerSec;

    public PeerHealth(HealthOptions options) {
        this.options = options;
        this.rttNanos = new long[options.rttWindowSamples()];
        this.lost = new boolean[options.lossWindowProbes()];
    }

    /** A direct probe was answered after {@code nanos}. */
    public synchronized void answered(long nanos) {
        rttNanos[rttNext] = nanos;
        rttNext = (rttNext + 1) % rttNanos.length;
        rttCount = Math.min(rttCount + 1, rttNanos.length);
        outcome(false);
    }

    /** A direct probe got no direct answer in time. */
    public synchronized void unanswered() {
        outcome(true);
    }

    private void outcome(boolean wasLost) {
        if (probeCount == lost.length && lost[probeNext]) {
            lostInWindow--;
        }
        lost[probeNext] = wasLost;
        if (wasLost) {
            lostInWindow++;
        }
        probeNext = (probeNext + 1) % lost.length;
        probeCount = Math.min(probeCount + 1, lost.length);
    }

    /** Feeds the link's byte counters; rates update once per rate interval. */
    public synchronized void traffic(long nowNanos, long bytesIn, long bytesOut) {
        if (lastSampleNanos == 0) {
            lastSampleNanos = nowNanos;
            lastBytesIn = bytesIn;
            lastBytesOut = bytesOut;
            return;
        }
        long elapsed = nowNanos - lastSampleNanos;
        if (elapsed < options.rateIntervalMillis() * 1_000_000L) {
            return;
        }
        double seconds = elapsed / 1e9;
        bytesInPerSec = (bytesIn - lastBytesIn) / seconds;
        bytesOutPerSec = (bytesOut - lastBytesOut) / seconds;
        lastSampleNanos = nowNanos;
        lastBytesIn = bytesIn;
        lastBytesOut = bytesOut;
    }

    public synchronized HealthSnapshot snapshot() {
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (rttCount > 0) {
            long[] sorted = Arrays.copyOf(rttNanos, rttCount);
            Arrays.sort(sorted);
            p50 = sorted[percentileIndex(rttCount, 0.50)] / 1e6;
            p99 = sorted[percentileIndex(rttCount, 0.99)] / 1e6;
        }
        double loss = probeCount == 0 ? 0.0 : (double) lostInWindow / probeCount;
        double latency = Double.isNaN(p99) ? 1.0 : options.rttReferenceMillis() / (options.rttReferenceMillis() + p99);
        return new HealthSnapshot(p50, p99, loss, bytesInPerSec, bytesOutPerSec, (1.0 - loss) * latency);
    }

    static int percentileIndex(int count, double quantile) {
        int index = (int) Math.ceil(quantile * count) - 1;
        return Math.max(0, Math.min(count - 1, index));
    }
}
