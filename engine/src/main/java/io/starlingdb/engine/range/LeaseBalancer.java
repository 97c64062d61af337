package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which lease a store hands away so that leases spread evenly over the stores: pure,
 * from the store's view of who leads each range it holds. A store leading at least its share
 * (the total divided by the number of stores, rounded up) moves one lease to the voter of that
 * range that leads the fewest, if that voter leads at least two fewer (so two stores never pass
 * a lease back and forth: every move narrows the spread). One move per round: the next round
 * sees its effect. Seven leases on three stores end 3, 2, 2, never 3, 3, 1. The meta range's
 * lease moves only when no other lease can.
 */
public final class LeaseBalancer {

    /** A leadership transfer to ask for. */
    public record Move(long rangeId, long target) {
    }

    private LeaseBalancer() {
    }

    /**
     * @param self    this store
     * @param leaders the leader of each range this store holds (0: none known)
     * @param voters  the voters of each of those ranges
     * @param stores  every store of the cluster
     * @return the move this store should make, or null
     */
    public static Move choose(long self, Map<Long, Long> leaders, Map<Long, Set<Long>> voters, Set<Long> stores) {
        if (stores.isEmpty()) {
            return null;
        }
        Map<Long, Integer> counts = new TreeMap<>();
        for (long s : stores) {
            counts.put(s, 0);
        }
        int total = 0;
        for (long leader : leaders.values()) {
            if (leader != 0) {
                counts.merge(leader, 1, Integer::sum);
                total++;
            }
        }
        int share = (total + stores.size() - 1) / stores.size();
        int mine = counts.getOrDefault(self, 0);
        if (mine < share) {
            return null;
        }
        Move best = null;
        int bestCount = Integer.MAX_VALUE;
        List<Long> ranges = new ArrayList<>(new TreeMap<>(leaders).keySet());
        // The meta range's lease last: moving it stops the timestamp oracle, hence every
        // transaction, until the new leaseholder has loaded the mark (right after a failover, when
        // one store holds every lease, that is the worst moment).
        if (ranges.remove(MetaKeys.metaRangeId)) {
            ranges.add(MetaKeys.metaRangeId);
        }
        for (long range : ranges) {
            if (leaders.get(range) != self || (best != null && range == MetaKeys.metaRangeId)) {
                continue;
            }
            for (long v : voters.getOrDefault(range, Set.of())) {
                int c = counts.getOrDefault(v, Integer.MAX_VALUE);
                if (v != self && c <= mine - 2 && c < bestCount) {
                    best = new Move(range, v);
                    bestCount = c;
                }
            }
        }
        return best;
    }
}
