package io.starlingdb.server.client;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.ProtocolException;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import io.starlingdb.sql.SqlEngine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: checks the handshake, then runs each request on
 * the SQL executor, one at a time per connection, in arrival order, and writes the response.
 * A point read that the node answers without waiting, arriving when nothing of the connection is
 * queued or running, is answered here on the event loop instead (docs/cluster.md, "Point reads
 * on the event loop"): no hand-off to a SQL thread and back.
 */
final class SessionHandler extends SimpleChannelInboundHandler<Request> {

    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    static final String PRODUCT = "Starling";
    static final String VERSION = "0.1.0";

    private final SqlEngine engine;
    private final ClientListenerOptions options;
    private final HandshakeInfo node;
    private final ExecutorService executor;
    private final ClientMetrics metrics;
    private ClientSession session;
    /** The tail of this connection's request chain: the next request runs after it. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> handshakeTimeout;
    private boolean counted;
    /** Over client.max.connections when it opened: its hello is answered with 53300. */
    private boolean overLimit;
    /**
     * Requests handed to the SQL executor whose answers are not yet written: counted up and down
     * on the event loop only, since the answers are written from it. At 0 every earlier answer
     * is written, so one answered here comes after them.
     */
    private int inFlight;
    /** A Close arrived: its answer waits for the requests before it, so nothing more is answered here. */
    private boolean closing;

    SessionHandler(SqlEngine engine, ClientListenerOptions options, HandshakeInfo node, ExecutorService executor,
                   ClientMetrics metrics) {
        this.engine = engine;
        this.options = options;
        this.node = node;
        this.executor = executor;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (metrics.connections.incrementAndGet() > options.maxConnections()) {
            metrics.connections.decrementAndGet();
            // Counted now, answered to its hello: closing while the client's hello is still unread
            // makes the close a TCP reset, which can discard the refusal before the client reads it.
            metrics.refused();
            overLimit = true;
        } else {
            counted = true;
            metrics.opened();
        }
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (session == null) {
                log.debug("Client {} sent no handshake within {} ms", ctx.channel().remoteAddress(), options.handshakeTimeoutMillis());
                ctx.close();
            }
        }, options.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Request request) {
        if (session == null) {
            handshake(ctx, request);
            return;
        }
        if (request instanceof Request.Close) {
            closing = true;
            // After the requests before it, so that a pipelining client gets every answer in order.
            tail = tail.whenComplete((v, e) -> ctx.writeAndFlush(new Response.Ok()).addListener(ChannelFutureListener.CLOSE));
            return;
        }
        if (request instanceof Request.Cancel cancel) {
            // Here on the event loop, not queued behind the statement it stops; it has no answer of its own.
            metrics.cancelled();
            session.cancel(cancel.queryTimeoutSeconds() == 0 ? "canceled on the client's request"
                    : "query timeout of " + cancel.queryTimeoutSeconds() + " s expired (Statement.setQueryTimeout)");
            return;
        }
        ClientSession current = session;
        long number = current.received();
        if (inFlight == 0 && !closing) {
            Response now = current.handleNow(request);
            if (now != null) {
                metrics.answeredOnEventLoop();
                respond(ctx, request, now);
                return;
            }
            CompletableFuture<Response> later = current.handleNowAsync(request);
            if (later != null) {
                // Started here, answered when its commit applied: requests after it wait for tail.
                metrics.startedOnEventLoop();
                inFlight++;
                CompletableFuture<Void> answered = new CompletableFuture<>();
                later.whenComplete((response, e) -> {
                    Response answer = e == null ? response : new Response.Error("XX000", "internal error: " + e);
                    onEventLoop(ctx, () -> {
                        inFlight--;
                        respond(ctx, request, answer);
                    });
                    answered.complete(null);
                });
                tail = tail.thenCompose(v -> answered);
                return;
            }
        }
        inFlight++;
        long received = System.nanoTime();
        tail = tail.thenRunAsync(() -> {
            long started = System.nanoTime();
            metrics.queued(received, started);
            Response response;
            try {
                response = current.handle(request, number);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                // A planner or executor bug must still answer the client, never leave it waiting.
                log.warn("Request {} failed on {}", request.getClass().getSimpleName(), ctx.channel().remoteAddress(), e);
                response = new Response.Error("XX000", "internal error: " + e);
            }
            Response answer = response;
            long finished = System.nanoTime();
            metrics.ran(started, finished);
            onEventLoop(ctx, () -> {
                metrics.handedBack(finished, System.nanoTime());
                inFlight--;
                respond(ctx, request, answer);
            });
        }, executor).exceptionally(e -> {
            // The request did not run (refused), or failed past every catch above: either way its count ends here.
            boolean refused = e instanceof RejectedExecutionException || e.getCause() instanceof RejectedExecutionException;
            onEventLoop(ctx, () -> {
                inFlight--;
                if (!refused) {
                    return;
                }
                if (executor.isShutdown()) {
                    ctx.writeAndFlush(new Response.Error("57P01", "the node is shutting down")).addListener(ChannelFutureListener.CLOSE);
                } else {
                    // Overload is not an error of the connection: refuse this request and keep serving the next.
                    metrics.overloaded();
                    ctx.writeAndFlush(new Response.Error("53000", "the node is overloaded: " + options.maxQueuedStatements()
                            + " statements are already waiting for a SQL thread; retry later"));
                }
            });
            return null;
        });
    }

    /**
     * Runs task on the connection's event loop (as a write from another thread would be run
     * there anyway). An event loop that is shut down has closed the connection: nothing to do.
     */
    private static void onEventLoop(ChannelHandlerContext ctx, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("Event loop of {} is shut down; answer dropped", ctx.channel().remoteAddress());
        }
    }

    /**
     * Writes a response; if it cannot be encoded (a value of a type the protocol lacks, a string
     * over the limit) nothing of it was written, so the client gets an error in its place instead
     * of waiting forever.
     */
    private void respond(ChannelHandlerContext ctx, Request request, Response response) {
        ctx.writeAndFlush(response).addListener(f -> {
            if (f.isSuccess() || !ctx.channel().isActive()) {
                return;
            }
            Throwable cause = f.cause() instanceof EncoderException && f.cause().getCause() != null ? f.cause().getCause() : f.cause();
            if (!(cause instanceof ProtocolException)) {
                log.debug("Writing to client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
                return;
            }
            log.warn("Response to {} for {} cannot be encoded: {}", request.getClass().getSimpleName(),
                    ctx.channel().remoteAddress(), cause.getMessage());
            String state = cause.getMessage() != null && cause.getMessage().contains("over the limit") ? "54000" : "0A000";
            ctx.writeAndFlush(new Response.Error(state, "the result cannot be sent to the client: " + cause.getMessage()));
        });
    }

    private void handshake(ChannelHandlerContext ctx, Request request) {
        if (overLimit) {
            ctx.writeAndFlush(new Response.Error("53300", "too many connections (limit " + options.maxConnections() + ")"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!(request instanceof Request.Hello hello) || hello.magic() != Limits.MAGIC) {
            metrics.refused();
            ctx.writeAndFlush(new Response.Error("08P01", "not a Starling client: the first frame must be a hello"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (hello.version() != Limits.PROTOCOL_VERSION) {
            metrics.refused();
            ctx.writeAndFlush(new Response.Error("08001", "protocol version " + hello.version()
                    + " is not supported; this server speaks version " + Limits.PROTOCOL_VERSION))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!node.acceptingSessions()) {
            // Its catalog is not read yet: a session now would see no tables. The driver tries another node.
            metrics.refused();
            ctx.writeAndFlush(new Response.Error("57P03", "the node is starting: it has not read the cluster's catalog yet;"
                    + " connect to another node or retry")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        handshakeTimeout.cancel(false);
        session = new ClientSession(engine.openSession(), options);
        ctx.writeAndFlush(new Response.HelloOk(Limits.PROTOCOL_VERSION, PRODUCT, VERSION, options.nodeId(), node.clientAddresses()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException || root instanceof TooLongFrameException || root instanceof CorruptedFrameException) {
            metrics.protocolError();
            log.info("Closing client connection {}: {}", ctx.channel().remoteAddress(), root.getMessage());
            ctx.writeAndFlush(new Response.Error("08P01", "protocol violation: " + root.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.debug("Client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            metrics.connections.decrementAndGet();
        }
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        ClientSession closing = session;
        if (closing != null) {
            // Nobody waits for the running statement any more: stop it, so that it frees its SQL thread.
            closing.cancel("the client closed the connection");
            // Close after the in-flight request, on the executor, so a statement is never cut in half.
            tail.whenComplete((v, e) -> closing.close());
        }
        ctx.fireChannelInactive();
    }
}
