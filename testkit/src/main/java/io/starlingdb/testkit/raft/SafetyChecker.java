package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.Entry;
import io.starlingdb.engine.raft.RaftCore;
import io.starlingdb.engine.raft.Role;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft's safety properties, checked incrementally after every step of the simulation:
 * <ul>
 *   <li>election safety: at most one leader per term;</li>
 *   <li>log matching: two entries with the same index and term carry the same command and
 *       follow entries of the same term (so, by induction, the logs are identical up to them);</li>
 *   <li>leader completeness: an entry committed in term T is in the log of every leader of a
 *       term after T;</li>
 *   <li>state-machine safety: no two replicas apply different commands at one index, and
 *       replicas that applied the same prefix have the same state.</li>
 * </ul>
 * A violation throws {@link SafetyViolation}.
 */
public final class SafetyChecker {

    public static final class SafetyViolation extends RuntimeException {
        public SafetyViolation(String message) {
            super(message);
        }
    }

    private record IndexTerm(long index, long term) {
    }

    private record Seen(int hash, long prevTerm, long node) {
    }

    private final TreeMap<Long, Long> leaders = new TreeMap<>();
    private final HashMap<IndexTerm, Seen> entries = new HashMap<>();
    /** committedTerm[i], committedHash[i], commitTerm[i]: the entry committed at index i and the term it was first seen committed in. */
    private long[] committedTerm = new long[1024];
    private int[] committedHash = new int[1024];
    private long[] commitTerm = new long[1024];
    private long maxCommitted;
    private final HashMap<Long, Integer> digests = new HashMap<>();
    private final Map<Long, Long> checkedCommit = new HashMap<>();

    static int hash(Entry e) {
        return Arrays.hashCode(e.data()) * 31 + e.type().ordinal();
    }

    /** A node persisted these entries; prevTerm of each is read from its log (-1 if compacted). */
    public void onPersisted(RaftCore core, Iterable<Entry> persisted) {
        for (Entry e : persisted) {
            long prevTerm = core.termAt(e.index() - 1);
            Seen now = new Seen(hash(e), prevTerm, core.id());
            Seen before = entries.putIfAbsent(new IndexTerm(e.index(), e.term()), now);
            if (before != null) {
                if (before.hash != now.hash) {
                    throw new SafetyViolation("log matching: entry " + e.index() + "@" + e.term() + " differs between node "
                            + before.node + " and node " + core.id());
                }
                if (before.prevTerm >= 0 && prevTerm >= 0 && before.prevTerm != prevTerm) {
                    throw new SafetyViolation("log matching: entry " + e.index() + "@" + e.term() + " follows term "
                            + before.prevTerm + " on node " + before.node + " but term " + prevTerm + " on node " + core.id());
                }
            }
        }
    }

    /** Called after every step of a node. */
    public void afterStep(RaftCore core) {
        if (core.role() == Role.LEADER) {
            Long prev = leaders.putIfAbsent(core.term(), core.id());
            if (prev != null && prev != core.id()) {
                throw new SafetyViolation("election safety: nodes " + prev + " and " + core.id() + " both lead term " + core.term());
            }
            if (prev == null) {
                checkLeaderHasCommitted(core);
            }
        }
        long from = checkedCommit.getOrDefault(core.id(), 0L);
        for (long i = Math.max(from + 1, core.firstIndex()); i <= core.committed(); i++) {
            Entry e = core.entryAt(i);
            recordCommitted(core, e);
        }
        checkedCommit.put(core.id(), Math.max(from, core.committed()));
    }

    private void recordCommitted(RaftCore core, Entry e) {
        int i = (int) e.index();
        ensureCapacity(i);
        if (committedTerm[i] == 0) {
            committedTerm[i] = e.term();
            committedHash[i] = hash(e);
            commitTerm[i] = core.term();
            maxCommitted = Math.max(maxCommitted, i);
        } else {
            if (committedTerm[i] != e.term() || committedHash[i] != hash(e)) {
                throw new SafetyViolation("committed entry " + i + " is " + committedTerm[i] + "/" + committedHash[i]
                        + " elsewhere but " + e.term() + "/" + hash(e) + " on node " + core.id());
            }
            commitTerm[i] = Math.min(commitTerm[i], core.term());
        }
    }

    private void checkLeaderHasCommitted(RaftCore leader) {
        for (long i = leader.firstIndex(); i <= maxCommitted; i++) {
            int k = (int) i;
            if (committedTerm[k] != 0 && commitTerm[k] < leader.term() && leader.termAt(i) != committedTerm[k]) {
                throw new SafetyViolation("leader completeness: entry " + i + "@" + committedTerm[k] + " committed in term "
                        + commitTerm[k] + " is missing from node " + leader.id() + ", leader of term " + leader.term()
                        + " (has term " + leader.termAt(i) + ")");
            }
        }
    }

    /** A node applied entry e and its state machine now has the given digest. */
    public void onApplied(long node, Entry e, int digest) {
        int i = (int) e.index();
        ensureCapacity(i);
        if (committedTerm[i] == 0) {
            throw new SafetyViolation("node " + node + " applied entry " + e.index() + "@" + e.term() + " never seen committed");
        }
        if (committedTerm[i] != e.term() || committedHash[i] != hash(e)) {
            throw new SafetyViolation("state machine safety: node " + node + " applied " + e.index() + "@" + e.term()
                    + " but the committed entry there is of term " + committedTerm[i]);
        }
        Integer before = digests.putIfAbsent(e.index(), digest);
        if (before != null && before != digest) {
            throw new SafetyViolation("state machine safety: node " + node + " has state " + digest + " after applying "
                    + e.index() + ", another replica had " + before);
        }
    }

    /** A node restored a snapshot at index with this state digest. */
    public void onSnapshotRestored(long node, long index, int digest) {
        Integer before = digests.putIfAbsent(index, digest);
        if (before != null && before != digest) {
            throw new SafetyViolation("state machine safety: node " + node + " restored a snapshot at " + index
                    + " with state " + digest + ", another replica had " + before);
        }
    }

    public long leaderCount() {
        return leaders.size();
    }

    public long maxCommitted() {
        return maxCommitted;
    }

    private void ensureCapacity(int i) {
        if (i >= committedTerm.length) {
            int n = Math.max(i + 1, committedTerm.length * 2);
            committedTerm = Arrays.copyOf(committedTerm, n);
            committedHash = Arrays.copyOf(committedHash, n);
            commitTerm = Arrays.copyOf(commitTerm, n);
        }
    }

    @Override
    public String toString() {
        return new ArrayList<>(leaders.entrySet()).toString();
    }
}
