package io.starlingdb.testkit.raft;

import java.util.Arrays;
import java.util.Random;

/**
 * The network partitions of a simulated cluster of nodes 1..n: at most one at a time, either
 * one node isolated or the nodes cut into two random sides, healed after 10 to 160 ticks.
 * Clients (node 0) reach every side.
 */
public final class Partitions {

    private final int[] side;
    private long healAt = -1;
    private int started;

    public Partitions(int nodes) {
        side = new int[nodes + 1];
    }

    /**
     * Heals the partition whose time has come, then starts a new one with probability rate.
     * Returns what happened, for the trace, or null.
     */
    public String step(long now, Random random, double rate) {
        String healed = null;
        if (healAt >= 0 && now >= healAt) {
            Arrays.fill(side, 0);
            healAt = -1;
            healed = "partition healed";
        }
        if (healAt >= 0 || random.nextDouble() >= rate) {
            return healed;
        }
        started++;
        StringBuilder b = new StringBuilder("partition:");
        if (random.nextBoolean()) {
            int isolated = 1 + random.nextInt(side.length - 1);
            side[isolated] = 1;
            b.append(" isolate n").append(isolated);
        } else {
            for (int i = 1; i < side.length; i++) {
                side[i] = random.nextInt(2);
                b.append(" n").append(i).append('=').append(side[i]);
            }
        }
        healAt = now + 10 + random.nextInt(150);
        return b.toString();
    }

    /** Cuts one node off from the others now (unless a partition is in force), healed as the others are. */
    public String isolate(int node, long now, Random random) {
        if (healAt >= 0) {
            return null;
        }
        started++;
        side[node] = 1;
        healAt = now + 10 + random.nextInt(150);
        return "partition: isolate n" + node + " (a leader)";
    }

    /** Ends every partition now. */
    public void healAll() {
        Arrays.fill(side, 0);
        healAt = -1;
    }

    /** Whether a message from one node reaches the other (0 stands for the clients). */
    public boolean connected(int from, int to) {
        return from == 0 || to == 0 || side[from] == side[to];
    }

    /** Partitions started so far. */
    public int started() {
        return started;
    }
}
