package io.starlingdb.engine.txn;

import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.range.Meta;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * between.
 *
 * <p>A batch is granted at a moment this store is confirmed to lead meta, in the term the oracle
 * was loaded in; so a deposed oracle never grants a timestamp below one its successor gave to a
 * request that came before. Under a valid lease that is at once, on the asking thread
 * ({@link MultiRaft#leaseTermNow}: the meta leaseholder's driver is also a follower of other
 * ranges and spends much of its time in their fsyncs, which a batch need not wait for);
 * otherwise on the Raft driver's thread by {@link MultiRaft#whileLeading}, after a ReadIndex
 * round. Whatever blocks (loading the mark for a new term, extending it through a meta write)
 * runs on the service's own thread, which decides a batch and then confirms
 * the lead in the oracle's term before answering. The mark is extended ahead, in the background,
 * once half of its window is used, so batches seldom wait for a meta write.
 */
public final class TimestampService implements AutoCloseable {

    /** At DEBUG, one line per grant that failed or took longer than {@link #slowGrantMillis}. */
    private static final Logger log = LoggerFactory.getLogger(TimestampService.class);
    /** A grant that takes longer than this (a new oracle loading its mark, a ReadIndex round) is logged at DEBUG. */
    static final long slowGrantMillis = 250;

    /** A step of a grant (confirming the lead, reading or moving the mark) waits this long at most. */
    static final long stepTimeoutMillis = 5_000;
    /** Rounds of extending the mark one grant tries (each extension covers the batch, so one suffices normally). */
    static final int maxExtensions = 4;
    /** Times one grant reloads the oracle after finding the meta lead in a newer term. */
    static final int maxReloads = 2;
    /** The mark is extended in the background once the wall clock is within this many ms of it. */
    static final long extendAheadMillis = TimestampOracle.windowMillis / 2;

    private final MultiRaft raft;
    private final Meta meta;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "starling-timestamp-oracle");
        t.setDaemon(true);
        return t;
    });
    /** Guards oracle and oracleTerm: the driver's thread grants, the service's thread loads and extends. Never held while waiting. */
    private final Object lock = new Object();
    private TimestampOracle oracle;
    private long oracleTerm = -1;
    /** A background extension is queued or running (service thread). */
    private final java.util.concurrent.atomic.AtomicBoolean extending = new java.util.concurrent.atomic.AtomicBoolean();

    public TimestampService(MultiRaft raft, Meta meta) {
        this.raft = raft;
        this.meta = meta;
    }

    /** count timestamps, or a failure (not the meta leaseholder: NotLeaderException). */
    public CompletableFuture<RangeResult.Timestamps> grant(int count) {
        // Under the lease, on the caller's thread (the network's): a driver busy with an fsync of
        // other groups does not hold up the batch, and the answer needs no hand-off.
        long leaseTerm = raft.leaseTermNow(MetaKeys.metaRangeId);
        if (leaseTerm > 0) {
            RangeResult.Timestamps t = grantLoaded(leaseTerm, count);
            // The lease must still hold after the grant: one paused past the lease could hand out
            // timestamps below those a new oracle elsewhere granted meanwhile. Unused timestamps
            // are harmless; the driver's path decides afresh.
            if (t != null && raft.leaseTermNow(MetaKeys.metaRangeId) == leaseTerm) {
                return CompletableFuture.completedFuture(t);
            }
        }
        return raft.whileLeading(MetaKeys.metaRangeId, term -> grantLoaded(term, count))
                .thenCompose(t -> t != null ? CompletableFuture.completedFuture(t)
                        : CompletableFuture.supplyAsync(() -> grantOnThread(count), thread));
    }

    /**
     * While leading meta in term (on the driver's thread, or on any thread under the lease): the
     * batch from the oracle loaded in that term, or null if there is none or the batch would pass
     * the durable mark (the service's thread then loads or extends first).
     */
    private RangeResult.Timestamps grantLoaded(long term, int count) {
        TimestampOracle.Granted g;
        long mark;
        synchronized (lock) {
            if (oracle == null || oracleTerm != term
                    || !(oracle.next(count, System.currentTimeMillis()) instanceof TimestampOracle.Granted granted)) {
                return null;
            }
            g = granted;
            mark = oracle.mark();
        }
        long markMillis = mark >>> io.starlingdb.engine.mvcc.HybridClock.logicalBits;
        if (markMillis - System.currentTimeMillis() < extendAheadMillis && extending.compareAndSet(false, true)) {
            try {
                thread.execute(this::extendAhead);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                extending.set(false); // closed
            }
        }
        return new RangeResult.Timestamps(g.first(), g.count());
    }

    private RangeResult.Timestamps grantOnThread(int count) {
        long started = System.nanoTime();
        try {
            RangeResult.Timestamps t = grantNow(count);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (took > slowGrantMillis) {
                log.debug("granting {} timestamps on the oracle's thread took {} ms", count, took);
            }
            return t;
        } catch (ExecutionException e) {
            log.debug("granting {} timestamps failed after {} ms: {}", count,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), e.getCause().toString());
            throw new java.util.concurrent.CompletionException(e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            log.debug("granting {} timestamps failed after {} ms: {}", count,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), e.toString());
            synchronized (lock) {
                oracle = null;
            }
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    /**
     * On the service's thread: loads the oracle for the current term if needed, decides a batch
     * (extending the mark first if it must), then confirms the lead once: the batch is answered
     * only if this store still leads meta in the term the oracle was loaded in. A confirmation
     * that finds another term discards the batch (never answered) and reloads.
     */
    private RangeResult.Timestamps grantNow(int count) throws ExecutionException, TimeoutException, InterruptedException {
        for (int attempt = 0; attempt <= maxReloads; attempt++) {
            TimestampOracle o;
            long term;
            synchronized (lock) {
                o = oracle;
                term = oracleTerm;
            }
            if (o == null) {
                term = confirm();
                o = new TimestampOracle(meta.timestampMark());
                synchronized (lock) {
                    oracle = o;
                    oracleTerm = term;
                }
            }
            TimestampOracle.Granted g = decide(o, count);
            if (g == null) {
                continue; // another oracle moved the mark: reload
            }
            if (confirm() == term) {
                return new RangeResult.Timestamps(g.first(), g.count());
            }
            drop(o); // the lead changed hands since the oracle was loaded: another oracle may have given timestamps
        }
        throw new IllegalStateException("the meta range changed leaders while granting; ask again");
    }

    /**
     * Timestamps from oracle o, extending the durable mark first when they would pass it; null
     * when another oracle moved the mark (o is stale and dropped).
     */
    private TimestampOracle.Granted decide(TimestampOracle o, int count) {
        for (int round = 0; round <= maxExtensions; round++) {
            TimestampOracle.Answer a;
            long mark;
            synchronized (lock) {
                a = o.next(count, System.currentTimeMillis());
                mark = o.mark();
            }
            if (a instanceof TimestampOracle.Granted g) {
                return g;
            }
            if (!extend(o, mark, ((TimestampOracle.Extend) a).newMark())) {
                return null;
            }
        }
        throw new IllegalStateException("the timestamp mark could not be extended in " + maxExtensions + " rounds");
    }

    /** Moves the durable mark of o from mark to newMark (a meta write); false, and o dropped, if another oracle moved it. */
    private boolean extend(TimestampOracle o, long mark, long newMark) {
        if (!meta.replaceTimestampMark(mark, newMark)) {
            drop(o);
            return false;
        }
        synchronized (lock) {
            o.extended(newMark); // only this thread extends, so the mark is still the one replaced
        }
        return true;
    }

    /** Background (service thread): moves the mark a window ahead of the wall clock before batches reach it. */
    private void extendAhead() {
        try {
            TimestampOracle o;
            long mark;
            synchronized (lock) {
                o = oracle;
                mark = o == null ? 0 : o.mark();
            }
            long newMark = (System.currentTimeMillis() + TimestampOracle.windowMillis) << io.starlingdb.engine.mvcc.HybridClock.logicalBits;
            if (o != null && newMark > mark) {
                extend(o, mark, newMark);
            }
        } catch (RuntimeException e) {
            // A batch that reaches the mark extends it itself; nothing is lost.
        } finally {
            extending.set(false);
        }
    }

    private void drop(TimestampOracle o) {
        synchronized (lock) {
            if (oracle == o) {
                oracle = null;
            }
        }
    }

    private long confirm() throws ExecutionException, TimeoutException, InterruptedException {
        return raft.confirmLeadership(MetaKeys.metaRangeId).get(stepTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
