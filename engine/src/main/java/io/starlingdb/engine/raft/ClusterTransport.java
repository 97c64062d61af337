package io.starlingdb.engine.raft;

import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Raft over the cluster network: message batches on the CRITICAL lane, snapshot chunks on the
 * LOW lane, both fire-and-forget (Raft retries on its own). Payloads are encoded by
 * {@link RaftWireCodec}; the network carries them as two registered types.
 */
public final class ClusterTransport implements Transport {

    /** Wire type ids (the SWIM protocol uses 200-208). */
    public static final int batchTypeId = 300;
    public static final int chunkTypeId = 301;
    /** A batch is split into frames of at most about this many payload bytes (the network's frame limit is larger). */
    public static final int maxFramePayloadBytes = 4 << 20;

    /** A batch of group messages from one node. */
    public record Batch(long fromNode, byte[] payload) {
    }

    /** One snapshot chunk from one node. */
    public record Chunk(long fromNode, byte[] payload) {
    }

    private final long nodeId;
    private final io.starlingdb.cluster.transport.Transport network;
    private final Map<Long, NodeAddress> addresses = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /** Registers the two wire types; call once on the MessageTypes the network is built with. */
    public static void registerTypes(MessageTypes types) {
        types.register(Batch.class, batchTypeId).register(Chunk.class, chunkTypeId);
    }

    public ClusterTransport(long nodeId, io.starlingdb.cluster.transport.Transport network) {
        this.nodeId = nodeId;
        this.network = network;
    }

    /** Where to reach a Raft node. */
    public void setAddress(long node, NodeAddress address) {
        addresses.put(node, address);
    }

    /** Delivers what arrives to the receiver (a {@link MultiRaft}); malformed payloads are dropped. */
    public void bind(Transport.Receiver receiver) {
        network.handle(Batch.class, (from, b) -> {
            receiver.receive(b.fromNode(), RaftWireCodec.decodeBatch(b.payload()));
            return null;
        });
        network.handle(Chunk.class, (from, c) -> {
            receiver.receiveSnapshotChunk(c.fromNode(), RaftWireCodec.decodeChunk(c.payload()));
            return null;
        });
    }

    /** Sends refused by the network (lane full, peer unreachable), for metrics and tests. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void send(long toNode, List<GroupMessage> batch) {
        NodeAddress to = addresses.get(toNode);
        if (to == null) {
            dropped.incrementAndGet();
            return;
        }
        List<GroupMessage> frame = new ArrayList<>();
        long bytes = 0;
        for (GroupMessage gm : batch) {
            long size = gm.message().sizeBytes();
            if (!frame.isEmpty() && bytes + size > maxFramePayloadBytes) {
                sendFrame(to, frame);
                frame = new ArrayList<>();
                bytes = 0;
            }
            frame.add(gm);
            bytes += size;
        }
        if (!frame.isEmpty()) {
            sendFrame(to, frame);
        }
    }

    private void sendFrame(NodeAddress to, List<GroupMessage> frame) {
        if (!network.send(to, Lane.CRITICAL, new Batch(nodeId, RaftWireCodec.encodeBatch(frame)))) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public void sendSnapshotChunk(long toNode, SnapshotChunk chunk) {
        NodeAddress to = addresses.get(toNode);
        if (to == null || !network.send(to, Lane.LOW, new Chunk(nodeId, RaftWireCodec.encodeChunk(chunk)))) {
            dropped.incrementAndGet();
        }
    }
}
