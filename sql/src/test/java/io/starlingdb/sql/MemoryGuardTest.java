package io.starlingdb.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A statement that fills the heap is stopped with 53200 before the JVM runs out of memory, and
 * the node goes on: the guard stops the longest-running statement while the heap, after garbage
 * collection, is at or above {@code sql.memory.stop.percent}, one a second.
 */
class MemoryGuardTest {

    @TempDir
    Path dir;

    /** Runs the runaway statement of {@link StatementCancelTest} in session on another thread; answers its failure. */
    private static CompletableFuture<SqlException> runaway(SqlSession session) {
        return runaway(session, StatementCancelTest.RUNAWAY);
    }

    @Test
    void theLongestRunningStatementIsStoppedWhileTheHeapIsTooFullAndOnlyOneASecond() throws Exception {
        try (SqlFixture f = new SqlFixture(dir); SqlSession second = f.engine.openSession()) {
            StatementCancelTest.fillBig(f);
            double[] used = {0.5};
            MemoryGuard guard = new MemoryGuard(0.85, f.engine.runningStatements(), () -> used[0], null);
            CompletableFuture<SqlException> first = runaway(f.session);
            StatementCancelTest.awaitRunning(f.session.cancelSignal());
            CompletableFuture<SqlException> later = runaway(second);
            StatementCancelTest.awaitRunning(second.cancelSignal());

            guard.check();
            assertFalse(first.isDone() || later.isDone(), "a heap below the fraction stops nothing");

            used[0] = 0.9;
            guard.check();
            SqlException stopped = first.get(10, TimeUnit.SECONDS);
            assertEquals(CancelSignal.OUT_OF_MEMORY, stopped.sqlState(), stopped.getMessage());
            assertTrue(stopped.getMessage().contains("short of memory") && stopped.getMessage().contains("longest running"),
                    stopped.getMessage());
            guard.check();
            assertFalse(later.isDone(), "a second stop within a second of the first");
            assertEquals(1, guard.stops());

            second.cancelSignal().cancel("test over");
            assertEquals(CancelSignal.QUERY_CANCELED, later.get(10, TimeUnit.SECONDS).sqlState());
            // Both sessions go on.
            assertEquals(List.of(List.of(600L)), f.rows("SELECT COUNT(*) FROM big"));
            assertEquals(List.of(List.of(600L)), SqlFixture.rows(second, "SELECT COUNT(*) FROM big"));
            assertTrue(f.engine.runningStatements().isEmpty(), "running: " + f.engine.runningStatements());
        }
    }

    /**
     * On the real heap: a cross join of 216 million rows sorted by a computed column would hold
     * them all; with the stop set about 10 % of the heap above what is live now, the engine's own
     * guard stops it, well before the heap (2 GB in the tests) runs out.
     */
    @Test
    void aSortThatWouldFillTheHeapIsStoppedAndTheSessionGoesOn() throws Exception {
        try (SqlFixture setup = new SqlFixture(dir)) {
            StatementCancelTest.fillBig(setup);
        }
        System.gc();
        int percent = (int) Math.ceil(MemoryGuard.heapUsedAfterLastCollection() * 100) + 10;
        try (SqlFixture f = new SqlFixture(dir, new SqlOptions(SqlOptions.DEFAULT_STATEMENT_TIMEOUT_MILLIS,
                SqlOptions.DEFAULT_PLANNING_TIMEOUT_MILLIS, percent))) {
            long start = System.nanoTime();
            SqlException e = runaway(f.session, "SELECT a.v + 7 * b.v + 49 * c.v AS s, a.id, b.id, c.id"
                    + " FROM big a, big b, big c ORDER BY s, a.id, b.id, c.id").get(120, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(CancelSignal.OUT_OF_MEMORY, e.sqlState(), e.getMessage());
            System.out.println("MemoryGuardTest: stopped at " + percent + " % of the heap after " + tookMillis + " ms: "
                    + e.getMessage());
            assertEquals(List.of(List.of(600L)), f.rows("SELECT COUNT(*) FROM big"));
        }
    }

    /** Runs sql in session on another thread; answers the SqlException it fails with. */
    private static CompletableFuture<SqlException> runaway(SqlSession session, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                SqlFixture.rows(session, sql);
            } catch (SqlException e) {
                return e;
            }
            throw new AssertionError("the statement finished: " + sql);
        });
    }
}
