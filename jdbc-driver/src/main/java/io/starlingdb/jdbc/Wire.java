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
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The driver's connection to one node: a blocking socket carrying length-prefixed frames,
 * one request and its response at a time. Any I/O or protocol failure breaks the wire for
 * good; {@link StarlingConnection} then decides whether to open another (docs/protocol.md,
 * "Failover"). A lost node is reported as {@link ConnectionLostException}, which says whether
 * the request may have reached the node.
 *
 * <p>Two locks: {@code callLock} holds one request and its response together (the protocol has
 * one outstanding request per connection), {@code writeLock} one frame's bytes. A Cancel is the
 * one frame written while another thread waits for a response, so it takes only the write lock:
 * {@link #cancel} and {@link #close} never wait for the statement they stop.
 */
final class Wire implements AutoCloseable {

    private final SocketChannel channel;
    private final Socket socket;
    private final StarlingUrl.HostPort address;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final int maxFrameBytes;
    private final Response.HelloOk hello;
    private final ReentrantLock callLock = new ReentrantLock();
    private final Object writeLock = new Object();
    /** One byte, for {@link #closedByNode()}; guarded by callLock. */
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    /** Numbers the calls of this wire; guarded by writeLock. */
    private long calls;
    /** The call whose response is awaited, 0 if none; guarded by writeLock. */
    private long awaited;
    /** The last call cancelled because its query timeout expired; guarded by writeLock. */
    private long timedOut;
    private volatile boolean broken;
    /** Set when the node answered something undecodable: a node that speaks garbage is not retried. */
    private volatile boolean protocolBroken;
    /** Set when close() cut the socket under a waiting call, so that call reports a close, not a loss. */
    private volatile boolean closedLocally;

    private Wire(SocketChannel channel, StarlingUrl.HostPort address, int maxFrameBytes, String user)
            throws IOException, SQLException {
        this.channel = channel;
        this.socket = channel.socket();
        this.address = address;
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
        // A channel rather than a plain socket: only a channel can look, without blocking, whether
        // the node closed an idle connection (closedByNode).
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            // The handshake is bounded by the connect timeout, so that a host that accepts but never
            // answers (a hung node, another service on the port) counts as down and the next is tried.
            socket.setSoTimeout(connectTimeoutMillis);
            socket.connect(new InetSocketAddress(address.host(), address.port()), connectTimeoutMillis);
            Wire wire = new Wire(channel, address, maxFrameBytes, user);
            socket.setSoTimeout(socketTimeoutMillis);
            return wire;
        } catch (IOException | SQLException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whether the node was reached over the loopback interface (it and this client share a machine). */
    boolean reachedOverLoopback() {
        return socket.getInetAddress() != null && socket.getInetAddress().isLoopbackAddress();
    }

    /** The host and port this wire is connected to. */
    StarlingUrl.HostPort address() {
        return address;
    }

    Response.HelloOk hello() {
        return hello;
    }

    /** Sends a request and returns its response; an Error response is returned, not thrown. */
    Response call(Request request) throws SQLException {
        return call(request, 0);
    }

    /**
     * Like {@link #call(Request)}; if no response came within {@code queryTimeoutSeconds} (0: no
     * limit), the driver sends a Cancel naming the timeout, and the statement answers 57014.
     */
    Response call(Request request, int queryTimeoutSeconds) throws SQLException {
        return call(request, queryTimeoutSeconds, false);
    }

    /**
     * Like {@link #call(Request, int)}; with {@code checkDelivery}, first looks whether the node
     * has closed the connection while it was idle (it died, or stopped), so that a request whose
     * outcome matters (a write, a commit) fails as not sent rather than as unknown.
     */
    Response call(Request request, int queryTimeoutSeconds, boolean checkDelivery) throws SQLException {
        callLock.lock();
        try {
            if (checkDelivery && !broken && closedByNode()) {
                broken = true;
                closeQuietly();
                if (closedLocally) {
                    throw new SQLNonTransientConnectionException("the connection was closed", "08003");
                }
                throw new ConnectionLostException(address, hello == null ? null : hello.nodeId(),
                        "the node had closed the connection", false, null);
            }
            return exchange(request, queryTimeoutSeconds);
        } finally {
            synchronized (writeLock) {
                awaited = 0;
            }
            callLock.unlock();
        }
    }

    private Response exchange(Request request, int queryTimeoutSeconds) throws SQLException {
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
        ScheduledFuture<?> timeout = null;
        boolean sent = false;
        try {
            long call;
            synchronized (writeLock) {
                call = ++calls;
                writeFrame(body);
                sent = true;
                awaited = call;
            }
            if (queryTimeoutSeconds > 0) {
                timeout = QueryTimeouts.schedule(() -> cancel(call, queryTimeoutSeconds), queryTimeoutSeconds);
            }
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
            if (closedLocally) {
                throw new SQLNonTransientConnectionException("the connection was closed while the statement ran", "08003", e);
            }
            // A frame whose write failed never arrived whole, and a node runs only whole frames.
            throw new ConnectionLostException(address, hello == null ? null : hello.nodeId(), e.getMessage(), sent, e);
        } catch (ProtocolException e) {
            broken = true;
            protocolBroken = true;
            closeQuietly();
            throw new SQLNonTransientConnectionException("protocol error: " + e.getMessage(), "08P01", e);
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    /** Writes one frame; the caller holds writeLock. */
    private void writeFrame(byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    /**
     * Asks the server to stop the statement whose response a thread is waiting for, if any; from
     * any thread, without waiting. Returns whether a Cancel was sent.
     */
    boolean cancel() {
        synchronized (writeLock) {
            return awaited != 0 && sendCancel(0);
        }
    }

    /** Cancels call {@code call} for its query timeout, unless it has been answered meanwhile. */
    private void cancel(long call, int queryTimeoutSeconds) {
        synchronized (writeLock) {
            if (awaited == call && sendCancel(queryTimeoutSeconds)) {
                timedOut = call;
            }
        }
    }

    /** Whether the last call was cancelled because its query timeout expired. */
    boolean lastCallTimedOut() {
        synchronized (writeLock) {
            return calls != 0 && timedOut == calls;
        }
    }

    /** Writes a Cancel; the caller holds writeLock. A failure shows on the waiting call, which owns the error. */
    private boolean sendCancel(int queryTimeoutSeconds) {
        if (broken) {
            return false;
        }
        try {
            writeFrame(MessageCodec.encode(new Request.Cancel(queryTimeoutSeconds)));
            return true;
        } catch (IOException e) {
            return false;
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

    /** Whether the wire broke because the node answered something undecodable. */
    boolean isProtocolBroken() {
        return protocolBroken;
    }

    /**
     * Whether the node has closed its end of this idle connection: a node writes nothing unasked,
     * so between requests the only thing to read is the end of the stream (or a reset). Looks
     * without blocking; the caller holds callLock, so no read is in progress.
     */
    private boolean closedByNode() {
        try {
            if (in.available() > 0) {
                return true; // bytes nobody asked for: the stream is out of step, never reuse it
            }
            channel.configureBlocking(false);
            try {
                probe.clear();
                return channel.read(probe) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
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
            channel.close();
        } catch (IOException ignored) {
            // Already failing; the original error is what the caller needs.
        }
    }

    /** How long close() waits for the server to acknowledge, in ms: closing never hangs on a stuck node. */
    static final int CLOSE_TIMEOUT_MILLIS = 2_000;

    /**
     * Closes the connection. When no call is running, sends Close and waits up to
     * {@link #CLOSE_TIMEOUT_MILLIS} for its Ok. When another thread waits for a statement, it
     * cuts the socket at once: closing never waits for a statement (the server stops it when it
     * sees the connection go).
     */
    @Override
    public void close() {
        if (callLock.tryLock()) {
            try {
                if (!broken) {
                    socket.setSoTimeout(CLOSE_TIMEOUT_MILLIS);
                    exchange(new Request.Close(), 0);
                }
            } catch (IOException ignored) {
                // The socket is already unusable; closing locally is all that is left.
            } catch (SQLException ignored) {
                // The server may already be gone; closing locally is all that is left.
            } finally {
                callLock.unlock();
            }
        } else {
            // The node stops the statement when it sees the connection go; the waiting thread gets 08003.
            closedLocally = true;
        }
        broken = true;
        closeQuietly();
    }
}
