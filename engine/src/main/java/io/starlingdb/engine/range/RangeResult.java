package io.starlingdb.engine.range;

import java.util.List;

/** What a range answers to a command or a read. */
public sealed interface RangeResult {

    /** The write batch was applied. */
    record Written() implements RangeResult {
    }

    /**
     * A prewrite locked every key, and the leaseholder took commitFloorTs from the oracle after
     * latching them: every read this range served before the locks existed has a timestamp below
     * it, so a commit timestamp at or above it (and above every other range's floor) orders the
     * transaction after those reads, with no oracle call of its own after the prewrites. For a
     * parallel commit's prewrite (and a {@link RangeCommand.CheckPrewrite} finding every key
     * locked), the largest minCommitTs stored in the keys' locks, the same on every retry.
     */
    record Prewritten(long commitFloorTs) implements RangeResult {
    }

    /** The batch's operation at opIndex found actual (null: absent) instead of its expected value; nothing was applied. */
    record ConditionFailed(int opIndex, byte[] actual) implements RangeResult {
    }

    /**
     * A key of the request is not in this range (any more): nothing was applied; current is the
     * range as it is now, for the sender's cache.
     */
    record KeyMismatch(RangeDescriptor current) implements RangeResult {
    }

    /** The split was applied: the range is now left, and right is the new range. */
    record SplitDone(RangeDescriptor left, RangeDescriptor right) implements RangeResult {
    }

    /** The command was refused and changed nothing (a stale split, a split key outside the range). */
    record Refused(String reason) implements RangeResult {
    }

    /**
     * The request reads (or a transaction writes having read) at a timestamp below the range's GC
     * threshold: versions it would see may be gone, so nothing was read or applied. The
     * transaction is older than {@code txn.max.duration.ms} allows; retry it with a new start
     * timestamp.
     */
    record BelowGcThreshold(long timestamp, long gcThreshold) implements RangeResult {
    }

    /** A point read: value is null when the key is absent. */
    record Value(byte[] value) implements RangeResult {
    }

    /** Point reads of several keys: values.get(i) is the value of the i-th key asked, null when absent. */
    record Values(List<byte[]> values) implements RangeResult {
    }

    /**
     * A page of a scan: the pairs in key order; resumeKey is where the next page starts, null when
     * the requested span (within this range) is exhausted.
     */
    record Rows(List<KeyValue> rows, byte[] resumeKey) implements RangeResult {
    }

    /** Timestamps from the oracle: first, first + 1, ..., first + count - 1. */
    record Timestamps(long first, int count) implements RangeResult {
    }

    /**
     * Keys are locked by other transactions (in the order met): nothing was applied or read;
     * the caller resolves the locks through their primaries and asks again.
     */
    record Locked(List<LockInfo> locks) implements RangeResult {
        public Locked {
            locks = List.copyOf(locks);
        }
    }

    /**
     * A lock of the transaction started at startTs, whose status is its primary's; alive until
     * physical(startTs) + ttlMillis; coordinator: the member running the transaction (its SWIM id).
     */
    record LockInfo(byte[] key, long startTs, byte[] primary, long ttlMillis, String coordinator) {
    }

    /** The locks a LOCKS request listed (in key order), for operators; the listing resolves nothing. */
    record LockList(List<LockInfo> locks, byte[] resumeKey) implements RangeResult {
        public LockList {
            locks = List.copyOf(locks);
        }
    }

    /**
     * The commit timestamp the leaseholder took, timestamp, is not below the request's commit
     * deadline ({@link RangeRpc.Request#write(long, RangeCommand, long)}): nothing was proposed (40001).
     */
    record CommitDeadlinePassed(long deadline, long timestamp) implements RangeResult {
    }

    /** key has a version committed at commitTs, after what the writer read: nothing was applied (40001). */
    record WriteConflict(byte[] key, long commitTs) implements RangeResult {
    }

    /**
     * A transaction's status as its primary key shows it. commitTs: when COMMITTED; ttlMillis:
     * when PENDING. STAGING: the primary holds an expired parallel commit's STAGING record, which
     * a status never rolls back; commitTs is then the primary lock's minCommitTs and stagedKeys
     * the other keys the record lists, which the asker checks ({@link RangeCommand.CheckPrewrite})
     * to decide the transaction (null unless STAGING).
     */
    record TxnStatus(State state, long commitTs, long ttlMillis, List<byte[]> stagedKeys) implements RangeResult {
        public enum State { PENDING, COMMITTED, ABORTED, MISSING, STAGING }

        public TxnStatus {
            if ((state == State.STAGING) != (stagedKeys != null)) {
                throw new IllegalArgumentException("staged keys go with the STAGING state only, not " + state);
            }
            stagedKeys = stagedKeys == null ? null : List.copyOf(stagedKeys);
        }

        public TxnStatus(State state, long commitTs, long ttlMillis) {
            this(state, commitTs, ttlMillis, null);
        }

        static TxnStatus pending(long ttlMillis) {
            return new TxnStatus(State.PENDING, 0, ttlMillis);
        }

        static TxnStatus committed(long commitTs) {
            return new TxnStatus(State.COMMITTED, commitTs, 0);
        }

        static TxnStatus aborted() {
            return new TxnStatus(State.ABORTED, 0, 0);
        }

        static TxnStatus missing() {
            return new TxnStatus(State.MISSING, 0, 0);
        }

        static TxnStatus staging(long minCommitTs, List<byte[]> stagedKeys) {
            return new TxnStatus(State.STAGING, minCommitTs, 0, stagedKeys);
        }
    }

    /** One key-value pair. */
    record KeyValue(byte[] key, byte[] value) {
    }
}
