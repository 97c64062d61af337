package io.starlingdb.engine.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A replica's log in memory: the entries after the latest snapshot, the commit and apply
 * indexes, and which suffix has not yet been handed to the driver for persistence. The driver
 * compacts the log regularly, so memory stays bounded by the compaction threshold.
 */
final class RaftLog {
    private long snapIndex;
    private long snapTerm;
    /** entries.get(k).index() == snapIndex + 1 + k. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long committed;
    private long applied;
    /** First index not yet handed out in a Ready for persistence. */
    private long unstableFrom;
    /** Latest snapshot, kept to send to followers that are too far behind. */
    private Snapshot snapshot;
    /** A snapshot received from the leader, not yet persisted and applied. */
    private Snapshot pendingSnapshot;

    RaftLog(Snapshot snapshot, List<Entry> stable, long commit) {
        if (snapshot != null) {
            this.snapshot = snapshot;
            snapIndex = snapshot.index();
            snapTerm = snapshot.term();
        }
        long expect = snapIndex + 1;
        for (Entry e : stable) {
            if (e.index() != expect) {
                throw new IllegalStateException("recovered log is not contiguous: expected index " + expect + ", got " + e.index());
            }
            expect++;
            entries.add(e);
        }
        unstableFrom = lastIndex() + 1;
        applied = snapIndex;
        if (commit > lastIndex()) {
            throw new IllegalStateException("recovered commit " + commit + " is beyond the last index " + lastIndex());
        }
        committed = Math.max(commit, snapIndex);
    }

    long firstIndex() {
        return snapIndex + 1;
    }

    long lastIndex() {
        return snapIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long snapshotIndex() {
        return snapIndex;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Term of the entry at index; 0 for index 0; -1 if compacted away or beyond the last index. */
    long term(long index) {
        if (index == snapIndex) {
            return snapTerm;
        }
        if (index < snapIndex || index > lastIndex()) {
            return index == 0 ? 0 : -1;
        }
        return entries.get((int) (index - snapIndex - 1)).term();
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t >= 0 && t == term;
    }

    Entry entry(long index) {
        return entries.get((int) (index - snapIndex - 1));
    }

    /** A candidate's log (lastIndex, lastTerm) is at least as up to date as this one. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
    }

    /** Entries in [lo, hi) up to maxBytes (at least one); null if lo was compacted away. */
    List<Entry> slice(long lo, long hi, long maxBytes) {
        if (lo <= snapIndex) {
            return null;
        }
        hi = Math.min(hi, lastIndex() + 1);
        if (lo >= hi) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entry(i);
            bytes += e.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Leader append at the end of the log. */
    void append(Entry e) {
        if (e.index() != lastIndex() + 1) {
            throw new IllegalStateException("append of " + e.index() + " after last " + lastIndex());
        }
        entries.add(e);
    }

    /**
     * Follower append: if the log matches (prevIndex, prevTerm), appends the entries, truncating
     * a conflicting suffix, and commits up to min(commit, last new index). Returns the last new
     * index, or -1 if the log does not match.
     */
    long maybeAppend(long prevIndex, long prevTerm, long commit, List<Entry> ents) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + ents.size();
        for (int k = 0; k < ents.size(); k++) {
            Entry e = ents.get(k);
            if (e.index() <= lastIndex() && matchTerm(e.index(), e.term())) {
                continue;
            }
            if (e.index() <= committed) {
                throw new IllegalStateException("entry " + e + " conflicts with committed entry (commit " + committed + ")");
            }
            truncateFrom(e.index());
            for (int j = k; j < ents.size(); j++) {
                entries.add(ents.get(j));
            }
            break;
        }
        commitTo(Math.min(commit, lastNew));
        return lastNew;
    }

    private void truncateFrom(long index) {
        if (index <= lastIndex()) {
            entries.subList((int) (index - snapIndex - 1), entries.size()).clear();
        }
        unstableFrom = Math.min(unstableFrom, index);
    }

    /** Largest index &lt;= index whose term is &lt;= term (or the first compacted index). */
    long findConflictByTerm(long index, long term) {
        index = Math.min(index, lastIndex());
        for (; index > snapIndex; index--) {
            if (term(index) <= term) {
                return index;
            }
        }
        return index;
    }

    void commitTo(long index) {
        if (index > committed) {
            if (index > lastIndex()) {
                throw new IllegalStateException("commit " + index + " is beyond the last index " + lastIndex());
            }
            committed = index;
        }
    }

    /** Leader commit: only entries of the current term are committed by counting replicas. */
    boolean maybeCommit(long index, long term) {
        if (index > committed && term(index) == term) {
            commitTo(index);
            return true;
        }
        return false;
    }

    boolean hasUnstable() {
        return unstableFrom <= lastIndex();
    }

    List<Entry> unstableEntries() {
        if (!hasUnstable()) {
            return List.of();
        }
        return new ArrayList<>(entries.subList((int) (unstableFrom - snapIndex - 1), entries.size()));
    }

    /** Committed entries not yet applied; none while a received snapshot is pending. */
    List<Entry> committedToApply() {
        if (pendingSnapshot != null || applied >= committed) {
            return List.of();
        }
        return new ArrayList<>(entries.subList((int) (applied - snapIndex), (int) (committed - snapIndex)));
    }

    long lastStable() {
        return unstableFrom - 1;
    }

    void stableTo(long index) {
        unstableFrom = Math.max(unstableFrom, index + 1);
    }

    void appliedTo(long index) {
        if (index < applied || index > committed) {
            throw new IllegalStateException("applied " + index + " out of range [" + applied + ", " + committed + "]");
        }
        applied = index;
    }

    Snapshot pendingSnapshot() {
        return pendingSnapshot;
    }

    /** Replaces the whole log with a snapshot received from the leader. */
    void restore(Snapshot s) {
        if (s.index() <= committed) {
            throw new IllegalStateException("restore of " + s + " at or below commit " + committed);
        }
        entries.clear();
        snapIndex = s.index();
        snapTerm = s.term();
        snapshot = s;
        pendingSnapshot = s;
        committed = s.index();
        unstableFrom = s.index() + 1;
    }

    void snapshotApplied() {
        applied = pendingSnapshot.index();
        pendingSnapshot = null;
    }

    /** Drops entries up to index, which the state machine snapshot now covers. */
    void compact(Snapshot s) {
        if (s.index() <= snapIndex || s.index() > applied) {
            throw new IllegalStateException("compaction to " + s.index() + " outside (" + snapIndex + ", " + applied + "]");
        }
        entries.subList(0, (int) (s.index() - snapIndex)).clear();
        snapIndex = s.index();
        snapTerm = s.term();
        snapshot = s;
    }
}
