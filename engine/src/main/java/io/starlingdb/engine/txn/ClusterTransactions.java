package io.starlingdb.engine.txn;

import io.starlingdb.engine.range.DistSender;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Begins transactions on the replicated key space (one per node or client): each takes its
 * start timestamp from the oracle, reads through the gateway at it, and commits in one phase
 * (one range) or two (Percolator). Holds the threads that heartbeat committing transactions'
 * primary locks, and apart from them the threads that commit their secondary locks after they
 * answered (and roll back the locks of failed commits).
 */
public final class ClusterTransactions implements AutoCloseable {

    /**
     * @param lockTtlMillis        a transaction's locks expire this long after their last
     *                             heartbeat (then any reader may roll it back)
     * @param maxDurationMillis    a transaction may stay open this long at most (it holds back
     *                             version GC)
     * @param maxTransactionBytes  keys and values a transaction may write at most
     * @param maxTransactionWrites keys a transaction may write (and lock) at most
     * @param scanPageRows         rows a transaction's scan asks each range for at a time (1 to
     *                             {@link io.starlingdb.engine.range.RangeStore#maxScanRows})
     */
    public record Settings(long lockTtlMillis, long maxDurationMillis, long maxTransactionBytes, int maxTransactionWrites,
                           int scanPageRows) {
        /** Rows a scan page asks for unless set otherwise. */
        public static final int defaultScanPageRows = 1_000;

        public static Settings defaults() {
            return new Settings(3_000, 600_000, 64L << 20, 1_000_000, defaultScanPageRows);
        }

        public Settings {
            if (lockTtlMillis < 100 || maxDurationMillis < 1 || maxTransactionBytes < 1 || maxTransactionWrites < 1
                    || scanPageRows < 1 || scanPageRows > io.starlingdb.engine.range.RangeStore.maxScanRows) {
                throw new IllegalArgumentException("bad transaction settings: " + lockTtlMillis + " ms TTL, "
                        + maxDurationMillis + " ms, " + maxTransactionBytes + " bytes, " + maxTransactionWrites + " writes, "
                        + scanPageRows + " rows per scan page");
            }
        }
    }

    final DistSender sender;
    final TimestampClient timestamps;
    final Settings settings;
    final ScheduledExecutorService background;
    /**
     * Threads that commit secondary locks (and roll back failed commits' locks). Each such step
     * waits for a Raft round, so with the heartbeats' two threads they capped the resolution of
     * every committing client's secondaries at two rounds at a time: under many clients a
     * backlog of committed secondaries grew, which later transactions met as locks to resolve,
     * and heartbeats queued behind it.
     */
    final ExecutorService resolution;
    /**
     * Threads resolving secondary locks in the background at most (more wait in a queue); idle
     * ones end after {@link #resolutionIdleSeconds}. Each holds a commit for its Raft round and the
     * leaseholder's hold for the range's next proposal (about 15-20 ms at 16 and 128 clients on
     * two cores), so 16 capped the background commits at about 900 per second, no more than the
     * transfers 128 clients committed: the queue grew, locks lived for seconds, and readers that
     * met them waited (the reads of transfers at 128 clients took 96-123 ms on average, p99 of a
     * transfer 1.3-3.7 s; docs/transactions.md, "Background commits need threads").
     */
    static final int resolutionThreads = 128;
    /** Seconds a resolution thread waits for work before it ends (threads come back when commits do). */
    static final long resolutionIdleSeconds = 30;
    /** The cluster member that coordinates these transactions (its SWIM id), recorded in their locks. */
    final String coordinatorId;
    /** Where these transactions spend their time, step by step (for benchmarks). */
    final TransactionStepTimes stepTimes = new TransactionStepTimes();

