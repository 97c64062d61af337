package io.starlingdb.engine.range;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseBalancerTest {

    private static final Set<Long> three = Set.of(1L, 2L, 3L);

    private static Map<Long, Set<Long>> everywhere(int ranges) {
        Map<Long, Set<Long>> voters = new HashMap<>();
        for (long r = 1; r <= ranges; r++) {
            voters.put(r, three);
        }
        return voters;
    }

    /**
     * A cluster seen the way stores see it: each store knows the leaders of the ranges it is a
     * voter of. A round lets each store in turn ask for a lease and the leaseholder it asks grant
     * it or not, as RangeService does.
     */
    private static final class Cluster {
        final Set<Long> stores;
        final Map<Long, Set<Long>> votersOf;
        final Map<Long, Long> truth;
        int moves;
        /**
         * Broken on purpose (as the KV simulator's LEASE_GRANT_WITHOUT_MARGIN): the asker says it
         * leads one fewer than it does, so a leaseholder grants with a margin of one, not two.
         */
        boolean withoutMargin;
        /** Moves that did not lower the sum of squared lease counts by 2 or more. */
        int movesNotLoweringPotential;
        /** The store sending most of each range's requests (the lease follows the workload); none by default. */
        Map<Long, Long> workload = Map.of();
        /** Moves that followed the workload. */
        int followMoves;
        /**
         * If not 0: the meta range's requests come from the store leading this range (its
         * leaseholder asks the oracle for every write's timestamp), wherever that lease goes.
         */
        long oracleAskedByLeaderOf;

        Cluster(Set<Long> stores, Map<Long, Set<Long>> votersOf, Map<Long, Long> leaders) {
            this.stores = new TreeSet<>(stores);
            this.votersOf = new TreeMap<>(votersOf);
            this.truth = new TreeMap<>(leaders);
        }

        Map<Long, Long> leadersSeenBy(long store) {
            Map<Long, Long> view = new HashMap<>();
            votersOf.forEach((r, vs) -> {
                if (vs.contains(store)) {
                    view.put(r, truth.get(r));
                }
            });
            return view;
        }

        Map<Long, Set<Long>> votersSeenBy(long store) {
            Map<Long, Set<Long>> view = new HashMap<>();
            votersOf.forEach((r, vs) -> {
                if (vs.contains(store)) {
                    view.put(r, vs);
                }
            });
            return view;
        }

        /** Per store, the stores that refused it a lease since the last move. */
        final Map<Long, Set<Long>> refused = new HashMap<>();

        /** One store's turn; whether it asked for a lease. */
        boolean turn(long self) {
            Map<Long, Long> view = leadersSeenBy(self);
            Set<Long> refusedBy = refused.computeIfAbsent(self, s -> new TreeSet<>());
            LeaseBalancer.Pull pull = LeaseBalancer.choose(self, view, votersSeenBy(self), stores, Set.of(), refusedBy);
            if (pull == null) {
                return askToFollow(self);
            }
            int mine = LeaseBalancer.leasesOf(self, view);
            assertEquals(mine, count(self), "a store's own count is exact");
            int told = withoutMargin ? mine - 1 : mine;
            if (!LeaseBalancer.grants(pull.from(), pull.rangeId(), self, told, leadersSeenBy(pull.from()),
                    votersSeenBy(pull.from()), stores, Set.of(), workloadLedBy(pull.from()))) {
                refusedBy.add(pull.from());
                return true;
            }
            long before = potential();
            boolean follows = workload().getOrDefault(pull.rangeId(), 0L) == self;
            truth.put(pull.rangeId(), self);
            moves++;
            refused.clear();
            if (follows) {
                followMoves++;
            } else if (withoutMargin) {
                movesNotLoweringPotential += potential() <= before - 2 ? 0 : 1;
            } else {
                assertTrue(potential() <= before - 2, "each move lowers the sum of squared lease counts by 2 or more");
            }
            return true;
        }

        /** The store sending most of each range's requests now. */
        Map<Long, Long> workload() {
            if (oracleAskedByLeaderOf == 0) {
                return workload;
            }
            Map<Long, Long> now = new HashMap<>(workload);
            now.put(MetaKeys.metaRangeId, truth.get(oracleAskedByLeaderOf));
            return now;
        }

        /** The workload of the ranges store leads: what that leaseholder measures. */
        Map<Long, Long> workloadLedBy(long store) {
            Map<Long, Long> out = new HashMap<>();
            workload().forEach((r, s) -> {
                if (truth.get(r) == store) {
                    out.put(r, s);
                }
            });
            return out;
        }

        /** With no lease to ask for by the counts, asks each leaseholder for one following the workload. */
        boolean askToFollow(long self) {
            if (workload().isEmpty()) {
                return false;
            }
            for (long from : stores) {
                if (from == self) {
                    continue;
                }
                long range = LeaseBalancer.follows(from, self, leadersSeenBy(from), votersSeenBy(from), stores, Set.of(),
                        workloadLedBy(from));
                if (range != 0) {
                    truth.put(range, self);
                    moves++;
                    followMoves++;
                    refused.clear();
                    return true;
                }
            }
            return false;
        }

        /** Rounds over every store until none asks for a lease; the number of rounds. */
        int settle(int maxRounds) {
            for (int round = 1; round <= maxRounds; round++) {
                boolean asked = false;
                for (long s : stores) {
                    asked |= turn(s);
                }
                if (!asked) {
                    return round;
                }
            }
            return Integer.MAX_VALUE;
        }

        /** No range's leaseholder leads two or more ranges more than another voter of the range (meta's aside). */
        void assertSettled() {
            votersOf.forEach((r, vs) -> {
                for (long v : r == MetaKeys.metaRangeId ? Set.<Long>of() : vs) {
                    assertTrue(count(truth.get(r)) <= count(v) + 1, "range " + r + ": leaseholder " + truth.get(r)
                            + " leads " + count(truth.get(r)) + ", voter " + v + " " + count(v) + ": " + truth);
                }
            });
        }

        /** The ranges store leads, the meta range left out (the balancer does not count it). */
        int count(long store) {
            return (int) truth.entrySet().stream()
                    .filter(e -> e.getValue() == store && e.getKey() != MetaKeys.metaRangeId).count();
        }

        long potential() {
            long p = 0;
            for (long s : stores) {
                p += (long) count(s) * count(s);
            }
            return p;
        }

        int spread() {
            int max = 0;
            int min = Integer.MAX_VALUE;
            for (long s : stores) {
                max = Math.max(max, count(s));
                min = Math.min(min, count(s));
            }
            return max - min;
        }
    }

    @Test
    void aStoreLeadingLittleAsksTheStoreLeadingMostAndItGrants() {
        Map<Long, Long> leaders = new HashMap<>();
        for (long r = 1; r <= 6; r++) {
            leaders.put(r, 1L);
        }
        leaders.put(6L, 2L);
        assertEquals(new LeaseBalancer.Pull(2, 1), LeaseBalancer.choose(3, leaders, everywhere(6), three),
                "range 2: the meta range's lease (range 1) moves last");
        assertEquals(new LeaseBalancer.Pull(2, 1), LeaseBalancer.choose(2, leaders, everywhere(6), three),
                "store 2 leads one, store 1 five");
        LeaseBalancer.Pull ask = LeaseBalancer.choose(1, leaders, everywhere(6), three);
        assertEquals(new LeaseBalancer.Pull(6, 2), ask, "store 1 leads the most, but asks: it might lead more elsewhere");
        assertFalse(LeaseBalancer.grants(2, 6, 1, 5, leaders, everywhere(6), three, Set.of()), "refused");
        assertTrue(LeaseBalancer.grants(1, 2, 3, 0, leaders, everywhere(6), three, Set.of()));
        assertTrue(LeaseBalancer.grants(1, 2, 2, 1, leaders, everywhere(6), three, Set.of()));
    }

    /** The leaseholder's own count is exact: it refuses a store that leads nearly as many. */
    @Test
    void theLeaseholderGrantsOnlyToAStoreLeadingTwoFewerAndAVoterThatMayTakeIt() {
        Map<Long, Long> leaders = Map.of(2L, 1L, 3L, 1L, 4L, 1L);
        Map<Long, Set<Long>> voters = everywhere(4);
        assertTrue(LeaseBalancer.grants(1, 2, 2, 1, leaders, voters, three, Set.of()));
        assertFalse(LeaseBalancer.grants(1, 2, 2, 2, leaders, voters, three, Set.of()),
                "store 2 leads two ranges this store does not hold: 3 is not 2 above");
        assertFalse(LeaseBalancer.grants(2, 2, 3, 0, leaders, voters, three, Set.of()), "store 2 does not lead range 2");
        assertFalse(LeaseBalancer.grants(1, 2, 3, 0, leaders, voters, three, Set.of(2L)), "range 2 is changing");
        assertFalse(LeaseBalancer.grants(1, 2, 4, 0, leaders, voters, Set.of(1L, 2L, 3L, 4L), Set.of()),
                "store 4 is no voter of range 2");
        assertFalse(LeaseBalancer.grants(1, 2, 3, 0, leaders, voters, Set.of(1L, 2L), Set.of()),
                "store 3 may take no lease (suspect, draining or removed)");
    }

    @Test
    void balancedOrNearlyBalancedLeasesStayWhereTheyAre() {
        Map<Long, Long> leaders = Map.of(1L, 1L, 2L, 1L, 3L, 2L, 4L, 2L, 5L, 3L);
        Cluster c = new Cluster(three, everywhere(5), leaders);
        assertTrue(c.settle(10) <= 10);
        assertEquals(0, c.moves, "every store asks, every ask is refused");
        assertEquals(leaders, c.truth);
    }

    /** Seven user ranges and the meta range, all led by store 2: the seven end 3, 2, 2, the meta range's stays. */
    @Test
    void sevenLeasesOnThreeStoresEndThreeTwoTwo() {
        Map<Long, Long> leaders = new HashMap<>();
        for (long r = 1; r <= 8; r++) {
            leaders.put(r, 2L);
        }
        Cluster c = new Cluster(three, everywhere(8), leaders);
        assertTrue(c.settle(20) <= 20);
        assertEquals(List.of(2, 3, 2), List.of(c.count(1), c.count(2), c.count(3)));
        assertEquals(2L, c.truth.get(MetaKeys.metaRangeId), "the meta range's lease stayed");
        assertEquals(4, c.moves);
    }

    @Test
    void aStoreThatMayTakeNoLeaseAsksForNone() {
        Map<Long, Long> leaders = Map.of(2L, 1L, 3L, 1L, 4L, 1L);
        assertNull(LeaseBalancer.choose(3, leaders, everywhere(4), Set.of(1L, 2L)));
    }

    /**
     * The meta range's lease is not counted, so neither asked for nor granted by the counts: after
     * a failover one store holds it and the user range's, a spread of one, and both stay; with two
     * user ranges there, one of those is asked for, never the meta range's.
     */
    @Test
    void theMetaRangesLeaseIsNeitherCountedNorMovedByTheCounts() {
        long meta = MetaKeys.metaRangeId;
        long user = MetaKeys.firstUserRangeId;
        Map<Long, Set<Long>> voters = everywhere(3);
        Map<Long, Long> failedOver = Map.of(meta, 2L, user, 2L);
        assertEquals(1, LeaseBalancer.leasesOf(2, failedOver));
        assertEquals(new LeaseBalancer.Pull(user, 2), LeaseBalancer.choose(1, failedOver, voters, three));
        assertFalse(LeaseBalancer.grants(2, user, 1, 0, failedOver, voters, three, Set.of()), "a spread of one");
        Map<Long, Long> two = Map.of(meta, 2L, user, 2L, user + 1, 2L);
        assertEquals(new LeaseBalancer.Pull(user, 2), LeaseBalancer.choose(1, two, voters, three));
        assertEquals(new LeaseBalancer.Pull(user + 1, 2),
                LeaseBalancer.choose(1, Map.of(meta, 2L, user, 1L, user + 1, 2L), voters, Set.of(1L, 2L, 3L)),
                "a store asks for a lease even leading as many as the other: the other may grant by what it leads");
        assertNull(LeaseBalancer.choose(1, Map.of(meta, 2L, user, 1L), voters, three),
                "nothing to ask for: the meta range's lease is not");
        assertFalse(LeaseBalancer.grants(2, meta, 1, 0, Map.of(meta, 2L, user, 2L, user + 1, 2L), voters, three, Set.of()),
                "never granted by the counts, however many more the leaseholder leads");
    }

    /**
     * A range placement is changing keeps its lease: its leaseholder hands the lease away before
     * removing its own voter, and a balancer that handed it straight back kept the range at four
     * voters (KV simulator seed 27).
     */
    @Test
    void theLeaseOfARangePlacementIsChangingStays() {
        Map<Long, Long> leaders = Map.of(2L, 1L, 3L, 1L, 4L, 1L);
        assertEquals(new LeaseBalancer.Pull(2, 1), LeaseBalancer.choose(2, leaders, everywhere(4), three));
        assertEquals(new LeaseBalancer.Pull(3, 1),
                LeaseBalancer.choose(2, leaders, everywhere(4), three, Set.of(2L), Set.of()));
        assertNull(LeaseBalancer.choose(2, leaders, everywhere(4), three, Set.of(2L, 3L, 4L), Set.of()));
    }

    @Test
    void aStoreAsksOnlyForTheLeaseOfARangeItIsAVoterOf() {
        Map<Long, Long> leaders = Map.of(2L, 1L, 3L, 1L, 4L, 1L);
        Map<Long, Set<Long>> learnerOf2 = Map.of(2L, Set.of(1L, 3L), 3L, three, 4L, three);
        assertEquals(new LeaseBalancer.Pull(3, 1), LeaseBalancer.choose(2, leaders, learnerOf2, three));
        Map<Long, Set<Long>> alone = Map.of(2L, Set.of(1L), 3L, Set.of(1L), 4L, Set.of(1L));
        assertNull(LeaseBalancer.choose(2, leaders, alone, three));
    }

    /**
     * Four stores, six ranges on different sets of three voters, found by a random search over
     * such configurations: with the rule before this one (the leaseholder pushed a lease to a
     * voter it saw two below it on all and on their shared ranges, unless that gave the target a
     * spread of two over the range's third voter; 8c80606) the stores, taking turns, moved
     * leases 149 times in 200 turns and never stopped, as a lease went round three stores in the
     * transaction simulator's seed 154. With the pull, every move lowers the sum of squared lease
     * counts, so it stops.
     */
    @Test
    void leasesStopMovingWhereThePushRuleCycled() {
        Map<Long, Set<Long>> voters = Map.of(2L, Set.of(2L, 3L, 4L), 3L, Set.of(1L, 3L, 4L), 4L, Set.of(1L, 2L, 4L),
                5L, Set.of(1L, 2L, 4L), 6L, Set.of(1L, 2L, 3L), 7L, Set.of(1L, 2L, 3L));
        Map<Long, Long> leaders = Map.of(2L, 4L, 3L, 3L, 4L, 1L, 5L, 1L, 6L, 2L, 7L, 1L);
        Cluster c = new Cluster(Set.of(1L, 2L, 3L, 4L), voters, leaders);
        long start = c.potential();
        assertTrue(c.settle(50) <= 50, "leases stop moving");
        assertTrue(c.moves <= start / 2, "moves " + c.moves + " of at most " + start / 2);
        assertEquals(1, c.moves, "store 2 takes one of store 1's three leases");
        c.assertSettled();
        assertEquals(1, c.spread(), "leases per store " + c.truth);
    }

    /**
     * Random clusters (3 to 5 stores, 3 to 15 ranges of three voters each, leases anywhere): the
     * stores, in turn, always stop, each move lowering the sum of squares (asserted per move). On
     * three stores the leases end within one of each other; on four or five a store may see only
     * part of another's leases; the largest spread left is asserted as measured. Settled, no range's
     * leaseholder leads two more than another voter of the range.
     */
    @Test
    void inRandomClustersLeasesAlwaysStopMovingAndSpread() {
        Random random = new Random(42);
        int[] worstSpread = new int[6];
        for (int trial = 0; trial < 3_000; trial++) {
            int storeCount = 3 + random.nextInt(3);
            Set<Long> stores = new TreeSet<>();
            for (long s = 1; s <= storeCount; s++) {
                stores.add(s);
            }
            Map<Long, Set<Long>> voters = new HashMap<>();
            Map<Long, Long> leaders = new HashMap<>();
            int ranges = 3 + random.nextInt(13);
            for (long r = 1; r <= ranges; r++) {
                List<Long> order = new ArrayList<>(stores);
                Collections.shuffle(order, random);
                voters.put(r, new TreeSet<>(order.subList(0, 3)));
                // Skewed, as after a failover: store 1 leads every range it is a voter of.
                leaders.put(r, voters.get(r).contains(1L) ? 1L : order.get(random.nextInt(3)));
            }
            Cluster c = new Cluster(stores, voters, leaders);
            long start = c.potential();
            int rounds = c.settle(1_000);
            assertTrue(rounds <= 1_000, "trial " + trial + " never stopped: " + c.truth);
            assertTrue(c.moves <= start / 2);
            c.assertSettled();
            worstSpread[storeCount] = Math.max(worstSpread[storeCount], c.spread());
        }
        assertEquals(1, worstSpread[3], "three stores: within one");
        // Measured: 2 on four and on five stores (voters drawn at random, so some stores hold few ranges).
        assertTrue(worstSpread[4] <= 2 && worstSpread[5] <= 2, "four and five stores: " + worstSpread[4] + ", "
                + worstSpread[5]);
    }

    /**
     * The two-lease margin is what makes the balancer stop: granted to a store leading one fewer,
     * a lease swaps the two counts, the sum of squares stays, and the two stores pass it back and
     * forth. Four ranges on three stores led 2, 1, 1: with the margin nothing moves (every ask is refused); without it
     * the leases never stop moving, here and in many random clusters of the test above.
     */
    @Test
    void withoutTheTwoLeaseMarginALeaseGoesBackAndForthForEver() {
        Map<Long, Long> leaders = Map.of(1L, 3L, 2L, 1L, 3L, 1L, 4L, 2L, 5L, 3L);
        Cluster right = new Cluster(three, everywhere(5), leaders);
        assertTrue(right.settle(100) <= 100, "with the margin the leases stop");
        assertEquals(0, right.moves, "and none moves: " + right.truth);

        Cluster broken = new Cluster(three, everywhere(5), leaders);
        broken.withoutMargin = true;
        assertEquals(Integer.MAX_VALUE, broken.settle(100), "without the margin the leases never stop");
        assertTrue(broken.moves >= 100, "moves " + broken.moves);
        assertEquals(broken.moves, broken.movesNotLoweringPotential, "no move lowers the sum of squares");

        Random random = new Random(42);
        int neverStopped = 0;
        for (int trial = 0; trial < 300; trial++) {
            Set<Long> stores = new TreeSet<>();
            int storeCount = 3 + random.nextInt(3);
            int ranges = 3 + random.nextInt(13);
            for (long st = 1; st <= storeCount; st++) {
                stores.add(st);
            }
            Map<Long, Set<Long>> voters = new HashMap<>();
            Map<Long, Long> skewed = new HashMap<>();
            for (long r = 1; r <= ranges; r++) {
                List<Long> order = new ArrayList<>(stores);
                Collections.shuffle(order, random);
                voters.put(r, new TreeSet<>(order.subList(0, 3)));
                skewed.put(r, voters.get(r).contains(1L) ? 1L : order.get(random.nextInt(3)));
            }
            Cluster c = new Cluster(stores, voters, skewed);
            c.withoutMargin = true;
            if (c.settle(200) == Integer.MAX_VALUE) {
                neverStopped++;
            }
        }
        assertTrue(neverStopped > 0, "without the margin some random cluster keeps moving leases");
    }

    /**
     * Every request through store 1's gateway, as bench compare's connections are. Store 3 leads
     * ranges 2 and 3, store 2 the meta range, store 1 none: by the counts store 1 could take one
     * of store 3's leases (2 is 0 + 2), not the second; following the workload it takes both, and
     * then no grant takes them from it.
     */
    @Test
    void aLeaseFollowsTheStoreWhoseGatewaySendsMostOfItsRequestsAndStaysThere() {
        Map<Long, Long> leaders = new HashMap<>(Map.of(1L, 2L, 2L, 3L, 3L, 3L));
        Map<Long, Set<Long>> voters = everywhere(3);
        Map<Long, Long> fromStore1 = Map.of(2L, 1L, 3L, 1L);
        assertEquals(2, LeaseBalancer.follows(3, 1, leaders, voters, three, Set.of(), fromStore1));
        assertEquals(0, LeaseBalancer.follows(3, 2, leaders, voters, three, Set.of(), fromStore1),
                "store 2 sends none of them");
        assertEquals(0, LeaseBalancer.follows(3, 1, leaders, voters, three, Set.of(2L, 3L), fromStore1),
                "ranges placement is changing keep their leases");
        leaders.put(2L, 1L);
        assertEquals(3, LeaseBalancer.follows(3, 1, leaders, voters, three, Set.of(), fromStore1));
        assertFalse(LeaseBalancer.grants(3, 3, 1, 1, leaders, voters, three, Set.of()),
                "by the counts alone store 3 keeps it (it leads 1, store 1 leads 1)");
        assertTrue(LeaseBalancer.grants(3, 3, 1, 1, leaders, voters, three, Set.of(), fromStore1));
        leaders.put(3L, 1L);
        assertTrue(LeaseBalancer.grants(1, 2, 3, 0, leaders, voters, three, Set.of()),
                "by the counts alone store 1 (2 leases) would give one to store 3 (none)");
        assertFalse(LeaseBalancer.grants(1, 2, 3, 0, leaders, voters, three, Set.of(), fromStore1),
                "pinned: its requests come from store 1");
        assertEquals(0, LeaseBalancer.follows(1, 3, leaders, voters, three, Set.of(), fromStore1));
    }

    /**
     * The meta range's lease follows the store that asks its oracle for most timestamps (a
     * requester that dominated for long enough: RangeService decides that), and stays there.
     */
    @Test
    void theMetaRangesLeaseFollowsTheStoreAskingItsOracleMost() {
        long meta = MetaKeys.metaRangeId;
        Map<Long, Long> leaders = Map.of(meta, 3L, 2L, 3L);
        Map<Long, Long> fromStore1 = Map.of(meta, 1L);
        assertEquals(meta, LeaseBalancer.follows(3, 1, leaders, everywhere(2), three, Set.of(), fromStore1));
        assertTrue(LeaseBalancer.grants(3, meta, 1, 5, leaders, everywhere(2), three, Set.of(), fromStore1));
        assertEquals(0, LeaseBalancer.follows(3, 2, leaders, everywhere(2), three, Set.of(), fromStore1));
        assertFalse(LeaseBalancer.grants(3, meta, 2, 0, leaders, everywhere(2), three, Set.of(), Map.of(meta, 3L)),
                "pinned where its oracle's callers are");
    }

    /**
     * The put benchmark's shape: one user range, whose leaseholder asks the oracle for every
     * write's timestamp, and the meta range led elsewhere. The oracle follows that leaseholder and
     * then nothing moves: the meta range is not counted, so the two leases on one store are a
     * spread of one and the user range stays. Counted, the counts would take the user range to
     * another store and the oracle would follow it there, for ever. From every start on three
     * stores, and with more user ranges (whose leases spread by the counts; the oracle follows
     * its caller's lease wherever the counts take it, and they stop).
     */
    @Test
    void theOracleFollowsTheLeaseholderAskingItAndNothingMovesAfter() {
        long meta = MetaKeys.metaRangeId;
        long user = MetaKeys.firstUserRangeId;
        for (int ranges = 2; ranges <= 6; ranges++) {
            for (long metaAt = 1; metaAt <= 3; metaAt++) {
                for (long userAt = 1; userAt <= 3; userAt++) {
                    Map<Long, Long> leaders = new HashMap<>();
                    for (long r = 1; r <= ranges; r++) {
                        leaders.put(r, userAt);
                    }
                    leaders.put(meta, metaAt);
                    Cluster c = new Cluster(three, everywhere(ranges), leaders);
                    c.oracleAskedByLeaderOf = user;
                    assertTrue(c.settle(100) < 100, "leases never stopped moving from " + leaders + ": " + c.truth);
                    assertEquals(c.truth.get(user), c.truth.get(meta), "the oracle is where its caller is: " + c.truth);
                    c.assertSettled();
                }
            }
        }
    }

    @Test
    void aRangesWorkloadHasADominantStoreOnlyAboveHalfItsRequestsAndAMinimumOfThem() {
        long min = LeaseBalancer.followMinRequests;
        assertEquals(0, LeaseBalancer.dominantSource(Map.of()));
        assertEquals(0, LeaseBalancer.dominantSource(Map.of(1L, min - 1)), "too few to say");
        assertEquals(1, LeaseBalancer.dominantSource(Map.of(1L, min)));
        assertEquals(0, LeaseBalancer.dominantSource(Map.of(1L, min, 2L, min)), "half is not most");
        assertEquals(2, LeaseBalancer.dominantSource(Map.of(1L, min, 2L, min + 1)));
        assertEquals(0, LeaseBalancer.dominantSource(Map.of(0L, 10 * min, 1L, min)), "not from a store");
    }

    /**
     * In random clusters, each range's requests mostly from a random store (or from none), leases
     * still stop moving: each range follows its workload at most once and stays, and the moves
     * by the counts in between each lower the sum of squared lease counts. A range whose requests
     * come mostly from a store that may lead it ends there.
     */
    @Test
    void withAWorkloadToFollowLeasesStillStopMovingAndEndWhereTheirRequestsComeFrom() {
        Random random = new Random(23);
        for (int trial = 0; trial < 1_000; trial++) {
            int storeCount = 3 + random.nextInt(3);
            Set<Long> stores = new TreeSet<>();
            for (long s = 1; s <= storeCount; s++) {
                stores.add(s);
            }
            int rangeCount = 3 + random.nextInt(13);
            Map<Long, Set<Long>> voters = new TreeMap<>();
            Map<Long, Long> leaders = new TreeMap<>();
            Map<Long, Long> workload = new TreeMap<>();
            for (long r = 1; r <= rangeCount; r++) {
                List<Long> all = new ArrayList<>(stores);
                Collections.shuffle(all, random);
                Set<Long> vs = new TreeSet<>(all.subList(0, 3));
                voters.put(r, vs);
                leaders.put(r, all.get(random.nextInt(3)));
                if (random.nextInt(3) > 0) {
                    workload.put(r, all.get(random.nextInt(3)));
                }
            }
            Cluster c = new Cluster(stores, voters, leaders);
            c.workload = workload;
            int rounds = c.settle(1_000);
            assertTrue(rounds < 1_000, "trial " + trial + ": leases never stopped moving");
            assertTrue(c.followMoves <= workload.size(), "each range follows its workload at most once");
            workload.forEach((r, s) -> assertEquals(s, c.truth.get(r), "range " + r + " ends where its requests come from"));
        }
    }
}
