package io.starlingdb.engine.raft;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/** The members of a group: voters count toward quorums, learners only receive the log. Sorted, immutable. */
public record ConfState(Set<Long> voters, Set<Long> learners) {

    public ConfState {
        voters = Collections.unmodifiableSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSet(new TreeSet<>(learners));
        for (Long l : learners) {
            if (voters.contains(l)) {
                throw new IllegalArgumentException("node " + l + " is both voter and learner");
            }
        }
    }

    /**
     * No members: the configuration of a replica created empty that waits for its first snapshot
     * (it never campaigns; the snapshot brings the group's configuration).
     */
    public static final ConfState NONE = new ConfState(Set.of(), Set.of());

    public static ConfState ofVoters(Long... ids) {
        return new ConfState(Set.of(ids), Set.of());
    }

    public boolean isMember(long id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** The configuration after applying one change; throws if the change does not fit this configuration. */
    public ConfState apply(ConfChange cc) {
        TreeSet<Long> v = new TreeSet<>(voters);
        TreeSet<Long> l = new TreeSet<>(learners);
        switch (cc.type()) {
            case ADD_LEARNER:
                if (isMember(cc.nodeId())) {
                    throw new IllegalArgumentException("node " + cc.nodeId() + " is already a member");
                }
                l.add(cc.nodeId());
                break;
            case PROMOTE:
                if (!learners.contains(cc.nodeId())) {
                    throw new IllegalArgumentException("node " + cc.nodeId() + " is not a learner");
                }
                l.remove(cc.nodeId());
                v.add(cc.nodeId());
                break;
            case REMOVE:
                if (!isMember(cc.nodeId())) {
                    throw new IllegalArgumentException("node " + cc.nodeId() + " is not a member");
                }
                if (voters.contains(cc.nodeId()) && voters.size() == 1) {
                    throw new IllegalArgumentException("cannot remove the last voter " + cc.nodeId());
                }
                v.remove(cc.nodeId());
                l.remove(cc.nodeId());
                break;
            default:
                throw new IllegalStateException("unknown change " + cc.type());
        }
        return new ConfState(v, l);
    }
}
