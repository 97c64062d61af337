package io.starlingdb.engine.range;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.raft.OutcomeUnknownException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the locks a read or a write met, through each lock's primary key (DESIGN.md,
 * "Reads meeting locks"): the transaction committed, so its locks are committed too (rolled
 * forward); it was rolled back, so they are removed; its lock expired (the coordinator stopped
 * heartbeating it), so it is rolled back at its primary, after which its coordinator can never
 * commit; or it is pending and alive, and the caller waits and asks again. A secondary lock whose
 * primary has no lock and no commit yet (the primary's prewrite is on its way) is left alone
 * while it is alive, and rolled back at the primary once it expired. A parallel commit whose
 * STAGING record expired is decided from the keys the record lists ({@link #decideStaging}).
 *
 * <p>Every step is a command in the primary's or the lock's range, so any node can resolve any
 * lock, any number of times, with the same outcome.
 */
public final class LockResolver {

    /** At DEBUG, one line per transaction whose locks a request met: its state at the primary, and how long asking took. */
    private static final Logger log = LoggerFactory.getLogger(LockResolver.class);

    private final DistSender sender;

    LockResolver(DistSender sender) {
        this.sender = sender;
    }

    /** A transaction: its start timestamp and primary key. */
    private record Txn(long startTs, ByteBuffer primary) {
    }

    /**
     * Resolves what it can of locks; true if every one is gone now (committed or removed), false
     * if a transaction holding some is still pending (the caller waits and asks again).
     */
    public boolean resolve(List<RangeResult.LockInfo> locks) {
        Map<Txn, List<RangeResult.LockInfo>> byTxn = new LinkedHashMap<>();
        for (RangeResult.LockInfo l : locks) {
            byTxn.computeIfAbsent(new Txn(l.startTs(), ByteBuffer.wrap(l.primary())), t -> new ArrayList<>()).add(l);
        }
        boolean all = true;
        for (Map.Entry<Txn, List<RangeResult.LockInfo>> e : byTxn.entrySet()) {
            long now = System.currentTimeMillis();
            List<RangeResult.LockInfo> held = e.getValue();
            boolean expired = held.stream().anyMatch(l -> now > HybridClock.physicalMillis(l.startTs()) + l.ttlMillis());
            List<byte[]> keys = held.stream().map(RangeResult.LockInfo::key).toList();
            long asked = System.nanoTime();
            try {
                RangeResult.TxnStatus st = status(held.get(0).primary(), e.getKey().startTs(), now, 0, expired);
                if (st.state() == RangeResult.TxnStatus.State.STAGING) {
                    st = decideStaging(held.get(0).primary(), e.getKey().startTs(), st);
                }
                if (log.isDebugEnabled()) {
                    log.debug("transaction {} ({} locks, coordinator {}, expired {}): {} after {} ms", e.getKey().startTs(),
                            held.size(), held.get(0).coordinator(), expired, st.state(),
                            java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
                }
                switch (st.state()) {
                    case COMMITTED -> commit(e.getKey().startTs(), st.commitTs(), keys);
                    case ABORTED -> rollback(e.getKey().startTs(), keys);
                    default -> all = false;
                }
            } catch (OutcomeUnknownException | RangeUnavailableException ex) {
                log.debug("transaction {}: its locks were not resolved: {}", e.getKey().startTs(), ex.toString());
                all = false; // asked again on the next round
            }
        }
        return all;
    }

    /**
     * The status of the transaction started at startTs, asked at its primary (a command of the
     * primary's range: it rolls back an expired lock, or a missing one if rollbackIfMissing).
     * ttlMillis above 0 extends a pending transaction's lock (its coordinator's heartbeat).
     */
    public RangeResult.TxnStatus status(byte[] primary, long startTs, long nowMillis, long ttlMillis,
                                        boolean rollbackIfMissing) {
        RangeCommand.CheckStatus c = new RangeCommand.CheckStatus(primary, startTs, nowMillis, ttlMillis, rollbackIfMissing);
        // Sent as a read is (asked again, of another replica too, when no answer comes): the
        // leaseholder mostly answers it from its state (RangeStore.checkStatus), and where it
        // proposes, the command is decided again from the state when applied, so applying it twice
        // (a rollback, a lock's extension) is the same as once.
        RangeRpc.Response r = sender.request(primary, d -> RangeRpc.Request.write(d.rangeId(), c), false);
        return (RangeResult.TxnStatus) r.result();
    }

    /**
     * Decides a parallel commit whose STAGING record expired ({@link StagingDecision}): checks
     * every listed key (a Raft command per range, which prevents a missing prewrite for good),
     * then commits the primary at the largest minCommitTs or rolls it back; answers the
     * transaction's outcome as the primary shows it afterwards (committed, or aborted).
     */
    public RangeResult.TxnStatus decideStaging(byte[] primary, long startTs, RangeResult.TxnStatus staging) {
        StagingDecision decision = new StagingDecision(staging);
        List<byte[]> keys = staging.stagedKeys();
        for (int i = 0; i < keys.size(); i += DistSender.maxKeysPerRequest) {
            List<byte[]> chunk = keys.subList(i, Math.min(keys.size(), i + DistSender.maxKeysPerRequest));
            for (DistSender.GroupAnswer a : sender.sendGrouped(chunk, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                    new RangeCommand.CheckPrewrite(startTs, pick(chunk, idx))))) {
                decision.add(a.response().result());
            }
        }
        RangeCommand atPrimary = decision.outcome() instanceof StagingDecision.Outcome.Commit c
                ? new RangeCommand.Commit(startTs, c.commitTs(), List.of(primary))
                : new RangeCommand.Rollback(startTs, List.of(primary));
        RangeResult r = sender.request(primary, d -> RangeRpc.Request.write(d.rangeId(), atPrimary), true).result();
        log.debug("transaction {}: its STAGING record decided {}, the primary answered {}", startTs, decision.outcome(), r);
        if (r instanceof RangeResult.Written) {
            return atPrimary instanceof RangeCommand.Commit c ? RangeResult.TxnStatus.committed(c.commitTs())
                    : RangeResult.TxnStatus.aborted();
        }
        if (r instanceof RangeResult.TxnStatus t) {
            return t; // the other step was done first: committed (a rollback refused) or aborted (a commit refused)
        }
        throw new IllegalStateException("transaction " + startTs + ": the primary answered " + r);
    }

    /** Commits the transaction's locks on keys at commitTs, range by range, in parallel. */
    public void commit(long startTs, long commitTs, List<byte[]> keys) {
        sender.sendGrouped(keys, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(startTs, commitTs, pick(keys, idx))));
    }

    /** Rolls the transaction back on keys (removes its locks, leaves rollback markers), range by range. */
    public void rollback(long startTs, List<byte[]> keys) {
        sender.sendGrouped(keys, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Rollback(startTs, pick(keys, idx))));
    }

    static List<byte[]> pick(List<byte[]> keys, List<Integer> idx) {
        List<byte[]> out = new ArrayList<>(idx.size());
        for (int i : idx) {
            out.add(keys.get(i));
        }
        return out;
    }
}
