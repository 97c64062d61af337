package io.starlingdb.testkit.placement;

import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeDescriptor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a test of a live cluster checks about where the replicas of its ranges are, from meta's descriptors. */
public final class ReplicaCounts {

    private ReplicaCounts() {
    }

    /**
     * Replicas (voters and learners) per store over the ranges; each store named in
     * {@code stores} appears, with 0 if it holds none, and so does any other store holding one.
     */
    public static Map<Long, Integer> perStore(List<RangeDescriptor> ranges, long... stores) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (long s : stores) {
            counts.put(s, 0);
        }
        for (RangeDescriptor d : ranges) {
            for (long v : d.conf().voters()) {
                counts.merge(v, 1, Integer::sum);
            }
            for (long l : d.conf().learners()) {
                counts.merge(l, 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * Whether placement has come to rest on exactly {@code stores}: no range has a learner,
     * every user range (all but the meta range) has {@code replicas} voters, no other store holds
     * a replica, and the stores' replica counts differ by at most one.
     */
    public static boolean balanced(List<RangeDescriptor> ranges, int replicas, long... stores) {
        Map<Long, Integer> counts = perStore(ranges, stores);
        return counts.size() == stores.length
                && ranges.stream().allMatch(d -> d.conf().learners().isEmpty())
                && ranges.stream().filter(d -> d.rangeId() != MetaKeys.metaRangeId)
                        .allMatch(d -> d.conf().voters().size() == replicas)
                && Collections.max(counts.values()) - Collections.min(counts.values()) <= 1;
    }
}
