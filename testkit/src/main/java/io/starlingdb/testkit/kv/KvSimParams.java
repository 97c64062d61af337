package io.starlingdb.testkit.kv;

import io.starlingdb.engine.raft.RaftConfig;

import java.util.Random;

/**
 * The fault profile of one replicated-KV simulation run, drawn from its seed so that seeds
 * explore different mixes. Probabilities are per tick unless said otherwise; durations in ticks.
 *
 * @param nodes        nodes in the cluster
 * @param replicas     replicas of the first range (on the first nodes); placement keeps this many
 * @param clients      concurrent clients, each one operation at a time
 * @param keys         keys the clients use ("k0" ...)
 * @param pageRows     rows per scan page, so that scans page within and across ranges
 * @param splitRate    a split of a random range at a random key is requested
 * @param transferRate the leader of a random range hands leadership to a random voter
 * @param placementIntervalTicks each node takes one placement step (of the ranges it leads) this often
 * @param deadAfterTicks a node down this long counts as dead: its replicas are replaced
 * @param outageRate     a node goes down for longer than deadAfterTicks (it comes back later)
 * @param destroyAtTick  0, or the tick at which one node is destroyed with its disk (never back)
 * @param drainAtTick    0, or the tick at which one node starts draining (everything leaves it)
 */
record KvSimParams(
        int nodes,
        int replicas,
        int clients,
        int keys,
        int pageRows,
        double dropRate,
        double duplicateRate,
        int maxDelayTicks,
        double delaySpikeRate,
        double partitionRate,
        double crashRate,
        double leaderCrashRate,
        /** The node leading the most ranges is cut off from the others (its clients still reach it). */
        double leaderIsolationRate,
        /** Per write that must be synced: the node dies before the sync completes. */
        double crashDuringSyncRate,
        double splitRate,
        double transferRate,
        double clientRate,
        int placementIntervalTicks,
        int deadAfterTicks,
        double outageRate,
        long destroyAtTick,
        long drainAtTick,
        RaftConfig raft) {

    /** Ticks of the simulated election timeout; the lease is shorter by a safety margin. */
    static final int electionTicks = 20;
    static final int leaseTicks = 16;

    static KvSimParams draw(Random r, int steps) {
        // Ranges start on 3 nodes and placement keeps 3: the others are where replicas move to.
        int nodes = r.nextBoolean() ? 4 : 5;
        return new KvSimParams(
                nodes,
                3,
                2 + r.nextInt(3),
                4 + r.nextInt(6),
                1 + r.nextInt(4),
                r.nextDouble() * 0.1,
                r.nextDouble() * 0.05,
                1 + r.nextInt(4),
                r.nextDouble() * 0.02,
                r.nextDouble() * 0.01,
                r.nextDouble() * 0.005,
                r.nextInt(3) == 0 ? r.nextDouble() * 0.01 : 0,
                r.nextDouble() * 0.005,
                r.nextInt(3) == 0 ? r.nextDouble() * 0.01 : r.nextDouble() * 0.002,
                0.002 + r.nextDouble() * 0.01,
                r.nextDouble() * 0.01,
                0.2 + r.nextDouble() * 0.6,
                10 + r.nextInt(30),
                60 + r.nextInt(150),
                r.nextInt(2) == 0 ? r.nextDouble() * 0.002 : 0,
                r.nextInt(3) == 0 ? 1 + r.nextInt(Math.max(1, steps * 2 / 3)) : 0,
                r.nextInt(4) == 0 ? 1 + r.nextInt(Math.max(1, steps * 2 / 3)) : 0,
                new RaftConfig(electionTicks, 3, 1 + r.nextInt(8), 100 + r.nextInt(4000), r.nextInt(4) != 0, true, 100,
                        5 + r.nextInt(100), 1024).withLease(leaseTicks, RaftConfig.defaultMaxUncommittedBytes));
    }
}
