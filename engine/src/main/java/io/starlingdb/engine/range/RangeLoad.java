package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The requests one range has served, for load-based splitting: a count, and a uniform sample
 * (reservoir) of the keys asked, whose median is where a hot range splits so that each half
 * gets about half the load; and, for the lease to follow the workload ({@link LeaseBalancer}),
 * how many came from each store's gateway since the last look. Thread-safe; recording is a
 * counter increment, a short scan of the few sending stores and, rarely, a sample replacement.
 */
final class RangeLoad {

    /** Keys kept in the sample. */
    static final int sampleSize = 64;

    private final byte[][] sample = new byte[sampleSize][];
    /** Sending stores seen since the last {@link #takeSources}: at most this many, the rest count as 0. */
    static final int maxSources = 16;

    private long requests;
    private long sampledSince;
    private final long[] sourceIds = new long[maxSources];
    private final long[] sourceCounts = new long[maxSources];
    private int sources;

    synchronized void record(byte[] key) {
        record(key, 0);
    }

    /** Records a request for key sent by the gateway of store source (0: not a store, or not known). */
    synchronized void record(byte[] key, long source) {
        requests++;
        countFrom(source, 1);
        sampledSince++;
        if (sampledSince <= sampleSize) {
            sample[(int) (sampledSince - 1)] = key;
        } else {
            long slot = ThreadLocalRandom.current().nextLong(sampledSince);
            if (slot < sampleSize) {
                sample[(int) slot] = key;
            }
        }
    }

    /**
     * Records that the gateway of store source (0: not a store) asked for n things at once (the
     * timestamps of one request to the oracle): n towards where the range's requests come from,
     * none towards its load or split key (the meta range, the only one asked so, never splits).
     */
    synchronized void recordFrom(long source, long n) {
        countFrom(source, n);
    }

    private void countFrom(long source, long n) {
        int i = 0;
        while (i < sources && sourceIds[i] != source) {
            i++;
        }
        if (i == sources) {
            if (sources == maxSources) {
                i = 0;
                while (i < sources && sourceIds[i] != 0) {
                    i++;
                }
                if (i == sources) {
                    i = sources - 1; // full of stores: the last slot stands for the rest
                    sourceIds[i] = 0;
                }
            } else {
                sourceIds[i] = source;
                sourceCounts[i] = 0;
                sources++;
            }
        }
        sourceCounts[i] += n;
    }

    synchronized long requests() {
        return requests;
    }

    /** The requests by sending store (0: not a store) since the last call; then counting starts afresh. */
    synchronized java.util.Map<Long, Long> takeSources() {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        for (int i = 0; i < sources; i++) {
            out.merge(sourceIds[i], sourceCounts[i], Long::sum);
        }
        sources = 0;
        return out;
    }

    /** The median of the keys sampled since the last call, then a fresh sample starts. */
    synchronized byte[] takeMedianKey() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < Math.min(sampleSize, sampledSince); i++) {
            keys.add(sample[i]);
        }
        Arrays.fill(sample, null);
        sampledSince = 0;
        if (keys.isEmpty()) {
            return null;
        }
        keys.sort(Arrays::compareUnsigned);
        return keys.get(keys.size() / 2);
    }
}
