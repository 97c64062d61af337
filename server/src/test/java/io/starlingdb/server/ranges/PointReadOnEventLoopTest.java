package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.WriteOp;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point reads on the client connection's event loop (docs/cluster.md, "Point reads on the event
 * loop"): three nodes with SQL on the cluster; an auto-commit point SELECT through the node that
 * holds the lease of its row's range is answered on the event loop (the node's counter
 * {@code starling.clients.statements.eventloop} moves) with the rows the SQL threads give; one
 * inside a transaction, or through a node without the lease, is not; and one that meets a lock
 * goes to a SQL thread, which waits the lock out and answers the committed row.
 *
 * <p>The lease balancer may move the range's lease while the test runs, so each check asks
 * where the lease is now and, where a move would blur what it shows, asks again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PointReadOnEventLoopTest {

    private static final String POINT = "SELECT id, v, n FROM points WHERE id = ?";
    private static final int ROWS = 100;

    @TempDir
    static Path dir;

    private ThreeNodeCluster cluster;
    private StarlingNode[] nodes;
    private TableDef table;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ThreeNodeCluster.startSql(dir, "testing");
        nodes = cluster.nodes;
        awaitStatement(1, "CREATE TABLE points (id BIGINT PRIMARY KEY, v VARCHAR(20), n INT)");
        try (Connection c = connect(1); PreparedStatement insert = c.prepareStatement("INSERT INTO points VALUES (?, ?, ?)")) {
            for (long id = 1; id <= ROWS; id++) {
                insert.setLong(1, id);
                insert.setString(2, "v" + id);
                insert.setInt(3, (int) id * 2);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        table = nodes[1].sqlEngine().catalog().snapshot().tables().values().stream()
                .filter(t -> t.name().equalsIgnoreCase("points")).findFirst().orElseThrow();
        cluster.awaitOnEveryNode("SELECT COUNT(*) FROM points"); // every node has read the table's catalog version
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPointSelectThroughTheLeaseholderRunsOnTheEventLoopWithTheSameRows() throws Exception {
        // The normal path's rows: the same statement in a transaction runs on a SQL thread.
        List<List<List<Object>>> expected = new ArrayList<>();
        try (Connection c = connect(1); PreparedStatement s = c.prepareStatement(POINT)) {
            c.setAutoCommit(false);
            for (long id = 1; id <= ROWS + 1; id++) {
                expected.add(rows(s, id));
            }
            c.commit();
        }
        assertEquals(List.of(List.of(7L, "v7", 14)), expected.get(6));
        assertEquals(List.of(), expected.get(ROWS), "no row " + (ROWS + 1));

        // Prepared and literal: generated code after a few runs, then on the event loop.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean prepared = false;
        boolean literal = false;
        while (!(prepared && literal)) {
            assertTrue(System.nanoTime() < deadline, "no point select ran on the event loop within 60 s (prepared "
                    + prepared + ", literal " + literal + ")");
            int l = leaseholderNode(1);
            try (Connection c = connect(l); PreparedStatement s = c.prepareStatement(POINT); Statement plain = c.createStatement()) {
                double before = onEventLoop(l);
                for (long id = 1; id <= ROWS + 1; id++) {
                    assertEquals(expected.get((int) id - 1), rows(s, id), "prepared, id " + id);
                }
                prepared |= onEventLoop(l) - before >= ROWS / 2.0;
                before = onEventLoop(l);
                for (long id = 1; id <= ROWS + 1; id++) {
                    assertEquals(expected.get((int) id - 1), rows(plain, id), "literal, id " + id);
                }
                literal |= onEventLoop(l) - before >= ROWS / 2.0;
            }
        }
    }

    @Test
    void aPointSelectInATransactionOrThroughAnotherNodeDoesNotRunOnTheEventLoop() throws Exception {
        int l = leaseholderNode(1);
        try (Connection c = connect(l); PreparedStatement s = c.prepareStatement(POINT); Statement plain = c.createStatement()) {
            for (int k = 0; k < 10; k++) { // generated code: on the event loop from now on while the lease stays
                rows(s, 5);
            }
            double before = onEventLoop(l);
            c.setAutoCommit(false);
            for (int k = 0; k < 20; k++) {
                assertEquals(List.of(List.of(5L, "v5", 10)), rows(s, 5));
            }
            c.commit();
            c.setAutoCommit(true);
            plain.execute("BEGIN");
            for (int k = 0; k < 20; k++) {
                assertEquals(List.of(List.of(6L, "v6", 12)), rows(s, 6));
            }
            plain.execute("COMMIT");
            assertEquals(before, onEventLoop(l), "statements in a transaction ran on the event loop");
        }

        // Through a node that does not hold the lease: the read goes to the leaseholder, from a SQL thread.
        for (int attempt = 0; ; attempt++) {
            int leaseholder = leaseholderNode(1);
            int other = leaseholder % 3 + 1;
            double before = onEventLoop(other);
            try (Connection c = connect(other); PreparedStatement s = c.prepareStatement(POINT)) {
                for (int k = 0; k < 20; k++) {
                    assertEquals(List.of(List.of(8L, "v8", 16)), rows(s, 8));
                }
            }
            if (leaseholderNode(1) != leaseholder) {
                assertTrue(attempt < 5, "the lease kept moving");
                continue; // it may have come to the node asked meanwhile
            }
            assertEquals(before, onEventLoop(other), "node " + other + " without the lease answered on its event loop");
            break;
        }
    }

    @Test
    void aPointSelectMeetingALockGoesToASqlThreadAndAnswersTheCommittedRow() throws Exception {
        long id = 50;
        byte[] key = key(id);
        for (int attempt = 0; ; attempt++) {
            assertTrue(attempt < 5, "the lease kept moving");
            int l = leaseholderNode(1);
            try (Connection c = connect(l); PreparedStatement s = c.prepareStatement(POINT)) {
                for (int k = 0; k < 10; k++) {
                    rows(s, id - 1);
                }
                double before = onEventLoop(l);
                rows(s, id - 1);
                if (onEventLoop(l) - before != 1) {
                    continue; // the lease moved: ask again where it is
                }
                // A transaction that prewrote the row and went silent: its lock expires after 2 s.
                long startTs = nodes[1].ranges().timestamps().next();
                DistSender gateway = nodes[1].ranges().gateway();
                RangeRpc.Response prewrite = gateway.request(key, d -> RangeRpc.Request.write(d.rangeId(),
                        new RangeCommand.Prewrite(startTs, key, 2_000, "gone", List.of(new WriteOp.Put(key, new byte[] {1, 2, 3})))),
                        true);
                assertTrue(prewrite.result() instanceof RangeResult.Prewritten, "prewrite: " + prewrite.result());
                before = onEventLoop(l);
                assertEquals(List.of(List.of(id, "v" + id, (int) id * 2)), rows(s, id), "the row as committed");
                assertEquals(before, onEventLoop(l), "a read that met a lock was answered on the event loop");
                before = onEventLoop(l);
                rows(s, id + 1);
                if (onEventLoop(l) - before == 1) {
                    return; // the lease stayed: the lock, not a move, sent the read to a SQL thread
                }
            }
        }
    }

    private Connection connect(int i) throws SQLException {
        return ThreeNodeCluster.jdbc(nodes[i]);
    }

    private void awaitStatement(int i, String sql) throws Exception {
        ThreeNodeCluster.awaitStatement(nodes[i], sql);
    }

    /** Statements node i answered on its event loop so far. */
    private double onEventLoop(int i) {
        return nodes[i].registry().counter("starling.clients.statements.eventloop").count();
    }

    private static List<List<Object>> rows(PreparedStatement s, long id) throws SQLException {
        s.setLong(1, id);
        try (ResultSet rs = s.executeQuery()) {
            return rows(rs);
        }
    }

    private static List<List<Object>> rows(Statement s, long id) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT id, v, n FROM points WHERE id = " + id)) {
            return rows(rs);
        }
    }

    private static List<List<Object>> rows(ResultSet rs) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        while (rs.next()) {
            out.add(List.of(rs.getLong(1), rs.getString(2), rs.getInt(3)));
        }
        return out;
    }

    /** The node whose store leads the range of row id's key, as the stores see it now (asked through node via). */
    private int leaseholderNode(int via) {
        long range = nodes[via].ranges().gateway().rangeOf(key(1)).rangeId();
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

    /** Row id's key in the replicated key space. */
    private byte[] key(long id) {
        byte[] k = TableStorage.primaryKeyOf(table, new Object[] {id});
        byte[] outer = new byte[k.length + 1];
        outer[0] = ClusterTransactionalStore.sqlKeyPrefix;
        System.arraycopy(k, 0, outer, 1, k.length);
        return outer;
    }
}
