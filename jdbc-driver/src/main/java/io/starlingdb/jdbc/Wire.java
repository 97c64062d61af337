package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.ProtocolException;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;

/**
 * The driver's connection to one node: a blocking socket carrying length-prefixed frames,
 * one request and its response at a time. Any I/O or protocol failure breaks the wire for
 * good (SQLState 08006); the application opens a new connection.
 */
final class Wire implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final int maxFrameBytes;
    private final Response.HelloOk hello;
    private volatile boolean broken;

    private Wire(Socket socket, int maxFrameBytes, String user) throws IOException, SQLException {
        this.socket = socket;
        this.maxFrameBytes = maxFrameBytes;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        Response response = call(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "starling-jdbc", user));
        if (response instanceof Response.Error e) {
            throw new SQLNonTransientConnectionException(e.message(), e.sqlState());
        }
        if (!(response instanceof Response.HelloOk ok)) {
            throw new SQLNonTransientConnectionException("unexpected handshake answer " + response, "08P01");
        }
        this.hello = ok;
    }

    static Wire open(StarlingUrl.HostPort address, int connectTimeoutMillis, int socketTimeoutMillis, int maxFrameBytes,
                     String user) throws IOException, SQLException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            // The handshake is bounded by the connect timeout, so that a host that accepts but never
            // answers (a hung node, another service on the port) counts as down and the next is tried.
            socket.setSoTimeout(connectTimeoutMillis);
            socket.connect(new InetSocketAddress(address.host(), address.port()), connectTimeoutMillis);
            Wire wire = new Wire(socket, maxFrameBytes, user);
            socket.setSoTimeout(socketTimeoutMillis);
            return wire;
        } catch (IOException | SQLException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    Response.HelloOk hello() {
        return hello;
    }

    /** Sends a request and returns its response; an Error response is returned, not thrown. */
    synchronized Response call(Request request) throws SQLException {
        if (broken) {
            throw new SQLNonTransientConnectionException("the connection is broken or closed", "08003");
        }
        // Encoded before anything is sent: a request over a limit is refused and the connection stays usable.
        byte[] body;
        try {
            body = MessageCodec.encode(request);
        } catch (ProtocolException e) {
            throw new SQLException("request refused before sending: " + e.getMessage(), "54000", e);
        }
        if (body.length > maxFrameBytes) {
            throw new SQLException("request of " + body.length + " bytes is over the frame limit of " + maxFrameBytes
                    + " bytes", "54000");
        }
        try {
            out.writeInt(body.length);
            out.write(body);
            out.flush();
            int length = in.readInt();
            if (length < 1 || length > maxFrameBytes) {
                throw new ProtocolException("response frame of " + length + " bytes is outside 1.." + maxFrameBytes);
            }
            byte[] frame = new byte[length];
            in.readFully(frame);
            return MessageCodec.decodeResponse(frame);
        } catch (SocketTimeoutException e) {
            broken = true;
            closeQuietly();
            throw new SQLTimeoutException("no answer from the server within the socket timeout; connection closed", "08006", e);
        } catch (IOException e) {
            broken = true;
            closeQuietly();
            throw new SQLNonTransientConnectionException("connection to the server lost: " + e.getMessage(), "08006", e);
        } catch (ProtocolException e) {
            broken = true;
            closeQuietly();
            throw new SQLNonTransientConnectionException("protocol error: " + e.getMessage(), "08P01", e);
        }
    }

    /** Like call, but an Error response becomes an SQLException. */
    Response expect(Request request) throws SQLException {
        Response response = call(request);
        if (response instanceof Response.Error e) {
            throw Errors.toException(e);
        }
        return response;
    }

    boolean isBroken() {
        return broken;
    }

    void setSoTimeout(int millis) throws SQLException {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException("cannot set the socket timeout: " + e.getMessage(), "08006", e);
        }
    }

    int soTimeout() throws SQLException {
        try {
            return socket.getSoTimeout();
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException(e.getMessage(), "08006", e);
        }
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already failing; the original error is what the caller needs.
        }
    }

    /** How long close() waits for the server to acknowledge, in ms: closing never hangs on a stuck node. */
    static final int CLOSE_TIMEOUT_MILLIS = 2_000;

    @Override
    public void close() {
        if (!broken) {
            try {
                socket.setSoTimeout(CLOSE_TIMEOUT_MILLIS);
                call(new Request.Close());
            } catch (IOException ignored) {
                // The socket is already unusable; closing locally is all that is left.
            } catch (SQLException ignored) {
                // The server may already be gone; closing locally is all that is left.
            }
        }
        broken = true;
        closeQuietly();
    }
}
