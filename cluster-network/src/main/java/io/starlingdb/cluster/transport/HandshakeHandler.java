package io.starlingdb.cluster.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a fresh connection (see {@link Handshake}) and then hands it to the transport,
 * removing itself from the pipeline. Until then only handshake frames are accepted; anything
 * else, a bad proof, another protocol version or a timeout refuses the peer and closes.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
    /** A failure cause may quote the peer's bytes; log only this much of it. */
    private static final int maxLoggedCauseChars = 120;

    /** Callbacks into the transport. */
    interface Listener {
        /** {@code dialed} is the address this node dialed, or null if the peer dialed us. */
        void authenticated(ChannelHandlerContext ctx, PeerIdentity peer, NodeAddress dialed);

        void dialFailed(NodeAddress dialed);
    }

    private final boolean dialer;
    private final NodeAddress dialed;
    private final String localId;
    private final NodeAddress localAddress;
    private final String secret;
    private final long timeoutMillis;
    private final FrameDecoder decoder;
    private final TransportMetrics metrics;
    private final Listener listener;

    private final byte[] localNonce = Handshake.newNonce();
    private Handshake.Greeting remote;
    private boolean done;
    private ScheduledFuture<?> timeout;

    HandshakeHandler(boolean dialer, NodeAddress dialed, String localId, NodeAddress localAddress, String secret,
            long timeoutMillis, FrameDecoder decoder, TransportMetrics metrics, Listener listener) {
        this.dialer = dialer;
        this.dialed = dialed;
        this.localId = localId;
        this.localAddress = localAddress;
        this.secret = secret;
        this.timeoutMillis = timeoutMillis;
        this.decoder = decoder;
        this.metrics = metrics;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> refuse(ctx, RefusalReason.HANDSHAKE_TIMEOUT,
                "no handshake within " + timeoutMillis + " ms", false), timeoutMillis, TimeUnit.MILLISECONDS);
        if (dialer) {
            // Behind TLS this write waits in the SslHandler until the TLS handshake is done.
            Handshake.Greeting hello = new Handshake.Greeting(Handshake.protocolVersion, localId, localAddress,
                    localNonce, new byte[0]);
            ctx.writeAndFlush(new Frame(FrameType.HELLO, Lane.CRITICAL, 0, Handshake.encodeGreeting(hello)));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        Frame frame = (Frame) msg;
        try {
            if (dialer) {
                onDialerFrame(ctx, frame);
            } else {
                onAcceptorFrame(ctx, frame);
            }
        } catch (IllegalArgumentException e) {
            refuse(ctx, RefusalReason.BAD_HANDSHAKE, "malformed handshake: " + e.getMessage(), true);
        }
    }

    private void onAcceptorFrame(ChannelHandlerContext ctx, Frame frame) {
        if (remote == null && frame.type() == FrameType.HELLO) {
            Handshake.Greeting hello = Handshake.decodeGreeting(frame.payload());
            if (hello.version() != Handshake.protocolVersion) {
                refuse(ctx, RefusalReason.BAD_VERSION, "node " + hello.nodeId() + " speaks protocol " + hello.version()
                        + ", this node " + Handshake.protocolVersion, true);
                return;
            }
            remote = hello;
            Handshake.Greeting challenge = new Handshake.Greeting(Handshake.protocolVersion, localId, localAddress,
                    localNonce, new byte[0]);
            ctx.writeAndFlush(new Frame(FrameType.CHALLENGE, Lane.CRITICAL, 0, Handshake.encodeGreeting(challenge)));
        } else if (remote != null && frame.type() == FrameType.PROOF) {
            byte[] expected = Handshake.dialerProof(secret, localNonce, remote.nonce(), remote.nodeId(), localId);
            if (!Handshake.proofMatches(expected, frame.payload())) {
                refuse(ctx, RefusalReason.BAD_SECRET, "node " + remote.nodeId() + " at " + remote.listenAddress()
                        + " does not know the cluster secret", true);
                return;
            }
            byte[] proof = Handshake.acceptorProof(secret, remote.nonce(), localNonce, localId, remote.nodeId());
            ctx.writeAndFlush(new Frame(FrameType.ACCEPT, Lane.CRITICAL, 0, proof));
            succeed(ctx);
        } else {
            refuse(ctx, RefusalReason.OUT_OF_ORDER, "unexpected " + frame.type() + " during the handshake", true);
        }
    }

    private void onDialerFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() == FrameType.REJECT) {
            refuse(ctx, RefusalReason.BAD_HANDSHAKE, "refused by the peer: " + Handshake.decodeReason(frame.payload()),
                    false);
        } else if (remote == null && frame.type() == FrameType.CHALLENGE) {
            Handshake.Greeting challenge = Handshake.decodeGreeting(frame.payload());
            if (challenge.version() != Handshake.protocolVersion) {
                refuse(ctx, RefusalReason.BAD_VERSION, "node " + challenge.nodeId() + " speaks protocol "
                        + challenge.version() + ", this node " + Handshake.protocolVersion, false);
                return;
            }
            remote = challenge;
            byte[] proof = Handshake.dialerProof(secret, challenge.nonce(), localNonce, localId, challenge.nodeId());
            ctx.writeAndFlush(new Frame(FrameType.PROOF, Lane.CRITICAL, 0, proof));
        } else if (remote != null && frame.type() == FrameType.ACCEPT) {
            byte[] expected = Handshake.acceptorProof(secret, localNonce, remote.nonce(), remote.nodeId(), localId);
            if (!Handshake.proofMatches(expected, frame.payload())) {
                refuse(ctx, RefusalReason.BAD_SECRET, "node " + remote.nodeId() + " at " + dialed
                        + " does not know the cluster secret", false);
                return;
            }
            succeed(ctx);
        } else {
            refuse(ctx, RefusalReason.OUT_OF_ORDER, "unexpected " + frame.type() + " during the handshake", false);
        }
    }

    private void succeed(ChannelHandlerContext ctx) {
        done = true;
        timeout.cancel(false);
        decoder.authenticated();
        PeerIdentity peer = new PeerIdentity(remote.nodeId(), remote.listenAddress());
        listener.authenticated(ctx, peer, dialer ? dialed : null);
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, RefusalReason reason, String detail, boolean tellPeer) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        metrics.refused(reason);
        log.warn("Refused peer connection {} ({}): {}", ctx.channel().remoteAddress(), reason, detail);
        if (tellPeer) {
            String told = reason == RefusalReason.BAD_SECRET ? "authentication failed" : reason.name();
            ctx.writeAndFlush(new Frame(FrameType.REJECT, Lane.CRITICAL, 0, Handshake.encodeReason(told)))
                    .addListener(f -> ctx.close());
        } else {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            String why = String.valueOf(tls.cause().getMessage());
            refuse(ctx, RefusalReason.TLS, "TLS handshake failed: " + (why.length() > maxLoggedCauseChars
                    ? why.substring(0, maxLoggedCauseChars) + "..." : why), false);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (dialer) { // after success this handler is no longer in the pipeline
            listener.dialFailed(dialed);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            log.debug("Peer connection {} failed during the handshake", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
