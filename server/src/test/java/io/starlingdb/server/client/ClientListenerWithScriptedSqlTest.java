package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import io.starlingdb.sql.CatalogView;
import io.starlingdb.sql.ColumnMeta;
import io.starlingdb.sql.PreparedSql;
import io.starlingdb.sql.RowCursor;
import io.starlingdb.sql.SqlEngine;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.SqlSession;
import io.starlingdb.sql.StatementResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client listener over a scripted SQL engine: the listener's own behaviour (limits,
 * encoding failures, internal errors, handshake timeout) without depending on what the SQL
 * layer happens to produce.
 */
class ClientListenerWithScriptedSqlTest {

    private static final ColumnMeta TEXT = new ColumnMeta("V", "V", Types.VARCHAR, "VARCHAR", 0, 0, true, "T");

    private ClientListener listener;
    private InetSocketAddress address;

    /** Rows from a list, in fetch-sized pieces; counts how often it was asked. */
    private static final class ListCursor implements RowCursor {
        private final List<Object[]> rows;
        private int next;

        ListCursor(List<Object[]> rows) {
            this.rows = rows;
        }

        @Override
        public List<ColumnMeta> columns() {
            return List.of(TEXT);
        }

        @Override
        public List<Object[]> fetch(int maxRows) {
            List<Object[]> out = new ArrayList<>();
            while (out.size() < maxRows && next < rows.size()) {
                out.add(rows.get(next++));
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    private static List<Object[]> rows(int n, Object value) {
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Object[] {value});
        }
        return out;
    }

    /** Answers by statement text: "bytes", "huge", "wide", "boom", anything else is an update of one row. */
    private static final class ScriptedSession implements SqlSession {
        private final CancelSignal cancel = CancelSignal.withoutDeadline();

        @Override
        public CancelSignal cancelSignal() {
            return cancel;
        }

        private boolean autoCommit = true;

        @Override
        public PreparedSql prepare(String sql) {
            return new PreparedSql() {
                @Override
                public String sql() {
                    return sql;
                }

                @Override
                public List<ColumnMeta> parameters() {
                    return List.of();
                }

                @Override
                public List<ColumnMeta> columns() {
                    return List.of();
                }
            };
        }

        @Override
        public StatementResult execute(String sql, List<Object> params) throws SqlException {
            switch (sql) {
                case "bytes":
                    return new StatementResult.Rows(new ListCursor(rows(1, new byte[] {1, 2})));
                case "huge":
                    return new StatementResult.Rows(new ListCursor(rows(1, "h".repeat(Limits.MAX_STRING_BYTES + 1))));
                case "wide":
                    return new StatementResult.Rows(new ListCursor(rows(40, "w".repeat(100_000))));
                case "boom":
                    throw new IllegalStateException("planner exploded");
                case "bad":
                    throw new SqlException("42000", "syntax error");
                default:
                    return new StatementResult.UpdateCount(1);
            }
        }

        @Override
        public StatementResult execute(PreparedSql statement, List<Object> params) throws SqlException {
            return execute(statement.sql(), params);
        }

        @Override
        public void setAutoCommit(boolean autoCommit) {
            this.autoCommit = autoCommit;
        }

        @Override
        public boolean autoCommit() {
            return autoCommit;
        }

        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
        }

        @Override
        public CatalogView catalog() {
            throw new UnsupportedOperationException("no catalog in this test");
        }

        @Override
        public void close() {
        }
    }

    private void start(int maxFrameBytes, int handshakeTimeoutMillis) throws Exception {
        start(maxFrameBytes, handshakeTimeoutMillis, HandshakeInfo.STANDALONE);
    }

    private void start(int maxFrameBytes, int handshakeTimeoutMillis, HandshakeInfo node) throws Exception {
        listener = listener(maxFrameBytes, handshakeTimeoutMillis, node);
        address = listener.start("127.0.0.1", 0);
    }

    private static ClientListener listener(int maxFrameBytes, int handshakeTimeoutMillis, HandshakeInfo node) {
        SqlEngine engine = new SqlEngine() {
            @Override
            public SqlSession openSession() {
                return new ScriptedSession();
            }

            @Override
            public void close() {
            }
        };
        ClientListenerOptions options = new ClientListenerOptions(maxFrameBytes, 16, 1000, 2, 256, 4096, handshakeTimeoutMillis,
                "scripted", ClientListenerOptions.DEFAULT_MAX_QUEUED_STATEMENTS);
        return new ClientListener(engine, options, node, new SimpleMeterRegistry());
    }

    /** A node of a cluster as the handshake sees it. */
    private static HandshakeInfo clusterNode(boolean accepting, List<String> addresses) {
        return new HandshakeInfo() {
            @Override
            public boolean acceptingSessions() {
                return accepting;
            }

            @Override
            public List<String> clientAddresses() {
                return addresses;
            }
        };
    }

