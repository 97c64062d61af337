package io.starlingdb.testkit.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * A JDBC benchmark that measures a database the way applications use it: load N rows, then
 * point selects (prepared, and as plain statements with the id in the text), durable single-row updates, a scan-aggregate
 * and bank transfers between two accounts in SERIALIZABLE transactions, each phase with T threads for a fixed time, printing throughput and p50/p99 latency; then the distinct phase: one
 * client sends statements it never sent before (as applications that build their SQL do), one
 * at a time, timing each. The same statements run
 * unchanged against Starling, PostgreSQL and H2, so figures from one run on one machine
 * can be compared as ratios.
 */
public final class JdbcBench {

    /** Rows per INSERT batch (and per commit) during the load phase. */
    private static final int LOAD_BATCH_ROWS = 500;

    /** Highest latency the histograms track, in nanoseconds (60 s). */
    private static final long MAX_TRACKED_LATENCY_NANOS = 60_000_000_000L;

    /**
     * STARLING_BENCH_SLOW_MS (environment): each timed phase prints every statement that took at
     * least this many milliseconds, with the wall-clock time it began and its thread, and the
     * statements done in each second of the phase (warm-up included), to find stalls (max_ms)
     * in a node's logs. Unset or 0: nothing printed.
     */
    private static final long SLOW_MILLIS = parseSlowMillis(System.getenv("STARLING_BENCH_SLOW_MS"));

    private static long parseSlowMillis(String value) {
        try {
            return value == null || value.isBlank() ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private final BenchOptions options;

    private JdbcBench(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        new JdbcBench(options).run();
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "# %s  rows=%d threads=%d seconds/phase=%d%n",
                options.label(), options.rows(), options.threads(), options.seconds());
        System.out.printf(Locale.ROOT, "%-10s %-8s %12s %10s %10s %10s %8s%n",
                "target", "phase", "ops/s", "p50_ms", "p99_ms", "max_ms", "errors");
        try (Connection c = connect()) {
            for (String phase : options.phases()) {
                PhaseResult result = switch (phase) {
                    case "load" -> load(c);
                    case "point" -> timed(phase, (conn, stmt) -> pointSelect(stmt), SELECT_SQL);
                    case "literal" -> timed(phase, (conn, stmt) -> literalSelect(conn), SELECT_SQL);
                    case "update" -> timed(phase, (conn, stmt) -> update(stmt), UPDATE_SQL);
                    case "scan" -> timed(phase, (conn, stmt) -> scan(stmt), SCAN_SQL);
                    case "transfer" -> transfers(c);
                    case "distinct" -> distinct(c);
                    default -> throw new IllegalArgumentException("unknown phase " + phase);
                };
                result.print(options.label());
            }
        }
    }

    private static final String SELECT_SQL = "SELECT id, k, v, n FROM bench WHERE id = ?";
    private static final String UPDATE_SQL = "UPDATE bench SET n = n + 1 WHERE id = ?";
    private static final String SCAN_SQL = "SELECT COUNT(*), SUM(n), MAX(v) FROM bench WHERE k < ?";

    private static final String TRANSFER_SQL = "UPDATE bench_accounts SET balance = balance + ? WHERE id = ?";

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(options.url(), options.user(), options.password());
    }

