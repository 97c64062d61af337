package io.starlingdb.engine.range;

import java.util.List;
import java.util.Objects;

/** What a range's Raft log holds: each command is applied by every replica, in log order. */
public sealed interface RangeCommand {

    /**
     * A batch of writes, applied atomically at commitTs: all or (if a condition fails, a key is
     * locked or has a newer version, or a key left the range) none. startTs 0: single writes,
     * not in a transaction, refused if a key has a version at or above commitTs; else the
     * start of a transaction committing in one phase, refused if a key has a version above
     * startTs. commitTs 0: keys of the system, overwritten in place (not versioned); a user-key
     * batch with commitTs 0 gets its commit timestamp from the leaseholder, which takes it from
     * the oracle after latching the keys ({@code RangeStore}).
     */
    record Write(List<WriteOp> ops, long startTs, long commitTs) implements RangeCommand {
        public Write {
            ops = List.copyOf(ops);
            if (ops.isEmpty()) {
                throw new IllegalArgumentException("a write batch needs at least one operation");
            }
            if (startTs < 0 || commitTs < 0 || (startTs > 0 && commitTs > 0 && commitTs <= startTs)) {
                throw new IllegalArgumentException("bad timestamps: start " + startTs + ", commit " + commitTs);
            }
        }

        /** Single writes (not in a transaction), timestamped by the leaseholder. */
        public Write(List<WriteOp> ops) {
            this(ops, 0, 0);
        }

        public Write at(long commitTimestamp) {
            return new Write(ops, startTs, commitTimestamp);
        }
    }

    /**
     * Phase one of a transaction started at startTs, in one range: locks each key (puts and
     * deletes only, each key once) with its new value, the transaction's primary key and TTL,
     * and the cluster member coordinating it (its SWIM id, so its locks are resolved as soon as
     * it is declared dead).
     *
     * <p>A <b>parallel commit</b>'s prewrite (parallel true; docs/transactions.md, "Parallel
     * commits") also stores in each lock its minCommitTs, a timestamp the leaseholder took from the
     * oracle after latching the keys (a request carries 0; the proposed command carries it), and,
     * in the primary's lock, stagedKeys: every other key of the transaction. Such a primary lock
     * is the transaction's STAGING record: once every listed key holds its lock, the transaction
     * is committed, at the largest minCommitTs of its locks.
     */
    record Prewrite(long startTs, byte[] primary, long ttlMillis, String coordinator, List<WriteOp> ops,
                    boolean parallel, long minCommitTs, List<byte[]> stagedKeys)
            implements RangeCommand {
        /** Longest coordinator id, in UTF-8 bytes. */
        public static final int maxCoordinatorBytes = 255;
        /** Keys a STAGING record lists at most; a larger transaction commits its primary first (two rounds). */
        public static final int maxStagedKeys = 1_000;

        public Prewrite {
            Objects.requireNonNull(primary, "primary");
            Objects.requireNonNull(coordinator, "coordinator");
            if (coordinator.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxCoordinatorBytes) {
                throw new IllegalArgumentException("coordinator id longer than " + maxCoordinatorBytes + " bytes");
            }
            ops = List.copyOf(ops);
            if (startTs <= 0 || ttlMillis <= 0 || ops.isEmpty()) {
                throw new IllegalArgumentException("a prewrite needs a start timestamp, a TTL and operations");
            }
            for (WriteOp op : ops) {
                if (op instanceof WriteOp.CompareAndSet) {
                    throw new IllegalArgumentException("a transaction writes puts and deletes only");
                }
            }
            if (!parallel && (minCommitTs != 0 || stagedKeys != null)) {
                throw new IllegalArgumentException("only a parallel commit's prewrite has a minCommitTs or staged keys");
            }
            if (minCommitTs != 0 && minCommitTs <= startTs) {
                throw new IllegalArgumentException("minCommitTs " + minCommitTs + " not above the start " + startTs);
            }
            if (stagedKeys != null) {
                stagedKeys = List.copyOf(stagedKeys);
                if (stagedKeys.size() > maxStagedKeys) {
                    throw new IllegalArgumentException("a STAGING record lists at most " + maxStagedKeys + " keys, not "
                            + stagedKeys.size());
                }
                boolean hasPrimary = false;
                for (WriteOp op : ops) {
                    hasPrimary |= java.util.Arrays.equals(op.key(), primary);
                }
                if (!hasPrimary) {
                    throw new IllegalArgumentException("staged keys go with the prewrite of the primary");
                }
            } else if (parallel) {
                for (WriteOp op : ops) {
                    if (java.util.Arrays.equals(op.key(), primary)) {
                        throw new IllegalArgumentException("a parallel commit's primary lock is its STAGING record:"
                                + " its prewrite lists the other keys");
                    }
                }
            }
        }

        /** The prewrite of a transaction committing its primary after every prewrite (two rounds). */
        public Prewrite(long startTs, byte[] primary, long ttlMillis, String coordinator, List<WriteOp> ops) {
            this(startTs, primary, ttlMillis, coordinator, ops, false, 0, null);
        }

        /**
         * The prewrite of a parallel commit, as the coordinator sends it: stagedKeys non-null for
         * the primary's range (its STAGING record), null for the others; minCommitTs to be set by
         * the leaseholder ({@link #withMinCommitTs}).
         */
        public static Prewrite parallel(long startTs, byte[] primary, long ttlMillis, String coordinator,
                                        List<WriteOp> ops, List<byte[]> stagedKeys) {
            return new Prewrite(startTs, primary, ttlMillis, coordinator, ops, true, 0, stagedKeys);
        }

        /** This parallel prewrite with its locks' minCommitTs, taken by the leaseholder after latching the keys. */
        public Prewrite withMinCommitTs(long ts) {
            if (!parallel) {
                throw new IllegalStateException("not a parallel commit's prewrite");
            }
            return new Prewrite(startTs, primary, ttlMillis, coordinator, ops, true, ts, stagedKeys);
        }
    }

