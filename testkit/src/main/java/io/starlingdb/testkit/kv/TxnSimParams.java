package io.starlingdb.testkit.kv;

import java.util.Random;

/**
 * The transaction workload of one simulation run, drawn from its seed.
 *
 * @param clients       transaction clients (coordinators), each one transaction at a time
 * @param accounts      bank accounts ("a0" ...), each starting with {@link #initialBalance}
 * @param listKeys      list keys in each of the two list groups ("l0" ... under SNAPSHOT, "s0" ... under SERIALIZABLE)
 * @param lockTtlMillis a coordinator's lock lives this long past now at its prewrite; heartbeats every third of it
 * @param crashAfterPrewriteRate per transaction with writes: its coordinator stops forever once its locks are written
 * @param crashAfterCommitRate   per transaction: its coordinator stops forever once it committed its first key
 * @param stallRate              per transaction: its coordinator pauses (no heartbeats) for one to two TTLs after prewriting
 * @param commitDeferralTicks    a leaseholder holds a background commit this long at most for the range's next
 *                               proposal to carry it (RangeStore.commitDeferralMillis, 5 ms; longer here, so that
 *                               held commits meet readers, recoveries, splits and lease moves)
 */
record TxnSimParams(int clients, int accounts, int listKeys, long lockTtlMillis, double crashAfterPrewriteRate,
                    double crashAfterCommitRate, double stallRate, long commitDeferralTicks) {

    static final long initialBalance = 100;

    static TxnSimParams draw(Random r) {
        return new TxnSimParams(
                3 + r.nextInt(4),
                3 + r.nextInt(6),
                2 + r.nextInt(4),
                300 + r.nextInt(900),
                r.nextDouble() * 0.08,
                r.nextDouble() * 0.08,
                r.nextDouble() * 0.08,
                1 + r.nextInt(20));
    }

    long lockTtlTicks() {
        return lockTtlMillis / KvSimulation.millisPerTick;
    }
}
