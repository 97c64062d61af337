package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code cluster status} against a stand-in HTTP server: the real endpoint belongs to the cluster module. */
class ClusterStatusCommandTest {

    private static final String BODY = "{\"self\":\"n1\",\"hasMajority\":true,\"members\":[{\"id\":\"n1\","
            + "\"address\":\"127.0.0.1:7000\",\"state\":\"ALIVE\",\"incarnation\":3,\"metadata\":{},\"health\":null}]}";

    private HttpServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            int code = exchange.getRequestURI().getPath().equals(ClusterStatusCommand.MEMBERS_PATH) ? status : 404;
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    private int status(int port) {
        return StarlingCli.run(new String[] {"cluster", "status", "--http", "127.0.0.1:" + port},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true));
    }

    private String[] errLines() {
        return err.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void printsTheMembersTableAndExits0() throws IOException {
        int code = status(serve(200, BODY));
        assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("Node n1: 1 member, sees a majority\nID "), printed);
        assertTrue(printed.contains("n1 (self) | 127.0.0.1:7000 | ALIVE |"), printed);
    }

    @Test
    void withoutAGossipedClientAddressTheRangesAreNotShown() throws IOException {
        int code = status(serve(200, BODY));
        assertEquals(ExitCode.OK, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith(
                "\nRanges: not shown (node n1 gossips no client address to read them through)\n"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnreachableSqlPortAfterTheMembersGivesOneLineAndExit1() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        // The node listens on every interface: the command reads the ranges at the host it reached.
        String body = BODY.replace("\"metadata\":{}", "\"metadata\":{\"addresses\":\"client=0.0.0.0:" + closed
                + ",http=0.0.0.0:1\"}");
        int code = status(serve(200, body));
        assertEquals(ExitCode.FAILURE, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("n1 (self) | 127.0.0.1:7000 | ALIVE |"), "members first");
        assertEquals(1, errLines().length, err.toString(StandardCharsets.UTF_8));
        assertTrue(errLines()[0].startsWith("ERROR: cannot read the stores and ranges through jdbc:starling://127.0.0.1:"
                + closed + "/: "), errLines()[0]);
    }

    @Test
    void aNodeWithoutTheEndpointGivesOneLineAndExit1() throws IOException {
        int code = status(serve(404, "not found"));
        assertEquals(ExitCode.FAILURE, code);
        assertEquals(1, errLines().length);
        assertTrue(errLines()[0].startsWith("ERROR: http://127.0.0.1:"), errLines()[0]);
        assertTrue(errLines()[0].contains("answered 404"), errLines()[0]);
    }

    @Test
    void theNodesOwnErrorTextIsShown() throws IOException {
        int code = status(serve(404, "{\"error\":\"the cluster network is off on this node (peer.port = 0)\"}"));
        assertEquals(ExitCode.FAILURE, code);
        assertEquals(1, errLines().length);
        assertTrue(errLines()[0].endsWith("/cluster/members answered 404: the cluster network is off on this node (peer.port = 0)"),
                errLines()[0]);
    }

    @Test
    void malformedJsonGivesOneLineAndExit1() throws IOException {
        int code = status(serve(200, "{\"self\":"));
        assertEquals(ExitCode.FAILURE, code);
        assertEquals(1, errLines().length);
        assertTrue(errLines()[0].contains("JSON the shell does not understand"), errLines()[0]);
    }

    @Test
    void aPortNobodyListensOnGivesOneLineAndExit1() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int code = status(port);
        assertEquals(ExitCode.FAILURE, code);
        assertEquals(1, errLines().length);
        assertTrue(errLines()[0].startsWith("ERROR: cannot reach http://127.0.0.1:" + port + "/cluster/members: "), errLines()[0]);
    }
}
