package io.starlingdb.server.client;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.starlingdb.cluster.transport.NettyTransport;
import io.starlingdb.sql.SqlEngine;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts JDBC client connections (docs/protocol.md). Pipeline per connection: length-field
 * framing with the frame limit, request/response codec, session handler. Statements run on a
 * bounded thread pool, except point reads that never wait ({@link SessionHandler}).
 */
public final class ClientListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientListener.class);

    private final SqlEngine engine;
    private final ClientListenerOptions options;
    private final HandshakeInfo node;
    private final ClientMetrics metrics;
    /** Epoll where available (NettyTransport), one choice for the groups and the channel class. */
    private final NettyTransport io = NettyTransport.forProcess();
    private final EventLoopGroup boss = io.newGroup(1);
    private final EventLoopGroup workers = io.newGroup(2);
    private final ExecutorService executor;
    /** Every open client connection, so that close() can close each one explicitly. */
    private final ChannelGroup connections = new DefaultChannelGroup("starling-clients", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    /** A listener of a node serving SQL on its own. */
    public ClientListener(SqlEngine engine, ClientListenerOptions options, MeterRegistry registry) {
        this(engine, options, HandshakeInfo.STANDALONE, registry);
    }

    public ClientListener(SqlEngine engine, ClientListenerOptions options, HandshakeInfo node, MeterRegistry registry) {
        this.engine = engine;
        this.options = options;
        this.node = node;
        this.metrics = new ClientMetrics(registry);
        AtomicInteger threadIds = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(options.sqlThreads(), options.sqlThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(options.maxQueuedStatements()), r -> {
                    Thread t = new Thread(r, "starling-sql-" + threadIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Gauge.builder("starling.clients.requests.queued", pool, p -> p.getQueue().size())
                .description("Requests waiting for a SQL thread").register(registry);
        this.executor = pool;
    }

    /** Binds and starts accepting; port 0 picks a free port. Returns the bound address. */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(io.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("framing", new LengthFieldBasedFrameDecoder(options.maxFrameBytes(), 0, 4, 0, 4))
                                .addLast("codec", new FrameCodec(metrics))
                                .addLast("session", new SessionHandler(engine, options, node, executor, metrics));
                    }
                });
        serverChannel = bootstrap.bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        log.info("Accepting JDBC clients on {}", bound);
        return bound;
    }

    public int activeConnections() {
        return metrics.connections.get();
    }

    /** Stops accepting, lets running statements finish (bounded), then closes every connection. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Statements still running after 10 s; closing their connections");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        // Closed explicitly rather than left to the event loops' shutdown, so that no client is
        // left waiting on a socket that nobody serves any more.
        if (!connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS)) {
            log.warn("Client connections still closing after 2 s");
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
