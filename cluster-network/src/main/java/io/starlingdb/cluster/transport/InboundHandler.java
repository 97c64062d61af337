package io.starlingdb.cluster.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Last handler of an authenticated connection: passes frames and channel events to the transport. */
final class InboundHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);

    private final Transport transport;
    private final PeerLink peer;
    private final PeerIdentity identity;

    InboundHandler(Transport transport, PeerLink peer, PeerIdentity identity) {
        this.transport = transport;
        this.peer = peer;
        this.identity = identity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        transport.onFrame(peer, identity, (Frame) msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        transport.writabilityChanged(peer);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        transport.channelClosed(peer, ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("Closing connection to peer {}: {}", identity, cause.toString());
        ctx.close();
    }
}