    private PhaseResult load(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try {
                s.execute("DROP TABLE bench");
            } catch (SQLException absent) {
                // The table did not exist: nothing to drop. Not every peer speaks IF EXISTS alike.
            }
            s.execute("CREATE TABLE bench (id BIGINT NOT NULL PRIMARY KEY, k INTEGER NOT NULL, "
                    + "v VARCHAR(100) NOT NULL, n DOUBLE PRECISION NOT NULL)");
        }
        Histogram latencies = new Histogram(MAX_TRACKED_LATENCY_NANOS, 3);
        long start = System.nanoTime();
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench (id, k, v, n) VALUES (?, ?, ?, ?)")) {
            for (long id = 0; id < options.rows(); ) {
                long batchStart = System.nanoTime();
                int inBatch = 0;
                for (; inBatch < LOAD_BATCH_ROWS && id < options.rows(); inBatch++, id++) {
                    insert.setLong(1, id);
                    insert.setInt(2, (int) (id % 1000));
                    insert.setString(3, "value-" + id + "-padding-to-make-a-row-of-realistic-size");
                    insert.setDouble(4, id * 0.5);
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
                latencies.recordValue(Math.min(System.nanoTime() - batchStart, MAX_TRACKED_LATENCY_NANOS));
            }
        } finally {
            c.setAutoCommit(true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new PhaseResult("load", options.rows() / seconds, latencies, 0, "rows/s; latency per " + LOAD_BATCH_ROWS + "-row batch");
    }

    @FunctionalInterface
    private interface Operation {
        void run(Connection connection, PreparedStatement statement) throws SQLException;
    }

    /** Runs the operation on every thread for the configured time after a warm-up. */
    private PhaseResult timed(String phase, Operation op, String sql) throws Exception {
        Recorder recorder = new Recorder(MAX_TRACKED_LATENCY_NANOS, 3);
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<String> firstErrors = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(options.threads());
        long warmupEnd = System.nanoTime() + options.warmupSeconds() * 1_000_000_000L;
        long end = warmupEnd + options.seconds() * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        AtomicLong allOps = new AtomicLong();
        java.util.concurrent.ScheduledExecutorService perSecond = null;
        if (SLOW_MILLIS > 0) {
            perSecond = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "bench-per-second");
                thread.setDaemon(true);
                return thread;
            });
            long[] last = {0};
            perSecond.scheduleAtFixedRate(() -> {
                long all = allOps.get();
                System.err.printf(Locale.ROOT, "# %s %s %d/s%n", java.time.Instant.now(), phase, all - last[0]);
                last[0] = all;
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (int t = 0; t < options.threads(); t++) {
            Thread worker = new Thread(() -> {
                try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
                    ready.countDown();
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        try {
                            op.run(c, ps);
                        } catch (SQLException e) {
                            if (now >= warmupEnd) {
                                errors.incrementAndGet();
                            }
                            synchronized (firstErrors) {
                                if (firstErrors.size() < 3) {
                                    firstErrors.add(e.getSQLState() + " " + e.getMessage());
                                }
                            }
                            continue;
                        }
                        long took = System.nanoTime() - now;
                        if (now >= warmupEnd) {
                            recorder.recordValue(Math.min(took, MAX_TRACKED_LATENCY_NANOS));
                            ops.incrementAndGet();
                        }
                        if (SLOW_MILLIS > 0) {
                            allOps.incrementAndGet();
                            if (took >= SLOW_MILLIS * 1_000_000L) {
                                System.err.printf(Locale.ROOT, "# slow %s: %d ms, began %s, %s%n", phase,
                                        took / 1_000_000, java.time.Instant.now().minusNanos(took),
                                        Thread.currentThread().getName());
                            }
                        }
                    }
                } catch (SQLException e) {
                    ready.countDown();
                    synchronized (firstErrors) {
                        firstErrors.add("connect: " + e.getSQLState() + " " + e.getMessage());
                    }
                }
            }, "bench-" + phase + "-" + t);
            workers.add(worker);
            worker.start();
        }
        ready.await();
        for (Thread worker : workers) {
            worker.join();
        }
        if (perSecond != null) {
            perSecond.shutdownNow();
        }
        if (!firstErrors.isEmpty()) {
            System.err.println("# " + options.label() + " " + phase + " errors (first few): " + firstErrors);
        }
        Histogram histogram = recorder.getIntervalHistogram();
        return new PhaseResult(phase, ops.get() / (double) options.seconds(), histogram, errors.get(), "");
    }

    private void pointSelect(PreparedStatement ps) throws SQLException {
        long id = ThreadLocalRandom.current().nextLong(options.rows());
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getLong(1) != id) {
                throw new SQLException("row " + id + " not found", "02000");
            }
        }
    }

    /** The point select as applications without prepared statements send it: the id written into the text. */
    private void literalSelect(Connection c) throws SQLException {
        long id = ThreadLocalRandom.current().nextLong(options.rows());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SELECT_SQL.replace("?", Long.toString(id)))) {
            if (!rs.next() || rs.getLong(1) != id) {
                throw new SQLException("row " + id + " not found", "02000");
            }
        }
    }

    private void update(PreparedStatement ps) throws SQLException {
        long id = ThreadLocalRandom.current().nextLong(options.rows());
        ps.setLong(1, id);
        if (ps.executeUpdate() != 1) {
            throw new SQLException("row " + id + " not updated", "02000");
        }
    }

    private void scan(PreparedStatement ps) throws SQLException {
        ps.setInt(1, ThreadLocalRandom.current().nextInt(1, 1000));
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("aggregate returned no row", "02000");
            }
        }
    }

    /** Accounts of the transfer phase: few enough that 128 clients meet real conflicts. */
    private static final int TRANSFER_ACCOUNTS = 1_000;

    /** Balance of each account before the transfer phase. */
    private static final long TRANSFER_OPENING_BALANCE = 1_000;

    /** Attempts of one transfer before it counts as an error (each conflict is retried, as applications do). */
    private static final int TRANSFER_MAX_ATTEMPTS = 100;

    /** Transfers retried after a conflict, across all clients of the phase. */
    private final AtomicLong transferRetries = new AtomicLong();

    /**
     * Bank transfers: each moves 1 from one random account to another in a SERIALIZABLE
     * transaction of two UPDATEs (the lower id first, so that PostgreSQL's row locks do not
     * deadlock), retried on a serialization failure (40001) or a deadlock (40P01) as an
     * application would; the latency of a transfer includes its retries. The sum of the balances
     * is checked afterwards: a transfer applied twice, or half of one, changes it.
     */
    private PhaseResult transfers(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            try {
                s.execute("DROP TABLE bench_accounts");
            } catch (SQLException absent) {
                // Not there yet.
            }
            s.execute("CREATE TABLE bench_accounts (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL)");
        }
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench_accounts (id, balance) VALUES (?, ?)")) {
            for (int id = 0; id < TRANSFER_ACCOUNTS; id++) {
                insert.setLong(1, id);
                insert.setLong(2, TRANSFER_OPENING_BALANCE);
                insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        transferRetries.set(0);
        PhaseResult result = timed("transfer", this::transfer, TRANSFER_SQL);
        long expected = TRANSFER_ACCOUNTS * TRANSFER_OPENING_BALANCE;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(balance) FROM bench_accounts")) {
            rs.next();
            long total = rs.getLong(1);
            if (total != expected) {
                throw new IllegalStateException("transfer: the accounts hold " + total + " after the phase, not " + expected
                        + ": a transfer was lost, doubled or half-applied");
            }
        }
        return new PhaseResult(result.phase(), result.opsPerSecond(), result.latencies(), result.errors(), String.format(
                Locale.ROOT, "transfers/s, SERIALIZABLE, %d accounts; %d retries after conflicts; total checked",
                TRANSFER_ACCOUNTS, transferRetries.get()));
    }

    private void transfer(Connection c, PreparedStatement ps) throws SQLException {
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long from = random.nextLong(TRANSFER_ACCOUNTS);
        long to = (from + 1 + random.nextLong(TRANSFER_ACCOUNTS - 1)) % TRANSFER_ACCOUNTS;
        for (int attempt = 1; ; attempt++) {
            try {
                for (long id : new long[] {Math.min(from, to), Math.max(from, to)}) {
                    ps.setLong(1, id == from ? -1 : 1);
                    ps.setLong(2, id);
                    if (ps.executeUpdate() != 1) {
                        throw new SQLException("account " + id + " not updated", "02000");
                    }
                }
                c.commit();
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                boolean conflict = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
                if (!conflict || attempt >= TRANSFER_MAX_ATTEMPTS) {
                    throw e;
                }
                transferRetries.incrementAndGet();
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The transaction is gone with its connection or was never open: nothing to undo.
        }
    }

    /** Rows of the distinct phase's table: as small as the measurement, so the time is the statement's, not the scan's. */
    private static final int DISTINCT_TABLE_ROWS = 3;

    /** Most values in one IN list of the distinct phase; lists run 1..this long. */
    private static final int DISTINCT_MAX_IN_LIST = 100;

    /**
     * Statements never seen before, one at a time on one connection: four one-table SELECT
     * templates with IN lists of every length from 1 to {@value #DISTINCT_MAX_IN_LIST} and
     * varying predicates, select lists and tails, so that no two statements have the same text
     * or the same shape (a database that shares plans between texts that differ only in
     * literal values gets no help). A warm-up of other distinct statements runs first.
     */
    private PhaseResult distinct(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try {
                s.execute("DROP TABLE bench_distinct");
            } catch (SQLException absent) {
                // Not there yet.
            }
            s.execute("CREATE TABLE bench_distinct (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b VARCHAR(20), c DOUBLE PRECISION)");
            for (int id = 1; id <= DISTINCT_TABLE_ROWS; id++) {
                s.execute("INSERT INTO bench_distinct VALUES (" + id + ", " + (id * 10) + ", 'b" + id + "', " + id + ".5)");
            }
        }
        int statements = options.distinctStatements();
        // Warm-up statements carry a select-list constant the measured ones never use.
        runDistinct(c, Math.min(statements, 200), 1_000_000, null);
        Histogram latencies = new Histogram(MAX_TRACKED_LATENCY_NANOS, 3);
        long start = System.nanoTime();
        runDistinct(c, statements, 0, latencies);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new PhaseResult("distinct", statements / seconds, latencies, 0, String.format(Locale.ROOT,
                "statements/s; mean %.3f ms per statement, %d statements each sent once", latencies.getMean() / 1e6, statements));
    }

    private static void runDistinct(Connection c, int count, int offset, Histogram latencies) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < count; i++) {
                String sql = distinctStatement(i, offset);
                long begin = System.nanoTime();
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        rs.getObject(1);
                    }
                }
                if (latencies != null) {
                    latencies.recordValue(Math.min(System.nanoTime() - begin, MAX_TRACKED_LATENCY_NANOS));
                }
            }
        }
    }

    /** Statement {@code i}: template i % 4, an IN list of 1 + (i / 4) % 100 values, a select-list constant above that. */
    static String distinctStatement(int i, int offset) {
        int length = 1 + (i / 4) % DISTINCT_MAX_IN_LIST;
        int round = offset + i / (4 * DISTINCT_MAX_IN_LIST);
        StringBuilder in = new StringBuilder();
        for (int k = 0; k < length; k++) {
            in.append(k == 0 ? "" : ", ").append(k * 10 + i % 7);
        }
        return switch (i % 4) {
            case 0 -> "SELECT id, b, a + " + round + " FROM bench_distinct WHERE a IN (" + in + ")";
            case 1 -> "SELECT id, a + " + round + ", b, c FROM bench_distinct WHERE a > " + (i % 13) + " AND b <> 'q' OR c < "
                    + (i % 5) + ".5 AND id IN (" + in + ")";
            case 2 -> "SELECT COUNT(*), MAX(c) + " + round + " FROM bench_distinct WHERE id NOT IN (" + in + ") OR b LIKE 'b"
                    + (i % 3) + "%'";
            default -> "SELECT b, a + " + round + " FROM bench_distinct WHERE id BETWEEN 1 AND " + (1 + i % 4) + " AND a NOT IN ("
                    + in + ") ORDER BY a DESC LIMIT " + (1 + i % 3);
        };
    }

    private record PhaseResult(String phase, double opsPerSecond, Histogram latencies, long errors, String note) {
        void print(String label) {
            System.out.printf(Locale.ROOT, "%-10s %-8s %12.1f %10.3f %10.3f %10.3f %8d %s%n", label, phase, opsPerSecond,
                    latencies.getValueAtPercentile(50) / 1e6, latencies.getValueAtPercentile(99) / 1e6,
                    latencies.getMaxValue() / 1e6, errors, note);
        }
    }
}
