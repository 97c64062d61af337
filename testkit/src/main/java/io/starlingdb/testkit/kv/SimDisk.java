package io.starlingdb.testkit.kv;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.Entry;
import io.starlingdb.engine.raft.HardState;
import io.starlingdb.engine.raft.RaftState;
import io.starlingdb.engine.raft.Ready;
import io.starlingdb.engine.raft.Snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One node's simulated disk, modelled on RocksDB's one write-ahead log: every write (Raft log
 * appends, hard states, range data batches) goes into one ordered stream; a synced write makes
 * itself and everything before it durable; a crash keeps the durable writes and a random prefix
 * of the unsynced ones (an OS crash loses a suffix of the log, never a write in the middle).
 */
final class SimDisk {

    /** Durable Raft state of one group. */
    static final class GroupState {
        HardState hardState = HardState.EMPTY;
        Snapshot snapshot;
        /** entries.get(k).index() == snapshotIndex() + 1 + k. */
        final ArrayList<Entry> entries = new ArrayList<>();
        ConfState bootstrap;
        /** A replica of the group was destroyed here: an empty one hosted again must not vote. */
        boolean destroyed;

        long snapshotIndex() {
            return snapshot == null ? 0 : snapshot.index();
        }

        GroupState copy() {
            GroupState g = new GroupState();
            g.hardState = hardState;
            g.snapshot = snapshot;
            g.entries.addAll(entries);
            g.bootstrap = bootstrap;
            g.destroyed = destroyed;
            return g;
        }
    }

    /** Everything on the disk at one moment. */
    static final class Image {
        final TreeMap<byte[], byte[]> kv = new TreeMap<>(Arrays::compareUnsigned);
        final Map<Long, GroupState> groups = new HashMap<>();
        /**
         * A checker's record, written in the same write as each range batch: the log index whose
         * command produced it, per range. Independent of the range's own applied index, so a
         * range that forgets what it applied is caught re-applying a command.
         */
        final Map<Long, Long> shadowApplied = new HashMap<>();

        Image copy() {
            Image i = new Image();
            i.kv.putAll(kv);
            groups.forEach((id, g) -> i.groups.put(id, g.copy()));
            i.shadowApplied.putAll(shadowApplied);
            return i;
        }
    }

    private Image durable = new Image();
    private Image current = new Image();
    private final List<Consumer<Image>> unsynced = new ArrayList<>();

    /** What reads see: every write so far. */
    Image current() {
        return current;
    }

    /** Writes op (applied to the image now, and to the durable image once synced). */
    void write(Consumer<Image> op, boolean sync) {
        op.accept(current);
        unsynced.add(op);
        if (sync) {
            for (Consumer<Image> o : unsynced) {
                o.accept(durable);
            }
            unsynced.clear();
        }
    }

    /** The node dies: a random prefix of the unsynced writes reached the disk, the rest is lost. */
    int crash(Random random) {
        int kept = random.nextInt(unsynced.size() + 1);
        for (int i = 0; i < kept; i++) {
            unsynced.get(i).accept(durable);
        }
        int lost = unsynced.size() - kept;
        unsynced.clear();
        current = durable.copy();
        return lost;
    }

    /** Whether a replica of the group was destroyed here (its removal applied) and none was initialised since. */
    boolean durablyDestroyed(long group) {
        GroupState g = durable.groups.get(group);
        return g != null && g.destroyed && g.snapshot == null && g.entries.isEmpty();
    }

    /** Whether the durable image holds the group's entry (index, term), or a snapshot at or past index. */
    boolean durablyHolds(long group, long index, long term) {
        GroupState g = durable.groups.get(group);
        if (g == null) {
            return false;
        }
        if (index <= g.snapshotIndex()) {
            return true;
        }
        long k = index - g.snapshotIndex() - 1;
        return k < g.entries.size() && g.entries.get((int) k).term() == term;
    }

    // ------------------------------------------------------------------ Raft state