    /**
     * @param coordinatorId this member's SWIM id: when SWIM declares it dead, every node resolves
     *                      the locks of its transactions at once ({@code TransactionRecoveryManager})
     */
    public ClusterTransactions(DistSender sender, TimestampClient timestamps, Settings settings, String coordinatorId) {
        this.coordinatorId = coordinatorId;
        this.sender = sender;
        this.timestamps = timestamps;
        this.settings = settings;
        this.background = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "starling-txn-background");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(resolutionThreads,
                resolutionThreads, resolutionIdleSeconds, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "starling-txn-resolution");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.resolution = pool;
    }

    /** A new transaction at isolation, reading the snapshot at a fresh timestamp. */
    public ClusterTransaction begin(Isolation isolation) {
        long startTs;
        long started = System.nanoTime();
        try {
            startTs = timestamps.next();
            stepTimes.record(TransactionStepTimes.Step.START_TIMESTAMP, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while beginning a transaction", e);
        }
        return new ClusterTransaction(this, startTs, isolation);
    }

    /**
     * A new transaction at isolation that takes its start timestamp only when it needs one: a
     * transaction that reads one key and writes it in one range (an auto-commit point statement)
     * never asks the oracle itself (see {@link ClusterTransaction}, "deferred").
     */
    public ClusterTransaction beginDeferred(Isolation isolation) {
        return new ClusterTransaction(this, ClusterTransaction.deferred, isolation, false);
    }

    /**
     * A deferred transaction (see {@link #beginDeferred}) for a thread that must never wait, such
     * as a client connection's event loop: its first read of one key is answered by this node's
     * own store, under the lease of the key's range, at once ({@link DistSender#getHereNow});
     * anything that would wait instead throws {@link WouldBlockException} and leaves the
     * transaction as it was, to be rolled back (the lease is elsewhere or not held now, a write
     * latches the key, a lock is on it, the range is not in the cache), and so does anything
     * else it is asked to read (a second key, a scan: they need the oracle's timestamp). It may
     * not write.
     */
    public ClusterTransaction beginNonBlocking(Isolation isolation) {
        return new ClusterTransaction(this, ClusterTransaction.deferred, isolation, false, true);
    }

    /**
     * A non-blocking transaction as {@link #beginNonBlocking} begins, that may also write, for an
     * auto-commit statement that reads at most one key and writes in that key's range (a point
     * UPDATE or DELETE) on a thread that must never wait: it commits with
     * {@link ClusterTransaction#commitAsync}, which sends its one-phase commit to this node's own
     * store without waiting for the answer, or throws {@link WouldBlockException} having sent
     * nothing.
     */
    public ClusterTransaction beginNonBlockingStatement(Isolation isolation) {
        return new ClusterTransaction(this, ClusterTransaction.deferred, isolation, false, true, true);
    }

    /**
     * A read-only transaction whose snapshot may be up to {@code maxStalenessMillis} old: it
     * reads at the newest timestamp this node received from the oracle within that time, without
     * asking the oracle (a fresh timestamp if there is none). Its reads are as consistent as any
     * transaction's (one snapshot, at a timestamp the oracle issued), only older; they never wait
     * for a transaction that started after that timestamp. It may not write.
     */
    public ClusterTransaction beginStale(Isolation isolation, long maxStalenessMillis) {
        long recent = timestamps.recent(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(maxStalenessMillis));
        if (recent < 0) {
            try {
                recent = timestamps.next();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while beginning a transaction", e);
            }
        }
        return new ClusterTransaction(this, recent, isolation, true);
    }

    /** Where the transactions begun here spend their time, step by step. */
    public TransactionStepTimes stepTimes() {
        return stepTimes;
    }

    /** Runs task in the background (committing secondary locks, heartbeats). */
    void later(Runnable task, long delayMillis) {
        try {
            background.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the locks left behind are resolved by readers through their primaries
        }
    }

    /** Runs task (committing or rolling back locks) on the resolution threads, apart from heartbeats. */
    void resolveLater(Runnable task) {
        try {
            resolution.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the locks left behind are resolved by readers through their primaries
        }
    }

    @Override
    public void close() {
        background.shutdown();
        resolution.shutdown();
    }
}
