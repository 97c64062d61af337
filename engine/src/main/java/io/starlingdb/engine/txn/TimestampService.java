package io.starlingdb.engine.txn;

import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.range.Meta;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hosts the {@link TimestampOracle} on a store: it answers while the store leads the meta range.
 * The oracle is loaded from meta's durable mark for one term of the meta group: a store that
 * loses the lead and gets it back reloads, since another oracle may have moved the mark in
 * between. Each batch is decided, then this store's leadership is confirmed (lease or ReadIndex
 * quorum) in the same term, then answered: a deposed oracle never answers a timestamp below one
 * its successor gave. Batches are served one at a time on the service's own thread.
 */
public final class TimestampService implements AutoCloseable {

    /** A step of a grant (confirming the lead, reading or moving the mark) waits this long at most. */
    static final long stepTimeoutMillis = 5_000;
    /** Rounds of extending the mark one grant tries (each extension covers the batch, so one suffices normally). */
    static final int maxExtensions = 4;

    private final MultiRaft raft;
    private final Meta meta;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "starling-timestamp-oracle");
        t.setDaemon(true);
        return t;
    });
    private TimestampOracle oracle;
    private long oracleTerm = -1;

    public TimestampService(MultiRaft raft, Meta meta) {
        this.raft = raft;
        this.meta = meta;
    }

    /** count timestamps, or a failure (not the meta leaseholder: NotLeaderException). */
    public CompletableFuture<RangeResult.Timestamps> grant(int count) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return grantNow(count);
            } catch (ExecutionException e) {
                throw new java.util.concurrent.CompletionException(e.getCause());
            } catch (TimeoutException | InterruptedException e) {
                oracle = null;
                throw new java.util.concurrent.CompletionException(e);
            }
        }, thread);
    }

    private RangeResult.Timestamps grantNow(int count) throws ExecutionException, TimeoutException, InterruptedException {
        long term = confirm();
        if (oracle == null || term != oracleTerm) {
            oracle = new TimestampOracle(meta.timestampMark());
            oracleTerm = term;
        }
        for (int round = 0; round <= maxExtensions; round++) {
            TimestampOracle.Answer a = oracle.next(count, System.currentTimeMillis());
            if (a instanceof TimestampOracle.Extend e) {
                if (!meta.replaceTimestampMark(oracle.mark(), e.newMark())) {
                    oracle = null; // another oracle moved the mark: this one is stale
                    throw new IllegalStateException("the timestamp mark moved under this oracle; ask again");
                }
                oracle.extended(e.newMark());
                continue;
            }
            TimestampOracle.Granted g = (TimestampOracle.Granted) a;
            if (confirm() != oracleTerm) {
                oracle = null;
                throw new IllegalStateException("the meta range changed leaders while granting; ask again");
            }
            return new RangeResult.Timestamps(g.first(), g.count());
        }
        throw new IllegalStateException("the timestamp mark could not be extended in " + maxExtensions + " rounds");
    }

    private long confirm() throws ExecutionException, TimeoutException, InterruptedException {
        return raft.confirmLeadership(MetaKeys.metaRangeId).get(stepTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
