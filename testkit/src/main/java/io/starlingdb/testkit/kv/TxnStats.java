package io.starlingdb.testkit.kv;

/** What a transaction simulation run did, for its summary and for tests that the seeds exercise each path. */
final class TxnStats {
    long onePhaseCommits;
    long twoPhaseCommits;
    long readOnlyCommits;
    long conflicts;
    /** A one-phase commit, prewrite or validation met a pending older transaction's lock and gave up (40001). */
    long waitDie;
    long validationFailures;
    /** The primary's commit found the transaction rolled back by a reader (its locks expired). */
    long abortedAtCommit;
    long unknownOutcomes;
    long unavailable;
    long coordinatorCrashes;
    long coordinatorStalls;
    long rolledForward;
    long rolledBack;
    long expiredRolledBack;
    long snapshotReadsChecked;
    long listTransactions;
    /**
     * The final reader (which starts after the heal, once a write committed and every other
     * transaction ended): the longest time, in ticks, from meeting a transaction's locks until
     * they were gone.
     */
    long lockResolutionTicks;

    @Override
    public String toString() {
        return "1PC " + onePhaseCommits + ", 2PC " + twoPhaseCommits + ", read-only " + readOnlyCommits + ", conflicts "
                + conflicts + ", wait-die " + waitDie + ", validation failures " + validationFailures + ", aborted at commit " + abortedAtCommit
                + ", unknown " + unknownOutcomes + ", unavailable " + unavailable + ", coordinator crashes "
                + coordinatorCrashes + ", stalls " + coordinatorStalls + ", locks rolled forward " + rolledForward
                + ", rolled back " + rolledBack + " (expired " + expiredRolledBack + "), snapshot reads "
                + snapshotReadsChecked + ", list transactions " + listTransactions + ", locks resolved "
                + lockResolutionTicks + " ticks after the final reader met them";
    }
}
