package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.OutcomeUnknownException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * 2PC recovery on one node (DESIGN.md, "Recovery"): resolves the locks in the ranges this node
 * leads that no reader may ever meet.
 * <ul>
 * <li>When SWIM declares a member dead, the transactions it coordinated are resolved at once,
 *     without waiting for their TTL: rolled back at their primary if it is not committed (so the
 *     coordinator, if it was only slow, can never commit them), rolled forward if it is.</li>
 * <li>Every sweep, locks whose TTL has passed are resolved the way a reader would, so no lock
 *     outlives its TTL by more than a sweep interval even where nobody reads.</li>
 * </ul>
 * Every step is a command of the primary's or the lock's range ({@link LockResolver}), so a
 * recovery cut short by a crash is simply done again by whichever node leads the range next.
 *
 * <p>Runs on the caller's thread (the node's background executor); not thread-safe.
 */
public final class TransactionRecoveryManager {

    /** Locks one range is asked for per sweep at most. */
    static final int maxLocksPerRange = 10_000;

    private final RangeStore store;
    private final LockResolver resolver;
    private final java.util.concurrent.atomic.AtomicLong resolved = new java.util.concurrent.atomic.AtomicLong();

    public TransactionRecoveryManager(RangeStore store, LockResolver resolver) {
        this.store = store;
        this.resolver = resolver;
    }

    /**
     * Locks this manager has resolved (committed or rolled back) since the node started. An
     * expired primary that the status check of another range's lock rolls back on the way is
     * not counted here.
     */
    public long resolved() {
        return resolved.get();
    }

    /** Resolves every lock of the transactions member coordinated, in the ranges led here. */
    public void coordinatorDead(String member) {
        sweep(l -> l.coordinator().equals(member), true);
    }

    /** Resolves the locks led here whose TTL has passed by nowMillis. */
    public void sweepExpired(long nowMillis) {
        sweep(l -> l.expiredAt(nowMillis), false);
    }

    private void sweep(Predicate<RangeMvcc.Lock> which, boolean coordinatorGone) {
        for (RangeStateMachine sm : store.ledReplicas()) {
            if (!sm.mayHoldLocks()) {
                continue;
            }
            Map<Txn, List<byte[]>> byTxn = new LinkedHashMap<>();
            for (RangeMvcc.KeyLock kl : sm.locks(maxLocksPerRange)) {
                if (which.test(kl.lock())) {
                    byTxn.computeIfAbsent(new Txn(kl.lock().startTs(), ByteBuffer.wrap(kl.lock().primary())),
                            t -> new ArrayList<>()).add(kl.key());
                }
            }
            for (Map.Entry<Txn, List<byte[]>> e : byTxn.entrySet()) {
                try {
                    resolve(e.getKey(), e.getValue(), coordinatorGone);
                } catch (OutcomeUnknownException | RangeUnavailableException ex) {
                    // the next sweep, or the next reader, tries again
                }
            }
        }
    }

    private record Txn(long startTs, ByteBuffer primary) {
    }

    private void resolve(Txn txn, List<byte[]> keys, boolean coordinatorGone) {
        byte[] primary = txn.primary().array();
        // A gone coordinator's transaction counts as expired (now = the end of time): rolled
        // back at its primary unless it committed, and rolled back even if its primary's
        // prewrite never arrived.
        long now = coordinatorGone ? Long.MAX_VALUE : System.currentTimeMillis();
        RangeResult.TxnStatus st = resolver.status(primary, txn.startTs(), now, 0, true);
        if (st.state() == RangeResult.TxnStatus.State.STAGING) {
            // A parallel commit is never rolled back on expiry: its coordinator may have answered.
            st = resolver.decideStaging(primary, txn.startTs(), st);
        }
        switch (st.state()) {
            case COMMITTED -> resolver.commit(txn.startTs(), st.commitTs(), keys);
            case ABORTED -> resolver.rollback(txn.startTs(), keys);
            default -> {
                return; // alive: its coordinator heartbeats it
            }
        }
        resolved.addAndGet(keys.size());
    }
}
