package io.starlingdb.server.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.util.List;

/**
 * Turns frame bodies (already split by the length-field decoder) into requests, and
 * responses into length-prefixed frames. A malformed body raises ProtocolException, which
 * the session handler answers with an error and a close.
 */
final class FrameCodec extends MessageToMessageCodec<ByteBuf, Response> {

    private final ClientMetrics metrics;

    FrameCodec(ClientMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        metrics.frameIn(frame.readableBytes());
        Request request = MessageCodec.decodeRequest(ByteBufUtil.getBytes(frame));
        out.add(request);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Response response, List<Object> out) {
        byte[] body = MessageCodec.encode(response);
        ByteBuf buf = ctx.alloc().buffer(4 + body.length);
        buf.writeInt(body.length).writeBytes(body);
        metrics.frameOut(body.length);
        out.add(buf);
    }
}
