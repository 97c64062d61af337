package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed rows survive the end of the node process, whether it is stopped (SIGTERM) or
 * killed (SIGKILL), because commits are fsynced before they are acknowledged.
 */
class NodeDurabilityTest {

    private static final int rowsBeforeStop = 200;
    private static final int acknowledgedRowsBeforeKill = 300;
    private static final int writers = 4;

    @TempDir
    Path dir;

    @Test
    void everyCommittedRowSurvivesAGracefulStopAndRestart() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("node.out");
        Set<Long> inserted = new TreeSet<>();
        try (NodeProcess node = NodeProcess.start(data, log)) {
            try (Connection connection = DriverManager.getConnection(node.jdbcUrl());
                 Statement statement = connection.createStatement()) {
                statement.executeUpdate("CREATE TABLE items (id BIGINT NOT NULL, label VARCHAR(40), PRIMARY KEY (id))");
                for (long id = 1; id <= rowsBeforeStop; id++) {
                    assertEquals(1, statement.executeUpdate(insertOf(id)));
                    inserted.add(id);
                }
            }
            assertEquals(0, node.terminate(), "a SIGTERM stop exits 0; output:\n" + node.output());
        }
        try (NodeProcess node = NodeProcess.start(data, log)) {
            assertEquals(inserted, readIds(node));
            assertEquals("item-17", labelOf(node, 17));
        }
    }

    @Test
    void everyAcknowledgedRowSurvivesSigkillDuringWrites() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("node.out");
        Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        try (NodeProcess node = NodeProcess.start(data, log)) {
            try (Connection connection = DriverManager.getConnection(node.jdbcUrl());
                 Statement statement = connection.createStatement()) {
                statement.executeUpdate("CREATE TABLE items (id BIGINT NOT NULL, label VARCHAR(40), PRIMARY KEY (id))");
            }
            CompletableFuture<Void> enoughAcknowledged = new CompletableFuture<>();
            List<CompletableFuture<Void>> writing = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                long first = w;
                writing.add(CompletableFuture.runAsync(() -> writeUntilTheNodeDies(node.jdbcUrl(), first, acknowledged,
                        enoughAcknowledged)));
            }
            enoughAcknowledged.get(NodeProcess.startTimeout.toSeconds(), TimeUnit.SECONDS);
            node.kill();
            CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new))
                    .get(NodeProcess.stopTimeout.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(acknowledged.size() >= acknowledgedRowsBeforeKill);
        try (NodeProcess node = NodeProcess.start(data, log)) {
            Set<Long> recovered = readIds(node);
            Set<Long> lost = new TreeSet<>(acknowledged);
            lost.removeAll(recovered);
            assertTrue(lost.isEmpty(), "acknowledged rows lost after SIGKILL: " + lost);
            // At most one unacknowledged insert per writer was in flight when the node died.
            assertTrue(recovered.size() <= acknowledged.size() + writers,
                    recovered.size() + " rows recovered, " + acknowledged.size() + " acknowledged");
        }
    }

    /** Inserts ids first, first + writers, ... until the connection fails; records each acknowledged id. */
    private static void writeUntilTheNodeDies(String url, long first, Set<Long> acknowledged,
                                              CompletableFuture<Void> enoughAcknowledged) {
        try (Connection connection = DriverManager.getConnection(url);
             Statement insert = connection.createStatement()) {
            for (long id = first; ; id += writers) {
                insert.executeUpdate(insertOf(id));
                acknowledged.add(id);
                if (acknowledged.size() >= acknowledgedRowsBeforeKill) {
                    enoughAcknowledged.complete(null);
                }
            }
        } catch (SQLException expectedOnceKilled) {
            enoughAcknowledged.completeExceptionally(new AssertionError(
                    "writer stopped after " + acknowledged.size() + " rows", expectedOnceKilled));
        }
    }

    private static String insertOf(long id) {
        return "INSERT INTO items VALUES (" + id + ", 'item-" + id + "')";
    }

    private static Set<Long> readIds(NodeProcess node) throws SQLException {
        Set<Long> ids = new TreeSet<>();
        try (Connection connection = DriverManager.getConnection(node.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM items")) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    private static String labelOf(NodeProcess node, long id) throws SQLException {
        try (Connection connection = DriverManager.getConnection(node.jdbcUrl());
             Statement query = connection.createStatement()) {
            try (ResultSet rows = query.executeQuery("SELECT label FROM items WHERE id = " + id)) {
                assertTrue(rows.next(), "row " + id);
                return rows.getString(1);
            }
        }
    }
}
