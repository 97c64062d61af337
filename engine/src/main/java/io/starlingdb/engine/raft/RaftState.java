package io.starlingdb.engine.raft;

import java.util.List;
import java.util.Objects;

/**
 * The durable state a replica starts from: what its storage recovered, or the bootstrap state
 * of a new group (empty log, the initial configuration).
 *
 * @param snapshot  the latest persisted snapshot, or null
 * @param entries   the persisted log after the snapshot, contiguous
 * @param bootstrap the group's initial configuration, used when there is no snapshot
 */
public record RaftState(HardState hardState, Snapshot snapshot, List<Entry> entries, ConfState bootstrap) {
    public RaftState {
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(bootstrap, "bootstrap");
        entries = List.copyOf(entries);
    }

    public static RaftState fresh(ConfState bootstrap) {
        return new RaftState(HardState.EMPTY, null, List.of(), bootstrap);
    }

    /**
     * A new group whose state machine already holds its state as of index (term), with conf:
     * the log starts at index + 1 and the durable state records a snapshot point at index, with
     * no data. A replica created empty (its log at 0) can then only be initialised by a snapshot
     * from the leader, never by replaying a log it has no starting state for. The term is the
     * replicas' starting term, so every entry appended later has a term at least as high.
     */
    public static RaftState initial(ConfState conf, long index, long term) {
        return new RaftState(new HardState(term, 0, index), new Snapshot(index, term, conf, new byte[0]), List.of(), conf);
    }

    /**
     * Whether this is the durable state of an empty group (a replica hosted to be initialised by
     * a snapshot, {@link RaftLogStore#resetToEmpty}): no members, no snapshot point, no log.
     */
    public boolean isEmptyGroup() {
        return bootstrap.equals(ConfState.NONE) && snapshot == null && entries.isEmpty();
    }

    /**
     * This state with the term and vote of a removed earlier replica of the group where they are
     * ahead (the commit index stays this state's: the earlier log is gone).
     */
    public RaftState withTermAndVoteOf(HardState earlier) {
        HardState h = hardState;
        if (earlier.term() > h.term()) {
            h = new HardState(earlier.term(), earlier.vote(), h.commit());
        } else if (earlier.term() == h.term() && h.vote() == 0) {
            h = new HardState(h.term(), earlier.vote(), h.commit());
        }
        return new RaftState(h, snapshot, entries, bootstrap);
    }
}