    private Response hello(InetSocketAddress to) throws Exception {
        try (Socket socket = new Socket(to.getAddress(), to.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] hello = MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "t", ""));
            out.writeInt(hello.length);
            out.write(hello);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            return MessageCodec.decodeResponse(answer);
        }
    }

    @Test
    void handshakeNamesTheClientAddressesOfTheClustersLiveNodes() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000, clusterNode(true, List.of("10.0.0.1:7432", "10.0.0.2:7432")));
        Response.HelloOk ok = assertInstanceOf(Response.HelloOk.class, hello(address));
        assertEquals(List.of("10.0.0.1:7432", "10.0.0.2:7432"), ok.clientAddresses());
    }

    @Test
    void startingNodeRefusesTheHandshakeWith57P03AndTheDriverTakesTheNextNode() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000, clusterNode(false, List.of()));
        Response.Error refused = assertInstanceOf(Response.Error.class, hello(address));
        assertEquals("57P03", refused.sqlState());
        ClientListener ready = listener(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000, HandshakeInfo.STANDALONE);
        try {
            InetSocketAddress other = ready.start("127.0.0.1", 0);
            try (Connection c = DriverManager.getConnection("jdbc:starling://127.0.0.1:" + address.getPort() + ",127.0.0.1:"
                    + other.getPort() + "/")) {
                assertTrue(c.isValid(5));
                assertEquals(1, ready.activeConnections());
            }
        } finally {
            ready.close();
        }
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
    }

    private String url() {
        return "jdbc:starling://127.0.0.1:" + address.getPort() + "/?socketTimeout=10000";
    }

    @Test
    void valueWithoutAWireTypeIsAnErrorAndTheConnectionStaysUsable() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000);
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("bytes"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("cannot be sent"), e.getMessage());
            assertEquals(1, s.executeUpdate("insert"));
        }
    }

    @Test
    void stringOverTheProtocolLimitIs54000() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000);
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("huge"));
            assertEquals("54000", e.getSQLState());
            assertEquals(1, s.executeUpdate("insert"));
        }
    }

    @Test
    void internalErrorIsXX000AndTheConnectionStaysUsable() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000);
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("boom"));
            assertEquals("XX000", e.getSQLState());
            assertTrue(e.getMessage().contains("planner exploded"), e.getMessage());
            assertEquals("42000", assertThrows(SQLException.class, () -> s.execute("bad")).getSQLState());
            assertEquals(1, s.executeUpdate("insert"));
        }
    }

    @Test
    void everyResultFrameStaysWithinTheFrameLimit() throws Exception {
        int maxFrame = 1024 * 1024;
        start(maxFrame, 10_000);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Integer> frameSizes = new ArrayList<>();
            List<Response> responses = new ArrayList<>();
            Request[] requests = {new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "t", ""),
                new Request.Execute("wide", List.of(), 1000)};
            for (Request request : requests) {
                byte[] body = MessageCodec.encode(request);
                out.writeInt(body.length);
                out.write(body);
                out.flush();
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                frameSizes.add(length);
                responses.add(MessageCodec.decodeResponse(frame));
            }
            Response.RowsHeader header = assertInstanceOf(Response.RowsHeader.class, responses.get(1));
            int rows = header.rows().size();
            boolean more = header.hasMore();
            assertTrue(more, "40 rows of 100 KB do not fit in one 1 MiB frame");
            while (more) {
                byte[] body = MessageCodec.encode(new Request.Fetch(header.cursorId(), 1000));
                out.writeInt(body.length);
                out.write(body);
                out.flush();
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                frameSizes.add(length);
                Response.Rows batch = assertInstanceOf(Response.Rows.class, MessageCodec.decodeResponse(frame));
                rows += batch.rows().size();
                more = batch.hasMore();
            }
            assertEquals(40, rows);
            for (int size : frameSizes) {
                assertTrue(size <= maxFrame, "frame of " + size + " bytes");
            }
        }
    }

    @Test
    void connectionThatEndsInsideAFrameIsFreed() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 10_000);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] hello = MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "t", ""));
            out.writeInt(hello.length);
            out.write(hello);
            out.writeInt(100);
            out.write(new byte[10]);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            assertInstanceOf(Response.HelloOk.class, MessageCodec.decodeResponse(answer));
            assertEquals(1, listener.activeConnections());
            socket.shutdownOutput();
            assertEquals(-1, in.read());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (listener.activeConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, listener.activeConnections());
    }

    @Test
    void silentClientIsDisconnectedAfterTheHandshakeTimeout() throws Exception {
        start(Limits.DEFAULT_MAX_FRAME_BYTES, 300);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 250 && millis < 5_000, "closed after " + millis + " ms");
        }
        try (Connection c = DriverManager.getConnection(url())) {
            assertFalse(c.isClosed());
        }
    }
}
