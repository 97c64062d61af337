package io.starlingdb.testkit.kv;

import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeService;
import io.starlingdb.engine.raft.Role;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * 2PC recovery on one simulated node, as {@code TransactionRecoveryManager} runs on each node:
 * every sweep ({@code RangeService.recoverySweepMillis}), the locks past their TTL in the ranges
 * the node leads under its lease are resolved as a reader would (through the primary: roll
 * forward, roll back); and when a coordinator is declared dead (the simulator's stand-in for
 * SWIM: some ticks after a coordinator stopped for ever), the locks of its transactions in those
 * ranges are resolved at once, whatever their TTL, with the primary's status asked as of the end
 * of time (rolled back unless committed; a STAGING record decided as a reader does). The node
 * lists its locks from its replicas' state ({@code RangeStateMachine.lockList}); the resolution
 * goes through a gateway of its own, whose messages, like every client's, cross partitions.
 */
final class TxnRecoverySweeper implements KvSimulation.Client {

    /** Ticks between two sweeps of a node (RangeService.recoverySweepMillis). */
    static final long sweepTicks = RangeService.recoverySweepMillis / KvSimulation.millisPerTick;
    /** Locks listed per range per sweep at most (TransactionRecoveryManager.maxLocksPerRange is 10,000). */
    static final int maxLocksPerRange = 10_000;

    private final KvSimNode node;
    private final KvSimulation sim;
    private final TxnStats stats;
    /** Expired locks: resolved with the clients' clock (the sim's time). */
    private final TxnGateway sweeping;
    /** A dead coordinator's locks: resolved as of the end of time. */
    private final TxnGateway recovering;
    private final long offset;
    /** Coordinators whose death this node has acted on. */
    private final Set<String> handled = new HashSet<>();

    TxnRecoverySweeper(int id, KvSimNode node, KvSimulation sim, Random random, TxnStats stats) {
        this.node = node;
        this.sim = sim;
        this.stats = stats;
        this.sweeping = new TxnGateway(id, sim, random, stats, false);
        this.recovering = new TxnGateway(id, sim, random, stats, false, () -> Long.MAX_VALUE);
        this.offset = random.nextInt((int) sweepTicks);
    }

    @Override
    public void onTick(boolean chaos) {
        sweeping.tick();
        recovering.tick();
        if (!node.isUp()) {
            return;
        }
        if (!recovering.busy()) {
            for (String dead : sim.deadCoordinators()) {
                if (handled.add(dead)) {
                    List<RangeResult.LockInfo> locks = ledLocks(l -> dead.equals(l.coordinator()));
                    if (!locks.isEmpty()) {
                        stats.recoveredDeadCoordinatorLocks += locks.size();
                        sim.trace("n" + node.id + " recovery: coordinator " + dead + " is dead, resolves " + locks.size() + " locks");
                        recovering.resolve(locks, ok -> {
                        });
                        break; // one coordinator at a time: the next on a later tick
                    }
                }
            }
        }
        if ((sim.now() + offset) % sweepTicks == 0 && !sweeping.busy()) {
            long now = sweeping.nowMillis();
            List<RangeResult.LockInfo> expired = ledLocks(
                    l -> now > io.starlingdb.engine.mvcc.HybridClock.physicalMillis(l.startTs()) + l.ttlMillis());
            if (!expired.isEmpty()) {
                stats.sweptLocks += expired.size();
                sim.trace("n" + node.id + " recovery sweep resolves " + expired.size() + " expired locks");
                sweeping.resolve(expired, ok -> {
                });
            }
        }
    }

    /** The locks the predicate picks in the ranges this node leads under its lease (TransactionRecoveryManager: ledReplicas). */
    private List<RangeResult.LockInfo> ledLocks(java.util.function.Predicate<RangeResult.LockInfo> which) {
        List<RangeResult.LockInfo> out = new ArrayList<>();
        for (KvSimNode.Replica r : node.replicas.values()) {
            RangeDescriptor d = r.sm.descriptor();
            if (d == null || !r.sm.isInitialised() || r.core.role() != Role.LEADER || !r.core.canServeLeaseRead()
                    || !r.sm.mayHoldLocks()) {
                continue;
            }
            if (r.sm.lockList(d.start(), null, maxLocksPerRange) instanceof RangeResult.LockList list) {
                for (RangeResult.LockInfo l : list.locks()) {
                    if (which.test(l)) {
                        out.add(l);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void onResponse(KvSimulation.Response r) {
        sweeping.onResponse(r);
        recovering.onResponse(r);
    }

    @Override
    public void onLookup(long reqId, RangeDescriptor d) {
        sweeping.onLookup(reqId, d);
        recovering.onLookup(reqId, d);
    }

    @Override
    public boolean idle() {
        return !sweeping.busy() && !recovering.busy();
    }

    @Override
    public void abandon() {
        sweeping.abandon();
        recovering.abandon();
    }
}
