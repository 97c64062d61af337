package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A statement that would run for minutes is stopped, through JDBC, by Statement.cancel() from
 * another thread, by Statement.setQueryTimeout, by the node's statement.timeout.ms, and by
 * Connection.close(); each answers 57014 (or closes) within a second, frees its SQL thread and
 * leaves the connection usable. An overloaded node refuses a request with 53000 and keeps the
 * connection.
 */
class RunawayStatementTest {

    /** A three-way cross join of 600 rows each: 216 million combinations, minutes of work. */
    private static final String RUNAWAY = "SELECT MAX(a.v + b.v + c.v) FROM big a, big b, big c";

    /** How soon a stopped statement must answer, in ms. */
    private static final long STOP_WITHIN_MILLIS = 1_000;

    @TempDir
    Path dir;

    private StarlingNode start(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "data.dir", dir.toString()));
        all.putAll(settings);
        StarlingNode node = new StarlingNode(NodeConfig.of("testing", all)).start();
        try (Connection c = DriverManager.getConnection(node.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE big (id INT PRIMARY KEY, v INT)");
            StringBuilder values = new StringBuilder("INSERT INTO big VALUES ");
            for (int i = 0; i < 600; i++) {
                values.append(i == 0 ? "" : ", ").append('(').append(i).append(", ").append(i % 7).append(')');
            }
            s.execute(values.toString());
            // Planned and compiled once, so the stops below meet the statement while it runs.
            s.setQueryTimeout(1);
            assertThrows(SQLException.class, () -> s.executeQuery(RUNAWAY));
        }
        return node;
    }

    /** Runs the statement on its own thread; completes with the exception it failed with. */
    private static CompletableFuture<SQLException> runInBackground(Statement statement, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                statement.executeQuery(sql).close();
            } catch (SQLException e) {
                return e;
            }
            throw new AssertionError(sql + " finished instead of being stopped");
        });
    }

    /** Waits until the node runs at least {@code count} statements. */
    private static void awaitRunning(StarlingNode node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (node.registry().get("starling.sql.running").gauge().value() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " statements started running");
            }
            Thread.sleep(5);
        }
    }

    private static void assertConnectionWorks(Connection c) throws SQLException {
        assertEquals(600, TestNode.scalar(c, "SELECT COUNT(*) FROM big"));
    }

    @Test
    void cancelFromAnotherThreadAnswers57014WithinASecondAndTheConnectionGoesOn() throws Exception {
        try (StarlingNode node = start(Map.of()); Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            CompletableFuture<SQLException> running = runInBackground(s, RUNAWAY);
            awaitRunning(node, 1);
            long cancelledAt = System.nanoTime();
            s.cancel();
            SQLException e = running.get(30, TimeUnit.SECONDS);
            long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertFalse(e instanceof SQLTimeoutException, "a cancel is not a timeout");
            assertTrue(e.getMessage().contains("canceled on the client's request"), e.getMessage());
            assertTrue(latencyMillis < STOP_WITHIN_MILLIS, "answered " + latencyMillis + " ms after cancel()");
            System.out.println("cancel() answered in " + latencyMillis + " ms");
            assertConnectionWorks(c);
        }
    }

    @Test
    void queryTimeoutStopsTheStatementWith57014() throws Exception {
        try (StarlingNode node = start(Map.of()); Connection c = TestNode.connect(node); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            SQLTimeoutException e = assertThrows(SQLTimeoutException.class, () -> s.executeQuery(RUNAWAY));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("query timeout of 1 s expired"), e.getMessage());
            assertTrue(tookMillis < 1_000 + STOP_WITHIN_MILLIS, "stopped after " + tookMillis + " ms");
            assertConnectionWorks(c);
        }
    }

    @Test
    void theNodesStatementTimeoutStopsTheStatement() throws Exception {
        try (StarlingNode node = start(Map.of("statement.timeout.ms", "2000")); Connection c = TestNode.connect(node);
             Statement s = c.createStatement()) {
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(RUNAWAY));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("statement timeout of 2000 ms expired"), e.getMessage());
            assertTrue(tookMillis < 2_000 + STOP_WITHIN_MILLIS, "stopped after " + tookMillis + " ms");
            assertConnectionWorks(c);
        }
    }

    @Test
    void theNodesPlanningTimeoutStopsAPlanningHeavyStatement() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "data.dir", dir.toString(),
                "statement.planning.timeout.ms", "1"));
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings)).start(); Connection c = TestNode.connect(node);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE m (id INT PRIMARY KEY, a INT, b INT, c INT)");
            // Sub-queries inside OR-ed predicates over a 12-way join: far more than 1 ms of planning.
            StringBuilder sql = new StringBuilder("SELECT m0.id FROM m m0");
            for (int i = 1; i < 12; i++) {
                sql.append(" JOIN m m").append(i).append(" ON m").append(i).append(".a = m").append(i - 1).append(".b");
            }
            sql.append(" WHERE m0.c >= 25 OR m0.b IN (SELECT a FROM m WHERE a = 52)"
                    + " OR EXISTS (SELECT 1 FROM m x WHERE x.b < m0.b AND x.c IN (SELECT c FROM m y WHERE y.a > x.a))");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql.toString()));
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("planning took longer than 1 ms (statement.planning.timeout.ms)"), e.getMessage());
            // The connection goes on: DDL plans nothing.
            s.execute("DROP TABLE m");
        }
    }

    @Test
    void closeDuringARunningStatementReturnsPromptlyAndFreesTheSqlThread() throws Exception {
        try (StarlingNode node = start(Map.of("sql.threads", "1"))) {
            Connection doomed = TestNode.connect(node);
            Statement s = doomed.createStatement();
            CompletableFuture<SQLException> running = runInBackground(s, RUNAWAY);
            awaitRunning(node, 1);
            long start = System.nanoTime();
            doomed.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(closeMillis < STOP_WITHIN_MILLIS, "close() took " + closeMillis + " ms");
            SQLException e = running.get(30, TimeUnit.SECONDS);
            assertEquals("08003", e.getSQLState(), e.getMessage());
            // The node's only SQL thread is free again: another connection's statement runs at once.
            try (Connection next = TestNode.connect(node)) {
                CompletableFuture<Long> count = CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestNode.scalar(next, "SELECT COUNT(*) FROM big");
                    } catch (SQLException ex) {
                        throw new AssertionError(ex);
                    }
                });
                assertEquals(600L, count.get(STOP_WITHIN_MILLIS * 5, TimeUnit.MILLISECONDS));
            }
        }
    }

    @Test
    void anOverloadedNodeAnswers53000AndKeepsTheConnection() throws Exception {
        try (StarlingNode node = start(Map.of("sql.threads", "1", "sql.max.queued.statements", "1"));
             Connection first = TestNode.connect(node); Statement firstStatement = first.createStatement();
             Connection second = TestNode.connect(node); Statement secondStatement = second.createStatement();
             Connection third = TestNode.connect(node)) {
            CompletableFuture<SQLException> running = runInBackground(firstStatement, RUNAWAY);
            awaitRunning(node, 1);
            // Waits in the queue's only place behind the running statement.
            CompletableFuture<SQLException> queued = runInBackground(secondStatement, RUNAWAY);
            awaitQueued(node);
            SQLException refused = assertThrows(SQLException.class, () -> TestNode.scalar(third, "SELECT 1"));
            assertEquals("53000", refused.getSQLState(), refused.getMessage());
            assertTrue(!third.isClosed(), "the refused connection stays open");
            secondStatement.cancel();
            firstStatement.cancel();
            assertEquals("57014", running.get(30, TimeUnit.SECONDS).getSQLState());
            assertEquals("57014", queued.get(30, TimeUnit.SECONDS).getSQLState());
            assertConnectionWorks(third);
        }
    }

    /** Waits until a request waits in the node's queue for a SQL thread. */
    private static void awaitQueued(StarlingNode node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (node.registry().get("starling.clients.requests.queued").gauge().value() < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no request was queued");
            }
            Thread.sleep(5);
        }
    }
}
