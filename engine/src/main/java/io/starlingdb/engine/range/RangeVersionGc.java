package io.starlingdb.engine.range;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Version GC of the ranges one node leads (issue 11): removes the versions no transaction can
 * read any more, with one {@link RangeCommand.Gc} per batch of keys, so every replica removes the
 * same and each key's old versions and its deletion go in one atomic write.
 *
 * <p>The threshold of a round is the lower of two bounds:
 * <ul>
 * <li><b>No reader below it.</b> A transaction may not read or commit once it is older than
 *     {@code maxTransactionMillis} (ClusterTransaction refuses it), so no open transaction
 *     anywhere reads below now - maxTransactionMillis; {@link #marginMillis} more covers the
 *     difference between this node's clock and the oracle's.</li>
 * <li><b>No lock below it.</b> A transaction's outcome is read at its primary key: a committed
 *     version there is the evidence its other locks roll forward on. If GC removed that version
 *     (overwritten, and older than the first bound) while a lock of the transaction survived on
 *     a range that was unavailable for minutes, the lock would later be rolled back and a
 *     committed write lost. So before each round the node asks every range of the key space for
 *     its oldest lock ({@link DistSender#oldestLock}, the OLDEST_LOCK request) and stays at or
 *     below the oldest start timestamp found: a transaction with a lock left has kept all its
 *     evidence. A lock written after the survey belongs to a transaction younger than the first
 *     bound (an older one may no longer prewrite), so the survey's answer stays true; when the
 *     survey fails (a range without a leaseholder), the last good threshold is used again, and
 *     until one survey succeeds there is no round.</li>
 * </ul>
 */
public final class RangeVersionGc {

    /** Clock difference between nodes (and the oracle) the watermark allows for. */
    public static final long marginMillis = 60_000;
    /** Keys one GC command covers at most (each key at most Limits.maxKeyBytes: the command stays small). */
    static final int keysPerCommand = 1_000;
    /** A GC command not applied within this long is left to the next round. */
    static final long commandTimeoutMillis = 10_000;

    /**
     * The smallest start timestamp of any lock in the key space (Long.MAX_VALUE: none); throws
     * when it cannot be known now.
     */
    @FunctionalInterface
    public interface LockSurvey {
        long oldestLockStartTs();
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RangeVersionGc.class);

    private final RangeStore store;
    private final long maxTransactionMillis;
    private final LockSurvey survey;
    /** The threshold of the last round whose survey succeeded (0: none yet). */
    private long lastSurveyed;
    private final java.util.concurrent.atomic.AtomicLong collected = new java.util.concurrent.atomic.AtomicLong();

    public RangeVersionGc(RangeStore store, long maxTransactionMillis, LockSurvey survey) {
        this.store = store;
        this.maxTransactionMillis = maxTransactionMillis;
        this.survey = survey;
    }

    /** The timestamp below which nothing can be read at wall time nowMillis (the first bound). */
    public long threshold(long nowMillis) {
        return Math.max(1, nowMillis - maxTransactionMillis - marginMillis) << io.starlingdb.engine.mvcc.HybridClock.logicalBits;
    }

    /**
     * The threshold of a round at wall time nowMillis: {@link #threshold} held at or below the
     * oldest lock the survey finds; the last good one if the survey fails; 0 (no round) if no
     * survey succeeded yet. Decides nothing else, so a test can call it with any clock.
     */
    long roundThreshold(long nowMillis) {
        long oldestLock;
        try {
            oldestLock = survey.oldestLockStartTs();
        } catch (RuntimeException e) {
            log.debug("version GC: the lock survey failed ({}); the threshold stays at {}", e.toString(), lastSurveyed);
            return lastSurveyed;
        }
        long t = Math.min(threshold(nowMillis), oldestLock);
        lastSurveyed = t;
        return t;
    }

    /** Keys whose garbage this collector removed since the node started. */
    public long collected() {
        return collected.get();
    }

    /**
     * One round over the ranges led here, as of wall time nowMillis: at most one command per
     * range (the next round takes the next batch). Returns the keys collected.
     */
    public int collect(long nowMillis) {
        long threshold = roundThreshold(nowMillis);
        if (threshold <= 0) {
            return 0;
        }
        int keys = 0;
        for (RangeStateMachine sm : store.ledReplicas()) {
            if (sm.rangeId() == MetaKeys.metaRangeId) {
                continue; // keys of the system are not versioned
            }
            List<byte[]> garbage = sm.keysWithGarbage(threshold, keysPerCommand);
            if (garbage.isEmpty()) {
                continue;
            }
            try {
                RangeRpc.Response r = store.handle(RangeRpc.Request.write(sm.rangeId(), new RangeCommand.Gc(threshold, garbage)))
                        .get(commandTimeoutMillis, TimeUnit.MILLISECONDS);
                if (r.status() == RangeRpc.Status.OK && r.result() instanceof RangeResult.Written) {
                    keys += garbage.size();
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the next round tries again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return keys;
            }
        }
        collected.addAndGet(keys);
        return keys;
    }
}
