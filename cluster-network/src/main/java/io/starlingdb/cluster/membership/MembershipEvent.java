package io.starlingdb.cluster.membership;

/** A change in the membership as this node sees it, delivered to subscribers in order. */
public record MembershipEvent(Type type, Member member) {

    public enum Type {
        JOINED, SUSPECT, ALIVE, DEAD, LEFT, METADATA_CHANGED
    }
}
