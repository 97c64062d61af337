package io.starlingdb.cluster.transport;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the transport keeps about one peer: its lane queues, the one authenticated
 * connection frames are written to, and traffic counters. Queues outlive connections, so a
 * reconnect (or the tie-break between two simultaneous dials) loses nothing queued.
 */
final class PeerLink {

    final NodeAddress address;
    final LaneQueues queues;
    final DedupWindow dedup;
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final AtomicBoolean connecting = new AtomicBoolean();
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** A drain is scheduled for when the LOW pace lets the next frame go. Writer thread only. */
    volatile boolean pacedDrainScheduled;

    volatile String nodeId;
    /** The authenticated connection, or null while there is none. Guarded by this for writes. */
    volatile Channel channel;
    /** Listen address of whoever dialed {@link #channel}; decides simultaneous-dial tie-breaks. */
    NodeAddress channelDialer;
    /** System.nanoTime of the last failed dial, 0 if none since the last success. */
    volatile long lastDialFailureNanos;

    PeerLink(NodeAddress address, int laneCapacity, long laneCapacityBytes, long lowLaneBytesPerSecond,
             int dedupWindow) {
        this.address = address;
        this.queues = new LaneQueues(laneCapacity, laneCapacityBytes, lowLaneBytesPerSecond);
        this.dedup = new DedupWindow(dedupWindow);
    }

    boolean isConnected() {
        Channel c = channel;
        return c != null && c.isActive();
    }
}
