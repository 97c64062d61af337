package io.starlingdb.engine.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the transactions of one coordinator (a node or a client) spend their time: for each step
 * of {@link ClusterTransaction}, how often it ran and how long it took in all, so that a
 * benchmark can show what a transaction's latency is made of (docs/transactions.md, "Where a
 * transfer's time goes"). A step costs two clock reads and two additions to striped counters,
 * cheap enough to be always on.
 */
public final class TransactionStepTimes {

    /** The steps of a transaction, in the order a two-phase commit takes them. */
    public enum Step {
        /** Taking the start timestamp from the oracle. */
        START_TIMESTAMP,
        /**
         * A deferred transaction's first read, of the newest value at the key's leaseholder
         * (no start timestamp: an auto-commit statement's point read).
         */
        NEWEST_READ,
        /** A read (get, getAll, or a page of a scan), lock resolution included. */
        READ,
        /** A commit in one Raft proposal (one range), the leaseholder's timestamp included. */
        ONE_PHASE_COMMIT,
        /** The prewrites of every range (in parallel). */
        PREWRITE,
        /** Taking the commit timestamp from the oracle (two-phase commits). */
        COMMIT_TIMESTAMP,
        /** Validating the reads (SERIALIZABLE two-phase commits that read keys they do not write). */
        VALIDATE,
        /** Committing the primary key: the commit point of a two-phase commit. */
        COMMIT_PRIMARY,
        /**
         * A parallel commit's commit of its keys after the answer (off the answer's path, but on
         * the same cores and disks as the next transaction's steps).
         */
        BACKGROUND_COMMIT
    }

    /** One step's totals since the last reset. */
    public record Total(Step step, long count, long nanos) {
        /** The mean time of one run of the step, in milliseconds (0 if it never ran). */
        public double meanMillis() {
            return count == 0 ? 0 : nanos / 1e6 / count;
        }
    }

    private final LongAdder[] counts = new LongAdder[Step.values().length];
    private final LongAdder[] nanos = new LongAdder[Step.values().length];

    public TransactionStepTimes() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    /** Records one run of step that began at startedNanos ({@link System#nanoTime}) and ends now. */
    void record(Step step, long startedNanos) {
        counts[step.ordinal()].increment();
        nanos[step.ordinal()].add(System.nanoTime() - startedNanos);
    }

    /** How many times step ran since the last reset. */
    public long count(Step step) {
        return counts[step.ordinal()].sum();
    }

    /** The nanoseconds step took in all since the last reset. */
    public long nanos(Step step) {
        return nanos[step.ordinal()].sum();
    }

    /** Every step's totals since the last reset, in step order. */
    public List<Total> totals() {
        List<Total> out = new ArrayList<>(counts.length);
        for (Step s : Step.values()) {
            out.add(new Total(s, counts[s.ordinal()].sum(), nanos[s.ordinal()].sum()));
        }
        return out;
    }

    /** Starts counting afresh (steps running meanwhile may land on either side). */
    public void reset() {
        for (int i = 0; i < counts.length; i++) {
            counts[i].reset();
            nanos[i].reset();
        }
    }
}