    /**
     * Recovery of a parallel commit whose STAGING record expired: for each of keys, the
     * transaction's lock answers its minCommitTs, its commit answers committed, a rollback marker
     * answers aborted, and nothing at all is <b>prevented</b>: a rollback marker is written, so
     * the prewrite still on its way can never lock the key, and the answer is aborted.
     */
    record CheckPrewrite(long startTs, List<byte[]> keys) implements RangeCommand {
        public CheckPrewrite {
            keys = List.copyOf(keys);
            if (startTs <= 0 || keys.isEmpty()) {
                throw new IllegalArgumentException("a prewrite check needs a start timestamp and keys");
            }
        }
    }

    /** Commits the locks of the transaction started at startTs on keys at commitTs. */
    record Commit(long startTs, long commitTs, List<byte[]> keys) implements RangeCommand {
        public Commit {
            keys = List.copyOf(keys);
            if (startTs <= 0 || commitTs <= startTs || keys.isEmpty()) {
                throw new IllegalArgumentException("a commit needs keys and a commit timestamp above its start");
            }
        }
    }

    /** Rolls the transaction started at startTs back on keys (removes its locks, leaves markers). */
    record Rollback(long startTs, List<byte[]> keys) implements RangeCommand {
        public Rollback {
            keys = List.copyOf(keys);
            if (startTs <= 0 || keys.isEmpty()) {
                throw new IllegalArgumentException("a rollback needs a start timestamp and keys");
            }
        }
    }

    /**
     * Version GC of keys: removes the versions no read at or above threshold can see (see
     * RangeMvcc.gc). Proposed by the leaseholder for keys it found garbage on; decided again
     * when applied, from the stored state.
     */
    record Gc(long threshold, List<byte[]> keys) implements RangeCommand {
        public Gc {
            keys = List.copyOf(keys);
            if (threshold <= 0 || keys.isEmpty()) {
                throw new IllegalArgumentException("a GC needs a threshold and keys");
            }
        }
    }

    /**
     * Asks, at its primary key, the status of the transaction started at startTs, as of
     * nowMillis (the caller's wall clock): an expired lock is rolled back, and a missing one too
     * if rollbackIfMissing. ttlMillis above 0: the coordinator's heartbeat, extending its lock.
     */
    record CheckStatus(byte[] primary, long startTs, long nowMillis, long ttlMillis, boolean rollbackIfMissing)
            implements RangeCommand {
        public CheckStatus {
            Objects.requireNonNull(primary, "primary");
            if (startTs <= 0 || ttlMillis < 0) {
                throw new IllegalArgumentException("bad status request: start " + startTs + ", ttl " + ttlMillis);
            }
        }
    }

    /**
     * Cuts the range at splitKey: the range keeps [start, splitKey) and a new range newRangeId,
     * on the same replicas, takes [splitKey, end). Applied only if the range is still at
     * expectedGeneration, so a retried or stale split does nothing.
     */
    record Split(byte[] splitKey, long newRangeId, long expectedGeneration) implements RangeCommand {
        public Split {
            Objects.requireNonNull(splitKey, "splitKey");
            if (newRangeId <= 0) {
                throw new IllegalArgumentException("newRangeId must be > 0, got " + newRangeId);
            }
        }
    }
}
