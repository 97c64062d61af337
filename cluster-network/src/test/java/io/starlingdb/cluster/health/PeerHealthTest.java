package io.starlingdb.cluster.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerHealthTest {

    private static final HealthOptions options = new HealthOptions(100, 10, 1_000, 50.0);

    @Test
    void percentilesCoverTheRollingWindowOnly() {
        PeerHealth health = new PeerHealth(options);
        for (int i = 0; i < 100; i++) {
            health.answered(50_000_000L); // 50 ms, soon pushed out of the window
        }
        for (int i = 1; i <= 100; i++) {
            health.answered(i * 10_000L); // 0.01 .. 1.00 ms
        }
        HealthSnapshot s = health.snapshot();
        assertEquals(0.50, s.rttP50Ms(), 1e-9);
        assertEquals(0.99, s.rttP99Ms(), 1e-9);
    }

    @Test
    void lossRateIsOverTheLastProbes() {
        PeerHealth health = new PeerHealth(options);
        for (int i = 0; i < 10; i++) {
            health.unanswered();
        }
        assertEquals(1.0, health.snapshot().lossRate());
        for (int i = 0; i < 8; i++) {
            health.answered(100_000);
        }
        assertEquals(0.2, health.snapshot().lossRate(), 1e-9);
    }

    @Test
    void bytesPerSecondAndScore() {
        PeerHealth health = new PeerHealth(options);
        health.traffic(1_000_000_000L, 0, 0);
        health.traffic(3_000_000_000L, 2_000, 4_000);
        health.answered(1_000_000); // 1 ms
        HealthSnapshot s = health.snapshot();
        assertEquals(1_000.0, s.bytesInPerSec(), 1e-9);
        assertEquals(2_000.0, s.bytesOutPerSec(), 1e-9);
        assertEquals(50.0 / 51.0, s.score(), 1e-9);
        health.unanswered();
        assertTrue(health.snapshot().score() < s.score());
    }
}
