package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.config.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node collects the row versions its updates and deletes leave behind, and says so in its metrics. */
class VersionCollectorTest {

    private static final Pattern REMOVED = Pattern.compile("(?m)^starling_mvcc_gc_versions_removed_total(?:\\{[^}]*\\})? (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void updatedAndDeletedRowsLeaveNoVersionsBehind() throws Exception {
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.toString(), "storage.gc.interval.ms", "50"))).start();
             Connection c = DriverManager.getConnection(node.jdbcUrl());
             Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)");
            s.executeUpdate("INSERT INTO counter VALUES (1, 0), (2, 0)");
            try (PreparedStatement update = c.prepareStatement("UPDATE counter SET n = n + 1 WHERE id = ?")) {
                for (int i = 0; i < 100; i++) {
                    update.setInt(1, 1);
                    assertEquals(1, update.executeUpdate());
                }
            }
            s.executeUpdate("DELETE FROM counter WHERE id = 2");
            // 100 superseded versions of row 1, and row 2's value and its delete: the second pass
            // to finish from now began after the writes, with no transaction open.
            VersionCollector collector = node.versionCollector();
            long passes = collector.finishedPasses();
            assertTrue(collector.awaitPasses(passes + 2, 20_000), "two passes within 20 s");
            double removed = removed(node);
            assertTrue(removed >= 102, "versions removed: " + removed);
            try (ResultSet rs = s.executeQuery("SELECT id, n FROM counter")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(100, rs.getInt(2));
                assertTrue(!rs.next(), "row 2 stays deleted");
            }
        }
    }

    private static double removed(StarlingNode node) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = REMOVED.matcher(response.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
