package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in node for driver unit tests: accepts connections on a free port, records every
 * request, and answers each with what the script returns. A script may also write raw bytes
 * and return null (answer nothing), or throw to drop the connection.
 */
final class ScriptedServer implements AutoCloseable {

    /** Decides the answer to one request; null means send nothing. */
    interface Script {
        Response answer(Request request, DataOutputStream raw) throws IOException;
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    final List<Request> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "scripted-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers Hello with HelloOk, everything else through the script. */
    static Script withHandshake(Script rest) {
        return (request, raw) -> request instanceof Request.Hello
                ? new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "test", "scripted", List.of())
                : rest.answer(request, raw);
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "jdbc:starling://127.0.0.1:" + port() + "/";
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread t = new Thread(() -> serve(socket), "scripted-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                Request request = MessageCodec.decodeRequest(frame);
                received.add(request);
                Response response = script.answer(request, out);
                if (response != null) {
                    byte[] body = MessageCodec.encode(response);
                    out.writeInt(body.length);
                    out.write(body);
                    out.flush();
                }
                if (request instanceof Request.Close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the script dropped the connection.
        }
    }

    /** The received requests of one type, in order. */
    <T extends Request> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            // The listening socket is released once the acceptor is out of accept(): until then a
            // connect may still succeed, and a test of a dead node would reach it.
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