    /** Persists what a Ready asks for, in one write (synced if the Ready says so). */
    void persist(long group, Ready rd) {
        Snapshot snap = rd.snapshot();
        List<Entry> entries = List.copyOf(rd.entries());
        HardState hs = rd.hardState();
        if (snap == null && entries.isEmpty() && hs == null) {
            return;
        }
        write(image -> {
            GroupState g = image.groups.computeIfAbsent(group, k -> new GroupState());
            if (snap != null) {
                g.entries.clear();
                g.snapshot = snap;
            }
            if (!entries.isEmpty()) {
                long first = entries.get(0).index();
                long keep = first - g.snapshotIndex() - 1;
                if (keep < 0 || keep > g.entries.size()) {
                    throw new IllegalStateException("group " + group + ": persisted entries from " + first
                            + " leave a gap after " + (g.snapshotIndex() + g.entries.size()));
                }
                g.entries.subList((int) keep, g.entries.size()).clear();
                g.entries.addAll(entries);
            }
            if (hs != null) {
                g.hardState = hs;
            }
        }, rd.mustSync());
    }

    /** Persists a snapshot a replica took of its own state and drops the entries it covers (not synced). */
    void compact(long group, Snapshot s) {
        write(image -> {
            GroupState g = image.groups.get(group);
            if (g == null || s.index() <= g.snapshotIndex()) {
                return;
            }
            int drop = (int) Math.min(g.entries.size(), s.index() - g.snapshotIndex());
            g.entries.subList(0, drop).clear();
            g.snapshot = s;
        }, false);
    }

    /**
     * A replica of the group was destroyed (its range moved away): its log and snapshot point go,
     * its term and vote stay (synced), so a replica hosted here again never votes twice in a term.
     */
    void forgetLog(long group) {
        write(image -> {
            GroupState g = image.groups.computeIfAbsent(group, k -> new GroupState());
            g.hardState = new HardState(g.hardState.term(), g.hardState.vote(), 0);
            g.snapshot = null;
            g.entries.clear();
            g.bootstrap = ConfState.NONE;
            g.destroyed = true;
            image.shadowApplied.remove(group); // a replica hosted again may apply the same entries
        }, true);
    }

    /** Whether the disk holds state of the group, and whether a replica of it was destroyed here. */
    boolean holds(long group) {
        return current.groups.containsKey(group);
    }

    boolean destroyedHere(long group) {
        GroupState g = current.groups.get(group);
        return g != null && g.destroyed;
    }

    /**
     * As {@link #loadGroup}, for a group whose state machine holds exactly initial's state (split
     * off here): an empty group's state (hosted before the split reached the node) starts from
     * initial with its term and vote, as MultiRaft.createGroupAtInitialState does (synced).
     */
    RaftState loadGroupAtInitialState(long group, RaftState initial) {
        GroupState g = current.groups.get(group);
        if (g != null && g.bootstrap != null
                && new RaftState(g.hardState, g.snapshot, g.entries, g.bootstrap).isEmptyGroup()) {
            HardState kept = g.hardState;
            write(image -> {
                GroupState fresh = image.groups.computeIfAbsent(group, k -> new GroupState());
                RaftState start = initial.withTermAndVoteOf(kept);
                fresh.bootstrap = start.bootstrap();
                fresh.snapshot = start.snapshot();
                fresh.hardState = start.hardState();
                fresh.entries.clear();
            }, true);
        }
        return loadGroup(group, initial);
    }

    /** The group's durable state as of now, starting it from initialIfNew if the disk has none (synced). */
    RaftState loadGroup(long group, RaftState initialIfNew) {
        GroupState g = current.groups.get(group);
        if (g == null || g.bootstrap == null) {
            write(image -> {
                GroupState fresh = image.groups.computeIfAbsent(group, k -> new GroupState());
                fresh.bootstrap = initialIfNew.bootstrap();
                fresh.snapshot = initialIfNew.snapshot();
                fresh.hardState = initialIfNew.hardState();
                fresh.entries.clear();
            }, true);
            g = current.groups.get(group);
        }
        return new RaftState(g.hardState, g.snapshot, new ArrayList<>(g.entries), g.bootstrap);
    }
}
