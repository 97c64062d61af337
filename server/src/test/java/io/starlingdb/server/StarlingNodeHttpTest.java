package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.config.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarlingNodeHttpTest {

    @TempDir
    Path dir;

    private StarlingNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startNode() throws Exception {
        node = new StarlingNode(NodeConfig.of("testing", Map.of(
                "client.port", "0", "http.port", "0", "data.dir", dir.toString()))).start();
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswers200WhileServing() throws Exception {
        HttpResponse<String> response = send("GET", "/health");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"status\":\"serving\""), response.body());
    }

    @Test
    void metricsServePrometheusTextWithJvmAndRocksDbMeters() throws Exception {
        HttpResponse<String> response = send("GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        String body = response.body();
        assertTrue(body.contains("jvm_memory_used_bytes"), "JVM memory metrics");
        assertTrue(body.contains("jvm_threads_live_threads"), "JVM thread metrics");
        assertTrue(body.contains("process_uptime_seconds"), "uptime");
        assertTrue(body.contains("starling_storage_wal_syncs"), "RocksDB metrics");
        assertTrue(body.contains("starling_storage_block_cache_usage"), "RocksDB metrics");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertEquals(404, send("GET", "/nothing-here").statusCode());
        HttpResponse<String> post = send("POST", "/health");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
    }

    @Test
    void closingTheNodeReleasesItsDataDirectoryForAnotherNode() throws Exception {
        node.close();
        node = new StarlingNode(NodeConfig.of("testing", Map.of(
                "client.port", "0", "http.port", "0", "data.dir", dir.toString()))).start();
        assertEquals(200, send("GET", "/health").statusCode());
    }
}
