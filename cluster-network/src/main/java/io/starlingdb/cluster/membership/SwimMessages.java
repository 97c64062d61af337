package io.starlingdb.cluster.membership;

import io.starlingdb.cluster.transport.MessageTypes;

/** The wire ids of the membership messages; both ends register the same. */
public final class SwimMessages {

    private SwimMessages() {
    }

    public static MessageTypes register(MessageTypes types) {
        return types
                .register(MemberState.class, 200)
                .register(Metadata.class, 201)
                .register(Member.class, 202)
                .register(SwimMessage.Ping.class, 203)
                .register(SwimMessage.Ack.class, 204)
                .register(SwimMessage.PingReq.class, 205)
                .register(SwimMessage.Join.class, 206)
                .register(SwimMessage.JoinReply.class, 207)
                .register(SwimMessage.Announce.class, 208);
    }
}
