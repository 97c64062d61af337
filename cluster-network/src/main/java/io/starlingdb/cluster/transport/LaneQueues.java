package io.starlingdb.cluster.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames waiting to be written to one peer, one bounded queue per lane. Any thread may
 * offer; only the peer's writer polls. Polling is weighted round-robin: in each round a lane
 * may take up to its {@link Lane#weight} frames, higher lanes first, so CRITICAL is served
 * ahead of everything yet LOW still gets a frame in every round.
 *
 * <p>LOW may also be paced to a byte rate (a token bucket holding {@link #pacingBurstMillis}
 * of traffic; a frame may go while the bucket is not empty, and may leave it in debt). Bulk
 * transfers are CPU-bound on both ends: unpaced, a snapshot stream takes every core the two
 * nodes have, and the event loops that must also carry Raft and SWIM frames wait for the
 * scheduler. The clock is passed in, so pacing is tested without time passing.
 */
final class LaneQueues {

    private static final Lane[] lanes = Lane.values();

    private final int capacity;
    private final long capacityBytes;
    private final Queue<Frame>[] queues;
    private final AtomicInteger[] sizes;
    private final AtomicLong[] bytes;
    private final int[] credits = new int[lanes.length];
    /** LOW-lane rate in bytes per second; 0 means unpaced. */
    private final long lowBytesPerSecond;
    private final long burstBytes;
    /** Bytes LOW may still send; negative while in debt. Writer thread only. */
    private long lowTokens;
    private long lastRefillNanos;
    private boolean refilledOnce;

    /** How much traffic the LOW bucket holds: the largest burst LOW may send at full speed. */
    static final long pacingBurstMillis = 2;
    /** The highest LOW pace accepted (4 GiB/s), which keeps the token arithmetic in range. */
    static final long maxPacedBytesPerSecond = 4L << 30;

    LaneQueues(int capacity, long capacityBytes) {
        this(capacity, capacityBytes, 0);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    LaneQueues(int capacity, long capacityBytes, long lowBytesPerSecond) {
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
        if (lowBytesPerSecond < 0 || lowBytesPerSecond > maxPacedBytesPerSecond) {
            throw new IllegalArgumentException("LOW pace must be in 0.." + maxPacedBytesPerSecond + " bytes/s");
        }
        this.lowBytesPerSecond = lowBytesPerSecond;
        this.burstBytes = Math.max(1, lowBytesPerSecond * pacingBurstMillis / 1000);
        this.lowTokens = burstBytes;
        this.queues = new Queue[lanes.length];
        this.sizes = new AtomicInteger[lanes.length];
        this.bytes = new AtomicLong[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            queues[i] = new ConcurrentLinkedQueue<>();
            sizes[i] = new AtomicInteger();
            bytes[i] = new AtomicLong();
        }
        resetCredits();
    }

    /**
     * Queues {@code frame}; false if its lane holds {@code capacity} frames or its bytes would pass
     * {@code capacityBytes} (the caller counts the drop). A lone frame always fits an empty lane.
     */
    boolean offer(Frame frame) {
        int i = frame.lane().ordinal();
        int length = frame.payload().length;
        if (sizes[i].incrementAndGet() > capacity) {
            sizes[i].decrementAndGet();
            return false;
        }
        long queuedBytes = bytes[i].addAndGet(length);
        if (queuedBytes > capacityBytes && queuedBytes != length) {
            bytes[i].addAndGet(-length);
            sizes[i].decrementAndGet();
            return false;
        }
        queues[i].add(frame);
        return true;
    }

    /** The next frame to write, or null if every lane is empty. Unpaced queues only. */
    Frame poll() {
        if (lowBytesPerSecond > 0) {
            throw new IllegalStateException("paced queues need the clock: poll(nanoTime)");
        }
        return poll(0);
    }

    /**
     * The next frame to write at {@code nowNanos} (System.nanoTime), or null if every lane is
     * empty or only LOW has frames and its pace holds them back ({@link #lowWaitNanos} says for
     * how long). Writer thread only.
     */
    Frame poll(long nowNanos) {
        boolean lowAllowed = lowAllowed(nowNanos);
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int i = 0; i < lanes.length; i++) {
                if (credits[i] > 0 && (lanes[i] != Lane.LOW || lowAllowed)) {
                    Frame frame = queues[i].poll();
                    if (frame != null) {
                        sizes[i].decrementAndGet();
                        bytes[i].addAndGet(-frame.payload().length);
                        credits[i]--;
                        if (lanes[i] == Lane.LOW && lowBytesPerSecond > 0) {
                            lowTokens -= frame.wireBytes();
                        }
                        return frame;
                    }
                }
            }
            resetCredits();
        }
        return null;
    }

    /** Nanoseconds from {@code nowNanos} until the LOW pace lets the next frame go (0: now). */
    long lowWaitNanos(long nowNanos) {
        if (lowAllowed(nowNanos)) {
            return 0;
        }
        return (1 - lowTokens) * 1_000_000_000L / lowBytesPerSecond + 1;
    }

    private boolean lowAllowed(long nowNanos) {
        if (lowBytesPerSecond == 0) {
            return true;
        }
        long elapsed = nowNanos - lastRefillNanos;
        if (!refilledOnce) {
            refilledOnce = true;
            lastRefillNanos = nowNanos;
        } else if (elapsed >= 1_000_000_000L) {
            lowTokens = burstBytes;
            lastRefillNanos = nowNanos;
        } else if (elapsed > 0) {
            // elapsed < 1 s and the rate is at most maxPacedBytesPerSecond, so this cannot overflow
            long earned = elapsed * lowBytesPerSecond / 1_000_000_000L;
            if (earned > 0) {
                lowTokens += earned;
                // advance the clock by what was paid for only, so fractions of a byte accumulate
                lastRefillNanos += earned * 1_000_000_000L / lowBytesPerSecond;
                if (lowTokens >= burstBytes) {
                    lowTokens = burstBytes;
                    lastRefillNanos = nowNanos;
                }
            }
        }
        return lowTokens > 0;
    }

    boolean isEmpty() {
        for (AtomicInteger size : sizes) {
            if (size.get() > 0) {
                return false;
            }
        }
        return true;
    }

    int size(Lane lane) {
        return sizes[lane.ordinal()].get();
    }

    /** Empties every lane, handing each frame to {@code dropped} for accounting. */
    void clear(java.util.function.Consumer<Frame> dropped) {
        for (int i = 0; i < lanes.length; i++) {
            Frame frame;
            while ((frame = queues[i].poll()) != null) {
                sizes[i].decrementAndGet();
                bytes[i].addAndGet(-frame.payload().length);
                dropped.accept(frame);
            }
        }
    }

    private void resetCredits() {
        for (int i = 0; i < lanes.length; i++) {
            credits[i] = lanes[i].weight;
        }
    }
}
