package io.starlingdb.testkit.kv;

/** What a transaction simulation run did, for its summary and for tests that the seeds exercise each path. */
public final class TxnStats {
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
    /** Two-phase commits that answered once every prewrite was durable (parallel commits). */
    long parallelCommits;
    /** Expired STAGING records decided by readers: committed, and rolled back (a listed prewrite missing). */
    long stagingCommitted;
    long stagingAborted;
    /** Parallel prewrites sent again after an attempt of unknown outcome. */
    long prewriteRetries;
    /** Background commits a leaseholder held and proposed with another proposal of the range; alone (time up, or a request needed them). */
    long commitsCarried;
    long commitsProposedAlone;
    /**
     * The final reader (which starts after the heal, once a write committed and every other
     * transaction ended): the longest time, in ticks, from meeting a transaction's locks until
     * they were gone.
     */
    long lockResolutionTicks;
    /** The timestamp oracle: batches granted, timestamps in them, times another node granted than the last, oracles loaded, marks moved. */
    long oracleGrants;
    /** 2PC recovery on the nodes (TxnRecoverySweeper): expired locks a sweep set out to resolve; locks of dead coordinators. */
    long sweptLocks;
    long recoveredDeadCoordinatorLocks;
    long timestampsGranted;
    long oracleMoves;
    long oracleLoads;
    long oracleMarkWrites;

    /** Adds other's counts to these (the lock resolution time: the longest of both). */
    public void add(TxnStats o) {
        onePhaseCommits += o.onePhaseCommits;
        twoPhaseCommits += o.twoPhaseCommits;
        readOnlyCommits += o.readOnlyCommits;
        conflicts += o.conflicts;
        waitDie += o.waitDie;
        validationFailures += o.validationFailures;
        abortedAtCommit += o.abortedAtCommit;
        unknownOutcomes += o.unknownOutcomes;
        unavailable += o.unavailable;
        coordinatorCrashes += o.coordinatorCrashes;
        coordinatorStalls += o.coordinatorStalls;
        rolledForward += o.rolledForward;
        rolledBack += o.rolledBack;
        expiredRolledBack += o.expiredRolledBack;
        snapshotReadsChecked += o.snapshotReadsChecked;
        listTransactions += o.listTransactions;
        parallelCommits += o.parallelCommits;
        stagingCommitted += o.stagingCommitted;
        stagingAborted += o.stagingAborted;
        prewriteRetries += o.prewriteRetries;
        commitsCarried += o.commitsCarried;
        commitsProposedAlone += o.commitsProposedAlone;
        oracleGrants += o.oracleGrants;
        sweptLocks += o.sweptLocks;
        recoveredDeadCoordinatorLocks += o.recoveredDeadCoordinatorLocks;
        timestampsGranted += o.timestampsGranted;
        oracleMoves += o.oracleMoves;
        oracleLoads += o.oracleLoads;
        oracleMarkWrites += o.oracleMarkWrites;
        lockResolutionTicks = Math.max(lockResolutionTicks, o.lockResolutionTicks);
    }

    @Override
    public String toString() {
        return "1PC " + onePhaseCommits + ", 2PC " + twoPhaseCommits + ", read-only " + readOnlyCommits + ", conflicts "
                + conflicts + ", wait-die " + waitDie + ", validation failures " + validationFailures + ", aborted at commit " + abortedAtCommit
                + ", unknown " + unknownOutcomes + ", unavailable " + unavailable + ", coordinator crashes "
                + coordinatorCrashes + ", stalls " + coordinatorStalls + ", locks rolled forward " + rolledForward
                + ", rolled back " + rolledBack + " (expired " + expiredRolledBack + "), snapshot reads "
                + snapshotReadsChecked + ", list transactions " + listTransactions + ", parallel commits " + parallelCommits
                + " (STAGING records decided committed " + stagingCommitted + ", aborted " + stagingAborted
                + ", prewrite retries " + prewriteRetries + "), background commits held and carried " + commitsCarried
                + ", proposed alone " + commitsProposedAlone + ", locks resolved "
                + lockResolutionTicks + " ticks after the final reader met them; recovery: expired locks swept " + sweptLocks
                + ", locks of dead coordinators " + recoveredDeadCoordinatorLocks + "; " + oracleText();
    }

    /** What the timestamp oracle did. */
    public String oracleText() {
        return "oracle batches " + oracleGrants + " (" + timestampsGranted + " timestamps), oracle moved to another node "
                + oracleMoves + " times, oracles loaded " + oracleLoads + ", marks written " + oracleMarkWrites;
    }
}
