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
 */
final class LaneQueues {

    private static final Lane[] lanes = Lane.values();

    private final int capacity;
    private final long capacityBytes;
    private final Queue<Frame>[] queues;
    private final AtomicInteger[] sizes;
    private final AtomicLong[] bytes;
    private final int[] credits = new int[lanes.length];

    @SuppressWarnings({"unchecked", "rawtypes"})
    LaneQueues(int capacity, long capacityBytes) {
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
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

    /** The next frame to write, or null if every lane is empty. Writer thread only. */
    Frame poll() {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int i = 0; i < lanes.length; i++) {
                if (credits[i] > 0) {
                    Frame frame = queues[i].poll();
                    if (frame != null) {
                        sizes[i].decrementAndGet();
                        bytes[i].addAndGet(-frame.payload().length);
                        credits[i]--;
                        return frame;
                    }
                }
            }
            resetCredits();
        }
        return null;
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
