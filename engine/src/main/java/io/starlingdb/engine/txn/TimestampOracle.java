package io.starlingdb.engine.txn;

import io.starlingdb.engine.mvcc.HybridClock;

/**
 * The cluster's timestamp oracle, as pure logic (no I/O, no clock of its own): hands out
 * strictly increasing timestamps ({@code physicalMillis << 16 | logical}, as {@link HybridClock})
 * in batches, never above a high-water mark that its host has made durable first. A new oracle
 * (after a restart or a failover) starts above the durable mark, so no timestamp is ever given
 * twice or smaller than one given before, whichever node gives it.
 *
 * <p>The host runs it on the meta range's leaseholder: it loads the durable mark when it becomes
 * the oracle, asks {@link #next} for each batch, and when the answer is {@link Extend}, persists
 * the proposed mark (compare-and-set in meta) and calls {@link #extended} before asking again.
 * Not thread-safe: the host serialises calls.
 */
public final class TimestampOracle {

    /** How far ahead of the wall clock a new high-water mark goes: extensions are rare, failover skips at most this. */
    public static final long windowMillis = 3_000;

    /** The answer of {@link #next}: either timestamps or a mark to persist first. */
    public sealed interface Answer {
    }

    /** The timestamps first, first + 1, ..., first + count - 1. */
    public record Granted(long first, int count) implements Answer {
    }

    /** Persist this high-water mark (replacing the one this oracle was loaded with or last extended to), then ask again. */
    public record Extend(long newMark) implements Answer {
    }

    private long last;
    private long mark;

    /**
     * An oracle that continues after every timestamp below durableMark (the mark loaded from
     * storage: 0 for a new cluster).
     */
    public TimestampOracle(long durableMark) {
        if (durableMark < 0) {
            throw new IllegalArgumentException("high-water mark must not be negative: " + durableMark);
        }
        this.last = durableMark;
        this.mark = durableMark;
    }

    /** count timestamps at wall time nowMillis, or the mark to persist before they can be given. */
    public Answer next(int count, long nowMillis) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        long first = Math.max(last + 1, nowMillis << HybridClock.logicalBits);
        long lastOfBatch = first + count - 1;
        if (lastOfBatch >= mark) {
            long ahead = (nowMillis + windowMillis) << HybridClock.logicalBits;
            return new Extend(Math.max(lastOfBatch + 1, ahead));
        }
        last = lastOfBatch;
        return new Granted(first, count);
    }

    /** The host persisted newMark: timestamps below it may now be given. */
    public void extended(long newMark) {
        if (newMark <= mark) {
            throw new IllegalArgumentException("high-water mark " + newMark + " does not move past " + mark);
        }
        mark = newMark;
    }

    /** The durable mark this oracle gives timestamps below. */
    public long mark() {
        return mark;
    }

    /** The last timestamp given (the loaded mark before the first). */
    public long last() {
        return last;
    }
}
