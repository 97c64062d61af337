package io.starlingdb.cluster.health;

/**
 * How link health is measured.
 *
 * @param rttWindowSamples   round trips kept per peer for the percentiles
 * @param lossWindowProbes   probe outcomes kept per peer for the loss rate
 * @param rateIntervalMillis interval over which bytes per second are computed
 * @param rttReferenceMillis round trip at which the latency half of the score is 0.5
 */
public record HealthOptions(int rttWindowSamples, int lossWindowProbes, long rateIntervalMillis,
        double rttReferenceMillis) {

    public HealthOptions {
        if (rttWindowSamples < 2 || rttWindowSamples > 65_536) {
            throw new IllegalArgumentException("health.rttWindowSamples must be in 2..65536, got " + rttWindowSamples);
        }
        if (lossWindowProbes < 1 || lossWindowProbes > 65_536) {
            throw new IllegalArgumentException("health.lossWindowProbes must be in 1..65536, got " + lossWindowProbes);
        }
        if (rateIntervalMillis < 10 || rateIntervalMillis > 600_000) {
            throw new IllegalArgumentException("health.rateIntervalMillis must be in 10..600000, got " + rateIntervalMillis);
        }
        if (!(rttReferenceMillis > 0 && rttReferenceMillis <= 60_000)) {
            throw new IllegalArgumentException("health.rttReferenceMillis must be in (0, 60000], got " + rttReferenceMillis);
        }
    }

    public static HealthOptions defaults() {
        return new HealthOptions(256, 100, 1_000, 50.0);
    }
}
