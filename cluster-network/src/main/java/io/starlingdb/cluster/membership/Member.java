package io.starlingdb.cluster.membership;

import java.util.Objects;

/**
 * What one node believes about one member; also the unit of gossip. Immutable: a change is a
 * new record.
 *
 * @param id          stable node id
 * @param address     host:port the member's peer transport listens on
 * @param state       ALIVE, SUSPECT, DEAD or LEFT
 * @param incarnation raised only by the member itself, to refute a suspicion or to rejoin
 * @param metadata    the member's gossiped metadata
 */
public record Member(String id, String address, MemberState state, long incarnation, Metadata metadata) {

    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(metadata, "metadata");
    }

    Member with(MemberState newState, long newIncarnation) {
        return new Member(id, address, newState, newIncarnation, metadata);
    }

    Member withMetadata(Metadata newMetadata) {
        return new Member(id, address, state, incarnation, newMetadata);
    }

    /** True while the member counts as reachable. */
    public boolean isUp() {
        return state == MemberState.ALIVE || state == MemberState.SUSPECT;
    }
}
