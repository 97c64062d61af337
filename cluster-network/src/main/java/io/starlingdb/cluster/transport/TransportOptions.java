package io.starlingdb.cluster.transport;

import java.util.Objects;

/**
 * Every limit and timeout of the node-to-node transport, validated once at start-up.
 * docs/cluster-network.md describes each setting; {@link #defaults} are production values.
 *
 * @param bindHost             interface to listen on
 * @param port                 port to listen on; 0 picks a free one
 * @param advertisedHost       host peers should dial to reach this node (null: bindHost)
 * @param clusterSecret        shared secret proven (never sent) in the handshake
 * @param tls                  TLS settings, or null for plain TCP
 * @param ioThreads            Netty event-loop threads
 * @param maxFrameBytes        largest frame accepted or sent once authenticated; larger closes the connection
 * @param maxHandshakeFrameBytes largest frame accepted before the peer is authenticated
 * @param handshakeTimeoutMillis a connection not authenticated within this is closed
 * @param connectTimeoutMillis TCP connect timeout
 * @param reconnectBackoffMillis after a failed connect, sends to that peer fail fast for this long
 * @param laneQueueCapacity    frames queued per lane per peer before senders are refused
 * @param laneQueueBytes       payload bytes queued per lane per peer before senders are refused
 * @param socketBufferBytes    kernel send and receive buffer per connection; small, so that a
 *                             backlog waits in the lane queues, where CRITICAL overtakes LOW,
 *                             rather than in a deep kernel queue
 * @param maxFramesPerDrain    frames written per writer pass before other channel work runs
 * @param writeBufferHighWaterBytes channel buffer size at which the writer stops and waits
 * @param requestTimeoutMillis default time a request waits for its response
 * @param maxPendingRequests requests and reliable sends awaiting an answer before new ones are refused
 * @param reliableAckTimeoutMillis time a reliable send waits for its acknowledgement before resending
 * @param reliableMaxAttempts  sends of a reliable message before it fails
 * @param dedupWindow          reliable message ids remembered per peer to suppress duplicates
 * @param maxPeers             peers (connections and queues) kept at once
 * @param maxInboundConnections inbound connections accepted at once
 * @param lowLaneBytesPerSecond pace of the LOW lane per peer, in bytes per second (0: unpaced), so
 *                             that a bulk transfer leaves both nodes CPU for CRITICAL traffic
 */
