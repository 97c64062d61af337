package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection limits, node shutdown under open connections, and what a client sees of them. */
class ConnectionLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void connectionsOverTheLimitAreRefusedAndAFreedSlotIsReused() throws Exception {
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.toString(), "client.max.connections", "2"))).start()) {
            Connection first = DriverManager.getConnection(node.jdbcUrl());
            try (Connection second = DriverManager.getConnection(node.jdbcUrl())) {
                SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(node.jdbcUrl()));
                assertEquals("53300", refused.getSQLState());
                assertTrue(refused.getMessage().contains("too many connections (limit 2)"), refused.getMessage());
                assertTrue(second.isValid(2));
            }
            // The slot frees when the server sees the close; poll with a deadline.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Connection third = null;
            while (third == null) {
                try {
                    third = DriverManager.getConnection(node.jdbcUrl());
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
            assertTrue(third.isValid(2));
            third.close();
            first.close();
        }
    }

    /**
     * A client whose hello reaches the node after the node decided to refuse it (a slow network, a
     * paused JVM) still reads why: the node answers the hello, and does not close first, which
     * would make the late hello draw a TCP reset that drops the answer (CI saw 08001 instead of 53300).
     */
    @Test
    void aClientWhoseHelloArrivesLateStillReadsTheRefusal() throws Exception {
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.toString(), "client.max.connections", "1"))).start();
             Connection only = DriverManager.getConnection(node.jdbcUrl());
             Socket raw = new Socket("127.0.0.1", node.clientAddress().getPort())) {
            raw.setSoTimeout(30_000);
            // The hello leaves only once the node has decided to refuse the connection (when it
            // closed it at once, before this fix, the hello then met a closed socket).
            io.micrometer.core.instrument.Counter refusals = node.registry().get("starling.clients.connections.refused").counter();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refusals.count() < 1) {
                assertTrue(System.nanoTime() < deadline, "the node never counted the refusal");
                Thread.onSpinWait();
            }
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            byte[] hello = MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "late", ""));
            out.writeInt(hello.length);
            out.write(hello);
            out.flush();
            DataInputStream in = new DataInputStream(raw.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            Response.Error refused = assertInstanceOf(Response.Error.class, MessageCodec.decodeResponse(frame));
            assertEquals("53300", refused.sqlState(), refused.message());
            assertEquals(-1, in.read(), "the node closes the refused connection");
            assertTrue(only.isValid(2));
        }
    }

    @Test
    void nodeShutdownBreaksOpenConnectionsWithAConnectionError() throws Exception {
        StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.toString()))).start();
        // The socket timeout only keeps a regression from hanging the build; the node must close the connection itself.
        Connection c = DriverManager.getConnection(node.jdbcUrl() + "?socketTimeout=30000");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE doomed (id INTEGER NOT NULL, PRIMARY KEY (id))");
            s.executeUpdate("INSERT INTO doomed VALUES (1), (2), (3)");
            s.setFetchSize(1);
            ResultSet open = s.executeQuery("SELECT id FROM doomed");
            assertTrue(open.next());
            node.close();
            SQLException e = assertThrows(SQLException.class, () -> {
                while (open.next()) {
                    // Reading on fetches from the stopped node.
                }
            });
            assertTrue(e.getSQLState().startsWith("08"), e.getSQLState() + " " + e.getMessage());
            assertFalse(e instanceof java.sql.SQLTimeoutException, "the node left the connection open: " + e.getMessage());
            // The connection stays open and moves to another node at its next use; this node was the only one.
            assertFalse(c.isClosed());
            assertFalse(c.isValid(1));
            SQLException after = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("08001", after.getSQLState());
        } finally {
            c.close();
            node.close();
        }
    }

    @Test
    void committedRowsSurviveANodeRestartAndTheDriverReconnects() throws Exception {
        Map<String, String> settings = Map.of("client.port", "0", "http.port", "0", "data.dir", dir.toString(), "sync.commits", "true");
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings)).start();
             Connection c = DriverManager.getConnection(node.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE durable (id INTEGER NOT NULL, v VARCHAR(10), PRIMARY KEY (id))");
            s.executeUpdate("INSERT INTO durable VALUES (1, 'a'), (2, 'b')");
        }
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings)).start();
             Connection c = DriverManager.getConnection(node.jdbcUrl())) {
            assertEquals(3, TestNode.scalar(c, "SELECT SUM(id) FROM durable"));
        }
    }
}
