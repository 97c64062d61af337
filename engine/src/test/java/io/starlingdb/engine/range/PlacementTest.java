package io.starlingdb.engine.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static RangeDescriptor range(long id, Set<Long> voters, Set<Long> learners) {
        return new RangeDescriptor(id, new byte[] {(byte) id}, new byte[] {(byte) (id + 1)}, new ConfState(voters, learners), 1);
    }

    private static Map<Long, Placement.StoreView> stores(long... ids) {
        Map<Long, Placement.StoreView> out = new TreeMap<>();
        for (long id : ids) {
            out.put(id, new Placement.StoreView(id, "z" + id, StoreRecord.State.ACTIVE, true));
        }
        return out;
    }

    private static Placement.Action decide(RangeDescriptor d, long leader, Map<Long, Placement.StoreView> stores,
                                           Map<Long, Integer> replicas) {
        return Placement.decide(d, leader, 3, Map.of(), 100, stores, replicas);
    }

    @Test
    void aJoiningStoreReceivesAReplicaFromTheFullestStores() {
        RangeDescriptor d = range(2, Set.of(1L, 2L, 3L), Set.of());
        Map<Long, Integer> counts = Map.of(1L, 5, 2L, 5, 3L, 5);
        assertEquals(new Placement.AddLearner(4), decide(d, 1, stores(1, 2, 3, 4), counts));
        assertNull(decide(d, 1, stores(1, 2, 3, 4), Map.of(1L, 5, 2L, 5, 3L, 5, 4L, 4)), "one replica apart: balanced");
    }

    @Test
    void aLearnerIsPromotedOnceCaughtUpThenTheFullestVoterGoes() {
        RangeDescriptor d = range(2, Set.of(1L, 2L, 3L), Set.of(4L));
        Map<Long, Integer> counts = Map.of(1L, 5, 2L, 6, 3L, 5, 4L, 1);
        assertNull(Placement.decide(d, 1, 3, Map.of(4L, 0L), 100, stores(1, 2, 3, 4), counts), "no snapshot yet");
        assertNull(Placement.decide(d, 1, 3, Map.of(4L, 30L), 100, stores(1, 2, 3, 4), counts), "far behind");
        assertEquals(new Placement.Promote(4), Placement.decide(d, 1, 3, Map.of(4L, 90L), 100, stores(1, 2, 3, 4), counts));
        RangeDescriptor four = range(2, Set.of(1L, 2L, 3L, 4L), Set.of());
        assertEquals(new Placement.Remove(2), decide(four, 1, stores(1, 2, 3, 4), counts));
        assertEquals(new Placement.TransferLease(4), decide(four, 2, stores(1, 2, 3, 4), counts),
                "the leaseholder's own voter goes after it hands the lease to the least loaded good voter");
    }

    @Test
    void aDeadStoresReplicasAreReplacedAndOnlyThenRemoved() {
        Map<Long, Placement.StoreView> s = stores(1, 2, 3, 4);
        s.put(3L, new Placement.StoreView(3, "z3", StoreRecord.State.ACTIVE, false));
        Map<Long, Integer> counts = Map.of(1L, 1, 2L, 1, 3L, 1);
        assertEquals(new Placement.AddLearner(4), decide(range(2, Set.of(1L, 2L, 3L), Set.of()), 1, s, counts));
        assertEquals(new Placement.Remove(3), decide(range(2, Set.of(1L, 2L, 3L, 4L), Set.of()), 1, s, counts));
        // With no store to replace it on, the dead voter stays: it may come back, and removing
        // it would leave two replicas.
        Map<Long, Placement.StoreView> three = stores(1, 2, 3);
        three.put(3L, new Placement.StoreView(3, "z3", StoreRecord.State.ACTIVE, false));
        assertNull(decide(range(2, Set.of(1L, 2L, 3L), Set.of()), 1, three, counts));
        // A learner on a store that died is removed.
        assertEquals(new Placement.Remove(3), decide(range(2, Set.of(1L, 2L, 4L), Set.of(3L)), 1, s, counts));
    }

    @Test
    void aDrainingStoreHandsItsLeaseAwayAndLosesItsReplica() {
        Map<Long, Placement.StoreView> s = stores(1, 2, 3, 4);
        s.put(2L, new Placement.StoreView(2, "z2", StoreRecord.State.DRAINING, true));
        Map<Long, Integer> counts = Map.of(1L, 3, 2L, 1, 3L, 2, 4L, 2);
        RangeDescriptor d = range(2, Set.of(1L, 2L, 3L), Set.of());
        assertEquals(new Placement.TransferLease(3), decide(d, 2, s, counts));
        assertEquals(new Placement.AddLearner(4), decide(d, 1, s, counts));
        assertEquals(new Placement.Remove(2), decide(range(2, Set.of(1L, 2L, 3L, 4L), Set.of()), 1, s, counts));
    }

    @Test
    void replicasGoToZonesTheRangeIsNotInYet() {
        Map<Long, Placement.StoreView> s = new TreeMap<>();
        s.put(1L, new Placement.StoreView(1, "a", StoreRecord.State.ACTIVE, true));
        s.put(2L, new Placement.StoreView(2, "b", StoreRecord.State.ACTIVE, true));
        s.put(3L, new Placement.StoreView(3, "a", StoreRecord.State.ACTIVE, true));
        s.put(4L, new Placement.StoreView(4, "c", StoreRecord.State.ACTIVE, true));
        Map<Long, Integer> counts = Map.of(1L, 1, 2L, 1, 3L, 0, 4L, 5);
        assertEquals(new Placement.AddLearner(4), decide(range(2, Set.of(1L, 2L), Set.of()), 1, s, counts),
                "zone c although store 4 is the fullest");
    }

    @Test
    void aClusterOfOneGrowsToTheReplicationFactorAndTheMetaRangeToFive() {
        RangeDescriptor d = range(2, Set.of(1L), Set.of());
        assertNull(decide(d, 1, stores(1), Map.of(1L, 2)), "one store: one replica");
        assertEquals(new Placement.AddLearner(2), decide(d, 1, stores(1, 2, 3), Map.of(1L, 2)));
        RangeDescriptor meta = range(1, Set.of(1L, 2L, 3L), Set.of());
        assertEquals(new Placement.AddLearner(4),
                Placement.decide(meta, 1, 5, Map.of(), 10, stores(1, 2, 3, 4, 5, 6), Map.of(1L, 2, 2L, 2, 3L, 2)));
        assertNull(Placement.decide(meta, 1, 5, Map.of(), 10, stores(1, 2, 3), Map.of(1L, 2, 2L, 2, 3L, 2)));
    }

    /**
     * Many ranges on three stores, a fourth joins, then one of the first three dies: applying
     * each leaseholder's steps converges (no step forever), with every range on three live
     * stores, each store within one replica of the others.
     */
    @Test
    void placementConvergesWithoutMovingReplicasBackAndForth() {
        List<RangeDescriptor> ranges = new ArrayList<>();
        for (long id = 1; id <= 12; id++) {
            ranges.add(range(id, Set.of(1L, 2L, 3L), Set.of()));
        }
        Map<Long, Placement.StoreView> s = stores(1, 2, 3, 4);
        int steps = settle(ranges, s);
        assertTrue(steps > 0 && steps < 100, "steps: " + steps);
        assertBalanced(ranges, s);

        s.put(2L, new Placement.StoreView(2, "z2", StoreRecord.State.ACTIVE, false));
        steps = settle(ranges, s);
        assertTrue(steps > 0 && steps < 100, "steps: " + steps);
        assertBalanced(ranges, s);
        for (RangeDescriptor d : ranges) {
            assertTrue(!d.conf().isMember(2), "the dead store holds nothing: " + d);
        }
    }

    /** Applies steps (a range's leader starts as its lowest voter) until none is left; returns how many. */
    private static int settle(List<RangeDescriptor> ranges, Map<Long, Placement.StoreView> stores) {
        Map<Long, Long> leaders = new HashMap<>();
        int steps = 0;
        for (int round = 0; round < 1_000; round++) {
            boolean any = false;
            for (int i = 0; i < ranges.size(); i++) {
                RangeDescriptor d = ranges.get(i);
                Map<Long, Integer> counts = new HashMap<>();
                for (RangeDescriptor r : ranges) {
                    for (long m : r.conf().voters()) {
                        counts.merge(m, 1, Integer::sum);
                    }
                    for (long m : r.conf().learners()) {
                        counts.merge(m, 1, Integer::sum);
                    }
                }
                Long leader = leaders.get(d.rangeId());
                if (leader == null || !d.conf().voters().contains(leader) || !stores.get(leader).live()) {
                    // An election among the live voters.
                    leader = d.conf().voters().stream().filter(v -> stores.get(v).live()).min(Long::compare).orElseThrow();
                }
                leaders.put(d.rangeId(), leader);
                Map<Long, Long> matched = new HashMap<>();
                d.conf().learners().forEach(l -> matched.put(l, 100L));
                Placement.Action a = Placement.decide(d, leader, 3, matched, 100, stores, counts);
                if (a == null) {
                    continue;
                }
                steps++;
                any = true;
                if (a instanceof Placement.TransferLease t) {
                    leaders.put(d.rangeId(), t.storeId());
                    continue;
                }
                ConfChange cc = a instanceof Placement.AddLearner add ? new ConfChange(ConfChange.Type.ADD_LEARNER, add.storeId())
                        : a instanceof Placement.Promote p ? new ConfChange(ConfChange.Type.PROMOTE, p.storeId())
                        : new ConfChange(ConfChange.Type.REMOVE, ((Placement.Remove) a).storeId());
                ranges.set(i, new RangeDescriptor(d.rangeId(), d.start(), d.end(), d.conf().apply(cc), d.generation() + 1));
            }
            if (!any) {
                return steps;
            }
        }
        throw new AssertionError("placement never settled: " + ranges);
    }

    private static void assertBalanced(List<RangeDescriptor> ranges, Map<Long, Placement.StoreView> stores) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (Placement.StoreView s : stores.values()) {
            if (s.usable()) {
                counts.put(s.storeId(), 0);
            }
        }
        for (RangeDescriptor d : ranges) {
            assertEquals(3, d.conf().voters().size(), d.toString());
            assertTrue(d.conf().learners().isEmpty(), d.toString());
            for (long v : d.conf().voters()) {
                assertTrue(stores.get(v).usable(), d.toString());
                counts.merge(v, 1, Integer::sum);
            }
        }
        assertTrue(new TreeSet<>(counts.values()).last() - new TreeSet<>(counts.values()).first() <= 1,
                "replicas per store: " + counts);
    }
}
