package io.starlingdb.testkit.raft;

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

class RaftSimulationTest {

    /**
     * Seeds: 600 in the default run, 20,000 with the "long" Maven profile (-Plong); each runs
     * {@link #steps} ticks of chaos, then the liveness phase.
     */
    static final int seeds = Integer.getInteger("starling.sim.seeds", 600);
    static final int steps = 2_000;

    @Test
    void sixHundredSeedsKeepRaftSafeLiveAndLinearizable() {
        List<String> failures = new ArrayList<>();
        int three = 0;
        int five = 0;
        long operations = 0;
        long crashes = 0;
        long partitions = 0;
        long membership = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            SimResult r = Simulation.run(seed, steps);
            if (!r.ok()) {
                failures.add("seed " + seed + ": " + r.failure().lines().findFirst().orElse("")
                        + " (reproduce: bin/starling sim raft --seed-from " + seed + " --seeds 1)");
            }
            if (r.stats().replicas() == 3) {
                three++;
            } else {
                five++;
            }
            assertTrue(r.stats().steps() >= steps, "seed " + seed + " ran " + r.stats().steps() + " steps");
            operations += r.stats().operations();
            crashes += r.stats().crashes();
            partitions += r.stats().partitions();
            membership += r.stats().membershipChanges();
        }
        assertEquals(List.of(), failures);
        // The seeds must actually exercise both group sizes and every fault.
        assertTrue(three > seeds / 4 && five > seeds / 4, "3-replica " + three + ", 5-replica " + five);
        assertTrue(operations > seeds * 50L, "operations " + operations);
        assertTrue(crashes > seeds && partitions > seeds && membership > seeds,
                "crashes " + crashes + " partitions " + partitions + " membership changes " + membership);
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {7, 8, 123456789L}) {
            SimResult a = Simulation.run(seed, 1_000);
            SimResult b = Simulation.run(seed, 1_000);
            assertEquals(a.stats(), b.stats(), "seed " + seed);
        }
    }

    @Test
    void tracedRunIsTheSameRunAndReadable(@TempDir Path dir) throws Exception {
        SimResult plain = Simulation.run(11, 500);
        SimResult traced = Simulation.runAndTrace(11, 500, dir);
        assertEquals(plain.stats(), traced.stats());
        String text = Files.readString(traced.traceFile());
        assertTrue(text.startsWith("seed 11 steps 500"), text.substring(0, 100));
        assertTrue(text.contains(" recv APPEND "), "trace shows deliveries");
        assertTrue(text.contains(" is LEADER in term "), "trace shows role changes");
        assertTrue(text.contains("history c"), "trace shows the client history");
    }

    @Test
    void simMainReportsCountsAndExitCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimMain.run(new String[] {"raft", "--seed-from", "100", "--seeds", "5", "--steps", "300"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String lines = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, lines);
        assertTrue(lines.trim().endsWith("5 passed, 0 failed"), lines);
    }

    @Test
    void simMainRejectsBadArguments() {
        String[][] bad = {
            {},
            {"paxos", "--seed-from", "1", "--seeds", "1"},
            {"raft", "--seeds", "1"},
            {"raft", "--seed-from", "1", "--seeds", "0"},
            {"raft", "--seed-from", "x", "--seeds", "1"},
            {"raft", "--seed-from", "1", "--seeds", "1", "--steps"},
            {"raft", "--seed-from", "1", "--seeds", "1", "--color", "red"},
        };
        for (String[] args : bad) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = SimMain.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
                    StandardCharsets.UTF_8));
            String msg = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, String.join(" ", args));
            assertTrue(msg.startsWith("error: ") && msg.contains("usage:"), msg);
        }
    }
}
