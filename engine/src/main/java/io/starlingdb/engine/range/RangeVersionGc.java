package io.starlingdb.engine.range;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Version GC of the ranges one node leads (issue 11): removes the versions no transaction can
 * read any more, with one {@link RangeCommand.Gc} per batch of keys, so every replica removes the
 * same and each key's old versions and its deletion go in one atomic write.
 *
 * <p>The low watermark needs no cluster-wide coordination: a transaction may not read or commit
 * once it is older than {@code maxTransactionMillis} (ClusterTransaction refuses it), so no open
 * transaction anywhere reads below now - maxTransactionMillis; {@link #marginMillis} more covers
 * the difference between this node's clock and the oracle's.
 */
public final class RangeVersionGc {

    /** Clock difference between nodes (and the oracle) the watermark allows for. */
    public static final long marginMillis = 60_000;
    /** Keys one GC command covers at most (each key at most Limits.maxKeyBytes: the command stays small). */
    static final int keysPerCommand = 1_000;
    /** A GC command not applied within this long is left to the next round. */
    static final long commandTimeoutMillis = 10_000;

    private final RangeStore store;
    private final long maxTransactionMillis;
    private final java.util.concurrent.atomic.AtomicLong collected = new java.util.concurrent.atomic.AtomicLong();

    public RangeVersionGc(RangeStore store, long maxTransactionMillis) {
        this.store = store;
        this.maxTransactionMillis = maxTransactionMillis;
    }

    /** The timestamp below which nothing can be read at wall time nowMillis: the GC threshold. */
    public long threshold(long nowMillis) {
        return Math.max(1, nowMillis - maxTransactionMillis - marginMillis) << io.starlingdb.engine.mvcc.HybridClock.logicalBits;
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
        long threshold = threshold(nowMillis);
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
