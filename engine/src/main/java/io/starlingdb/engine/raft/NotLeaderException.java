package io.starlingdb.engine.raft;

/** The replica asked is not the group's leader; {@link #leaderId()} is the leader it knows, 0 if none. */
public final class NotLeaderException extends RuntimeException {
    private final long leaderId;

    public NotLeaderException(long group, long leaderId) {
        super("not the leader of group " + group + (leaderId == 0 ? "; no leader known" : "; try node " + leaderId));
        this.leaderId = leaderId;
    }

    public long leaderId() {
        return leaderId;
    }
}
