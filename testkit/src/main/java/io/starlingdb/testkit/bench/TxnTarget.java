package io.starlingdb.testkit.bench;

/**
 * One client of the transactional workloads of {@link KvBench}, whatever the system: a bank of
 * accounts split in two halves that live in different ranges (Starling) and a table of
 * counters. Each method runs ONE attempt of its transaction; {@link TxnPhase} classifies what it
 * throws with {@link #classify} and retries the transaction when that is what the system asks.
 */
interface TxnTarget extends AutoCloseable {

    /** What a failed attempt means. */
    enum Failure {
        /** Nothing was committed and the system asks to run the transaction again (40001, and PostgreSQL's 40P01). */
        RETRY,
        /** The commit may or may not have happened (40003): not retried, counted apart. */
        UNKNOWN,
        /** Anything else: a bug or a broken system; counted as an error and reported. */
        ERROR
    }

    /**
     * In one SERIALIZABLE transaction: reads accounts from and to (which live in different
     * ranges), writes from's balance less amount and to's plus amount.
     */
    void transfer(int from, int to, long amount) throws Exception;

    /** In one transaction: reads counter, writes it back incremented (one range, one key). */
    void increment(int counter) throws Exception;

    /** The sum of every account's balance, read in one snapshot; fails if an account is missing. */
    long bankTotal() throws Exception;

    /** The sum of every counter, read in one snapshot. */
    long counterTotal() throws Exception;

    Failure classify(Exception e);

    @Override
    void close() throws Exception;
}
