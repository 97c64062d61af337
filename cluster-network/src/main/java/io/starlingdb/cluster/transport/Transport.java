package io.starlingdb.cluster.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-to-node messaging over Netty: one authenticated TCP connection per peer (optionally TLS
 * 1.3 with mutual authentication), frames multiplexed by stream id, four priority lanes, and
 * three ways to send: {@link #request}, {@link #send} (fire-and-forget) and
 * {@link #sendReliable} (acknowledged, retried, delivered once).
 *
 * <p>Pipeline per connection: [TLS] - {@link FrameDecoder} - {@link FrameEncoder} -
 * {@link HandshakeHandler} (removed once authenticated) - {@link InboundHandler}.
 */
public final class Transport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /**
     * How long the losing one of two simultaneously dialed connections stays open for reading.
     * Both ends pick the same winner within a round trip, so a second is ample on any LAN.
     */
    static final long duplicateConnectionGraceMillis = 1_000;

    private final String nodeId;
    private final TransportOptions options;
    private final MessageCodec codec;
    private final TransportMetrics metrics;
    private final TlsContexts tls;
    private final NettyTransport io;
    private final EventLoopGroup group;
    private final ChannelGroup inbound = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup authenticated = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inboundCount = new AtomicInteger();
    private final Map<NodeAddress, PeerLink> peers = new ConcurrentHashMap<>();
    private final Map<Class<?>, MessageHandler<?>> handlers = new ConcurrentHashMap<>();
    private final PendingRequests pendingRequests;
    private final Map<Long, ReliableSend> pendingReliable = new ConcurrentHashMap<>();
    /** Stream ids start at a random point so a restarted node's ids do not look like duplicates. */
    private final AtomicLong streamIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 20, 1L << 62));

    private volatile Channel serverChannel;
    private volatile NodeAddress localAddress;
    private volatile boolean closed;

    public Transport(String nodeId, TransportOptions options, MessageTypes types, MeterRegistry registry) {
        this(nodeId, options, types, registry, NettyTransport.forProcess());
    }

    /** On the given Netty transport rather than the process's: for tests of each. */
    Transport(String nodeId, TransportOptions options, MessageTypes types, MeterRegistry registry, NettyTransport io) {
        if (!PeerIdentity.isValidNodeId(nodeId)) {
            throw new IllegalArgumentException("node id must be 1.." + PeerIdentity.maxNodeIdChars
                    + " letters, digits, '.', '_' or '-', got '" + nodeId + "'");
        }
        this.nodeId = nodeId;
        this.options = options;
        this.codec = new MessageCodec(types, options.maxFrameBytes() - Frame.headerBytes);
        this.metrics = new TransportMetrics(registry, nodeId);
        this.tls = options.tls() == null ? null : new TlsContexts(options.tls());
        this.io = io;
        this.group = io.newGroup(options.ioThreads());
        this.pendingRequests = new PendingRequests(options.maxPendingRequests(), group, metrics);
    }

    /** Registers the handler for messages of {@code type} (exactly that class). */
    public <T> void handle(Class<T> type, MessageHandler<? super T> handler) {
        handlers.put(type, handler);
    }

    /** Binds the listening socket; returns the address peers should dial. */
    public NodeAddress start() throws InterruptedException {
        WriteBufferWaterMark waterMark = new WriteBufferWaterMark(options.writeBufferHighWaterBytes() / 2,
                options.writeBufferHighWaterBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childOption(ChannelOption.SO_SNDBUF, options.socketBufferBytes())
                .childOption(ChannelOption.SO_RCVBUF, options.socketBufferBytes())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (inboundCount.incrementAndGet() > options.maxInboundConnections()) {
                            inboundCount.decrementAndGet();
                            metrics.refused(RefusalReason.TOO_MANY_CONNECTIONS);
                            log.warn("Refused peer connection {}: {} inbound connections already open",
                                    ch.remoteAddress(), options.maxInboundConnections());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> inboundCount.decrementAndGet());
                        inbound.add(ch);
                        initPipeline(ch, false, null);
                    }
                });
        serverChannel = bootstrap.bind(options.bindHost(), options.port()).sync().channel();
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        localAddress = new NodeAddress(options.effectiveAdvertisedHost(), port);
        log.info("Node {} listening for peers on {}:{}{} (Netty {})", nodeId, options.bindHost(), port,
                tls != null ? " (TLS 1.3, mutual authentication)" : "", io.label());
        return localAddress;
    }

    private void initPipeline(Channel ch, boolean dialer, NodeAddress dialed) {
        ChannelPipeline pipeline = ch.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", dialer
                    ? tls.client.newHandler(ch.alloc(), dialed.host(), dialed.port())
                    : tls.server.newHandler(ch.alloc()));
        }
        FrameDecoder decoder = new FrameDecoder(options.maxHandshakeFrameBytes(), options.maxFrameBytes(), metrics);
        pipeline.addLast("frames", decoder);
        pipeline.addLast("encoder", FrameEncoder.instance);
        pipeline.addLast("handshake", new HandshakeHandler(dialer, dialed, nodeId, localAddress,
                options.clusterSecret(), options.handshakeTimeoutMillis(), decoder, metrics, handshakeListener));
    }

    private final HandshakeHandler.Listener handshakeListener = new HandshakeHandler.Listener() {
        @Override
        public void authenticated(ChannelHandlerContext ctx, PeerIdentity peer, NodeAddress dialed) {
            onAuthenticated(ctx, peer, dialed);
        }

        @Override
        public void dialFailed(NodeAddress dialed) {
            PeerLink link = peers.get(dialed);
            if (link != null) {
                onDialFailed(link, "connection closed during the handshake");
            }
        }
    };

    public String nodeId() {
        return nodeId;
    }

    /** The address peers dial; null before {@link #start}. */
    public NodeAddress localAddress() {
        return localAddress;
    }

    /** The Netty transport this node's connections run on (epoll where available). */
    public NettyTransport nettyTransport() {
        return io;
    }

    public TransportMetrics metrics() {
        return metrics;
    }

    // ---------------------------------------------------------------- sending

    /** Sends a request and completes with the response, or fails on timeout or remote error. */
    public <R> CompletableFuture<R> request(NodeAddress to, Lane lane, Object message) {
        return request(to, lane, message, Duration.ofMillis(options.requestTimeoutMillis()));
    }

    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> request(NodeAddress to, Lane lane, Object message, Duration timeout) {
        try {
            PeerLink peer = peer(to);
            long id = streamIds.incrementAndGet();
            Frame frame = new Frame(FrameType.REQUEST, lane, id, codec.encode(message));
            CompletableFuture<Object> future = pendingRequests.await(id, to, lane, message.getClass().getSimpleName(),
                    timeout.toMillis());
            try {
                enqueue(peer, frame);
            } catch (TransportException e) {
                pendingRequests.fail(id, e);
            }
            return (CompletableFuture<R>) future;
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Fire-and-forget. Returns false, counting a drop, if the lane to that peer is full or the peer
     * is unreachable; never blocks. A message that cannot be encoded (unregistered, too large) is
     * a bug of the caller, not a drop: that throws {@link TransportException}.
     */
    public boolean send(NodeAddress to, Lane lane, Object message) {
        byte[] payload = codec.encode(message);
        try {
            enqueue(peer(to), new Frame(FrameType.ONEWAY, lane, streamIds.incrementAndGet(), payload));
            return true;
        } catch (LaneFullException e) {
            return false;
        } catch (TransportException e) {
            log.debug("Send to {} failed: {}", to, e.getMessage());
            return false;
        }
    }

    /**
     * Sends with acknowledgement: resent every {@code reliableAckTimeoutMillis} until acknowledged,
     * at most {@code reliableMaxAttempts} times; the receiver delivers it once even if it arrives
     * more often. Completes when acknowledged.
     */
    public CompletableFuture<Void> sendReliable(NodeAddress to, Lane lane, Object message) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        try {
            PeerLink peer = peer(to);
            if (pendingReliable.size() >= options.maxPendingRequests()) {
                throw new LaneFullException(lane, to);
            }
            long id = streamIds.incrementAndGet();
            ReliableSend send = new ReliableSend(peer, new Frame(FrameType.RELIABLE, lane, id, codec.encode(message)),
                    future);
            pendingReliable.put(id, send);
            attempt(send);
        } catch (TransportException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    private void attempt(ReliableSend send) {
        send.attempts++;
        try {
            enqueue(send.peer, send.frame);
        } catch (TransportException e) {
            log.debug("Reliable send {} to {} attempt {} not queued: {}", send.frame.streamId(), send.peer.address,
                    send.attempts, e.getMessage());
        }
        group.schedule(() -> {
            if (send.future.isDone()) {
                return;
            }
            if (send.attempts >= options.reliableMaxAttempts()) {
                pendingReliable.remove(send.frame.streamId());
                send.future.completeExceptionally(new TransportException("no acknowledgement from " + send.peer.address
                        + " after " + send.attempts + " attempts"));
            } else {
                metrics.retransmitted();
                attempt(send);
            }
        }, options.reliableAckTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    private PeerLink peer(NodeAddress address) {
        if (closed) {
            throw new TransportException("transport of node " + nodeId + " is closed");
        }
        PeerLink link = peers.get(address);
        if (link == null) {
            if (peers.size() >= options.maxPeers()) {
                throw new TransportException("already linked to " + options.maxPeers() + " peers");
            }
            link = peers.computeIfAbsent(address,
                    a -> new PeerLink(a, options.laneQueueCapacity(), options.laneQueueBytes(),
                            options.lowLaneBytesPerSecond(), options.dedupWindow()));
        }
        return link;
    }

    private void enqueue(PeerLink peer, Frame frame) {
        if (!peer.isConnected()) {
            long failedAt = peer.lastDialFailureNanos;
            if (failedAt != 0 && System.nanoTime() - failedAt < TimeUnit.MILLISECONDS.toNanos(options.reconnectBackoffMillis())) {
                metrics.dropped(frame.lane());
                throw new TransportException("peer " + peer.address + " is unreachable");
            }
            dial(peer);
        }
        if (!peer.queues.offer(frame)) {
            metrics.dropped(frame.lane());
            throw new LaneFullException(frame.lane(), peer.address);
        }
        scheduleDrain(peer);
    }

    private void scheduleDrain(PeerLink peer) {
        Channel channel = peer.channel;
        if (channel != null && peer.drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> drain(peer, channel));
        }
    }

    /** Writes queued frames by lane weight while the channel accepts them. Event loop only. */
    private void drain(PeerLink peer, Channel channel) {
        peer.drainScheduled.set(false);
        if (peer.channel != channel || !channel.isActive()) {
            scheduleDrain(peer);
            return;
        }
        int written = 0;
        long now = System.nanoTime();
        boolean paced = false;
        while (written < options.maxFramesPerDrain() && channel.isWritable()) {
            Frame frame = peer.queues.poll(now);
            if (frame == null) {
                paced = !peer.queues.isEmpty();
                break;
            }
            channel.write(frame, channel.voidPromise());
            metrics.sent(frame.lane(), frame.wireBytes());
            peer.bytesOut.add(frame.wireBytes());
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
        if (paced) {
            schedulePacedDrain(peer, channel, peer.queues.lowWaitNanos(now));
        } else if (!peer.queues.isEmpty() && channel.isWritable()) {
            scheduleDrain(peer);
        }
    }

    /**
     * Drains again once the LOW pace allows. Frames on other lanes do not wait for it: their
     * offer schedules an immediate drain as usual. Event loop only.
     */
    private void schedulePacedDrain(PeerLink peer, Channel channel, long delayNanos) {
        if (peer.pacedDrainScheduled) {
            return;
        }
        peer.pacedDrainScheduled = true;
        channel.eventLoop().schedule(() -> {
            peer.pacedDrainScheduled = false;
            scheduleDrain(peer);
        }, Math.max(delayNanos, 1), TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- connections

    private void dial(PeerLink peer) {
        if (closed || !peer.connecting.compareAndSet(false, true)) {
            return;
        }
        WriteBufferWaterMark waterMark = new WriteBufferWaterMark(options.writeBufferHighWaterBytes() / 2,
                options.writeBufferHighWaterBytes());
        new Bootstrap()
                .group(group)
                .channel(io.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .option(ChannelOption.SO_SNDBUF, options.socketBufferBytes())
                .option(ChannelOption.SO_RCVBUF, options.socketBufferBytes())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch, true, peer.address);
                    }
                })
                .connect(peer.address.host(), peer.address.port())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        onDialFailed(peer, f.cause() == null ? "connect failed" : f.cause().getMessage());
                    }
                });
    }

    private void onDialFailed(PeerLink peer, String why) {
        peer.lastDialFailureNanos = System.nanoTime();
        peer.connecting.set(false);
        if (peer.isConnected()) {
            return;
        }
        int[] total = new int[1];
        TransportException unreachable = new TransportException("peer " + peer.address + " is unreachable: " + why);
        peer.queues.clear(frame -> {
            metrics.dropped(frame.lane());
            total[0]++;
            if (frame.type() == FrameType.REQUEST) {
                pendingRequests.fail(frame.streamId(), unreachable);
            }
        });
        log.debug("Cannot reach peer {} ({}); dropped {} queued frames", peer.address, why, total[0]);
    }

    private void onAuthenticated(ChannelHandlerContext ctx, PeerIdentity identity, NodeAddress dialed) {
        Channel channel = ctx.channel();
        boolean dialer = dialed != null;
        if (identity.listenAddress().equals(localAddress) && identity.nodeId().equals(nodeId)) {
            log.warn("Closing a connection to ourselves at {}", localAddress);
            channel.close();
            return;
        }
        PeerLink peer;
        if (dialer) {
            peer = peers.get(dialed);
        } else {
            try {
                peer = peer(identity.listenAddress());
            } catch (TransportException e) {
                log.warn("Closing peer connection from {}: {}", identity, e.getMessage());
                channel.close();
                return;
            }
        }
        if (peer == null) {
            channel.close();
            return;
        }
        authenticated.add(channel);
        NodeAddress channelDialer = dialer ? localAddress : identity.listenAddress();
        Channel loser = null;
        synchronized (peer) {
            Channel existing = peer.channel;
            if (existing != null && existing.isActive() && existing != channel) {
                // Both sides dialed at once: both keep the connection dialed by the smaller address.
                NodeAddress winner = localAddress.compareTo(identity.listenAddress()) <= 0
                        ? localAddress : identity.listenAddress();
                boolean keepNew = channelDialer.equals(winner) || !peer.channelDialer.equals(winner);
                loser = keepNew ? existing : channel;
            }
            if (loser != channel) {
                peer.channel = channel;
                peer.channelDialer = channelDialer;
                peer.nodeId = identity.nodeId();
                peer.lastDialFailureNanos = 0;
            }
        }
        if (dialer) {
            peer.connecting.set(false);
        }
        ctx.pipeline().addLast("inbound", new InboundHandler(this, peer, identity));
        if (loser != null) {
            // Frames the peer wrote on the losing connection before it learned of the winner are
            // still read during the grace period; nothing new is written on it.
            Channel doomed = loser;
            log.debug("Retiring duplicate connection to {} ({})", identity, doomed.remoteAddress());
            doomed.eventLoop().schedule(() -> doomed.close(), duplicateConnectionGraceMillis, TimeUnit.MILLISECONDS);
        }
        if (loser != channel) {
            log.info("Node {} connected to peer {} at {}", nodeId, identity.nodeId(), identity.listenAddress());
            scheduleDrain(peer);
        }
    }

    void channelClosed(PeerLink peer, Channel channel) {
        boolean wasCurrent;
        synchronized (peer) {
            wasCurrent = peer.channel == channel;
            if (wasCurrent) {
                peer.channel = null;
            }
        }
        if (wasCurrent) {
            log.info("Node {} lost its connection to peer {} at {}", nodeId, peer.nodeId, peer.address);
            // Answers to requests sent on it will not come: fail them now rather than at their
            // timeout, so callers fail over within milliseconds of a peer's death.
            pendingRequests.failPeer(peer.address, new TransportException("connection to peer " + peer.address
                    + " lost before it answered; the request may have been delivered"));
            if (!closed && !peer.queues.isEmpty()) {
                dial(peer);
            }
        }
    }

    void writabilityChanged(PeerLink peer) {
        scheduleDrain(peer);
    }

    // ---------------------------------------------------------------- receiving

    /** Handles one application frame from an authenticated peer. Event loop. */
    void onFrame(PeerLink peer, PeerIdentity from, Frame frame) {
        peer.bytesIn.add(frame.wireBytes());
        switch (frame.type()) {
            case REQUEST -> onRequest(peer, from, frame);
            case RESPONSE -> onResponse(frame);
            case ERROR -> onError(frame);
            case ONEWAY -> deliver(from, frame);
            case RELIABLE -> onReliable(peer, from, frame);
            case ACK -> onAck(frame);
            default -> {
                metrics.refused(RefusalReason.OUT_OF_ORDER);
                log.warn("Closing connection to {}: handshake frame {} after the handshake", from, frame.type());
                Channel channel = peer.channel;
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    private void onRequest(PeerLink peer, PeerIdentity from, Frame frame) {
        Object message = decode(from, frame);
        if (message == null) {
            reply(peer, frame, FrameType.ERROR, Handshake.encodeReason("refused: undecodable payload"));
            return;
        }
        MessageHandler<Object> handler = handlerFor(message);
        if (handler == null) {
            metrics.refused(RefusalReason.NO_HANDLER);
            reply(peer, frame, FrameType.ERROR, Handshake.encodeReason("no handler for " + message.getClass().getSimpleName()));
            return;
        }
        Object result;
        try {
            result = handler.handle(from, message);
        } catch (Exception e) {
            reply(peer, frame, FrameType.ERROR, Handshake.encodeReason(String.valueOf(e.getMessage())));
            return;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((value, failure) -> respond(peer, frame, value, failure));
        } else {
            respond(peer, frame, result, null);
        }
    }

    private void respond(PeerLink peer, Frame request, Object value, Throwable failure) {
        if (failure != null) {
            reply(peer, request, FrameType.ERROR, Handshake.encodeReason(String.valueOf(failure.getMessage())));
            return;
        }
        byte[] payload;
        try {
            payload = codec.encode(value);
        } catch (TransportException e) {
            reply(peer, request, FrameType.ERROR, Handshake.encodeReason(e.getMessage()));
            return;
        }
        reply(peer, request, FrameType.RESPONSE, payload);
    }

    private void reply(PeerLink peer, Frame request, FrameType type, byte[] payload) {
        try {
            enqueue(peer, new Frame(type, request.lane(), request.streamId(), payload));
        } catch (TransportException e) {
            log.debug("Reply to {} dropped: {}", peer.address, e.getMessage());
        }
    }

    private void onResponse(Frame frame) {
        pendingRequests.answer(frame.streamId(), codec, frame.payload());
    }

    private void onError(Frame frame) {
        pendingRequests.fail(frame.streamId(), new String(frame.payload(), 0,
                Math.min(frame.payload().length, Handshake.maxReasonBytes), StandardCharsets.UTF_8));
    }

    private void onReliable(PeerLink peer, PeerIdentity from, Frame frame) {
        if (peer.dedup.firstTime(frame.streamId())) {
            if (!deliver(from, frame)) {
                return; // refused: no ack, the sender will give up after its retries
            }
        } else {
            metrics.duplicateSuppressed();
        }
        reply(peer, frame, FrameType.ACK, Frame.empty);
    }

    private void onAck(Frame frame) {
        ReliableSend send = pendingReliable.remove(frame.streamId());
        if (send != null) {
            send.future.complete(null);
        }
    }

    /** Decodes and hands a message to its handler; false if it was refused. */
    private boolean deliver(PeerIdentity from, Frame frame) {
        Object message = decode(from, frame);
        if (message == null) {
            return false;
        }
        MessageHandler<Object> handler = handlerFor(message);
        if (handler == null) {
            metrics.refused(RefusalReason.NO_HANDLER);
            log.debug("No handler for {} from {}", message.getClass().getSimpleName(), from);
            return false;
        }
        try {
            handler.handle(from, message);
        } catch (Exception e) {
            log.warn("Handler for {} from {} failed", message.getClass().getSimpleName(), from, e);
        }
        return true;
    }

    private Object decode(PeerIdentity from, Frame frame) {
        try {
            Object message = codec.decode(frame.payload());
            if (message == null) {
                throw new MessageCodec.UndecodableException("null message");
            }
            return message;
        } catch (MessageCodec.UndecodableException e) {
            metrics.refused(RefusalReason.UNDECODABLE_PAYLOAD);
            log.warn("Refused a {}-byte {} frame from {}: {}", frame.payload().length, frame.type(), from, e.getMessage());
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private MessageHandler<Object> handlerFor(Object message) {
        return (MessageHandler<Object>) handlers.get(message.getClass());
    }

    // ---------------------------------------------------------------- peers

    /** Traffic and connection state of the link to {@code address}, or null if never used. */
    public PeerStats peerStats(NodeAddress address) {
        PeerLink link = peers.get(address);
        return link == null ? null : new PeerStats(link.address, link.nodeId, link.isConnected(),
                link.bytesIn.sum(), link.bytesOut.sum());
    }

    /** Closes the connection to {@code address}, if any; the next send dials again. */
    public void disconnect(NodeAddress address) {
        PeerLink link = peers.get(address);
        if (link != null && link.channel != null) {
            link.channel.close();
        }
    }

    /** True while any peer has frames waiting to be written. */
    public boolean hasQueuedFrames() {
        for (PeerLink link : peers.values()) {
            if (link.isConnected() && !link.queues.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Peers this transport has a link to (connected or not). */
    int peerStatsCount() {
        return peers.size();
    }

    /** Authenticated connections open now, both directions; one per peer once dials settle. */
    int openChannelCount() {
        return authenticated.size();
    }

    /** The connection to a peer, for tests that need to act like a slow or broken peer. */
    Channel channelTo(NodeAddress address) {
        PeerLink link = peers.get(address);
        return link == null ? null : link.channel;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        inbound.close().awaitUninterruptibly();
        for (PeerLink link : peers.values()) {
            Channel channel = link.channel;
            if (channel != null) {
                channel.close().awaitUninterruptibly();
            }
        }
        TransportException closing = new TransportException("transport of node " + nodeId + " closed");
        pendingRequests.failAll(closing);
        pendingReliable.values().forEach(r -> r.future.completeExceptionally(closing));
        pendingReliable.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("Node {} closed its peer transport", nodeId);
    }

    /** Traffic of one peer link. */
    public record PeerStats(NodeAddress address, String nodeId, boolean connected, long bytesIn, long bytesOut) {
    }

    private static final class ReliableSend {
        final PeerLink peer;
        final Frame frame;
        final CompletableFuture<Void> future;
        volatile int attempts;

        ReliableSend(PeerLink peer, Frame frame, CompletableFuture<Void> future) {
            this.peer = peer;
            this.frame = frame;
            this.future = future;
        }
    }
}
