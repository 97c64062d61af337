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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers one decoded HTTP request from the routes: 404 for unknown paths, 405 for non-GET. */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    private final HttpRoutes routes;

    HttpRequestHandler(HttpRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpReply reply;
        if (!request.decoderResult().isSuccess()) {
            reply = HttpReply.text(400, "malformed request\n");
        } else {
            String path = new QueryStringDecoder(request.uri()).path();
            Supplier<HttpReply> endpoint = routes.find(path);
            if (endpoint == null) {
                reply = HttpReply.text(404, "no such endpoint: " + path + "\n");
            } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                reply = HttpReply.text(405, "only GET is allowed on " + path + "\n");
            } else {
                try {
                    reply = endpoint.get();
                } catch (RuntimeException e) {
                    log.warn("HTTP endpoint {} failed", path, e);
                    reply = HttpReply.text(500, "internal error: " + e.getMessage() + "\n");
                }
            }
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        ByteBuf body = request.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER
                : Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        HttpUtil.setContentLength(response, body.readableBytes());
        if (reply.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
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
