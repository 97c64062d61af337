package io.starlingdb.tests.shell;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real node on free ports, shared by the tests of one class that drive the shell against it. */
@Timeout(value = ShellNodeTest.TEST_TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
abstract class ShellNodeTest {

    static final int TEST_TIMEOUT_SECONDS = 60;
    /** A statement the node never answers fails the test instead of hanging the build. */
    static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    @TempDir
    static Path dir;

    static StarlingNode node;

    @BeforeAll
    static void startNode() throws Exception {
        node = new StarlingNode(NodeConfig.of("testing", Map.of(
                "client.port", "0", "http.port", "0", "data.dir", dir.resolve("node").toString()))).start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    /** The node's URL with a socket timeout, so a lost answer fails instead of hanging. */
    static String url() {
        return node.jdbcUrl() + "?socketTimeout=" + SOCKET_TIMEOUT_MILLIS;
    }
}
