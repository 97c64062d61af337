package io.starlingdb.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into {@link Frame}s and validates every header before it allocates a
 * payload. A length over the current limit or an unknown type or lane closes the connection:
 * after such a frame the stream cannot be trusted to be in sync. The limit is small until the
 * peer has authenticated, so an anonymous peer can make us buffer at most a few kilobytes.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    private final TransportMetrics metrics;
    private final int authenticatedLimitBytes;
    private volatile int limitBytes;

    FrameDecoder(int handshakeLimitBytes, int authenticatedLimitBytes, TransportMetrics metrics) {
        this.limitBytes = handshakeLimitBytes;
        this.authenticatedLimitBytes = authenticatedLimitBytes;
        this.metrics = metrics;
    }

    /** Called once the peer has proven the cluster secret. */
    void authenticated() {
        limitBytes = authenticatedLimitBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Frame.lengthFieldBytes) {
            int start = in.readerIndex();
            int length = in.getInt(start);
            if (length > limitBytes) {
                refuse(ctx, in, RefusalReason.OVERSIZED,
                        "frame of " + length + " bytes exceeds the limit of " + limitBytes + " bytes");
                return;
            }
            if (length < Frame.headerBytes) {
                refuse(ctx, in, RefusalReason.MALFORMED_HEADER, "frame length " + length + " is shorter than a header");
                return;
            }
            if (in.readableBytes() < Frame.lengthFieldBytes + length) {
                return;
            }
            FrameType type = FrameType.fromCode(in.getUnsignedByte(start + 4));
            Lane lane = Lane.fromCode(in.getUnsignedByte(start + 5));
            if (type == null || lane == null) {
                refuse(ctx, in, RefusalReason.MALFORMED_HEADER, "unknown frame type or lane code");
                return;
            }
            long streamId = in.getLong(start + 6);
            byte[] payload = new byte[length - Frame.headerBytes];
            in.getBytes(start + Frame.lengthFieldBytes + Frame.headerBytes, payload);
            in.skipBytes(Frame.lengthFieldBytes + length);
            metrics.received(lane, Frame.lengthFieldBytes + length);
            out.add(new Frame(type, lane, streamId, payload));
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, RefusalReason reason, String detail) {
        metrics.refused(reason);
        log.warn("Closing peer connection {}: {}", ctx.channel().remoteAddress(), detail);
        in.skipBytes(in.readableBytes());
        ctx.close();
    }
}
