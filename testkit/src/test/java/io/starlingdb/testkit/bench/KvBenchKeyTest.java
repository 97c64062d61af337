package io.starlingdb.testkit.bench;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bench's keys are the ones it always wrote ("bench" and eight digits), without String.format. */
class KvBenchKeyTest {

    @Test
    void keysAreTheFormattedOnes() {
        int[] samples = {0, 1, 9, 10, 99, 100, 12_345, 9_999_999, 10_000_000, 99_999_999, 100_000_000, -1};
        for (int k : samples) {
            assertEquals(String.format(Locale.ROOT, "bench%08d", k), KvBench.key(k), "key " + k);
        }
        for (int k = 0; k < 100_000; k += 7) {
            assertEquals(String.format(Locale.ROOT, "bench%08d", k), KvBench.key(k), "key " + k);
        }
    }
}
