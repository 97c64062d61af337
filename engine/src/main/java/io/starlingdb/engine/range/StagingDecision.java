package io.starlingdb.engine.range;

/**
 * Decides a parallel commit whose STAGING record expired (docs/transactions.md, "Parallel
 * commits"), from the primary lock's minCommitTs and the answers of {@link RangeCommand.CheckPrewrite}
 * for every key the record lists. Pure: the caller sends the checks and then acts on the
 * {@link #outcome()}, so {@code LockResolver}, the recovery manager and the simulator decide alike.
 *
 * <ul>
 * <li>Every listed key holds the transaction's lock: it is committed, at the largest minCommitTs
 *     of its locks, the number its coordinator computes from its prewrites' answers. Commit the
 *     primary there.</li>
 * <li>A key holds its commit: it was committed (a secondary is committed only after the primary),
 *     at that timestamp.</li>
 * <li>A key holds a rollback marker, or held nothing and was prevented: its prewrite can never
 *     land, so the coordinator can never have answered "committed". Roll the primary back.</li>
 * </ul>
 * Either step on the primary may find the other already done (the coordinator committed it, or
 * another recoverer rolled it back); the primary's answer is then the transaction's outcome.
 */
public final class StagingDecision {

    /** What to do at the primary. */
    public sealed interface Outcome {
        /** Commit the primary at commitTs (every listed key was locked, or one was already committed there). */
        record Commit(long commitTs) implements Outcome {
        }

        /** Roll the primary back: a listed prewrite is missing for good. */
        record Abort() implements Outcome {
        }
    }

    private long largestMinCommitTs;
    private long committedAt;
    private boolean aborted;

    /** Starts from the STAGING status the primary answered (its commitTs is the primary lock's minCommitTs). */
    public StagingDecision(RangeResult.TxnStatus staging) {
        if (staging.state() != RangeResult.TxnStatus.State.STAGING) {
            throw new IllegalArgumentException("not a STAGING record: " + staging.state());
        }
        this.largestMinCommitTs = staging.commitTs();
    }

    /** Adds the answer of one range's CheckPrewrite. */
    public void add(RangeResult answer) {
        if (answer instanceof RangeResult.Prewritten p) {
            largestMinCommitTs = Math.max(largestMinCommitTs, p.commitFloorTs());
        } else if (answer instanceof RangeResult.TxnStatus t && t.state() == RangeResult.TxnStatus.State.COMMITTED) {
            committedAt = t.commitTs();
        } else if (answer instanceof RangeResult.TxnStatus t && t.state() == RangeResult.TxnStatus.State.ABORTED) {
            aborted = true;
        } else {
            throw new IllegalStateException("a prewrite check answered " + answer);
        }
    }

    /** The decision once every listed key's range answered. */
    public Outcome outcome() {
        if (committedAt > 0) {
            return new Outcome.Commit(committedAt);
        }
        return aborted ? new Outcome.Abort() : new Outcome.Commit(largestMinCommitTs);
    }
}
