package io.starlingdb.cluster.health;

/**
 * The health of the link to one peer at one moment.
 *
 * @param rttP50Ms       median round trip of direct probes over the window, or NaN before any
 * @param rttP99Ms       99th percentile round trip, or NaN before any
 * @param lossRate       share of direct probes in the window that got no direct ack
 * @param bytesInPerSec  bytes received from the peer per second, last interval
 * @param bytesOutPerSec bytes sent to the peer per second, last interval
 * @param score          1 for a perfect link, towards 0 as loss and latency grow
 */
public record HealthSnapshot(double rttP50Ms, double rttP99Ms, double lossRate, double bytesInPerSec,
        double bytesOutPerSec, double score) {
}
