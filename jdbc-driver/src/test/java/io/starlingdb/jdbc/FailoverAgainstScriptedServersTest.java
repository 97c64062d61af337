package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection whose node is lost, against scripted stand-in nodes: it moves to another node
 * between transactions without an error, never sends a write twice, and reports a lost
 * transaction (08006) or commit (40003) once, then works again.
 */
class FailoverAgainstScriptedServersTest {

    private static final List<ColumnInfo> ONE_COLUMN = List.of(new ColumnInfo("N", "N", Types.INTEGER, "INTEGER", 10, 0, false, "T"));

    /** A node that answers queries with its own number, updates with 1, everything else with Ok. */
    private static ScriptedServer.Script node(int number, List<String> names) {
        return (request, raw) -> {
            if (request instanceof Request.Hello) {
                return new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "test", "n" + number, names);
            }
            return answer(number, request);
        };
    }

    private static Response answer(int number, Request request) {
        if (request instanceof Request.Execute e && e.sql().startsWith("SELECT")) {
            return new Response.RowsHeader(-1, ONE_COLUMN, List.<Object[]>of(new Object[] {number}), false);
        }
        if (request instanceof Request.Prepare p) {
            return new Response.Prepared(100 * number, List.of(), p.sql().startsWith("SELECT") ? ONE_COLUMN : List.of());
        }
        if (request instanceof Request.ExecutePrepared e) {
            return e.statementId() < 0 || e.statementId() % 100 != 0 ? new Response.Error("26000", "unknown statement")
                    : new Response.RowsHeader(-1, ONE_COLUMN, List.<Object[]>of(new Object[] {e.statementId()}), false);
        }
        if (request instanceof Request.Execute) {
            return new Response.UpdateCount(1);
        }
        return new Response.Ok();
    }

    /** A node that drops the connection, after reading it, at the first request matching {@code drop}. */
    private static ScriptedServer.Script dropsOnce(int number, java.util.function.Predicate<Request> drop) {
        AtomicBoolean dropped = new AtomicBoolean();
        ScriptedServer.Script normal = node(number, List.of());
        return (request, raw) -> {
            if (drop.test(request) && dropped.compareAndSet(false, true)) {
                throw new IOException("node killed");
            }
            return normal.answer(request, raw);
        };
    }

    /** Each test starts with a driver that has learned nothing (ports are reused between tests). */
    @BeforeEach
    void forgetLearnedAddresses() {
        ClusterAddresses.SHARED.clear();
    }

    private static String url(ScriptedServer... servers) {
        List<String> hosts = new ArrayList<>();
        for (ScriptedServer s : servers) {
            hosts.add("127.0.0.1:" + s.port());
        }
        return "jdbc:starling://" + String.join(",", hosts) + "/";
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    @Test
    void urlNamingOneNodeReachesTheNodesItNamedWhenItIsDown() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of("127.0.0.1:" + b.port())));
            String onlyA = url(a);
            try (Connection c = DriverManager.getConnection(onlyA)) {
                assertEquals(1, queryInt(c, "SELECT n"));
            }
            a.close();
            try (Connection c = DriverManager.getConnection(onlyA)) {
                assertEquals(2, queryInt(c, "SELECT n"), "the node A named answers");
            }
        }
    }

    @Test
    void loadBalanceHostsSpreadsConnectionsEvenlyOverTheUrlsAndTheNamedNodes() throws Exception {
        try (ScriptedServer c3 = new ScriptedServer(node(3, List.of()));
             ScriptedServer c2 = new ScriptedServer(node(2, List.of()))) {
            String named = "127.0.0.1:" + c2.port() + ",127.0.0.1:" + c3.port();
            try (ScriptedServer c1 = new ScriptedServer(node(1, List.of(named.split(","))))) {
                List<Connection> pool = new ArrayList<>();
                try {
                    // The URL names one node; the others are those it names at the handshake.
                    int[] served = new int[4];
                    for (int i = 0; i < 9; i++) {
                        Connection c = DriverManager.getConnection(url(c1) + "?loadBalanceHosts=true");
                        pool.add(c);
                        served[queryInt(c, "SELECT n")]++;
                    }
                    assertEquals(List.of(3, 3, 3), List.of(served[1], served[2], served[3]), "nine connections, three on each node");
                    c2.close();
                    // Failing over keeps spreading over the nodes still up.
                    int[] after = new int[4];
                    for (int i = 0; i < 4; i++) {
                        Connection c = DriverManager.getConnection(url(c1) + "?loadBalanceHosts=true");
                        pool.add(c);
                        after[queryInt(c, "SELECT n")]++;
                    }
                    assertEquals(List.of(2, 0, 2), List.of(after[1], after[2], after[3]));
                } finally {
                    for (Connection c : pool) {
                        c.close();
                    }
                }
            }
            try (Connection c = DriverManager.getConnection(url(c2, c3))) {
                assertEquals(3, queryInt(c, "SELECT n"), "without the property: the first node of the URL that answers");
            }
        }
    }

    @Test
    void readWhoseNodeDiesUnderItIsAnsweredByAnotherNode() throws Exception {
        try (ScriptedServer a = new ScriptedServer(dropsOnce(1, r -> r instanceof Request.Execute));
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b))) {
            assertEquals(2, queryInt(c, "SELECT n"));
            assertFalse(c.isClosed());
            assertEquals(1, b.received(Request.Execute.class).size());
        }
    }

    @Test
    void writeOnAConnectionWhoseNodeClosedItWhileIdleGoesToAnotherNodeOnce() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of()));
            try (Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
                a.close(); // the node dies between statements: the driver sees it closed before sending
                assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (1)"));
                assertTrue(a.received(Request.Execute.class).isEmpty());
                assertEquals(1, b.received(Request.Execute.class).size());
            }
        }
    }

    @Test
    void writeInFlightInAutoCommitIsNeverSentTwice() throws Exception {
        try (ScriptedServer a = new ScriptedServer(dropsOnce(1, r -> r instanceof Request.Execute e && e.sql().startsWith("INSERT")));
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (1)"));
            assertEquals("40003", e.getSQLState());
            assertInstanceOf(SQLTransactionRollbackException.class, e);
            assertTrue(b.received(Request.Execute.class).isEmpty(), "the write went to one node only");
            assertFalse(c.isClosed());
            assertEquals(2, queryInt(c, "SELECT n"), "the next statement goes to a live node");
        }
    }

    @Test
    void statementLostInsideATransactionIs08006UntilRolledBackThenTheRetryRunsElsewhere() throws Exception {
        try (ScriptedServer a = new ScriptedServer(dropsOnce(1, r -> r instanceof Request.Execute e && e.sql().contains("(2)")));
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO t VALUES (1)");
            SQLException lost = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (2)"));
            assertEquals("08006", lost.getSQLState());
            SQLException again = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (3)"));
            assertEquals("08006", again.getSQLState(), "half a transaction never continues on another node");
            assertTrue(again.getMessage().contains("rollback()"), again.getMessage());
            assertFalse(c.isValid(1));
            c.rollback();
            assertTrue(c.isValid(1));
            s.executeUpdate("INSERT INTO t VALUES (1)");
            c.commit();
            assertEquals(List.of(new Request.SetAutoCommit(false)), b.received(Request.SetAutoCommit.class),
                    "the session's mode is applied on the new node");
            assertEquals(1, b.received(Request.Execute.class).size());
            assertEquals(1, b.received(Request.Commit.class).size());
        }
    }

    @Test
    void commitInFlightWhenItsNodeDiesIs40003() throws Exception {
        try (ScriptedServer a = new ScriptedServer(dropsOnce(1, r -> r instanceof Request.Commit));
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO t VALUES (1)");
            SQLException e = assertThrows(SQLException.class, c::commit);
            assertEquals("40003", e.getSQLState());
            assertTrue(b.received(Request.Commit.class).isEmpty());
            s.executeUpdate("INSERT INTO t VALUES (1)");
            c.commit();
            assertEquals(1, b.received(Request.Commit.class).size(), "the retried transaction commits on the next node");
        }
    }

    @Test
    void commitOfAnIdleTransactionWhoseNodeDiedIs08006AndCommitsNothing() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of()));
            try (Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO t VALUES (1)");
                a.close();
                assertEquals("08006", assertThrows(SQLException.class, c::commit).getSQLState());
                assertTrue(b.received(Request.Commit.class).isEmpty());
            }
        }
    }

    @Test
    void preparedStatementIsPreparedAgainOnTheNextNode() throws Exception {
        try (ScriptedServer a = new ScriptedServer(dropsOnce(1, r -> r instanceof Request.ExecutePrepared));
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b));
             PreparedStatement ps = c.prepareStatement("SELECT n FROM t")) {
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(200, rs.getInt(1), "run with the id node 2 gave it");
            }
            assertEquals(1, b.received(Request.Prepare.class).size());
        }
    }

    @Test
    void sessionSettingsAreRunAgainOnTheNextNode() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of()));
            try (Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
                s.execute("SET read_consistency = eventual");
                s.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
                a.close();
                assertEquals(2, queryInt(c, "SELECT n"));
                List<String> sent = b.received(Request.Execute.class).stream().map(Request.Execute::sql).toList();
                assertEquals(List.of("SET read_consistency = eventual", "SELECT n"), sent);
            }
        }
    }

    @Test
    void isolationAndReadOnlyAreAppliedOnTheNextNode() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of()));
            try (Connection c = DriverManager.getConnection(url(a, b))) {
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setReadOnly(true);
                a.close();
                assertEquals(2, queryInt(c, "SELECT n"));
                List<String> sent = b.received(Request.Execute.class).stream().map(Request.Execute::sql).toList();
                assertEquals(List.of("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SELECT n"), sent);
                assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
            }
        }
    }

    @Test
    void isValidMovesAnIdleConnectionToALiveNode() throws Exception {
        try (ScriptedServer b = new ScriptedServer(node(2, List.of()))) {
            ScriptedServer a = new ScriptedServer(node(1, List.of()));
            try (Connection c = DriverManager.getConnection(url(a, b))) {
                a.close();
                assertTrue(c.isValid(1));
                assertEquals(1, b.received(Request.Ping.class).size());
            }
        }
    }

    @Test
    void resultBeingReadWhenItsNodeDiesIs08006() throws Exception {
        ScriptedServer.Script streaming = (request, raw) -> {
            if (request instanceof Request.Hello) {
                return new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "test", "n1", List.of());
            }
            if (request instanceof Request.Execute) {
                return new Response.RowsHeader(4, ONE_COLUMN, List.<Object[]>of(new Object[] {1}), true);
            }
            if (request instanceof Request.Fetch) {
                throw new IOException("node killed");
            }
            return new Response.Ok();
        };
        try (ScriptedServer a = new ScriptedServer(streaming);
             ScriptedServer b = new ScriptedServer(node(2, List.of()));
             Connection c = DriverManager.getConnection(url(a, b)); Statement s = c.createStatement()) {
            s.setFetchSize(1);
            try (ResultSet rs = s.executeQuery("SELECT n FROM t")) {
                assertTrue(rs.next());
                SQLException e = assertThrows(SQLException.class, rs::next);
                assertEquals("08006", e.getSQLState());
            }
            assertTrue(b.received(Request.Fetch.class).isEmpty(), "a cursor is never fetched from another node");
            assertEquals(2, queryInt(c, "SELECT n"));
        }
    }

    @Test
    void everyNodeDownIs08001() throws Exception {
        ScriptedServer a = new ScriptedServer(node(1, List.of()));
        try (Connection c = DriverManager.getConnection(url(a))) {
            a.close();
            SQLException e = assertThrows(SQLException.class, () -> queryInt(c, "SELECT n"));
            assertEquals("08001", e.getSQLState());
            assertFalse(c.isValid(1));
            assertFalse(c.isClosed(), "it may work again when a node is back");
        }
    }
}
