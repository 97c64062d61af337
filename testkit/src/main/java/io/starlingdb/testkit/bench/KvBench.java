package io.starlingdb.testkit.bench;

import io.starlingdb.engine.client.StarlingClient;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replicated key-value benchmark: puts of fixed-size values, point gets and scans of 100
 * keys with C concurrent clients, against Starling's replicated store through a
 * {@link StarlingClient} ({@code --seeds host:peerPort,...}) or, as the peer, against a
 * PostgreSQL table through JDBC ({@code --jdbc URL}: single-row upserts, primary-key selects,
 * range selects). The transactional phases ({@link TxnPhase}): {@code transfer}, SERIALIZABLE
 * transfers between two accounts in different ranges (two-phase commit), and {@code rmw}, a
 * one-key read-modify-write (one-phase commit), retried on 40001, with the bank total and the
 * counters checked after each run. Prints ops/s, latency p50/p99, errors, aborts (40001, each
 * retried) and outcomes unknown (40003) per phase and concurrency; exits with 1 if a check failed.
 *
 * <pre>KvBench (--seeds S | --jdbc URL [--user U]) [--label L] [--value-bytes 100] [--seconds 10]
 *         [--concurrency 1,16,128] [--phases put,get,scan,transfer,rmw] [--keys 10000]
 *         [--accounts 10000] [--counters 10000] [--warmup 30] [--kv-warmup 15]</pre>
 *
 * <p>{@code --warmup}: unmeasured seconds of each transactional phase before its first run
 * (see {@link TxnPhase#warmupClients}); {@code --kv-warmup} the same for put, get and scan, long
 * enough by default for the JIT of four JVMs on two cores and for the load-based splitter and the
 * lease balancer to act on the phase's load, so that what is measured is the steady state (a
 * store serves for days), not the first minute; both targets run it alike. Every run also starts
 * with one unmeasured second.
 */
public final class KvBench {

    private static final long maxTrackedLatencyNanos = 60_000_000_000L;
    /** Keys a scan reads. */
    static final int scanKeys = 100;
    /** Every account's balance before the first transfer. */
    static final long initialBalance = 1_000;
    /** One result row: target, phase, concurrency, ops/s, p50 ms, p99 ms, errors, aborts, unknown. */
    static final String rowFormat = "%-10s %-9s %-12d %12.1f %10.3f %10.3f %8d %8d %8d%n";

    /** One client's operations, whatever the target. */
    interface Target extends AutoCloseable {
        void put(String key, byte[] value) throws Exception;

        byte[] get(String key) throws Exception;

        int scan(String from, int limit) throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String seeds = null;
        String jdbc = null;
        String user = "postgres";
        String label = null;
        int valueBytes = 100;
        int seconds = 10;
        // 30 s: with 3 s the node JVMs were still compiling the transaction paths through the
        // one-client cells (docs/benchmarks.md, "Fifteenth session").
        int warmup = 30;
        int kvWarmup = 15;
        int keys = 10_000;
        int accounts = 10_000;
        int counters = 10_000;
        List<Integer> concurrencies = List.of(1, 16, 128);
        List<String> phases = List.of("put", "get", "scan", "transfer", "rmw");
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--seeds" -> seeds = v;
                case "--jdbc" -> jdbc = v;
                case "--user" -> user = v;
                case "--label" -> label = v;
                case "--value-bytes" -> valueBytes = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--kv-warmup" -> kvWarmup = Integer.parseInt(v);
                case "--keys" -> keys = Integer.parseInt(v);
                case "--concurrency" -> concurrencies = Arrays.stream(v.split(",")).map(s -> Integer.parseInt(s.trim())).toList();
                case "--accounts" -> accounts = Integer.parseInt(v);
                case "--counters" -> counters = Integer.parseInt(v);
                case "--phases" -> phases = List.of(v.split(","));
                default -> {
                    System.err.println("KvBench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if ((seeds == null) == (jdbc == null)) {
            System.err.println("KvBench: give exactly one of --seeds host:port,... and --jdbc URL");
            System.exit(2);
        }
        for (String phase : phases) {
            if (!List.of("put", "get", "scan", "transfer", "rmw").contains(phase)) {
                System.err.println("KvBench: unknown phase " + phase + " (put, get, scan, transfer, rmw)");
                System.exit(2);
            }
        }
        if (warmup < 0 || kvWarmup < 0) {
            System.err.println("KvBench: --warmup and --kv-warmup are seconds, at least 0");
            System.exit(2);
        }
        if (accounts < 2 || counters < 1) {
            System.err.println("KvBench: --accounts must be at least 2 and --counters at least 1");
            System.exit(2);
        }
        try {
            run(seeds, jdbc, user, label, valueBytes, seconds, warmup, kvWarmup, keys, accounts, counters, concurrencies, phases);
        } catch (Exception | Error e) {
            // The client's network threads would keep the process alive: end it, failed.
            System.err.println("KvBench: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String seeds, String jdbc, String user, String label, int valueBytes, int seconds,
                            int warmup, int kvWarmup, int keys, int accounts, int counters, List<Integer> concurrencies,
                            List<String> phases) throws Exception {
        byte[] value = "v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
        StarlingClient client = seeds == null ? null : StarlingClient.connect(seeds);
        String finalJdbc = jdbc;
        String finalUser = user;
        String name = label != null ? label : client != null ? "starling" : "postgres";
        java.util.function.Supplier<Target> targets = client != null ? () -> starling(client)
                : () -> postgres(finalJdbc, finalUser);
        if (client == null) {
            try (Connection c = DriverManager.getConnection(jdbc, user, ""); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS kv");
                s.execute("CREATE TABLE kv (k VARCHAR(64) PRIMARY KEY, v BYTEA NOT NULL)");
            }
        }
        boolean kvPhases = phases.stream().anyMatch(p -> List.of("put", "get", "scan").contains(p));
        boolean txnPhases = phases.contains("transfer") || phases.contains("rmw");
        int finalAccounts = accounts;
        int finalCounters = counters;
        TxnPhase txn = null;
        if (txnPhases) {
            if (client != null) {
                StarlingTxnTarget.prepare(client, accounts, initialBalance, counters);
            } else {
                PostgresTxnTarget.prepare(jdbc, user, accounts, initialBalance, counters);
            }
            txn = new TxnPhase(client != null ? () -> new StarlingTxnTarget(client, finalAccounts, finalCounters) : () -> {
                try {
                    return new PostgresTxnTarget(finalJdbc, finalUser, finalAccounts, finalCounters);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("cannot connect to " + finalJdbc + ": " + e.getMessage(), e);
                }
            }, accounts, initialBalance, counters, warmup, client != null ? client.transactions().stepTimes() : null);
        }
        // Every key the gets and scans read exists.
        if (kvPhases) {
            try (Target t = targets.get()) {
                for (int k = 0; k < keys; k++) {
                    t.put(key(k), value);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-10s %-9s %-12s %12s %10s %10s %8s %8s %8s%n", "target", "phase", "concurrency",
                "ops/s", "p50_ms", "p99_ms", "errors", "aborts", "unknown");
        for (String phase : phases) {
            boolean kvPhase = !phase.equals("transfer") && !phase.equals("rmw");
            if (kvPhase && kvWarmup > 0) {
                System.out.printf(Locale.ROOT, "# %s %s: %d s of warm-up with %d clients%n", name, phase, kvWarmup,
                        TxnPhase.warmupClients);
                run(name, phase, targets, value, keys, TxnPhase.warmupClients, kvWarmup, false);
            }
            for (int c : concurrencies) {
                if (!kvPhase) {
                    txn.run(name, phase, c, seconds);
                } else {
                    run(name, phase, targets, value, keys, c, seconds, true);
                }
            }
        }
        if (client != null) {
            client.close();
        }
        if (txn != null && txn.failed()) {
            System.err.println("KvBench: a check failed (see the '# check' lines)");
            System.exit(1);
        }
    }

    /**
     * "bench" and k in eight digits with leading zeros. Not String.format: at 16 clients its
     * Formatter (locale symbols, streams) was a fifth of the bench client's CPU samples, CPU taken
     * from the two cores the measured nodes and PostgreSQL run on.
     */
    static String key(int k) {
        if (k < 0 || k > 99_999_999) {
            return String.format(Locale.ROOT, "bench%08d", k);
        }
        char[] c = {'b', 'e', 'n', 'c', 'h', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int i = c.length - 1; k != 0; i--, k /= 10) {
            c[i] = (char) ('0' + k % 10);
        }
        return new String(c);
    }

    private static Target starling(StarlingClient client) {
        return new Target() {
            @Override
            public void put(String key, byte[] value) {
                client.put(key.getBytes(StandardCharsets.US_ASCII), value);
            }

            @Override
            public byte[] get(String key) {
                return client.get(key.getBytes(StandardCharsets.US_ASCII));
            }

            @Override
            public int scan(String from, int limit) {
                return client.scan(from.getBytes(StandardCharsets.US_ASCII), null, limit).size();
            }

            @Override
            public void close() {
            }
        };
    }

    private static Target postgres(String url, String user) {
        try {
            Connection c = DriverManager.getConnection(url, user, "");
            PreparedStatement upsert = c.prepareStatement("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v");
            PreparedStatement select = c.prepareStatement("SELECT v FROM kv WHERE k = ?");
            PreparedStatement range = c.prepareStatement("SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?");
            return new Target() {
                @Override
                public void put(String key, byte[] value) throws Exception {
                    upsert.setString(1, key);
                    upsert.setBytes(2, value);
                    upsert.executeUpdate();
                }

                @Override
                public byte[] get(String key) throws Exception {
                    select.setString(1, key);
                    try (ResultSet rs = select.executeQuery()) {
                        return rs.next() ? rs.getBytes(1) : null;
                    }
                }

                @Override
                public int scan(String from, int limit) throws Exception {
                    range.setString(1, from);
                    range.setInt(2, limit);
                    int n = 0;
                    try (ResultSet rs = range.executeQuery()) {
                        while (rs.next()) {
                            n++;
                        }
                    }
                    return n;
                }

                @Override
                public void close() throws Exception {
                    c.close();
                }
            };
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + url + ": " + e.getMessage(), e);
        }
    }

    private static void run(String label, String phase, java.util.function.Supplier<Target> targets, byte[] value, int keys,
                            int concurrency, int seconds, boolean print) throws InterruptedException {
        Recorder recorder = new Recorder(maxTrackedLatencyNanos, 3);
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long warmupEnd = System.nanoTime() + 1_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                java.util.Random random = new java.util.Random(id);
                try (Target target = targets.get()) {
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        String key = key(random.nextInt(keys));
                        try {
                            switch (phase) {
                                case "put" -> target.put(key, value);
                                case "get" -> target.get(key);
                                default -> target.scan(key(random.nextInt(Math.max(1, keys - scanKeys))), scanKeys);
                            }
                        } catch (Exception e) {
                            if (now >= warmupEnd) {
                                errors.incrementAndGet();
                            }
                            continue;
                        }
                        if (now >= warmupEnd) {
                            recorder.recordValue(Math.min(System.nanoTime() - now, maxTrackedLatencyNanos));
                            ops.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!print) {
            return;
        }
        Histogram h = recorder.getIntervalHistogram();
        System.out.printf(Locale.ROOT, rowFormat, label, phase, concurrency, ops.get() / (double) seconds,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, errors.get(), 0L, 0L);
    }
}
