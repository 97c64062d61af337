package io.starlingdb.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.starlingdb.cluster.transport.NettyTransport;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The node's small HTTP server for operators and load balancers (/health, /metrics, ...).
 * Requests are tiny, so one event-loop thread serves them (operator actions that wait on the
 * cluster run on one operator thread of their own); bodies over
 * {@link #maxRequestBytes} and connections idle for {@link #idleTimeoutSeconds} are closed.
 */
public final class HttpServer implements AutoCloseable {

    /** Largest request (headers and body) accepted; operators' requests carry no body. */
    static final int maxRequestBytes = 64 * 1024;
    /** An HTTP connection that sends nothing for this long is closed. */
    static final int idleTimeoutSeconds = 60;

    /** Operator actions (POST) waiting for the operator thread beyond the one it runs; more are refused with 503. */
    static final int maxQueuedActions = 8;
    /** How long a stopping server lets a running operator action finish. */
    static final long actionStopMillis = 2_000;

    private final HttpRoutes routes;
    private final String operatorSecret;
    private final NettyTransport io = NettyTransport.forProcess();
    private final EventLoopGroup group = io.newGroup(1);
    /** Runs operator actions one at a time, off the event loop: they wait on the cluster. */
    private final ThreadPoolExecutor operator = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(maxQueuedActions), r -> {
                Thread t = new Thread(r, "starling-http-operator");
                t.setDaemon(true);
                return t;
            });
    private Channel channel;

    /** @param operatorSecret what a caller of an operator action (POST) must present: the cluster secret */
    public HttpServer(HttpRoutes routes, String operatorSecret) {
        this.routes = routes;
        this.operatorSecret = operatorSecret;
    }

    /** Binds and starts serving; port 0 picks a free port. Returns the bound address. */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(idleTimeoutSeconds, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(maxRequestBytes))
                                .addLast(new HttpRequestHandler(routes, operatorSecret, operator));
                    }
                });
        channel = bootstrap.bind(host, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        operator.shutdown();
        try {
            operator.awaitTermination(actionStopMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        operator.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
