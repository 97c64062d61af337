package io.starlingdb.server.client;

import io.starlingdb.server.StarlingNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One real node (see {@link TestNode}) started before and stopped after the tests of a class. */
abstract class SharedNodeTest {

    @TempDir
    static Path dir;

    static StarlingNode node;

    @BeforeAll
    static void startNode() throws Exception {
        node = TestNode.start(dir);
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }
}
