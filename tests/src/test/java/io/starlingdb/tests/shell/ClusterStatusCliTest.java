package io.starlingdb.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.shell.ExitCode;
import io.starlingdb.shell.StarlingCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code starling cluster status} against real nodes: one that is alone, and two that joined. */
@Timeout(value = ClusterStatusCliTest.TEST_TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
class ClusterStatusCliTest {

    static final int TEST_TIMEOUT_SECONDS = 60;
    /** How long two nodes of the testing preset may take to see each other alive. */
    private static final long JOIN_DEADLINE_MILLIS = 30_000;
    private static final long POLL_MILLIS = 200;

    @TempDir
    Path dir;

    private final List<StarlingNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    record Run(int code, String out, String err) {
    }

    private static Run status(StarlingNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StarlingCli.run(new String[] {"cluster", "status", "--http", "127.0.0.1:" + node.httpAddress().getPort()},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private StarlingNode start(String id, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.resolve(id).toString(), "node.id", id));
        settings.putAll(extra);
        StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings)).start();
        nodes.add(node);
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aNodeWithoutTheClusterNetworkGivesOneLineAndExitCode1() throws Exception {
        Run run = status(start("alone", Map.of()));
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals("", run.out());
        String[] lines = run.err().split("\n");
        assertEquals(1, lines.length, run.err());
        assertTrue(lines[0].startsWith("ERROR: http://127.0.0.1:") && lines[0].contains("answered 404"), run.err());
    }

    @Test
    void twoJoinedNodesShowAsAliveMembersInATable() throws Exception {
        int seedPort = freePort();
        StarlingNode seed = start("n1", Map.of("peer.port", Integer.toString(seedPort)));
        start("n2", Map.of("peer.port", Integer.toString(freePort()), "join", "127.0.0.1:" + seedPort));
        long deadline = System.currentTimeMillis() + JOIN_DEADLINE_MILLIS;
        Run run = status(seed);
        while (!(run.code() == ExitCode.OK && run.out().contains("n2 ") && aliveCount(run.out()) == 2)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(POLL_MILLIS);
            run = status(seed);
        }
        assertEquals(ExitCode.OK, run.code(), run.err());
        List<String> lines = List.of(run.out().split("\n"));
        assertEquals("Node n1: 2 members, sees a majority", lines.get(0), run.out());
        assertTrue(lines.get(1).startsWith("ID        | ADDRESS"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("n1 (self) | ")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("n2        | ") && l.contains(" | ALIVE ")), run.out());
        int width = lines.get(1).indexOf(" | ADDRESS");
        int end = lines.indexOf("");
        assertTrue(end > 3, "the members table ends with an empty line: " + run.out());
        for (String row : lines.subList(3, end)) {
            assertEquals(" | ", row.substring(width, width + 3), "columns line up: " + run.out());
        }
        assertEquals("No replicated key space: no node of this cluster holds a store (store.id).", lines.get(end + 1),
                run.out());
    }

    private static long aliveCount(String out) {
        return out.lines().filter(l -> l.contains(" | ALIVE ")).count();
    }
}
