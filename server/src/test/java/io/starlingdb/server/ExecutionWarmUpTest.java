package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up warm-up runs its statements on a scratch database that nothing sees afterwards. */
class ExecutionWarmUpTest {

    @TempDir
    Path dir;

    @Test
    void runsEveryStatementThroughTheClientPathAndLeavesNothing() throws Exception {
        Path scratch = dir.resolve("warmup");
        Files.createDirectories(scratch.resolve("left-over")); // a crashed start's scratch is replaced
        ExecutionWarmUp.Result result = ExecutionWarmUp.run(scratch, 80, 600_000);
        assertEquals(80, result.statements());
        assertTrue(result.rowsRead() > 0, "the SELECTs read rows: " + result);
        assertFalse(Files.exists(scratch), "the scratch database is deleted");
    }

    @Test
    void stopsAtItsTimeBound() throws Exception {
        // A million statements take many minutes; the bound ends the warm-up after the statement in progress.
        ExecutionWarmUp.Result result = ExecutionWarmUp.run(dir.resolve("warmup"), 1_000_000, 300);
        assertTrue(result.statements() < 1_000_000, result.toString());
        assertFalse(Files.exists(dir.resolve("warmup")));
    }

    @Test
    void aNodeWarmsUpWithoutShowingItsScratchTableToClients() throws Exception {
        try (StarlingNode node = new StarlingNode(NodeConfig.of("testing", Map.of("client.port", "0", "http.port", "0",
                "data.dir", dir.toString(), "sql.warmup.statements", "40", "sql.warmup.max.ms", "600000"))).start();
             Connection c = DriverManager.getConnection("jdbc:starling://127.0.0.1:" + node.clientAddress().getPort() + "/");
             Statement s = c.createStatement()) {
            assertEquals(40, node.warmedUp());
            SQLException missing = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM starling_warmup"));
            assertEquals("42S02", missing.getSQLState(), missing.getMessage());
            assertFalse(Files.exists(dir.resolve("warmup")));
        }
    }
}
