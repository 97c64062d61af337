package io.starlingdb.engine.mvcc;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hybrid logical clock: timestamps are {@code physicalMillis << 16 | logical}, close to wall
 * time, strictly increasing across calls to {@link #now()} and never below any timestamp passed
 * to {@link #update(long)}, even if the wall clock steps back. Thread-safe and lock-free.
 */
public final class HybridClock {

    /** Bits of the logical counter below the physical milliseconds. */
    public static final int logicalBits = 16;

    private final Clock wall;
    private final AtomicLong last = new AtomicLong();

    public HybridClock(Clock wall) {
        this.wall = wall;
    }

    /** A timestamp greater than every one returned or observed before. */
    public long now() {
        while (true) {
            long prev = last.get();
            long physical = wall.millis() << logicalBits;
            // When the counter overflows 16 bits it carries into the physical part: still monotonic,
            // just momentarily ahead of the wall clock.
            long next = physical > prev ? physical : prev + 1;
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /** Observes a timestamp from a peer or from storage; later {@link #now()} results exceed it. */
    public void update(long remoteTimestamp) {
        if (remoteTimestamp < 0) {
            throw new IllegalArgumentException("timestamp must not be negative: " + remoteTimestamp);
        }
        last.accumulateAndGet(remoteTimestamp, Math::max);
    }

    public static long physicalMillis(long timestamp) {
        return timestamp >>> logicalBits;
    }

    public static int logical(long timestamp) {
        return (int) (timestamp & ((1L << logicalBits) - 1));
    }
}
