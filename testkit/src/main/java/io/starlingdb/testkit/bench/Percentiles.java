package io.starlingdb.testkit.bench;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in nanoseconds, summarised as percentiles in milliseconds. */
final class Percentiles {

    private long[] samples = new long[1024];
    private int count;

    void add(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    void addAll(Percentiles other) {
        for (int i = 0; i < other.count; i++) {
            add(other.samples[i]);
        }
    }

    int count() {
        return count;
    }

    double millis(double quantile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int index = Math.max(0, Math.min(count - 1, (int) Math.ceil(quantile * count) - 1));
        return sorted[index] / 1e6;
    }

    String summary() {
        return String.format(Locale.ROOT, "n=%d p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max=%.3f ms", count, millis(0.5),
                millis(0.99), millis(0.999), millis(1.0));
    }
}
