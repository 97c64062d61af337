package io.starlingdb.testkit.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks of the transactional phases, against a bank kept in memory: a correct one passes
 * them while some of its attempts are refused and retried; one that loses money on a transfer,
 * or applies an increment twice, fails them.
 */
class TxnPhaseTest {

    private static final int accounts = 100;
    private static final int counters = 10;

    /** Refused, nothing applied: the bench runs the transaction again. */
    private static final class Refused extends RuntimeException {
    }

    /** A bank in memory: one lock for all; every seventh attempt is refused before it applies anything. */
    private static class MemoryBank implements TxnTarget {
        final long[] balances = new long[accounts];
        final long[] counts = new long[counters];
        final AtomicLong attempts = new AtomicLong();

        MemoryBank() {
            java.util.Arrays.fill(balances, KvBench.initialBalance);
        }

        void refuseSometimes() {
            if (attempts.incrementAndGet() % 7 == 0) {
                throw new Refused();
            }
        }

        @Override
        public synchronized void transfer(int from, int to, long amount) {
            refuseSometimes();
            balances[from] -= amount;
            balances[to] += amount;
        }

        @Override
        public synchronized void increment(int counter) {
            refuseSometimes();
            counts[counter]++;
        }

        @Override
        public synchronized long bankTotal() {
            return java.util.Arrays.stream(balances).sum();
        }

        @Override
        public synchronized long counterTotal() {
            return java.util.Arrays.stream(counts).sum();
        }

        @Override
        public Failure classify(Exception e) {
            return e instanceof Refused ? Failure.RETRY : Failure.ERROR;
        }

        @Override
        public void close() {
        }
    }

    private static TxnPhase phase(MemoryBank bank) {
        return new TxnPhase(() -> bank, accounts, KvBench.initialBalance, counters, 0);
    }

    @Test
    void aCorrectBankPassesBothChecksWhileRefusedAttemptsAreRetried() throws Exception {
        MemoryBank bank = new MemoryBank();
        TxnPhase phase = phase(bank);
        phase.run("memory", "transfer", 4, 1);
        phase.run("memory", "rmw", 4, 1);
        assertFalse(phase.failed());
        assertTrue(bank.attempts.get() >= 14, "attempts: " + bank.attempts.get());
        assertTrue(bank.counterTotal() > 0);
    }

    @Test
    void aTransferThatLosesMoneyFailsTheBankCheck() throws Exception {
        MemoryBank bank = new MemoryBank() {
            @Override
            public synchronized void transfer(int from, int to, long amount) {
                super.transfer(from, to, amount);
                balances[to] -= 1;
            }
        };
        TxnPhase phase = phase(bank);
        phase.run("memory", "transfer", 2, 1);
        assertTrue(phase.failed());
    }

    @Test
    void anIncrementAppliedTwiceFailsTheCounterCheck() throws Exception {
        MemoryBank bank = new MemoryBank() {
            @Override
            public synchronized void increment(int counter) {
                super.increment(counter);
                if (attempts.get() % 50 == 0) {
                    counts[counter]++;
                }
            }
        };
        TxnPhase phase = phase(bank);
        phase.run("memory", "rmw", 2, 1);
        assertTrue(phase.failed());
    }
}
