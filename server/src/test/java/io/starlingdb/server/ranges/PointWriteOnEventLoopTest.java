package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point writes started on the client connection's event loop (docs/cluster.md, "Durable updates:
 * where an auto-commit UPDATE's time goes"): three nodes with SQL on the cluster; a prepared
 * auto-commit UPDATE or DELETE by primary key through the node that holds the lease of its row's
 * range reads the row and sends its one-phase commit from the event loop (the node's counter
 * {@code starling.clients.statements.eventloop.writes} moves) and is answered when the commit
 * applied, with what a SQL thread answers; concurrent UPDATEs of one row lose none of their
 * increments; statements in a transaction do not take that path.
 *
 * <p>The lease balancer may move the range's lease while the test runs, so each check asks
 * where the lease is now and, where a move would blur what it shows, asks again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PointWriteOnEventLoopTest {

    private static final String INCREMENT = "UPDATE counters SET n = n + 1 WHERE id = ?";
    private static final int ROWS = 20;

    @TempDir
    static Path dir;

    private ThreeNodeCluster cluster;
    private StarlingNode[] nodes;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ThreeNodeCluster.startSql(dir, "testing");
        nodes = cluster.nodes;
        ThreeNodeCluster.awaitStatement(nodes[1], "CREATE TABLE counters (id BIGINT PRIMARY KEY, v VARCHAR(20), n INT)");
        try (Connection c = connect(1); PreparedStatement insert = c.prepareStatement("INSERT INTO counters VALUES (?, ?, 0)")) {
            for (long id = 1; id <= ROWS; id++) {
                insert.setLong(1, id);
                insert.setString(2, "v" + id);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        cluster.awaitOnEveryNode("SELECT COUNT(*) FROM counters"); // every node has read the table's catalog version
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void concurrentIncrementsOfOneRowThroughTheLeaseholderStartOnTheEventLoopAndLoseNone() throws Exception {
        long id = 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean onLoop = false;
        long expected = value(id);
        while (!onLoop) {
            assertTrue(System.nanoTime() < deadline, "no UPDATE started on the event loop within 120 s");
            int l = leaseholderNode();
            double before = startedOnEventLoop(l);
            AtomicLong done = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> clients = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    clients.add(pool.submit(() -> {
                        try (Connection c = connect(l); PreparedStatement s = c.prepareStatement(INCREMENT)) {
                            for (int k = 0; k < 40; k++) {
                                s.setLong(1, id);
                                try {
                                    assertEquals(1, s.executeUpdate());
                                    done.incrementAndGet();
                                } catch (SQLException e) {
                                    // Two statements read the same value: one commits, the other is refused whole.
                                    assertEquals("40001", e.getSQLState(), e.getMessage());
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            expected += done.get();
            assertEquals(expected, value(id), "every increment answered 1 is in the row, and none other");
            assertTrue(done.get() > 0, "no increment succeeded");
            onLoop = startedOnEventLoop(l) - before > 0;
        }
    }

    @Test
    void pointWritesOnTheEventLoopAnswerWhatASqlThreadAnswers() throws Exception {
        for (int attempt = 0; ; attempt++) {
            assertTrue(attempt < 10, "the lease kept moving");
            int l = leaseholderNode();
            try (Connection c = connect(l); PreparedStatement up = c.prepareStatement(INCREMENT);
                 PreparedStatement set = c.prepareStatement("UPDATE counters SET v = ? WHERE id = ?");
                 PreparedStatement del = c.prepareStatement("DELETE FROM counters WHERE id = ?")) {
                for (int k = 0; k < 10; k++) { // generated code after a few runs
                    up.setLong(1, 10);
                    assertEquals(1, up.executeUpdate());
                }
                double before = startedOnEventLoop(l);
                long n = value(10);
                up.setLong(1, 10);
                assertEquals(1, up.executeUpdate());
                up.setLong(1, ROWS + 100); // no such row
                assertEquals(0, up.executeUpdate());
                set.setString(1, "changed");
                set.setLong(2, 10);
                assertEquals(1, set.executeUpdate());
                for (int k = 0; k < 10; k++) {
                    del.setLong(1, ROWS + 200);
                    assertEquals(0, del.executeUpdate());
                }
                del.setLong(1, 11);
                assertEquals(1, del.executeUpdate());
                assertEquals(n + 1, value(10));
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM counters WHERE id = 10")) {
                    assertTrue(rs.next());
                    assertEquals("changed", rs.getString(1));
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM counters WHERE id = 11")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getLong(1), "row 11 deleted");
                }
                if (leaseholderNode() != l || startedOnEventLoop(l) - before < 4) {
                    // The lease moved meanwhile (or a first run still interpreted): the answers hold either way.
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO counters VALUES (11, 'v11', 0)")) {
                        ins.executeUpdate();
                    }
                    continue;
                }
                // In a transaction: a SQL thread, the statement's effect the same.
                before = startedOnEventLoop(l);
                c.setAutoCommit(false);
                up.setLong(1, 10);
                assertEquals(1, up.executeUpdate());
                c.commit();
                c.setAutoCommit(true);
                assertEquals(n + 2, value(10));
                assertEquals(before, startedOnEventLoop(l), "a statement in a transaction started on the event loop");
                return;
            }
        }
    }

    private Connection connect(int i) throws SQLException {
        return ThreeNodeCluster.jdbc(nodes[i]);
    }

    private long value(long id) throws SQLException {
        try (Connection c = connect(1); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n FROM counters WHERE id = " + id)) {
            assertTrue(rs.next(), "row " + id);
            return rs.getLong(1);
        }
    }

    /** Point writes node i started on its event loop so far. */
    private double startedOnEventLoop(int i) {
        return nodes[i].registry().counter("starling.clients.statements.eventloop.writes").count();
    }

    /** The node whose store leads the range of the table's rows, as the stores see it now. */
    private int leaseholderNode() {
        TableDef table = nodes[1].sqlEngine().catalog().snapshot().tables().values().stream()
                .filter(t -> t.name().equalsIgnoreCase("counters")).findFirst().orElseThrow();
        byte[] k = TableStorage.primaryKeyOf(table, new Object[] {1L});
        byte[] key = new byte[k.length + 1];
        key[0] = ClusterTransactionalStore.sqlKeyPrefix;
        System.arraycopy(k, 0, key, 1, k.length);
        long range = nodes[1].ranges().gateway().rangeOf(key).rangeId();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline; ) {
            for (int i = 1; i <= 3; i++) {
                long l = nodes[i].ranges().store().leaseholder(range);
                if (l >= 1 && l <= 3) {
                    return (int) l;
                }
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("no leader for range " + range);
    }
}
