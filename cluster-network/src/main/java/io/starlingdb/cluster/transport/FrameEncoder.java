package io.starlingdb.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a {@link Frame} as length, header and payload. */
@Sharable
final class FrameEncoder extends MessageToByteEncoder<Frame> {

    static final FrameEncoder instance = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(frame.wireBytes());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        out.writeInt(Frame.headerBytes + frame.payload().length);
        out.writeByte(frame.type().ordinal());
        out.writeByte(frame.lane().code());
        out.writeLong(frame.streamId());
        out.writeBytes(frame.payload());
    }
}
