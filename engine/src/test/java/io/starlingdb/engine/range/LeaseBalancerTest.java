package io.starlingdb.engine.range;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LeaseBalancerTest {

    private static final Set<Long> three = Set.of(1L, 2L, 3L);

    private static Map<Long, Set<Long>> everywhere(int ranges) {
        Map<Long, Set<Long>> voters = new HashMap<>();
        for (long r = 1; r <= ranges; r++) {
            voters.put(r, three);
        }
        return voters;
    }

    @Test
    void aStoreLeadingEverythingHandsLeasesToTheLeastLoadedVoter() {
        Map<Long, Long> leaders = new HashMap<>();
        for (long r = 1; r <= 6; r++) {
            leaders.put(r, 1L);
        }
        leaders.put(6L, 2L);
        LeaseBalancer.Move move = LeaseBalancer.choose(1, leaders, everywhere(6), three);
        assertEquals(new LeaseBalancer.Move(2, 3), move, "range 2: the meta range's lease (range 1) moves last");
        assertNull(LeaseBalancer.choose(2, leaders, everywhere(6), three), "store 2 is under its share");
    }

    @Test
    void balancedOrNearlyBalancedLeasesStayWhereTheyAre() {
        Map<Long, Long> leaders = Map.of(1L, 1L, 2L, 1L, 3L, 2L, 4L, 2L, 5L, 3L);
        for (long s = 1; s <= 3; s++) {
            assertNull(LeaseBalancer.choose(s, leaders, everywhere(5), three));
        }
    }

    @Test
    void aStoreAtItsShareStillGivesToAStoreTwoBelow() {
        // Seven leases 3, 3, 1: store 2 (at its share of 3) hands one to store 1.
        Map<Long, Long> leaders = Map.of(1L, 1L, 2L, 2L, 3L, 2L, 4L, 2L, 5L, 3L, 6L, 3L, 7L, 3L);
        assertEquals(new LeaseBalancer.Move(2, 1), LeaseBalancer.choose(2, leaders, everywhere(7), three));
        assertNull(LeaseBalancer.choose(1, leaders, everywhere(7), three), "store 1 is under its share");
    }

    /** After a failover one store holds both leases: the user range's moves, the meta range's (the oracle) stays. */
    @Test
    void theMetaRangesLeaseMovesOnlyWhenNoOtherCan() {
        long meta = MetaKeys.metaRangeId;
        long user = MetaKeys.firstUserRangeId;
        Map<Long, Long> leaders = Map.of(meta, 2L, user, 2L);
        Map<Long, Set<Long>> voters = Map.of(meta, three, user, three);
        assertEquals(new LeaseBalancer.Move(user, 1), LeaseBalancer.choose(2, leaders, voters, Set.of(1L, 2L)));
        Map<Long, Set<Long>> userHereOnly = Map.of(meta, three, user, Set.of(2L));
        assertEquals(new LeaseBalancer.Move(meta, 1), LeaseBalancer.choose(2, leaders, userHereOnly, Set.of(1L, 2L)));
    }

    @Test
    void aLeaseOnlyMovesToAVoterOfItsRange() {
        Map<Long, Long> leaders = Map.of(1L, 1L, 2L, 1L, 3L, 1L);
        Map<Long, Set<Long>> voters = Map.of(1L, Set.of(1L, 2L), 2L, Set.of(1L, 2L), 3L, Set.of(1L, 2L));
        assertEquals(new LeaseBalancer.Move(2, 2), LeaseBalancer.choose(1, leaders, voters, three),
                "to store 2, the only other voter (range 2: the meta range's lease moves last)");
        Map<Long, Set<Long>> alone = Map.of(1L, Set.of(1L), 2L, Set.of(1L), 3L, Set.of(1L));
        assertNull(LeaseBalancer.choose(1, leaders, alone, three));
    }
}
