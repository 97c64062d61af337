package io.starlingdb.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HybridClockTest {

    /** A wall clock the test sets by hand. */
    static final class ManualClock extends Clock {
        long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void timestampsFollowWallTimeAndCountWithinAMillisecond() {
        ManualClock wall = new ManualClock(1000);
        HybridClock clock = new HybridClock(wall);
        long a = clock.now();
        long b = clock.now();
        assertEquals(1000, HybridClock.physicalMillis(a));
        assertEquals(0, HybridClock.logical(a));
        assertEquals(a + 1, b);
        wall.millis = 2000;
        assertEquals(2000L << HybridClock.logicalBits, clock.now());
    }

    @Test
    void neverGoesBackwardsWhenTheWallClockDoes() {
        ManualClock wall = new ManualClock(5000);
        HybridClock clock = new HybridClock(wall);
        long before = clock.now();
        wall.millis = 10;
        long after = clock.now();
        assertTrue(after > before);
        assertEquals(5000, HybridClock.physicalMillis(after));
    }

    @Test
    void updateMovesTheClockPastTheRemoteTimestamp() {
        HybridClock clock = new HybridClock(new ManualClock(1000));
        long remote = (9000L << HybridClock.logicalBits) + 42;
        clock.update(remote);
        assertEquals(remote + 1, clock.now());
        clock.update(5);
        assertEquals(remote + 2, clock.now());
        assertThrows(IllegalArgumentException.class, () -> clock.update(-1));
    }
}
