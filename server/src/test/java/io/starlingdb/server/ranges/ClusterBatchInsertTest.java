package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.StarlingNode;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC batches of a prepared INSERT on three in-JVM nodes with SQL on the cluster, as the load
 * phase of {@code bench compare --cluster 3} sends them (500 rows per batch and commit): the
 * batch's keys are checked with a few requests, not one per row, and the batch keeps what
 * running its elements one by one gives: every acknowledged row there once, duplicates refused
 * (23505) with nothing of the failing element left, conflicting commits 40001.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterBatchInsertTest {

    @TempDir
    static Path dir;

    private ThreeNodeCluster cluster;
    private StarlingNode[] nodes;

    @BeforeAll
    void startCluster() throws Exception {
        // -Dstarling.test.preset=development fsyncs every commit, as the bench's nodes do (the printed times then include it)
        cluster = ThreeNodeCluster.startSql(dir, System.getProperty("starling.test.preset", "testing"));
        nodes = cluster.nodes;
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private Connection connect(int i) throws SQLException {
        return ThreeNodeCluster.jdbc(nodes[i]);
    }

    private double number(int i, String sql) throws Exception {
        try (Connection c = connect(i); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    @Test
    void theBenchsLoadChecksEachBatchsKeysWithAFewRequests() throws Exception {
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE TABLE bench (id BIGINT NOT NULL PRIMARY KEY, k INTEGER NOT NULL, "
                + "v VARCHAR(100) NOT NULL, n DOUBLE PRECISION NOT NULL)");
        try (Connection c = connect(1);
             PreparedStatement insert = c.prepareStatement("INSERT INTO bench (id, k, v, n) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            long id = 0;
            for (int batch = 0; batch < 20; batch++) {
                long before = nodes[1].ranges().gateway().requestsSent();
                long start = System.nanoTime();
                for (int i = 0; i < 500; i++, id++) {
                    insert.setLong(1, id);
                    insert.setInt(2, (int) (id % 1000));
                    insert.setString(3, "value-" + id + "-padding-to-make-a-row-of-realistic-size");
                    insert.setDouble(4, id * 0.5);
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                long executed = System.nanoTime();
                long beforeCommit = nodes[1].ranges().gateway().requestsSent();
                c.commit();
                long end = System.nanoTime();
                long after = nodes[1].ranges().gateway().requestsSent();
                assertEquals(500, counts.length);
                for (int count : counts) {
                    assertEquals(1, count);
                }
                System.out.printf("batch %d: execute %.1f ms, %d requests; commit %.1f ms, %d requests%n", batch,
                        (executed - start) / 1e6, beforeCommit - before, (end - executed) / 1e6, after - beforeCommit);
                // one per range for the keys, and a few of the node's background work; was 501
                assertTrue(beforeCommit - before < 30, "a 500-row batch sent " + (beforeCommit - before) + " requests");
            }
        }
        assertEquals(10_000, number(2, "SELECT COUNT(*) FROM bench"));
        assertEquals(10_000.0 * 9_999 / 2 * 0.5, number(3, "SELECT SUM(n) FROM bench"), 0.0);
        assertEquals(10_000, number(3, "SELECT COUNT(DISTINCT v) FROM bench"));
    }

    @Test
    void aDuplicateFailsTheBatchAndNamesItsElement() throws Exception {
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE TABLE dup (id BIGINT PRIMARY KEY, u INTEGER, v VARCHAR(20))");
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE UNIQUE INDEX dup_u ON dup (u)");
        try (Connection c = connect(1); Statement s = c.createStatement();
             PreparedStatement insert = c.prepareStatement("INSERT INTO dup (id, u, v) VALUES (?, ?, ?)")) {
            s.executeUpdate("INSERT INTO dup VALUES (1, 1, 'stored')");
            // Auto-commit: the batch is one transaction; a stored key at element 3 leaves nothing.
            add(insert, 10, 10, "a");
            add(insert, 11, 11, "a");
            add(insert, 1, 12, "a");
            add(insert, 13, 13, "a");
            BatchUpdateException stored = assertThrows(BatchUpdateException.class, insert::executeBatch);
            assertEquals("23505", stored.getSQLState(), stored.getMessage());
            assertTrue(stored.getMessage().contains("batch element 3 of 4"), stored.getMessage());
            // A key twice in the batch.
            add(insert, 20, 20, "b");
            add(insert, 21, 21, "b");
            add(insert, 20, 22, "b");
            BatchUpdateException twice = assertThrows(BatchUpdateException.class, insert::executeBatch);
            assertEquals("23505", twice.getSQLState(), twice.getMessage());
            assertTrue(twice.getMessage().contains("batch element 3 of 3"), twice.getMessage());
            // A UNIQUE value taken, and one twice in the batch.
            add(insert, 30, 1, "c");
            add(insert, 31, 31, "c");
            BatchUpdateException takenValue = assertThrows(BatchUpdateException.class, insert::executeBatch);
            assertEquals("23505", takenValue.getSQLState(), takenValue.getMessage());
            assertTrue(takenValue.getMessage().contains("batch element 1 of 2"), takenValue.getMessage());
            add(insert, 40, 40, "d");
            add(insert, 41, 40, "d");
            BatchUpdateException valueTwice = assertThrows(BatchUpdateException.class, insert::executeBatch);
            assertEquals("23505", valueTwice.getSQLState(), valueTwice.getMessage());
            assertEquals(1, number(2, "SELECT COUNT(*) FROM dup"), "a failed batch left rows");

            // In a transaction the elements join it as single statements would: those before the
            // failing one stay, the failing one leaves nothing.
            c.setAutoCommit(false);
            add(insert, 50, 50, "e");
            add(insert, 51, 51, "e");
            add(insert, 52, 1, "e");
            BatchUpdateException inTxn = assertThrows(BatchUpdateException.class, insert::executeBatch);
            assertTrue(inTxn.getMessage().contains("batch element 3 of 3"), inTxn.getMessage());
            add(insert, 53, 53, "e");
            add(insert, 54, 54, "e");
            assertEquals(2, insert.executeBatch().length);
            c.commit();
            c.setAutoCommit(true);
        }
        assertEquals(5, number(3, "SELECT COUNT(*) FROM dup"));
        assertEquals(1 + 50 + 51 + 53 + 54, number(3, "SELECT SUM(id) FROM dup"));
    }

    @Test
    void twoTransactionsBatchingTheSameKeysCannotBothCommit() throws Exception {
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE TABLE race (id BIGINT PRIMARY KEY, v VARCHAR(20))");
        try (Connection a = connect(1); Connection b = connect(2);
             PreparedStatement ia = a.prepareStatement("INSERT INTO race VALUES (?, ?)");
             PreparedStatement ib = b.prepareStatement("INSERT INTO race VALUES (?, ?)")) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            for (int id = 0; id < 10; id++) {
                ia.setLong(1, id);
                ia.setString(2, "a");
                ia.addBatch();
                ib.setLong(1, id + 5);
                ib.setString(2, "b");
                ib.addBatch();
            }
            assertEquals(10, ia.executeBatch().length);
            assertEquals(10, ib.executeBatch().length);
            a.commit();
            SQLException conflict = assertThrows(SQLException.class, b::commit);
            assertEquals("40001", conflict.getSQLState(), conflict.getMessage());
        }
        assertEquals(10, number(3, "SELECT COUNT(*) FROM race"));
        assertEquals(0, number(3, "SELECT COUNT(*) FROM race WHERE v = 'b'"));
    }

    @Test
    void aBatchWhoseRowsReadTheTableRunsItsElementsInOrder() throws Exception {
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE TABLE seq (id BIGINT PRIMARY KEY, v VARCHAR(20))");
        try (Connection c = connect(1);
             PreparedStatement insert = c.prepareStatement("INSERT INTO seq (id, v) SELECT COALESCE(MAX(id), 0) + 1, ? FROM seq")) {
            for (String v : new String[] {"x", "y", "z"}) {
                insert.setString(1, v);
                insert.addBatch();
            }
            assertEquals(3, insert.executeBatch().length);
        }
        // each element saw the ones before it
        assertEquals(6, number(2, "SELECT SUM(id) FROM seq"));
    }

    private static void add(PreparedStatement insert, long id, int u, String v) throws SQLException {
        insert.setLong(1, id);
        insert.setInt(2, u);
        insert.setString(3, v);
        insert.addBatch();
    }
}
