package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.RaftConfig;

import java.util.Random;

/**
 * The fault profile of one simulated run, drawn from its seed so that seeds explore different
 * mixes (a calm network with many crashes, a lossy one with partitions, ...). Probabilities are
 * per tick unless said otherwise; durations are in ticks.
 */
record SimParams(
        int replicas,
        int clients,
        int keys,
        double dropRate,
        double duplicateRate,
        int maxDelayTicks,
        double delaySpikeRate,
        double partitionRate,
        double crashRate,
        /** Crashes aimed at the current leader, the nastiest moment for log consistency. */
        double leaderCrashRate,
        /** Per Ready that must be synced: the node dies before the sync completes. */
        double crashDuringSyncRate,
        double membershipRate,
        double transferRate,
        double clientRate,
        RaftConfig raft) {

    static SimParams draw(Random r) {
        return new SimParams(
                r.nextBoolean() ? 3 : 5,
                3,
                4,
                r.nextDouble() * 0.15,
                r.nextDouble() * 0.05,
                1 + r.nextInt(4),
                r.nextDouble() * 0.02,
                r.nextDouble() * 0.01,
                r.nextDouble() * 0.006,
                r.nextInt(3) == 0 ? r.nextDouble() * 0.02 : 0,
                r.nextInt(3) == 0 ? r.nextDouble() * 0.01 : r.nextDouble() * 0.002,
                r.nextDouble() * 0.01,
                r.nextDouble() * 0.005,
                0.2 + r.nextDouble() * 0.6,
                new RaftConfig(20, 3, 1 + r.nextInt(8), 100 + r.nextInt(4000), r.nextInt(4) != 0, r.nextInt(4) != 0, 100,
                        5 + r.nextInt(100), 1024));
    }
}
