package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.RaftCore;
import io.starlingdb.testkit.check.HistoryOp;
import io.starlingdb.testkit.check.KvOp;
import java.util.Random;

/**
 * A sequential client: one operation at a time, sent to the node it believes leads, redirected
 * by NotLeader answers, retried (with the same op id, so it applies at most once) when an
 * attempt times out, and recorded as unknown when the operation as a whole times out.
 */
final class SimClient {
    private final int id;
    private final Simulation sim;
    private final Random random;
    private long nextOpId;
    private long target;
    private KvOp op;
    private long opId;
    private long callEvent;
    private long startedAt;
    private long attemptAt;
    private boolean probe;
    private boolean probeDone;
    private String lastSeen;

    SimClient(int id, Simulation sim, Random random) {
        this.id = id;
        this.sim = sim;
        this.random = random;
        this.target = 1 + random.nextInt(sim.nodeCount());
        this.nextOpId = 1;
    }

    void startProbe() {
        probe = true;
        begin(KvOp.put("probe", "live"));
    }

    boolean probeDone() {
        return probeDone;
    }

    boolean idle() {
        return op == null;
    }

    void onTick(boolean mayStart) {
        long now = sim.now();
        if (op == null) {
            if (mayStart && random.nextDouble() < 0.3) {
                begin(nextOp());
            }
            return;
        }
        // After the heal no operation may be abandoned: every pending one must complete (liveness).
        if (!probe && sim.inChaos() && now - startedAt >= Simulation.operationTimeoutTicks) {
            abandon();
            return;
        }
        if (now - attemptAt >= Simulation.attemptTimeoutTicks) {
            target = 1 + random.nextInt(sim.nodeCount());
            attempt();
        }
    }

    private KvOp nextOp() {
        String key = "k" + random.nextInt(sim.keys());
        String value = "c" + id + "-" + nextOpId;
        double r = random.nextDouble();
        if (r < 0.4) {
            return KvOp.get(key);
        } else if (r < 0.75) {
            return KvOp.put(key, value);
        }
        return KvOp.cas(key, random.nextBoolean() ? lastSeen : null, value);
    }

    private void begin(KvOp next) {
        op = next;
        opId = ((long) id << 40) | nextOpId++;
        callEvent = sim.nextEvent();
        startedAt = sim.now();
        attempt();
    }

    private void attempt() {
        attemptAt = sim.now();
        sim.sendRequest(id, opId, op, target);
    }

    void onResponse(Simulation.ClientResponse r) {
        if (op == null || r.opId() != opId) {
            return;
        }
        if (!r.ok()) {
            if (r.leaderHint() != RaftCore.NONE && r.leaderHint() != r.node()) {
                target = r.leaderHint();
                attempt();
            } else {
                // No leader known: try another node a few ticks from now.
                target = 1 + random.nextInt(sim.nodeCount());
                attemptAt = sim.now() - Simulation.attemptTimeoutTicks + 3;
            }
            return;
        }
        sim.record(HistoryOp.completed(id, op, callEvent, sim.nextEvent(), r.output()));
        if (op.kind() == KvOp.Kind.GET) {
            lastSeen = r.output();
        } else if (op.kind() == KvOp.Kind.PUT || "true".equals(r.output())) {
            lastSeen = op.value();
        }
        if (probe) {
            probeDone = true;
        }
        op = null;
    }

    /** Gives up on the current operation: a write's outcome is unknown, a read is simply dropped. */
    void abandon() {
        if (op != null && op.isWrite()) {
            sim.record(HistoryOp.timedOut(id, op, callEvent));
        }
        op = null;
    }
}
