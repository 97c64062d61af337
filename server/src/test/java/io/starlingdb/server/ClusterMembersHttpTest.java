package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starlingdb.server.config.NodeConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes with the cluster network on: --join forms a cluster, GET /cluster/members shows it. */
class ClusterMembersHttpTest {

    private static final Duration AWAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private StarlingNode node(String id, int peerPort, String join) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", id,
                "peer.port", String.valueOf(peerPort), "data.dir", dir.resolve(id).toString()));
        if (join != null) {
            settings.put("join", join);
        }
        return new StarlingNode(NodeConfig.of("testing", settings)).start();
    }

    private JsonNode members(StarlingNode node) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/cluster/members");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private JsonNode awaitAlive(StarlingNode node, int count) throws Exception {
        Instant deadline = Instant.now().plus(AWAIT);
        JsonNode view = members(node);
        while (Instant.now().isBefore(deadline)) {
            long alive = 0;
            for (JsonNode m : view.get("members")) {
                alive += m.get("state").asText().equals("ALIVE") ? 1 : 0;
            }
            if (alive == count) {
                return view;
            }
            Thread.onSpinWait();
            view = members(node);
        }
        throw new AssertionError("expected " + count + " alive members, saw " + view);
    }

    @Test
    void joinedNodesSeeEachOtherWithHealthFigures() throws Exception {
        int firstPeerPort = freePort();
        try (StarlingNode first = node("n1", firstPeerPort, null);
             StarlingNode second = node("n2", freePort(), "127.0.0.1:" + firstPeerPort)) {
            JsonNode view = awaitAlive(first, 2);
            assertEquals("n1", view.get("self").asText());
            assertTrue(view.get("hasMajority").asBoolean());
            JsonNode self = null;
            JsonNode other = null;
            for (JsonNode m : view.get("members")) {
                if (m.get("id").asText().equals("n1")) {
                    self = m;
                } else if (m.get("id").asText().equals("n2")) {
                    other = m;
                }
            }
            assertTrue(self != null && other != null, view.toString());
            assertTrue(other.get("address").asText().endsWith(":" + second.config().peerPort()), other.toString());
            assertTrue(other.get("incarnation").asLong() >= 0);
            assertTrue(other.has("metadata"));
            assertTrue(self.get("health") == null || self.get("health").isNull());
            awaitAlive(second, 2);
        }
    }

    @Test
    void aSingleNodeSaysTheClusterNetworkIsOff() throws Exception {
        try (StarlingNode single = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.resolve("single").toString()))).start()) {
            URI uri = URI.create("http://127.0.0.1:" + single.httpAddress().getPort() + "/cluster/members");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
            assertNull(single.cluster());
        }
    }
}
