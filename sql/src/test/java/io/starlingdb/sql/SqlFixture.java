package io.starlingdb.sql;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A SQL engine over a real RocksDB directory, with one session and helpers for tests. */
final class SqlFixture implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RocksStorage storage;
    final MvccStore store;
    final StarlingSqlEngine engine;
    final SqlSession session;

    SqlFixture(Path dir) {
        this(dir, SqlOptions.defaults());
    }

    SqlFixture(Path dir, SqlOptions options) {
        storage = RocksStorage.open(dir, StorageOptions.small());
        store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
        engine = StarlingSqlEngine.open(store, registry, options);
        session = engine.openSession();
    }

    long update(String sql, Object... params) throws SqlException {
        return update(session, sql, params);
    }

    static long update(SqlSession session, String sql, Object... params) throws SqlException {
        StatementResult result = session.execute(sql, Arrays.asList(params));
        if (result instanceof StatementResult.UpdateCount count) {
            return count.count();
        }
        ((StatementResult.Rows) result).cursor().close();
        throw new AssertionError("expected an update count from " + sql);
    }

    List<List<Object>> rows(String sql, Object... params) throws SqlException {
        return rows(session, sql, params);
    }

    /** More runs than {@code TieredPlan}'s interpreted tier, so the compiled code answers too. */
    static final int RUNS_IN_BOTH_TIERS = 4;

    /** Asserts that sql answers expected on each of {@link #RUNS_IN_BOTH_TIERS} runs: interpreted, then compiled. */
    void assertRowsInBothTiers(List<List<Object>> expected, String sql, Object... params) throws SqlException {
        for (int run = 0; run < RUNS_IN_BOTH_TIERS; run++) {
            org.junit.jupiter.api.Assertions.assertEquals(expected, rows(sql, params), sql + " (run " + (run + 1) + ")");
        }
    }

    static List<List<Object>> rows(SqlSession session, String sql, Object... params) throws SqlException {
        StatementResult result = session.execute(sql, Arrays.asList(params));
        if (!(result instanceof StatementResult.Rows rows)) {
            throw new AssertionError("expected rows from " + sql);
        }
        List<List<Object>> out = new ArrayList<>();
        try (RowCursor cursor = rows.cursor()) {
            for (List<Object[]> batch = cursor.fetch(7); !batch.isEmpty(); batch = cursor.fetch(7)) {
                for (Object[] row : batch) {
                    out.add(Arrays.asList(row));
                }
            }
        }
        return out;
    }

    /** The SQLState of the statement's failure; fails if it succeeds. */
    String error(String sql, Object... params) {
        try {
            StatementResult result = session.execute(sql, Arrays.asList(params));
            if (result instanceof StatementResult.Rows rows) {
                try (RowCursor cursor = rows.cursor()) {
                    while (!cursor.fetch(100).isEmpty()) {
                        // drain: errors may surface while rows are produced
                    }
                }
            }
        } catch (SqlException e) {
            return e.sqlState();
        }
        throw new AssertionError("expected " + sql + " to fail");
    }

    String explain(String sql) throws SqlException {
        StringBuilder plan = new StringBuilder();
        for (List<Object> row : rows("EXPLAIN PLAN FOR " + sql)) {
            plan.append(row.get(0)).append('\n');
        }
        return plan.toString();
    }

    @Override
    public void close() {
        session.close();
        engine.close();
        store.close();
        storage.close();
    }
}
