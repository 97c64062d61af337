package io.starlingdb.testkit.bench;

import io.starlingdb.engine.txn.TransactionStepTimes;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs the transactional phases of {@link KvBench} against one system and checks it after each
 * run: {@code transfer} (SERIALIZABLE transfers between an account of each half of the bank, so
 * over two ranges on Starling) and {@code rmw} (a one-key read-modify-write). A transaction
 * that fails with a retryable error (40001) runs again at once, and its latency counts from its
 * first attempt to its commit; the aborts are counted. After a transfer run the bank total must
 * still be the initial one; after an rmw run the counters must add up to the increments
 * committed so far (plus at most the ones whose outcome was unknown). A failed check is printed
 * and makes {@link #failed()} true.
 */
final class TxnPhase {

    static final long maxTrackedLatencyNanos = 60_000_000_000L;
    /** Attempts of one transaction before it counts as an error (it never committed). */
    static final int maxAttempts = 1_000;
    /** Largest amount a transfer moves. */
    static final int maxAmount = 100;
    /**
     * Clients of the unmeasured warm-up before a phase's first run: a client JVM and nodes
     * fresh from start run a transaction's code in the interpreter at first, and one client
     * alone runs too few transactions in a second to change that (a first one-client run of
     * transfers measured 2/s with p50 447 ms, a second one on the same nodes 15/s with 59 ms).
     */
    static final int warmupClients = 16;

    private final Supplier<TxnTarget> targets;
    private final int accounts;
    private final long initialBalance;
    private final int counters;
    /** Increments committed since the counters were created, warm-ups included. */
    private final AtomicLong incrementsCommitted = new AtomicLong();
    /** Increments whose outcome was unknown: each may or may not be in the counters. */
    private final AtomicLong incrementsUnknown = new AtomicLong();
    private final java.util.Set<String> warm = new java.util.HashSet<>();
    private final int warmupSeconds;
    /** The coordinator's time per transaction step (Starling), printed after each run; null: not known (PostgreSQL). */
    private final TransactionStepTimes stepTimes;
    private boolean failed;

    TxnPhase(Supplier<TxnTarget> targets, int accounts, long initialBalance, int counters, int warmupSeconds) {
        this(targets, accounts, initialBalance, counters, warmupSeconds, null);
    }

    TxnPhase(Supplier<TxnTarget> targets, int accounts, long initialBalance, int counters, int warmupSeconds,
             TransactionStepTimes stepTimes) {
        this.stepTimes = stepTimes;
        this.targets = targets;
        this.warmupSeconds = warmupSeconds;
        this.accounts = accounts;
        this.initialBalance = initialBalance;
        this.counters = counters;
    }

    boolean failed() {
        return failed;
    }

    /**
     * Runs phase with concurrency clients for a second of warm-up and seconds measured; prints
     * one line and the check. Before a phase's first run, {@link #warmupClients} clients run it
     * unmeasured for the warm-up seconds.
     */
    void run(String label, String phase, int concurrency, int seconds) throws Exception {
        if (warmupSeconds > 0 && warm.add(phase)) {
            System.out.printf(Locale.ROOT, "# %s %s: %d s of warm-up with %d clients%n", label, phase, warmupSeconds, warmupClients);
            measure(label, phase, warmupClients, warmupSeconds, false);
        }
        measure(label, phase, concurrency, seconds, true);
    }

    private void measure(String label, String phase, int concurrency, int seconds, boolean print) throws Exception {
        Recorder recorder = new Recorder(maxTrackedLatencyNanos, 3);
        AtomicLong ops = new AtomicLong();
        AtomicLong aborts = new AtomicLong();
        AtomicLong unknown = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        long warmupEnd = System.nanoTime() + 1_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        boolean transfer = phase.equals("transfer");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                Random random = new Random(id);
                try (TxnTarget target = targets.get()) {
                    long start;
                    while ((start = System.nanoTime()) < end) {
                        int a = random.nextInt(accounts / 2);
                        int b = accounts / 2 + random.nextInt(accounts - accounts / 2);
                        boolean swap = random.nextBoolean();
                        long amount = 1 + random.nextInt(maxAmount);
                        int counter = random.nextInt(counters);
                        boolean measured = start >= warmupEnd;
                        for (int attempt = 1; ; attempt++) {
                            try {
                                if (transfer) {
                                    target.transfer(swap ? b : a, swap ? a : b, amount);
                                } else {
                                    target.increment(counter);
                                    incrementsCommitted.incrementAndGet();
                                }
                                if (measured) {
                                    recorder.recordValue(Math.min(System.nanoTime() - start, maxTrackedLatencyNanos));
                                    ops.incrementAndGet();
                                }
                                break;
                            } catch (Exception e) {
                                TxnTarget.Failure f = target.classify(e);
                                if (f == TxnTarget.Failure.RETRY && attempt < maxAttempts) {
                                    if (measured) {
                                        aborts.incrementAndGet();
                                    }
                                    if (System.nanoTime() < end) {
                                        continue;
                                    }
                                    break; // the run is over: the transaction is abandoned, nothing was committed
                                }
                                if (f == TxnTarget.Failure.UNKNOWN) {
                                    unknown.incrementAndGet();
                                    if (!transfer) {
                                        incrementsUnknown.incrementAndGet();
                                    }
                                } else {
                                    errors.incrementAndGet();
                                    firstError.compareAndSet(null, e);
                                }
                                break;
                            }
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e);
                }
            }, label + "-" + phase + "-" + t);
            threads.add(thread);
            thread.start();
        }
        if (print && stepTimes != null) {
            // Count the steps of the measured seconds only: from the end of the run's warm-up second.
            for (long wait; (wait = warmupEnd - System.nanoTime()) > 0; ) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            stepTimes.reset();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Histogram h = recorder.getIntervalHistogram();
        if (print) {
            System.out.printf(Locale.ROOT, KvBench.rowFormat, label, phase, concurrency, ops.get() / (double) seconds,
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, errors.get(), aborts.get(), unknown.get());
        }
        if (firstError.get() != null) {
            StringWriter trace = new StringWriter();
            firstError.get().printStackTrace(new PrintWriter(trace));
            System.err.printf(Locale.ROOT, "# %s %s %d%s: first of %d errors:%n%s", label, phase, concurrency,
                    print ? "" : " (warm-up)", errors.get(), trace);
        }
        if (print && stepTimes != null) {
            printSteps(label, phase, concurrency);
        }
        if (print) {
            check(label, phase, concurrency);
        }
    }

    /** One line: each step the transactions took in the measured seconds, how often, and its mean time. */
    private void printSteps(String label, String phase, int concurrency) {
        StringBuilder line = new StringBuilder();
        for (TransactionStepTimes.Total t : stepTimes.totals()) {
            if (t.count() > 0) {
                line.append(String.format(Locale.ROOT, " %s %d x %.3f ms;", t.step().name().toLowerCase(Locale.ROOT),
                        t.count(), t.meanMillis()));
            }
        }
        System.out.printf(Locale.ROOT, "# %s %s %d steps (coordinator, mean per run):%s%n", label, phase, concurrency, line);
    }

    private void check(String label, String phase, int concurrency) throws Exception {
        String where = label + " " + phase + " " + concurrency;
        try (TxnTarget target = targets.get()) {
            if (phase.equals("transfer")) {
                long expected = (long) accounts * initialBalance;
                long total = target.bankTotal();
                report(where, total == expected, String.format(Locale.ROOT, "bank total %d over %d accounts, initial %d",
                        total, accounts, expected));
            } else {
                long committed = incrementsCommitted.get();
                long maybe = incrementsUnknown.get();
                long total = target.counterTotal();
                report(where, total >= committed && total <= committed + maybe, String.format(Locale.ROOT,
                        "counters total %d, increments committed %d (+ %d of unknown outcome)", total, committed, maybe));
            }
        } catch (Exception e) {
            report(where, false, "could not read the totals: " + e);
        }
    }

    private void report(String where, boolean ok, String what) {
        System.out.printf(Locale.ROOT, "# check %s: %s: %s%n", where, what, ok ? "ok" : "FAILED");
        failed |= !ok;
    }
}
