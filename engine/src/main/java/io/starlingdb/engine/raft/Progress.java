package io.starlingdb.engine.raft;

import java.util.ArrayDeque;

/** The leader's view of one follower's log and of the appends in flight to it. */
final class Progress {

    enum State {
        /** One append at a time until the follower's match index is found. */
        PROBE,
        /** Optimistic: appends are pipelined, up to maxInflightMsgs in flight. */
        REPLICATE,
        /** A snapshot is on its way; nothing else is sent until it is acknowledged. */
        SNAPSHOT
    }

    long match;
    long next;
    State state = State.PROBE;
    boolean probeSent;
    long pendingSnapshot;
    int snapshotTicks;
    boolean recentActive;
    /** The leader's tick at which it sent the newest heartbeat this follower acknowledged in this term, -1: none. */
    long leaseAckTick = -1;
    /**
     * The highest commit index an append or heartbeat sent to this follower could tell it (the
     * leader's commit index, capped by the last index the message brings the follower to). A lost
     * message makes it too high; heartbeats carry the commit index anyway.
     */
    long sentCommit;
    /** Last index of each append in flight, oldest first. */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    final int maxInflight;

    Progress(long next, int maxInflight) {
        this.next = next;
        this.maxInflight = maxInflight;
    }

    boolean isPaused() {
        switch (state) {
            case PROBE:
                return probeSent;
            case REPLICATE:
                return inflight.size() >= maxInflight;
            default:
                return true;
        }
    }

    void becomeProbe() {
        if (state == State.SNAPSHOT) {
            next = Math.max(match + 1, pendingSnapshot + 1);
        } else {
            next = match + 1;
        }
        resetState(State.PROBE);
    }

    void becomeReplicate() {
        next = match + 1;
        resetState(State.REPLICATE);
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(State.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    private void resetState(State s) {
        state = s;
        probeSent = false;
        pendingSnapshot = 0;
        snapshotTicks = 0;
        inflight.clear();
    }

    /** An acknowledgement up to index; returns true if it moved the match index. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * A rejection of the append after rejected, by a follower whose log ends at or before hint;
     * returns false if the rejection is stale.
     */
    boolean maybeDecrTo(long rejected, long hint) {
        boolean lostAcknowledged = rejected == match && hint == 0 && match > 0;
        if (state == State.REPLICATE) {
            if (rejected < match || (rejected == match && !lostAcknowledged)) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        if (lostAcknowledged) {
            // The follower has an empty log although it acknowledged entries up to match: its
            // replica was reset to empty (a crash between clearing its old state and ingesting a
            // snapshot). Forget what it acknowledged, so the probe starts from nothing and leads to
            // a snapshot. A stale rejection from before the follower had any entries only costs a
            // resend: its next acknowledgement restores match.
            match = 0;
        }
        next = Math.max(Math.min(rejected, hint + 1), match + 1);
        probeSent = false;
        return true;
    }

    void sentEntries(long lastIndex) {
        if (state == State.REPLICATE) {
            next = lastIndex + 1;
            inflight.addLast(lastIndex);
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    void freeInflightUpTo(long index) {
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.removeFirst();
        }
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + (state == State.REPLICATE ? " inflight=" + inflight.size() : "");
    }
}
