package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statements stop on a cancel, on their deadline and on their planning budget, and the session goes on. */
class StatementCancelTest {

    /** A three-way cross join of 600 rows each: 216 million combinations, minutes of work. */
    static final String RUNAWAY = "SELECT MAX(a.v + b.v + c.v) FROM big a, big b, big c";

    /** How soon a stopped statement must answer. */
    static final long STOP_WITHIN_MILLIS = 1_000;

    @TempDir
    Path dir;

    static void fillBig(SqlFixture f) throws SqlException {
        f.update("CREATE TABLE big (id INT PRIMARY KEY, v INT)");
        StringBuilder values = new StringBuilder("INSERT INTO big VALUES ");
        for (int i = 0; i < 600; i++) {
            values.append(i == 0 ? "" : ", ").append('(').append(i).append(", ").append(i % 7).append(')');
        }
        f.update(values.toString());
    }

    /**
     * An engine with these options over a directory already holding table big: filled by an
     * engine without tight limits, so that the setup never meets the limits under test.
     */
    private SqlFixture withBig(SqlOptions options) throws SqlException {
        try (SqlFixture setup = new SqlFixture(dir)) {
            fillBig(setup);
        }
        return new SqlFixture(dir, options);
    }

    /** Runs the statement to its end (rows included) and returns the SQLException it failed with. */
    private static SqlException failure(SqlFixture f, String sql) {
        try {
            f.rows(sql);
        } catch (SqlException e) {
            return e;
        }
        throw new AssertionError("expected " + sql + " to fail");
    }

    @Test
    void statementTimeoutStopsARunawayQueryAndTheSessionGoesOn() throws Exception {
        try (SqlFixture f = withBig(new SqlOptions(500, SqlOptions.DEFAULT_PLANNING_TIMEOUT_MILLIS))) {
            long start = System.nanoTime();
            SqlException e = failure(f, RUNAWAY);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("57014", e.sqlState(), e.getMessage());
            assertTrue(e.getMessage().contains("statement timeout of 500 ms"), e.getMessage());
            assertTrue(tookMillis < 500 + STOP_WITHIN_MILLIS, "stopped after " + tookMillis + " ms");
            assertEquals(List.of(List.of(600L)), f.rows("SELECT COUNT(*) FROM big"));
        }
    }

    @Test
    void cancelFromAnotherThreadStopsARunningQueryWithinASecond() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            fillBig(f);
            CompletableFuture<SqlException> running = CompletableFuture.supplyAsync(() -> failure(f, RUNAWAY));
            awaitRunning(f.session.cancelSignal());
            long cancelledAt = System.nanoTime();
            f.session.cancelSignal().cancel("canceled on request");
            SqlException e = running.get(10, TimeUnit.SECONDS);
            long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
            assertEquals("57014", e.sqlState(), e.getMessage());
            assertTrue(e.getMessage().contains("canceled on request"), e.getMessage());
            assertTrue(latencyMillis < STOP_WITHIN_MILLIS, "answered " + latencyMillis + " ms after the cancel");
            assertFalse(f.session.cancelSignal().running());
            f.update("INSERT INTO big VALUES (1000, 1)");
            assertEquals(List.of(List.of(601L)), f.rows("SELECT COUNT(*) FROM big"));
        }
    }

    @Test
    void aCancelBetweenStatementsDoesNotStopTheNextOne() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY)");
            f.update("INSERT INTO t VALUES (1)");
            f.session.cancelSignal().cancel("late cancel");
            assertEquals(List.of(List.of(1L)), f.rows("SELECT COUNT(*) FROM t"));
        }
    }

    @Test
    void planningOverItsBudgetIsStopped() throws Exception {
        try (SqlFixture f = new SqlFixture(dir, new SqlOptions(SqlOptions.DEFAULT_STATEMENT_TIMEOUT_MILLIS, 1))) {
            f.update("CREATE TABLE m (id INT PRIMARY KEY, a INT, b INT, c INT)");
            // Sub-queries inside OR-ed predicates over a many-way join: tens of milliseconds of planning at least.
            StringBuilder sql = new StringBuilder("SELECT m0.id FROM m m0");
            for (int i = 1; i < 12; i++) {
                sql.append(" JOIN m m").append(i).append(" ON m").append(i).append(".a = m").append(i - 1).append(".b");
            }
            sql.append(" WHERE m0.c >= 25 OR m0.b IN (SELECT a FROM m WHERE a = 52)"
                    + " OR EXISTS (SELECT 1 FROM m x WHERE x.b < m0.b AND x.c IN (SELECT c FROM m y WHERE y.a > x.a))");
            SqlException e = failure(f, sql.toString());
            assertEquals("57014", e.sqlState(), e.getMessage());
            assertTrue(e.getMessage().contains("statement.planning.timeout"), e.getMessage());
            // The session is usable: a statement that plans nothing runs.
            f.update("CREATE TABLE after_it (id INT PRIMARY KEY)");
        }
    }

    static void awaitRunning(CancelSignal signal) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!signal.running()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the statement did not start");
            }
            Thread.sleep(5);
        }
    }
}
