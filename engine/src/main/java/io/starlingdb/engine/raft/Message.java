package io.starlingdb.engine.raft;

import java.util.List;
import java.util.Objects;

/**
 * One message between replicas of a group, built with the factory of its type. Which fields
 * mean something depends on the type; the others are zero, empty or null.
 *
 * @param logTerm    APPEND: term of the entry at index; VOTE: term of the candidate's last entry;
 *                   rejected APPEND_RESPONSE: term of the follower's entry at rejectHint
 * @param index      APPEND: index preceding the entries; VOTE: candidate's last index;
 *                   APPEND_RESPONSE: last matching index (or the rejected index);
 *                   READ_INDEX_RESPONSE: the read index; HEARTBEAT(_RESPONSE): the leader's tick
 *                   count when the heartbeat was sent ({@link #sentAtTick()})
 * @param context    a read request id (HEARTBEAT, READ_INDEX) or {@link #campaignTransfer} on VOTE
 */
public record Message(
        MessageType type,
        long from,
        long to,
        long term,
        long logTerm,
        long index,
        List<Entry> entries,
        long commit,
        boolean reject,
        long rejectHint,
        Snapshot snapshot,
        long context) {

    /** VOTE context of an election started by leadership transfer: voters skip their lease check. */
    public static final long campaignTransfer = -1;

    public Message {
        Objects.requireNonNull(type, "type");
        entries = entries == null ? List.of() : entries;
    }

    // One factory per message type: a call names what the message carries.

    /** Leader to follower: entries following (prevIndex, prevTerm), and the leader's commit index. */
    public static Message append(long from, long to, long term, long prevIndex, long prevTerm, List<Entry> entries,
                                 long commit) {
        return new Message(MessageType.APPEND, from, to, term, prevTerm, prevIndex, entries, commit, false, 0, null, 0);
    }

    /** Follower to leader: its log matches the leader's up to index. */
    public static Message appendAccepted(long from, long to, long term, long index) {
        return new Message(MessageType.APPEND_RESPONSE, from, to, term, 0, index, List.of(), 0, false, 0, null, 0);
    }

    /**
     * Follower to leader: the append after rejectedIndex did not match; hintIndex (with its term
     * hintTerm) is where the leader should probe next.
     */
    public static Message appendRejected(long from, long to, long term, long rejectedIndex, long hintIndex,
                                         long hintTerm) {
        return new Message(MessageType.APPEND_RESPONSE, from, to, term, hintTerm, rejectedIndex, List.of(), 0, true,
                hintIndex, null, 0);
    }

    /** A replica tells a stale leader its (higher) term, so the stale leader steps down. */
    public static Message termNotice(long from, long to, long term) {
        return new Message(MessageType.APPEND_RESPONSE, from, to, term, 0, 0, List.of(), 0, false, 0, null, 0);
    }

    /**
     * (Pre-)candidate asks for a vote in term, with its last log position; transfer: the election
     * was started by a leadership transfer, so voters skip their lease check.
     */
    public static Message voteRequest(boolean pre, long from, long to, long term, long lastIndex, long lastTerm,
                                      boolean transfer) {
        return voteRequest(pre, from, to, term, lastIndex, lastTerm, transfer, 0, 0);
    }

    /**
     * As {@link #voteRequest(boolean, long, long, long, long, long, boolean)}, telling the voter
     * what the candidate knows committed: its commit index (in {@code commit}) and the term of its
     * entry there (in {@code rejectHint}, unused by requests). A voter whose entry at that index
     * has that term holds the same entries up to it (log matching), so it may commit them: a voter
     * that cannot learn them from a leader, such as a learner whose promotion is committed but not
     * known to it, which therefore never campaigns (RaftCore.learnCommit). 0 and 0: nothing.
     */
    public static Message voteRequest(boolean pre, long from, long to, long term, long lastIndex, long lastTerm,
                                      boolean transfer, long commit, long commitTerm) {
        return new Message(pre ? MessageType.PRE_VOTE : MessageType.VOTE, from, to, term, lastTerm, lastIndex, List.of(),
                commit, false, commitTerm, null, transfer ? campaignTransfer : 0);
    }

    /** The answer to a (pre-)vote request. */
    public static Message voteResponse(boolean pre, long from, long to, long term, boolean granted) {
        return new Message(pre ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE, from, to, term, 0, 0,
                List.of(), 0, !granted, 0, null, 0);
    }

    /**
     * Leader to follower: it is alive, commit up to commit. context (non-zero) confirms a read
     * index round; sentAtTick is the leader's tick count when it sent this heartbeat, echoed in
     * the response so the leader knows from when an acknowledgement extends its lease.
     */
    public static Message heartbeat(long from, long to, long term, long commit, long context, long sentAtTick) {
        return new Message(MessageType.HEARTBEAT, from, to, term, 0, sentAtTick, List.of(), commit, false, 0, null, context);
    }

    /** Follower to leader: answers a heartbeat, echoing its context and sentAtTick. */
    public static Message heartbeatResponse(long from, long to, long term, long context, long sentAtTick) {
        return new Message(MessageType.HEARTBEAT_RESPONSE, from, to, term, 0, sentAtTick, List.of(), 0, false, 0, null,
                context);
    }

    /** Leader to a follower whose next entry was compacted away. */
    public static Message snapshot(long from, long to, long term, Snapshot snapshot) {
        return new Message(MessageType.SNAPSHOT, from, to, term, 0, 0, List.of(), 0, false, 0,
                Objects.requireNonNull(snapshot, "snapshot"), 0);
    }

    /** Leader to the transfer target: campaign now, without pre-vote. */
    public static Message timeoutNow(long from, long to, long term) {
        return new Message(MessageType.TIMEOUT_NOW, from, to, term, 0, 0, List.of(), 0, false, 0, null, 0);
    }

    /** A follower forwards the read request context (from the replica from) to the leader. */
    public static Message readIndex(long from, long to, long term, long context) {
        return new Message(MessageType.READ_INDEX, from, to, term, 0, 0, List.of(), 0, false, 0, null, context);
    }

    /** Leader to follower: the read request context may read once index is applied. */
    public static Message readIndexResponse(long from, long to, long term, long context, long index) {
        return new Message(MessageType.READ_INDEX_RESPONSE, from, to, term, 0, index, List.of(), 0, false, 0, null,
                context);
    }

    /**
     * Whether a driver may send this message before it persists the Ready it came with: a
     * leader's appends and heartbeats promise nothing about the leader's own disk (it counts
     * itself toward a commit only once its entries are durable), so the leader writes its log in
     * parallel with its followers (Raft thesis, 10.2.1) and a commit waits for one fsync, not two.
     * Acknowledgements and votes promise what was persisted, so they wait for the write.
     */
    public boolean mayPrecedePersistence() {
        return type == MessageType.APPEND || type == MessageType.HEARTBEAT;
    }

    /** HEARTBEAT and HEARTBEAT_RESPONSE: the leader's tick count when the heartbeat was sent. */
    public long sentAtTick() {
        return index;
    }

    /** The same message with another snapshot (the driver sends the data apart from the header). */
    public Message withSnapshot(Snapshot s) {
        return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, s, context);
    }

    /** Approximate size on the wire, for batching and metrics. */
    public long sizeBytes() {
        long n = 64;
        for (Entry e : entries) {
            n += e.sizeBytes();
        }
        if (snapshot != null) {
            n += snapshot.data().length + 64;
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(type).append(' ').append(from).append("->").append(to).append(" t").append(term);
        switch (type) {
            case APPEND:
                b.append(" prev=").append(index).append('@').append(logTerm).append(" commit=").append(commit)
                        .append(" entries=").append(entries.isEmpty() ? "[]"
                                : "[" + entries.get(0).index() + ".." + entries.get(entries.size() - 1).index() + "]");
                break;
            case APPEND_RESPONSE:
                b.append(reject ? " reject index=" + index + " hint=" + rejectHint + "@" + logTerm : " index=" + index);
                break;
            case VOTE:
            case PRE_VOTE:
                b.append(" last=").append(index).append('@').append(logTerm);
                if (context == campaignTransfer) {
                    b.append(" transfer");
                }
                break;
            case VOTE_RESPONSE:
            case PRE_VOTE_RESPONSE:
                b.append(reject ? " rejected" : " granted");
                break;
            case HEARTBEAT:
                b.append(" commit=").append(commit).append(context != 0 ? " ctx=" + context : "");
                break;
            case HEARTBEAT_RESPONSE:
                // The echoed tick (index) matters to leases only; scenario traces stay readable without it.
                b.append(context != 0 ? " ctx=" + context : "");
                break;
            case SNAPSHOT:
                b.append(' ').append(snapshot);
                break;
            default:
                if (context != 0) {
                    b.append(" ctx=").append(context);
                }
                if (index != 0) {
                    b.append(" index=").append(index);
                }
        }
        return b.toString();
    }
}