public record TransportOptions(
        String bindHost,
        int port,
        String advertisedHost,
        String clusterSecret,
        TlsOptions tls,
        int ioThreads,
        int maxFrameBytes,
        int maxHandshakeFrameBytes,
        long handshakeTimeoutMillis,
        int connectTimeoutMillis,
        long reconnectBackoffMillis,
        int laneQueueCapacity,
        long laneQueueBytes,
        int socketBufferBytes,
        int maxFramesPerDrain,
        int writeBufferHighWaterBytes,
        long requestTimeoutMillis,
        int maxPendingRequests,
        long reliableAckTimeoutMillis,
        int reliableMaxAttempts,
        int dedupWindow,
        int maxPeers,
        int maxInboundConnections,
        long lowLaneBytesPerSecond) {

    /**
     * Default LOW-lane pace per peer: 128 MiB/s moves a 1 GiB snapshot in 8 s, and measured on
     * two cores it keeps CRITICAL round trips within 2 ms p99 (docs/cluster-network.md).
     */
    public static final long DEFAULT_LOW_LANE_BYTES_PER_SECOND = 128L << 20;

    public TransportOptions {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        check("port", port, 0, 65535);
        if (clusterSecret.length() < 8 || clusterSecret.length() > 1024) {
            throw new IllegalArgumentException("clusterSecret must have 8..1024 characters, got " + clusterSecret.length());
        }
        check("ioThreads", ioThreads, 1, 256);
        check("maxFrameBytes", maxFrameBytes, 1024, 256 << 20);
        check("maxHandshakeFrameBytes", maxHandshakeFrameBytes, 256, 64 << 10);
        check("handshakeTimeoutMillis", handshakeTimeoutMillis, 10, 600_000);
        check("connectTimeoutMillis", connectTimeoutMillis, 10, 600_000);
        check("reconnectBackoffMillis", reconnectBackoffMillis, 0, 600_000);
        check("laneQueueCapacity", laneQueueCapacity, 1, 1 << 20);
        check("laneQueueBytes", laneQueueBytes, 1024, 1L << 34);
        check("socketBufferBytes", socketBufferBytes, 4096, 64 << 20);
        check("maxFramesPerDrain", maxFramesPerDrain, 1, 1 << 16);
        check("writeBufferHighWaterBytes", writeBufferHighWaterBytes, 1024, 256 << 20);
        check("requestTimeoutMillis", requestTimeoutMillis, 1, 3_600_000);
        check("maxPendingRequests", maxPendingRequests, 1, 1 << 20);
        check("reliableAckTimeoutMillis", reliableAckTimeoutMillis, 1, 600_000);
        check("reliableMaxAttempts", reliableMaxAttempts, 1, 100);
        check("dedupWindow", dedupWindow, 16, 1 << 20);
        check("maxPeers", maxPeers, 1, 100_000);
        check("maxInboundConnections", maxInboundConnections, 1, 100_000);
        check("lowLaneBytesPerSecond", lowLaneBytesPerSecond, 0, LaneQueues.maxPacedBytesPerSecond);
    }

    /** Production defaults: listen on {@code bindHost:port} with the given secret, no TLS. */
    public static TransportOptions defaults(String bindHost, int port, String clusterSecret) {
        return new TransportOptions(bindHost, port, null, clusterSecret, null,
                2,              // ioThreads
                16 << 20,       // maxFrameBytes
                4096,           // maxHandshakeFrameBytes
                5_000,          // handshakeTimeoutMillis
                3_000,          // connectTimeoutMillis
                500,            // reconnectBackoffMillis
                4096,           // laneQueueCapacity
                8L << 20,       // laneQueueBytes
                64 << 10,       // socketBufferBytes
                64,             // maxFramesPerDrain
                128 << 10,      // writeBufferHighWaterBytes
                10_000,         // requestTimeoutMillis
                65_536,         // maxPendingRequests
                500,            // reliableAckTimeoutMillis
                5,              // reliableMaxAttempts
                4096,           // dedupWindow
                1024,           // maxPeers
                1024,           // maxInboundConnections
                DEFAULT_LOW_LANE_BYTES_PER_SECOND);
    }

    public TransportOptions withTls(TlsOptions newTls) {
        return new TransportOptions(bindHost, port, advertisedHost, clusterSecret, newTls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes, requestTimeoutMillis,
                maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow, maxPeers,
                maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withSecret(String newSecret) {
        return new TransportOptions(bindHost, port, advertisedHost, newSecret, tls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes, requestTimeoutMillis,
                maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow, maxPeers,
                maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withLimits(int newMaxFrameBytes, int newLaneQueueCapacity) {
        return new TransportOptions(bindHost, port, advertisedHost, clusterSecret, tls, ioThreads, newMaxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                newLaneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes, requestTimeoutMillis,
                maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow, maxPeers,
                maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withAdvertisedHost(String host) {
        return new TransportOptions(bindHost, port, host, clusterSecret, tls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes, requestTimeoutMillis,
                maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow, maxPeers,
                maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withReliable(long ackTimeoutMillis, int maxAttempts) {
        return new TransportOptions(bindHost, port, advertisedHost, clusterSecret, tls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes, requestTimeoutMillis,
                maxPendingRequests, ackTimeoutMillis, maxAttempts, dedupWindow, maxPeers,
                maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withBuffers(int newSocketBufferBytes, int newWriteBufferHighWaterBytes) {
        return new TransportOptions(bindHost, port, advertisedHost, clusterSecret, tls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, newSocketBufferBytes, maxFramesPerDrain, newWriteBufferHighWaterBytes,
                requestTimeoutMillis, maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow,
                maxPeers, maxInboundConnections, lowLaneBytesPerSecond);
    }

    public TransportOptions withLowLanePace(long newLowLaneBytesPerSecond) {
        return new TransportOptions(bindHost, port, advertisedHost, clusterSecret, tls, ioThreads, maxFrameBytes,
                maxHandshakeFrameBytes, handshakeTimeoutMillis, connectTimeoutMillis, reconnectBackoffMillis,
                laneQueueCapacity, laneQueueBytes, socketBufferBytes, maxFramesPerDrain, writeBufferHighWaterBytes,
                requestTimeoutMillis, maxPendingRequests, reliableAckTimeoutMillis, reliableMaxAttempts, dedupWindow,
                maxPeers, maxInboundConnections, newLowLaneBytesPerSecond);
    }

    /** The host peers dial to reach this node. */
    public String effectiveAdvertisedHost() {
        return advertisedHost != null ? advertisedHost : bindHost;
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + value);
        }
    }
}
