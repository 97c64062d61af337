package io.starlingdb.engine.raft;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes in one process: a batch is handed straight to the receiver of the destination node.
 * Links can be cut (both directions) to test partitions. Messages are immutable, so nothing is
 * copied.
 */
public final class InMemoryTransport {

    private final Map<Long, Transport.Receiver> receivers = new ConcurrentHashMap<>();
    private final Set<Long> cut = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong snapshotChunks = new java.util.concurrent.atomic.AtomicLong();

    /** Registers a node's receiver and returns the transport that node sends with. */
    public Transport connect(long nodeId, Transport.Receiver receiver) {
        receivers.put(nodeId, receiver);
        return new Transport() {
            @Override
            public void send(long toNode, List<GroupMessage> batch) {
                Transport.Receiver r = reachable(nodeId, toNode);
                if (r != null) {
                    r.receive(nodeId, batch);
                }
            }

            @Override
            public void sendSnapshotChunk(long toNode, SnapshotChunk chunk) {
                Transport.Receiver r = reachable(nodeId, toNode);
                if (r != null) {
                    snapshotChunks.incrementAndGet();
                    r.receiveSnapshotChunk(nodeId, chunk);
                }
            }
        };
    }

    /** Snapshot chunks delivered so far. */
    public long snapshotChunks() {
        return snapshotChunks.get();
    }

    public void disconnect(long nodeId) {
        receivers.remove(nodeId);
    }

    /** Drops everything between a and b (both directions) until {@link #heal}. */
    public void cut(long a, long b) {
        cut.add(link(a, b));
    }

    public void heal() {
        cut.clear();
    }

    private static long link(long a, long b) {
        return Math.min(a, b) * 1_000_003L + Math.max(a, b);
    }

    private Transport.Receiver reachable(long from, long to) {
        Transport.Receiver r = receivers.get(to);
        return r == null || cut.contains(link(from, to)) ? null : r;
    }
}
