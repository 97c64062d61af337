package io.starlingdb.testkit.kv;

import io.starlingdb.testkit.raft.SimMain;
import io.starlingdb.testkit.raft.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvSimulationTest {

    /** Seeds: 300 in the default run, 10,000 with the "long" Maven profile (-Plong). */
    static final int seeds = Integer.getInteger("starling.sim.kv.seeds", 300);
    static final int steps = KvSimulation.defaultSteps;
    static final int maxSeedsPerBrokenVariant = 600;

    @Test
    void replicatedRangesStaySafeLiveAndLinearizableWhileReplicasMoveUnderFaults() {
        List<String> failures = new ArrayList<>();
        long splits = 0;
        long crashes = 0;
        long partitions = 0;
        long operations = 0;
        long unknown = 0;
        int fiveNodes = 0;
        long placementSteps = 0;
        long leaseBalancerMoves = 0;
        long latchesReleasedAtStepDown = 0;
        long nodeLosses = 0;
        long firstKeys = 0;
        long filteredScans = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            KvSimulation sim = new KvSimulation(seed, steps, KvSimulation.Broken.NONE, false);
            SimResult r = sim.execute();
            placementSteps += sim.placementSteps();
            leaseBalancerMoves += sim.leaseBalancerMoves();
            latchesReleasedAtStepDown += sim.latchesReleasedAtStepDown();
            nodeLosses += sim.nodeLosses();
            firstKeys += sim.firstKeysRequests();
            filteredScans += sim.filteredScanRequests();
            if (!r.ok()) {
                failures.add("seed " + seed + ": " + r.failure().lines().findFirst().orElse("")
                        + " (reproduce: bin/starling sim kv --seed-from " + seed + " --seeds 1)");
            }
            splits += r.stats().membershipChanges();
            crashes += r.stats().crashes();
            partitions += r.stats().partitions();
            operations += r.stats().operations();
            unknown += r.stats().unknownOperations();
            fiveNodes += r.stats().replicas() == 5 ? 1 : 0;
        }
        assertEquals(List.of(), failures);
        // The seeds must exercise what they claim to: splits, replica moves, lost nodes, crashes,
        // partitions, both cluster sizes.
        assertTrue(splits > seeds * 2L, "splits " + splits);
        assertTrue(placementSteps > seeds * 10L, "placement steps " + placementSteps);
        assertTrue(leaseBalancerMoves > seeds, "lease balancer moves " + leaseBalancerMoves);
        assertTrue(latchesReleasedAtStepDown > 0, "latches released at a step-down " + latchesReleasedAtStepDown);
        assertTrue(nodeLosses > seeds / 2, "nodes lost " + nodeLosses);
        assertTrue(crashes > seeds && partitions > seeds, "crashes " + crashes + ", partitions " + partitions);
        assertTrue(operations > seeds * 100L, "operations " + operations);
        // The RangeRpc kinds SQL uses on the cluster: FIRST_KEYS and filtered SCAN pages.
        assertTrue(firstKeys > seeds * 5L && filteredScans > seeds * 5L, "first keys " + firstKeys
                + ", filtered scan pages " + filteredScans);
        assertTrue(unknown < operations / 5, "unknown outcomes " + unknown + " of " + operations);
        assertTrue(fiveNodes > seeds / 4 && fiveNodes < seeds * 3 / 4, "five-node clusters " + fiveNodes);
    }

    @Test
    void everyBrokenVariantIsCaughtBySomeSeed() {
        for (KvSimulation.Broken variant : KvSimulation.Broken.values()) {
            if (variant == KvSimulation.Broken.NONE || variant.workload() != KvSimulation.Workload.KV) {
                continue;
            }
            // A read without a lease goes wrong only when a deposed leader still believes it leads
            // and a newer write exists: about 1 seed in 100; the others fail at once.
            long caughtBy = -1;
            for (long seed = 1; seed <= maxSeedsPerBrokenVariant && caughtBy < 0; seed++) {
                if (!KvSimulation.run(seed, steps, variant).ok()) {
                    caughtBy = seed;
                }
            }
            assertTrue(caughtBy > 0, variant + " went unnoticed for " + maxSeedsPerBrokenVariant + " seeds");
        }
    }

    /**
     * The two newest mechanisms, broken, fail their own checks (not just any): a lease granted with
     * a margin of one fails the balancer's termination measure (the move does not lower Σ L²), and
     * latches kept by a replica that stopped leading fail the latch check (a latch held on a node
     * for a write of a replica that does not lead). Both within the first ten seeds (docs/ranges.md, "Proof").
     */
    @Test
    void aLeaseGrantWithoutItsMarginAndLatchesKeptAtStepDownAreCaughtByTheirChecks() {
        for (KvSimulation.Broken variant : List.of(KvSimulation.Broken.LEASE_GRANT_WITHOUT_MARGIN,
                KvSimulation.Broken.LATCHES_KEPT_AT_STEP_DOWN)) {
            String check = variant == KvSimulation.Broken.LEASE_GRANT_WITHOUT_MARGIN ? "lease balancer:" : "latches:";
            int caught = 0;
            for (long seed = 1; seed <= 10; seed++) {
                SimResult r = KvSimulation.run(seed, steps, variant);
                if (!r.ok() && r.failure().contains(check)) {
                    caught++;
                }
            }
            assertTrue(caught > 0, variant + ": no seed of 1-10 failed the check \"" + check + "\"");
        }
    }

    /**
     * Seeds the long run (-Plong, seeds 1-10,000) once failed, each with its cause
     * (docs/ranges.md, "Proof"): they run in the default build so a fix cannot regress unseen.
     */
    static final long[] regressionSeeds = {
        1820, 2528, 6695, // a behind candidate's vote request restarted the election timer of the voter ahead
        6218, // a drain left one node to move nine ranges alone (passes since its course changed; docs/ranges.md)
        6036, 6957, 7122, // a write routed with a stale descriptor latched keys of another range the store led
        3807, // two voters of a range split off over their empty replicas kept those empty (no log, no members)
        1331, // three stores passed a lease round a cycle (LeaseBalancer; found after the workload sent FIRST_KEYS)
        6745, // the final reader asked a destroyed node for lookups again and again (KvSimClient's lookups)
    };

    @Test
    void seedsThatOnceFailedTheLongRunPass() {
        List<String> failures = new ArrayList<>();
        for (long seed : regressionSeeds) {
            SimResult r = KvSimulation.run(seed, steps, KvSimulation.Broken.NONE);
            if (!r.ok()) {
                failures.add("seed " + seed + ": " + r.failure().lines().findFirst().orElse(""));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {3, 17, 987654321L}) {
            assertEquals(KvSimulation.run(seed, 800, KvSimulation.Broken.NONE).stats(),
                    KvSimulation.run(seed, 800, KvSimulation.Broken.NONE).stats(), "seed " + seed);
        }
    }

    @Test
    void simMainRunsKvSeedsAndWritesTheTraceOfAFailure(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimMain.run(new String[] {"kv", "--seed-from", "1", "--seeds", "3", "--steps", "400",
                "--broken", "split_outside_log", "--trace-dir", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, text);
        assertTrue(text.endsWith("0 passed, 3 failed\n"), text);
        Path trace = dir.resolve("kv-seed-1.txt");
        assertTrue(Files.readString(trace).startsWith("seed 1 steps 400 broken SPLIT_OUTSIDE_LOG"));
        assertEquals(2, SimMain.run(new String[] {"raft", "--seed-from", "1", "--seeds", "1", "--broken", "none"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
    }
}
