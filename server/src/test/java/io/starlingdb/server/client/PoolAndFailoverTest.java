package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A HikariCP pool with many concurrent clients, and the driver's multi-host failover. */
class PoolAndFailoverTest extends SharedNodeTest {

    private static String realHost() {
        return "127.0.0.1:" + node.clientAddress().getPort();
    }

    /** A port nothing listens on: bound to find a free one, then closed. */
    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void sixteenThreadsThroughAPoolOfSixteenInsertAndReadWithoutErrors() throws Exception {
        int threads = 16;
        int rowsPerThread = 100;

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(node.jdbcUrl());
        config.setMaximumPoolSize(16);
        config.setMinimumIdle(16);
        config.setConnectionTimeout(10_000);
        config.setPoolName("starling-test");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE pooled (id INTEGER NOT NULL, worker INTEGER NOT NULL, v VARCHAR(20), PRIMARY KEY (id))");
            }
            ExecutorService executor = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Long>> results = new ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    int worker = w;
                    Callable<Long> task = () -> {
                        long seen = 0;
                        for (int i = 0; i < rowsPerThread; i++) {
                            int id = worker * rowsPerThread + i;
                            try (Connection c = pool.getConnection()) {
                                try (PreparedStatement insert = c.prepareStatement("INSERT INTO pooled VALUES (?, ?, ?)")) {
                                    insert.setInt(1, id);
                                    insert.setInt(2, worker);
                                    insert.setString(3, "w" + worker);
                                    assertEquals(1, insert.executeUpdate());
                                }
                                try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM pooled WHERE worker = ?")) {
                                    count.setInt(1, worker);
                                    try (ResultSet rs = count.executeQuery()) {
                                        assertTrue(rs.next());
                                        seen = rs.getLong(1);
                                        assertEquals(i + 1, seen, "a worker reads its own committed writes");
                                    }
                                }
                                try (PreparedStatement point = c.prepareStatement("SELECT v FROM pooled WHERE id = ?")) {
                                    point.setInt(1, id);
                                    try (ResultSet rs = point.executeQuery()) {
                                        assertTrue(rs.next());
                                        assertEquals("w" + worker, rs.getString(1));
                                    }
                                }
                            }
                        }
                        return seen;
                    };
                    results.add(executor.submit(task));
                }
                for (Future<Long> result : results) {
                    assertEquals(rowsPerThread, result.get(120, TimeUnit.SECONDS));
                }
            } finally {
                executor.shutdownNow();
            }
            try (Connection c = pool.getConnection()) {
                assertEquals((long) threads * rowsPerThread, TestNode.scalar(c, "SELECT COUNT(*) FROM pooled"));
                long n = (long) threads * rowsPerThread;
                assertEquals(n * (n - 1) / 2, TestNode.scalar(c, "SELECT SUM(id) FROM pooled"));
                assertEquals(threads, TestNode.scalar(c, "SELECT COUNT(DISTINCT worker) FROM pooled"));
            }
            assertEquals(16, pool.getHikariPoolMXBean().getTotalConnections());

        }
    }

    @Test
    void firstHostDownSecondServes() throws Exception {
        String url = "jdbc:starling://127.0.0.1:" + deadPort() + "," + realHost() + "/";
        try (Connection c = DriverManager.getConnection(url)) {
            assertTrue(c.isValid(2));
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM (VALUES (1))"));
        }
    }

    @Test
    void firstHostSilentSecondServesWithinTheConnectTimeout() throws Exception {
        // A host that accepts TCP connections but never answers the handshake.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "jdbc:starling://127.0.0.1:" + silent.getLocalPort() + "," + realHost() + "/?connectTimeout=500";
            long start = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url)) {
                assertTrue(c.isValid(2));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 5_000, "took " + millis + " ms");
        }
    }

    @Test
    void allHostsDownFailsQuicklyWith08001NamingEachHost() throws Exception {
        int a = deadPort();
        int b = deadPort();
        String url = "jdbc:starling://127.0.0.1:" + a + ",127.0.0.1:" + b + "/?connectTimeout=1000";
        long start = System.nanoTime();
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("127.0.0.1:" + a) && e.getMessage().contains("127.0.0.1:" + b), e.getMessage());
        assertTrue(millis < 3_000, "took " + millis + " ms");
    }

    @Test
    void badUrlPropertyIsRefusedWithItsName() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:starling://" + realHost() + "/?fetchSize=-5"));
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("fetchSize"), e.getMessage());
    }
}
