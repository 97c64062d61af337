package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a range's replicas should be, and the one step that brings them closer: pure (no I/O,
 * no clock), so the simulator and unit tests run it as the nodes do. The range's leaseholder
 * asks it every placement check and carries out the step it answers; the next check sees the
 * result and answers the next step, so a replacement is learner, snapshot, promote, remove over
 * a few checks, and a crash between steps leaves a state the next leaseholder continues from.
 *
 * <p>Rules, first that applies:
 * <ol>
 * <li>a learner on a store that is not usable is removed; a learner that has caught up is
 *     promoted; a learner still catching up is waited for;</li>
 * <li>the leaseholder on a store being drained hands its lease to a good voter;</li>
 * <li>fewer good voters than wanted: add a learner on the best candidate;</li>
 * <li>more voters than to keep: a voter on a dead, draining or removed store goes first, else
 *     the one on the most loaded store; removing the leaseholder's own voter first hands its
 *     lease away. The count to keep is the replication factor, at most the active stores (dead
 *     ones included): a dead store that nothing can replace keeps its voter;</li>
 * <li>balance: when a voter's store holds at least two replicas more than a candidate, add a
 *     learner there (rule 4 then removes the voter on the most loaded store).</li>
 * </ol>
 * A store is <em>usable</em> if it is live and active; a voter is <em>good</em> if its store is
 * usable. The wanted count is the replication factor, at most the usable stores. The best
 * candidate is a usable store without a replica of the range, in a zone none of the good voters
 * is in if there is one, then with the fewest replicas, then the lowest id.
 */
public final class Placement {

    /** A learner this many log entries or fewer behind the commit index counts as caught up. */
    public static final long caughtUpLagEntries = 64;

    private Placement() {
    }

    /** What placement knows of a store. */
    public record StoreView(long storeId, String zone, StoreRecord.State state, boolean live) {
        boolean usable() {
            return live && state == StoreRecord.State.ACTIVE;
        }
    }

    /** One step. */
    public sealed interface Action {
    }

    /** Host an empty replica on the store, then add it as a learner: the leader sends it a snapshot. */
    public record AddLearner(long storeId) implements Action {
    }

    public record Promote(long storeId) implements Action {
    }

    public record Remove(long storeId) implements Action {
    }

    /** The leaseholder hands its lease to this voter first. */
    public record TransferLease(long storeId) implements Action {
    }

    /**
     * The next step for range d, whose leaseholder is the store leader.
     *
     * @param factor    the replication factor wanted for this range
     * @param matched   the log index each member has replicated, as the leader knows it
     * @param committed the leader's commit index
     * @param stores    every store placement knows, by id (a member missing here counts as dead)
     * @param replicas  the number of replicas each store holds, over all ranges
     * @return the step, or null if the range is where it should be (or must wait)
     */
    public static Action decide(RangeDescriptor d, long leader, int factor, Map<Long, Long> matched, long committed,
                                Map<Long, StoreView> stores, Map<Long, Integer> replicas) {
        Set<Long> voters = d.conf().voters();
        for (long l : d.conf().learners()) {
            if (!usable(stores, l)) {
                return new Remove(l);
            }
            long match = matched.getOrDefault(l, 0L);
            if (match > 0 && match + caughtUpLagEntries >= committed) {
                return new Promote(l);
            }
            return null; // its snapshot is on the way
        }
        List<Long> good = new ArrayList<>();
        List<Long> bad = new ArrayList<>();
        for (long v : voters) {
            (usable(stores, v) ? good : bad).add(v);
        }
        if (stores.containsKey(leader) && stores.get(leader).state() != StoreRecord.State.ACTIVE) {
            Long to = leastLoaded(good, replicas);
            if (to != null && to != leader) {
                return new TransferLease(to);
            }
        }
        int usableStores = (int) stores.values().stream().filter(StoreView::usable).count();
        int remaining = (int) stores.values().stream().filter(v -> v.state() == StoreRecord.State.ACTIVE).count();
        int want = Math.max(1, Math.min(factor, usableStores));
        // Never fewer voters than this: a dead store that nothing replaces keeps its voter (it may
        // come back, and removing it would only lower the number of failures the range survives).
        int keep = Math.max(want, Math.min(factor, remaining));
        List<Long> candidates = candidates(d, stores);
        if (good.size() < want && !candidates.isEmpty()) {
            return new AddLearner(best(candidates, good, stores, replicas));
        }
        if (voters.size() > keep) {
            Long remove = bad.isEmpty() ? Long.valueOf(mostLoaded(good, replicas))
                    : bad.stream().min(Comparator.comparingInt((Long s) -> stores.containsKey(s) ? 1 : 0)
                    .thenComparing(s -> s)).orElseThrow();
            if (remove == leader) {
                Long to = leastLoaded(without(good, leader), replicas);
                return to == null ? null : new TransferLease(to);
            }
            return new Remove(remove);
        }
        if (bad.isEmpty() && good.size() == want && !candidates.isEmpty()) {
            long fullest = mostLoaded(good, replicas);
            long target = best(candidates, without(good, fullest), stores, replicas);
            if (replicas.getOrDefault(fullest, 0) - replicas.getOrDefault(target, 0) >= 2) {
                return new AddLearner(target);
            }
        }
        return null;
    }

    private static boolean usable(Map<Long, StoreView> stores, long id) {
        StoreView s = stores.get(id);
        return s != null && s.usable();
    }

    private static List<Long> candidates(RangeDescriptor d, Map<Long, StoreView> stores) {
        List<Long> out = new ArrayList<>();
        for (StoreView s : stores.values()) {
            if (s.usable() && !d.conf().isMember(s.storeId())) {
                out.add(s.storeId());
            }
        }
        out.sort(null);
        return out;
    }

    /** The candidate in a zone no good voter is in (if any is), then with the fewest replicas, then the lowest id. */
    private static long best(List<Long> candidates, List<Long> good, Map<Long, StoreView> stores,
                             Map<Long, Integer> replicas) {
        Set<String> zones = new HashSet<>();
        for (long g : good) {
            zones.add(stores.get(g).zone());
        }
        return candidates.stream().min(Comparator
                .comparingInt((Long c) -> zones.contains(stores.get(c).zone()) ? 1 : 0)
                .thenComparingInt(c -> replicas.getOrDefault(c, 0))
                .thenComparing(c -> c)).orElseThrow();
    }

    private static long mostLoaded(List<Long> stores, Map<Long, Integer> replicas) {
        return stores.stream().max(Comparator.comparingInt((Long s) -> replicas.getOrDefault(s, 0))
                .thenComparing(s -> -s)).orElseThrow();
    }

    private static Long leastLoaded(List<Long> stores, Map<Long, Integer> replicas) {
        return stores.stream().min(Comparator.comparingInt((Long s) -> replicas.getOrDefault(s, 0))
                .thenComparing(s -> s)).orElse(null);
    }

    private static List<Long> without(List<Long> list, long id) {
        List<Long> out = new ArrayList<>(list);
        out.remove(id);
        return out;
    }
}
