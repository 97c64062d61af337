package io.starlingdb.cluster.membership;

import java.util.ArrayList;

/**
 * The messages SWIM nodes exchange. Every one that can carry gossip does; lists are ArrayLists
 * so the transport's bounded serializers handle them.
 */
public interface SwimMessage {

    /** Direct probe of {@code targetId}; answered with an {@link Ack} of the same sequence. */
    record Ping(long seq, String fromId, String targetId, ArrayList<Member> gossip) implements SwimMessage {
    }

    /** Answer to a ping; {@code fromId} is the probed member even when relayed. */
    record Ack(long seq, String fromId, ArrayList<Member> gossip) implements SwimMessage {
    }

    /**
     * Asks the receiver to probe {@code targetId} on the sender's behalf. The receiver relays only
     * to a member it knows, at the address it knows; {@code targetAddress} is informational.
     */
    record PingReq(long seq, String fromId, String targetId, String targetAddress, ArrayList<Member> gossip)
            implements SwimMessage {
    }

    /** A new node announces itself to a seed. */
    record Join(Member joiner) implements SwimMessage {
    }

    /** A seed's answer to a join: the full membership it knows. */
    record JoinReply(ArrayList<Member> members) implements SwimMessage {
    }

    /** Gossip sent on its own: leave notices, refutations, suspicions told to the suspect. */
    record Announce(ArrayList<Member> gossip) implements SwimMessage {
    }
}
