package io.starlingdb.testkit.raft;

import java.util.Random;

/**
 * When crashed nodes 1..n of a simulation come back: a third of the restarts are quick (the node
 * is back while the term it crashed in is still being decided, which is when forgetting a vote
 * or an acknowledged entry would show), the others after up to a hundred ticks; after the heal,
 * at once.
 */
public final class Restarts {

    /** restartAt[node]: the tick to restart at, 0 when none is due. */
    private final long[] restartAt;

    public Restarts(int nodes) {
        restartAt = new long[nodes + 1];
    }

    /** A node crashed at now: schedules its restart. */
    public void crashed(int node, long now, boolean chaos, Random random) {
        long down = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 5 + random.nextInt(100);
        restartAt[node] = chaos ? now + down : now + 1;
    }

    /** Whether a down node's restart is due at now; clears it if so. */
    public boolean due(int node, long now) {
        long at = restartAt[node];
        if (at > 0 && now >= at) {
            restartAt[node] = 0;
            return true;
        }
        return false;
    }

    /** Whether a restart is scheduled for the node (it crashed and has not come back). */
    public boolean pending(int node) {
        return restartAt[node] > 0;
    }

    /** The heal: every crashed node restarts now. */
    public void all(long now) {
        for (int i = 1; i < restartAt.length; i++) {
            if (restartAt[i] > 0) {
                restartAt[i] = now;
            }
        }
    }
}
