package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The requests one range has served, for load-based splitting: a count, and a uniform sample
 * (reservoir) of the keys asked, whose median is where a hot range splits so that each half
 * gets about half the load. Thread-safe; recording is a counter increment and, rarely, a
 * sample replacement.
 */
final class RangeLoad {

    /** Keys kept in the sample. */
    static final int sampleSize = 64;

    private final byte[][] sample = new byte[sampleSize][];
    private long requests;
    private long sampledSince;

    synchronized void record(byte[] key) {
        requests++;
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

    synchronized long requests() {
        return requests;
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
