package io.starlingdb.cluster.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A hand-driven peer on a plain socket, for tests that must misbehave in ways a real
 * {@link Transport} never would: garbage, truncated or oversized frames, raw payloads.
 */
final class RawPeer implements AutoCloseable {

    private final Socket socket;
    final DataOutputStream out;
    private final DataInputStream in;

    RawPeer(NodeAddress target) throws IOException {
        socket = new Socket(target.host(), target.port());
        socket.setSoTimeout(5_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** Runs the dialer's side of the handshake with {@code secret}; returns the final frame type. */
    FrameType handshake(String nodeId, String secret) throws IOException {
        byte[] nonce = Handshake.newNonce();
        NodeAddress self = new NodeAddress("127.0.0.1", 1);
        writeFrame(FrameType.HELLO, 0, Handshake.encodeGreeting(
                new Handshake.Greeting(Handshake.protocolVersion, nodeId, self, nonce, new byte[0])));
        Frame challenge = readFrame();
        Handshake.Greeting greeting = Handshake.decodeGreeting(challenge.payload());
        writeFrame(FrameType.PROOF, 0, Handshake.dialerProof(secret, greeting.nonce(), nonce, nodeId, greeting.nodeId()));
        return readFrame().type();
    }

    void writeFrame(FrameType type, long streamId, byte[] payload) throws IOException {
        out.writeInt(Frame.headerBytes + payload.length);
        out.writeByte(type.ordinal());
        out.writeByte(Lane.NORMAL.ordinal());
        out.writeLong(streamId);
        out.write(payload);
        out.flush();
    }

    Frame readFrame() throws IOException {
        int length = in.readInt();
        FrameType type = FrameType.fromCode(in.readUnsignedByte());
        Lane lane = Lane.fromCode(in.readUnsignedByte());
        long streamId = in.readLong();
        byte[] payload = new byte[length - Frame.headerBytes];
        in.readFully(payload);
        return new Frame(type, lane, streamId, payload);
    }

    /** True once the node has closed the connection (reads end of stream or a reset). */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
