package io.starlingdb.sql.differential;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.sql.RowCursor;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.SqlSession;
import io.starlingdb.sql.StarlingSqlEngine;
import io.starlingdb.sql.StatementResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two engines a differential check runs a statement on, Starling and the {@link
 * ReferenceEngine} (H2 unless {@code starling.sqldiff.reference} says otherwise), with results
 * in one comparable form.
 */
final class Engines implements AutoCloseable {

    /**
     * A statement running longer than this (in-process, on tables of a few rows) is reported as a hang.
     * {@code starling.sqldiff.statementTimeoutSeconds} raises it for a long run kept at a low CPU
     * priority beside other work, where a starved statement is not a hung one.
     */
    static final long STATEMENT_TIMEOUT_SECONDS = Long.getLong("starling.sqldiff.statementTimeoutSeconds", 30L);
    /** Significant digits compared: engines may round approximate and decimal results differently beyond them. */
    static final MathContext DIGITS = new MathContext(10);
    /**
     * Values nearer zero than this compare as zero: quotients that cancel in a sum leave a residue
     * of each engine's rounding, whose size depends on its decimal scale (H2 -1E-40 where Starling
     * had -7E-16 for a SUM whose exact value is 0: seed 13000244 query 40). The generated data has
     * no such small values of its own.
     */
    static final BigDecimal NEAR_ZERO = new BigDecimal("1E-12");

    /** Rows (each value normalized to text), or the error that ended the statement. */
    record Outcome(List<List<String>> rows, String error) {
        boolean failed() {
            return error != null;
        }

        /** The SQLSTATE the failure began with. */
        String sqlState() {
            return error.split("[ \n]", 2)[0];
        }

        List<List<String>> sorted() {
            List<List<String>> out = new ArrayList<>(rows);
            out.sort((a, b) -> String.join("\u0001", a).compareTo(String.join("\u0001", b)));
            return out;
        }
    }

    /** A Starling statement that did not finish within {@link #STATEMENT_TIMEOUT_SECONDS}. */
    static final class Hang extends RuntimeException {
        Hang(String sql) {
            super("Starling did not finish within " + STATEMENT_TIMEOUT_SECONDS + " s: " + sql);
        }
    }

    /** What Starling's session runs on, closed after it: the local store's engine, or nothing of this object's. */
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final SqlSession session;
    final ReferenceEngine referenceEngine = ReferenceEngine.configured();
    private final Connection reference;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sqldiff-starling");
        t.setDaemon(true);
        return t;
    });
    long starlingStatements;
    long referenceStatements;

    /** Starling on a store of its own in dir (one node, SQL on its local store). */
    Engines(Path dir) throws SQLException {
        RocksStorage storage = RocksStorage.open(dir, StorageOptions.small());
        MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
        StarlingSqlEngine engine = StarlingSqlEngine.open(store, new SimpleMeterRegistry());
        session = engine.openSession();
        owned.add(engine);
        owned.add(store);
        owned.add(storage);
        reference = referenceEngine.connect();
    }

    /** Starling through session, which the caller's engine serves (a cluster node's, say); closes the session only. */
    Engines(SqlSession session) throws SQLException {
        this.session = session;
        reference = referenceEngine.connect();
    }

    Outcome starling(String sql) {
        starlingStatements++;
        Future<Outcome> future = runner.submit(() -> runStarling(sql));
        try {
            return future.get(STATEMENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Hang(sql);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            return new Outcome(null, "crash " + e.getCause());
        }
    }

    private Outcome runStarling(String sql) {
        try {
            StatementResult result = session.execute(sql, List.of());
            List<List<String>> rows = new ArrayList<>();
            if (result instanceof StatementResult.UpdateCount u) {
                rows.add(List.of("count=" + u.count()));
            } else if (result instanceof StatementResult.Rows r) {
                try (RowCursor cursor = r.cursor()) {
                    for (List<Object[]> batch = cursor.fetch(256); !batch.isEmpty(); batch = cursor.fetch(256)) {
                        for (Object[] row : batch) {
                            List<String> values = new ArrayList<>(row.length);
                            for (Object v : row) {
                                values.add(normalize(v));
                            }
                            rows.add(values);
                        }
                    }
                }
            }
            return new Outcome(rows, null);
        } catch (SqlException e) {
            return new Outcome(null, e.sqlState() + " " + e.getMessage() + causeOf(e));
        }
    }

    /** Where an internal failure came from, for the report (the first frames of its root cause). */
    private static String causeOf(SqlException e) {
        Throwable root = e.getCause();
        if (root == null) {
            return "";
        }
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StringBuilder out = new StringBuilder("\n   caused by ").append(root);
        StackTraceElement[] frames = root.getStackTrace();
        for (int i = 0; i < Math.min(12, frames.length); i++) {
            out.append("\n     at ").append(frames[i]);
        }
        return out.toString();
    }

    /** Runs the generated (Starling) SQL on the reference, spelled in its dialect. */
    Outcome reference(String sql) {
        referenceStatements++;
        try (Statement statement = reference.createStatement()) {
            List<List<String>> rows = new ArrayList<>();
            if (!statement.execute(referenceEngine.spell(sql))) {
                rows.add(List.of("count=" + statement.getUpdateCount()));
            } else {
                try (ResultSet rs = statement.getResultSet()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<String> values = new ArrayList<>(n);
                        for (int i = 1; i <= n; i++) {
                            values.add(normalize(rs.getObject(i)));
                        }
                        rows.add(values);
                    }
                }
            }
            return new Outcome(rows, null);
        } catch (SQLException e) {
            return new Outcome(null, e.getSQLState() + " " + e.getMessage());
        }
    }

    static String normalize(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.toString(d);
            }
            return decimal(new BigDecimal(d));
        }
        if (v instanceof BigDecimal b) {
            return decimal(b);
        }
        if (v instanceof Number n) {
            return Long.toString(n.longValue());
        }
        if (v instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return v.toString();
    }

    private static String decimal(BigDecimal b) {
        if (b.signum() == 0 || b.abs().compareTo(NEAR_ZERO) < 0) {
            return "0";
        }
        return b.round(DIGITS).stripTrailingZeros().toPlainString();
    }

    @Override
    public void close() {
        runner.shutdownNow();
        SQLException referenceFailure = null;
        try {
            referenceEngine.release(reference);
            reference.close();
        } catch (SQLException e) {
            referenceFailure = e; // Starling's store is closed all the same, then this is reported
        }
        session.close();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c, e);
            }
        }
        if (referenceFailure != null) {
            throw new IllegalStateException("closing the reference engine " + referenceEngine.label(), referenceFailure);
        }
    }
}
