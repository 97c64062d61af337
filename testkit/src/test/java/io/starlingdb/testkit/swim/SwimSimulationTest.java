package io.starlingdb.testkit.swim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.cluster.membership.SwimOptions;
import org.junit.jupiter.api.Test;

/**
 * Small, fast runs of the deterministic simulation; SwimSimulation.main prints the 1,000-member
 * figures. Each assertion message carries the seed that reproduces the run.
 */
class SwimSimulationTest {

    private static final SwimOptions options = SwimOptions.defaults();

    @Test
    void joinReachesAHundredMembersInLogarithmicRounds() {
        for (long seed = 1; seed <= 3; seed++) {
            SwimSimulation.Spread join = SwimSimulation.joinSpread(100, options, 0.05, seed);
            assertTrue(join.periodsToAll() > 0 && join.periodsToAll() <= 2 * join.log2N(),
                    "seed " + seed + ": " + join);
        }
    }

    @Test
    void deathReachesAHundredMembersInLogarithmicRounds() {
        for (long seed = 1; seed <= 3; seed++) {
            SwimSimulation.Spread death = SwimSimulation.deathSpread(100, options, 0.05, seed);
            assertTrue(death.periodsToFirst() > 0, "seed " + seed + ": " + death);
            assertTrue(death.periodsToAll() >= 0 && death.periodsToAll() <= death.log2N(),
                    "seed " + seed + ": " + death);
        }
    }

    @Test
    void noLiveMemberIsDeclaredDeadAtFivePercentLoss() {
        long seed = 11;
        SwimSimulation.FalsePositives fp = SwimSimulation.falsePositives(100, options, 0.05, 300, seed);
        assertEquals(0, fp.deaths(), "seed " + seed + ": " + fp);
    }

    @Test
    void sameSeedSameRun() {
        SwimSimulation a = new SwimSimulation(20, options, 0.1, 5, 20);
        SwimSimulation b = new SwimSimulation(20, options, 0.1, 5, 20);
        a.run(10_000);
        b.run(10_000);
        assertEquals(a.messagesDelivered(), b.messagesDelivered());
        assertEquals(a.node(3).members(), b.node(3).members());
    }
}
