package io.starlingdb.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Raw sockets against a real node: every broken or hostile client is refused with an error
 * frame (SQLState 08P01 or 08001) and a close, or just a close when it never completes a
 * frame, and the node keeps serving normal clients afterwards; and what a frame leaves out.
 */
class ProtocolRobustnessTest extends SharedNodeTest {

    /** After every hostile client, a normal one still gets served. */
    @AfterEach
    void nodeStillServes() throws Exception {
        try (Connection c = TestNode.connect(node)) {
            assertEquals(1, TestNode.scalar(c, "SELECT COUNT(*) FROM (VALUES (1))"));
        }
    }

    /** A raw client connection with a read timeout so that no test can hang. */
    private static final class Raw implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Raw(int readTimeoutMillis) throws IOException {
            socket = new Socket("127.0.0.1", node.clientAddress().getPort());
            socket.setSoTimeout(readTimeoutMillis);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        }

        Raw() throws IOException {
            this(30_000);
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void sendFrame(byte[] body) throws IOException {
            out.writeInt(body.length);
            send(body);
        }

        void send(Request request) throws IOException {
            sendFrame(MessageCodec.encode(request));
        }

        Response receive() throws IOException {
            int length = in.readInt();
            assertTrue(length > 0 && length <= Limits.DEFAULT_MAX_FRAME_BYTES, "frame length " + length);
            byte[] frame = new byte[length];
            in.readFully(frame);
            return MessageCodec.decodeResponse(frame);
        }

        /** The server closed the connection: reads end (or the connection is reset) within the read timeout. */
        void expectClosed() throws IOException {
            try {
                int b = in.read();
                assertEquals(-1, b, "expected the server to close the connection");
            } catch (SocketException reset) {
                // A reset is a close too.
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection", e);
            }
        }

        void handshake() throws IOException {
            send(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "raw-test", ""));
            Response.HelloOk ok = assertInstanceOf(Response.HelloOk.class, receive());
            assertEquals(Limits.PROTOCOL_VERSION, ok.version());
            assertEquals("Starling", ok.product());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Response.Error expectError(Raw raw, String sqlState) throws IOException {
        Response response = raw.receive();
        Response.Error error = assertInstanceOf(Response.Error.class, response);
        assertEquals(sqlState, error.sqlState(), error.message());
        assertTrue(error.message() != null && !error.message().isBlank());
        return error;
    }

    @Test
    void validHandshakeAndStatementOverARawSocket() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.send(new Request.Execute("SELECT 1 + 1 FROM (VALUES (0))", List.of(), 10));
            Response.RowsHeader rows = assertInstanceOf(Response.RowsHeader.class, raw.receive());
            assertEquals(1, rows.columns().size());
            assertEquals(1, rows.rows().size());
            assertEquals(2, ((Number) rows.rows().get(0)[0]).intValue());
            assertEquals(-1, rows.cursorId());
            raw.send(new Request.Ping());
            assertInstanceOf(Response.Ok.class, raw.receive());
            raw.send(new Request.Close());
            assertInstanceOf(Response.Ok.class, raw.receive());
            raw.expectClosed();
        }
    }

    /**
     * Protocol 4: the answer to an ExecutePrepared leaves out the columns the Prepared answer named
     * (a point select carries its row, not a description of its columns each time); a plain
     * Execute still names them, and so does a prepared statement planned again over a table that
     * now has other columns.
     */
    @Test
    void preparedResultsLeaveOutTheColumnsTheirPrepareNamedUntilTheyChange() throws Exception {
        try (Connection c = TestNode.connect(node); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE prepared_cols (id INTEGER PRIMARY KEY, v VARCHAR(10))");
            s.execute("INSERT INTO prepared_cols VALUES (1, 'one')");
        }
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.send(new Request.Prepare("SELECT * FROM prepared_cols WHERE id = ?"));
            Response.Prepared prepared = assertInstanceOf(Response.Prepared.class, raw.receive());
            assertEquals(List.of("ID", "V"), prepared.columns().stream().map(c -> c.name()).toList());
            for (int i = 0; i < 2; i++) {
                raw.send(new Request.ExecutePrepared(prepared.statementId(), List.of(1), 10));
                Response.RowsHeader rows = assertInstanceOf(Response.RowsHeader.class, raw.receive());
                assertTrue(rows.columnsAsPrepared(), "columns sent again: " + rows.columns());
                assertEquals("one", rows.rows().get(0)[1]);
            }
            raw.send(new Request.Execute("SELECT * FROM prepared_cols WHERE id = 1", List.of(), 10));
            Response.RowsHeader plain = assertInstanceOf(Response.RowsHeader.class, raw.receive());
            assertEquals(List.of("ID", "V"), plain.columns().stream().map(c -> c.name()).toList());

            raw.send(new Request.Execute("DROP TABLE prepared_cols", List.of(), 10));
            assertInstanceOf(Response.UpdateCount.class, raw.receive());
            raw.send(new Request.Execute("CREATE TABLE prepared_cols (id INTEGER PRIMARY KEY, w INTEGER, v VARCHAR(10))",
                    List.of(), 10));
            assertInstanceOf(Response.UpdateCount.class, raw.receive());
            raw.send(new Request.Execute("INSERT INTO prepared_cols VALUES (1, 7, 'uno')", List.of(), 10));
            assertInstanceOf(Response.UpdateCount.class, raw.receive());
            raw.send(new Request.ExecutePrepared(prepared.statementId(), List.of(1), 10));
            Response.RowsHeader replanned = assertInstanceOf(Response.RowsHeader.class, raw.receive());
            assertEquals(List.of("ID", "W", "V"), replanned.columns().stream().map(c -> c.name()).toList());
            assertEquals(Arrays.asList(1, 7, "uno"), Arrays.asList(replanned.rows().get(0)));
        } finally {
            try (Connection c = TestNode.connect(node); java.sql.Statement s = c.createStatement()) {
                s.execute("DROP TABLE prepared_cols");
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndCloseComesLast() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            DataOutputStream frames = new DataOutputStream(batch);
            for (Request request : List.of(new Request.Execute("SELECT 7 FROM (VALUES (0))", List.of(), 0), new Request.Ping(),
                    new Request.Execute("SELEC 1", List.of(), 0), new Request.Close())) {
                byte[] body = MessageCodec.encode(request);
                frames.writeInt(body.length);
                frames.write(body);
            }
            raw.send(batch.toByteArray());
            Response.RowsHeader rows = assertInstanceOf(Response.RowsHeader.class, raw.receive());
            assertEquals(7, ((Number) rows.rows().get(0)[0]).intValue());
            assertInstanceOf(Response.Ok.class, raw.receive());
            expectError(raw, "42000");
            assertInstanceOf(Response.Ok.class, raw.receive());
            raw.expectClosed();
        }
    }

    @Test
    void httpRequestIsRefusedAsAnOversizedFrame() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response.Error error = expectError(raw, "08P01");
            assertTrue(error.message().contains("protocol violation"), error.message());
            raw.expectClosed();
        }
    }

    @Test
    void garbageFrameBodyIsRefused() throws Exception {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xEE);
        try (Raw raw = new Raw()) {
            raw.sendFrame(garbage);
            expectError(raw, "08P01");
            raw.expectClosed();
        }
    }

    @Test
    void wrongMagicIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(new Request.Hello(0x50475351, Limits.PROTOCOL_VERSION, "impostor", ""));
            Response.Error error = expectError(raw, "08P01");
            assertTrue(error.message().contains("not a Starling client"), error.message());
            raw.expectClosed();
        }
    }

    @Test
    void unsupportedVersionIsRefusedNamingTheSupportedOne() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(new Request.Hello(Limits.MAGIC, 99, "future-client", ""));
            Response.Error error = expectError(raw, "08001");
            assertTrue(error.message().contains("99") && error.message().contains("version " + Limits.PROTOCOL_VERSION),
                    error.message());
            raw.expectClosed();
        }
    }

    @Test
    void statementBeforeTheHandshakeIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(new Request.Execute("SELECT 1 FROM (VALUES (0))", List.of(), 0));
            expectError(raw, "08P01");
            raw.expectClosed();
        }
    }

    @Test
    void oversizedFrameLengthIsRefusedBeforeReadingTheBody() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.send(ByteBuffer.allocate(4).putInt(Limits.DEFAULT_MAX_FRAME_BYTES + 1).array());
            Response.Error error = expectError(raw, "08P01");
            assertTrue(error.message().contains("protocol violation"), error.message());
            raw.expectClosed();
        }
    }

    @Test
    void negativeFrameLengthIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
            expectError(raw, "08P01");
            raw.expectClosed();
        }
    }

    @Test
    void emptyFrameIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.sendFrame(new byte[0]);
            expectError(raw, "08P01");
            raw.expectClosed();
        }
    }

    @Test
    void frameWhoseBodyEndsEarlyIsRefused() throws Exception {
        byte[] hello = MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "client", "user"));
        try (Raw raw = new Raw()) {
            // The length prefix covers a body that stops in the middle of the client name.
            raw.sendFrame(Arrays.copyOf(hello, 12));
            Response.Error error = expectError(raw, "08P01");
            assertTrue(error.message().contains("truncated"), error.message());
            raw.expectClosed();
        }
    }

    @Test
    void frameWithTrailingBytesIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            byte[] ping = MessageCodec.encode(new Request.Ping());
            raw.sendFrame(Arrays.copyOf(ping, ping.length + 3));
            expectError(raw, "08P01");
            raw.expectClosed();
        }
    }

    @Test
    void unknownRequestTypeIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.sendFrame(new byte[] {77});
            Response.Error error = expectError(raw, "08P01");
            assertTrue(error.message().contains("unknown request type 77"), error.message());
            raw.expectClosed();
        }
    }

    @Test
    void truncatedFrameThenEndOfInputIsClosed() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.out.writeInt(100);
            raw.send(new byte[10]);
            raw.socket.shutdownOutput();
            raw.expectClosed();
        }
    }

    @Test
    void unknownCursorAndStatementIdsAreErrorsNotCloses() throws Exception {
        try (Raw raw = new Raw()) {
            raw.handshake();
            raw.send(new Request.Fetch(12345, 10));
            expectError(raw, "24000");
            raw.send(new Request.ExecutePrepared(999, List.of(), 10));
            expectError(raw, "26000");
            raw.send(new Request.Ping());
            assertInstanceOf(Response.Ok.class, raw.receive());
        }
    }

    @Test
    void clientThatNeverSaysHelloIsDisconnected() throws Exception {
        // The node's handshake timeout is 10 s; read for up to 20 s.
        try (Raw raw = new Raw(20_000)) {
            long start = System.nanoTime();
            raw.expectClosed();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 5_000, "closed after " + millis + " ms, before the handshake timeout");
        }
    }

    @Test
    void eofInTheMiddleOfTheLengthPrefixIsHandled() throws Exception {
        try (Raw raw = new Raw()) {
            raw.send(new byte[] {0, 0});
            raw.socket.shutdownOutput();
            try {
                raw.expectClosed();
            } catch (EOFException expected) {
                // Closed.
            }
        }
    }
}
