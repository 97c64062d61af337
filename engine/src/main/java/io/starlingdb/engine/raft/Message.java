package io.starlingdb.engine.raft;

import java.util.List;
import java.util.Objects;

/**
 * One message between replicas of a group. Which fields mean something depends on the type;
 * the others are zero, empty or null.
 *
 * @param logTerm    APPEND: term of the entry at index; VOTE: term of the candidate's last entry;
 *                   rejected APPEND_RESPONSE: term of the follower's entry at rejectHint
 * @param index      APPEND: index preceding the entries; VOTE: candidate's last index;
 *                   APPEND_RESPONSE: last matching index (or the rejected index);
 *                   READ_INDEX_RESPONSE: the read index
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

    static Message of(MessageType type, long from, long to, long term) {
        return new Message(type, from, to, term, 0, 0, List.of(), 0, false, 0, null, 0);
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
