package io.starlingdb.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one decoded HTTP request from the routes: reads (GET, HEAD) at once; operator actions
 * (POST) only with the cluster secret in {@link #secretHeader}, on the operator executor, since
 * they may wait on the cluster. 404 for unknown paths, 405 for a method the path does not take.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    /** The request header an operator action carries the cluster secret in. */
    static final String secretHeader = "X-Starling-Secret";

    private final HttpRoutes routes;
    private final byte[] operatorSecret;
    private final Executor operator;

    HttpRequestHandler(HttpRoutes routes, String operatorSecret, Executor operator) {
        this.routes = routes;
        this.operatorSecret = operatorSecret.getBytes(StandardCharsets.UTF_8);
        this.operator = operator;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, head, keepAlive, HttpReply.text(400, "malformed request\n"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        Supplier<HttpReply> read = routes.find(path);
        Function<HttpCall, HttpReply> action = routes.findAction(path);
        if (read == null && action == null) {
            respond(ctx, head, keepAlive, HttpReply.text(404, "no such endpoint: " + path + "\n"));
        } else if (action != null) {
            if (!request.method().equals(HttpMethod.POST)) {
                respond(ctx, head, keepAlive, HttpReply.text(405, "only POST is allowed on " + path + "\n"));
                return;
            }
            String secret = request.headers().get(secretHeader);
            if (secret == null) {
                respond(ctx, head, keepAlive, HttpReply.json(401, "{\"error\":\"an operator action needs the cluster secret"
                        + " (cluster.secret) in the " + secretHeader + " header\"}\n"));
                return;
            }
            if (!MessageDigest.isEqual(operatorSecret, secret.getBytes(StandardCharsets.UTF_8))) {
                respond(ctx, head, keepAlive, HttpReply.json(403, "{\"error\":\"the " + secretHeader
                        + " header is not this cluster's secret (cluster.secret)\"}\n"));
                return;
            }
            HttpCall call = new HttpCall(path, uri.parameters());
            try {
                operator.execute(() -> respond(ctx, false, keepAlive, run(path, () -> action.apply(call))));
            } catch (RejectedExecutionException e) {
                respond(ctx, head, keepAlive, HttpReply.json(503, "{\"error\":\"too many operator actions are waiting;"
                        + " retry later\"}\n"));
            }
        } else if (!request.method().equals(HttpMethod.GET) && !head) {
            respond(ctx, head, keepAlive, HttpReply.text(405, "only GET is allowed on " + path + "\n"));
        } else {
            respond(ctx, head, keepAlive, run(path, read));
        }
    }

    private static HttpReply run(String path, Supplier<HttpReply> endpoint) {
        try {
            return endpoint.get();
        } catch (RuntimeException e) {
            log.warn("HTTP endpoint {} failed", path, e);
            return HttpReply.text(500, "internal error: " + e.getMessage() + "\n");
        }
    }

    /** Writes the reply; safe from any thread (Netty hands the write to the channel's event loop). */
    private static void respond(ChannelHandlerContext ctx, boolean head, boolean keepAlive, HttpReply reply) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        HttpUtil.setContentLength(response, body.readableBytes());
        if (reply.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, reply.body().startsWith("only POST") ? "POST" : "GET, HEAD");
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
