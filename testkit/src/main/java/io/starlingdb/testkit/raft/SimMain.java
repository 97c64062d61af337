package io.starlingdb.testkit.raft;

import io.starlingdb.testkit.kv.KvSimulation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs a range of simulator seeds: {@code raft|kv|txn --seed-from S --seeds N [--steps M] [--trace-dir D]}
 * ({@code kv} and {@code txn} also take {@code --broken VARIANT}, a deliberately broken variant the
 * checks must catch; {@code txn} runs the replicated store with transaction clients). Prints each failing seed with its trace file and ends with {@code N passed, N failed};
 * exits with 1 if any seed failed, 2 on bad arguments.
 */
public final class SimMain {

    public static final int defaultSteps = 2_000;
    public static final int maxSteps = 10_000_000;
    static final String usage = "usage: sim raft|kv|txn --seed-from S --seeds N [--steps M] [--trace-dir DIR]"
            + " [--broken VARIANT (kv: read_without_lease, split_outside_log, applied_index_apart,"
            + " host_with_initial_state, removed_replica_serves, leader_commits_before_sync, first_keys_ignore_span_end,"
            + " filtered_scan_drops_past_page; txn: prewrite_without_conflict_check,"
            + " secondary_before_primary, expired_coordinator_commits, serializable_without_validation,"
            + " status_rollback_without_log)]";

    private SimMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Long seedFrom = null;
        Long seeds = null;
        Integer stepsGiven = null;
        Path traceDir = Path.of("sim-traces");
        KvSimulation.Broken broken = KvSimulation.Broken.NONE;
        boolean kv;
        KvSimulation.Workload workload;
        try {
            if (args.length == 0 || !(args[0].equals("raft") || args[0].equals("kv") || args[0].equals("txn"))) {
                throw new IllegalArgumentException("the first argument must be the simulation name 'raft', 'kv' or 'txn'"
                        + (args.length == 0 ? "" : ", got '" + args[0] + "'"));
            }
            kv = !args[0].equals("raft");
            workload = args[0].equals("txn") ? KvSimulation.Workload.TXN : KvSimulation.Workload.KV;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
                }
                String v = args[++i];
                switch (a) {
                    case "--seed-from":
                        seedFrom = parseLong(a, v, Long.MIN_VALUE, Long.MAX_VALUE);
                        break;
                    case "--seeds":
                        seeds = parseLong(a, v, 1, 100_000_000);
                        break;
                    case "--steps":
                        stepsGiven = (int) parseLong(a, v, 1, maxSteps);
                        break;
                    case "--broken":
                        if (!kv) {
                            throw new IllegalArgumentException("--broken applies to the kv and txn simulations only");
                        }
                        try {
                            broken = KvSimulation.Broken.valueOf(v.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("unknown broken variant '" + v + "'");
                        }
                        if (broken != KvSimulation.Broken.NONE && broken.workload() != workload) {
                            throw new IllegalArgumentException("broken variant '" + v + "' belongs to the "
                                    + broken.workload().name().toLowerCase(Locale.ROOT) + " simulation");
                        }
                        break;
                    case "--trace-dir":
                        traceDir = Path.of(v);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (seedFrom == null || seeds == null) {
                throw new IllegalArgumentException("--seed-from and --seeds are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage);
            return 2;
        }
        int steps = stepsGiven != null ? stepsGiven : kv ? KvSimulation.defaultSteps : defaultSteps;
        long passed = 0;
        long failed = 0;
        long started = System.nanoTime();
        io.starlingdb.testkit.kv.TxnStats txnSum = new io.starlingdb.testkit.kv.TxnStats();
        for (long s = seedFrom; s < seedFrom + seeds; s++) {
            SimResult r = kv ? KvSimulation.run(s, steps, workload, broken, txnSum) : Simulation.run(s, steps);
            if (r.ok()) {
                passed++;
                continue;
            }
            failed++;
            String firstLine = r.failure().lines().findFirst().orElse("");
            try {
                SimResult traced = kv ? KvSimulation.runAndTrace(s, steps, workload, broken, traceDir)
                        : Simulation.runAndTrace(s, steps, traceDir);
                out.println("seed " + s + " FAILED: " + firstLine + "  trace: " + traced.traceFile().toAbsolutePath());
            } catch (IOException e) {
                out.println("seed " + s + " FAILED: " + firstLine + "  (trace not written: " + e.getMessage() + ")");
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        err.println("ran " + (passed + failed) + " seeds of " + steps + " steps in " + millis + " ms");
        if (workload == KvSimulation.Workload.TXN) {
            out.println("transactions: " + txnSum);
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private static long parseLong(String name, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }
}
