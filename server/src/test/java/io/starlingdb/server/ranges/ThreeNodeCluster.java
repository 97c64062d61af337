package io.starlingdb.server.ranges;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Three {@link StarlingNode}s in this JVM on free loopback ports, stores 1-3 of one new cluster,
 * each with its data under dir/n1..n3, and clients of all three: the set-up of
 * {@link ClusterTransactionTest} and {@link ClusterTransferCostProbe}.
 */
final class ThreeNodeCluster implements AutoCloseable {

    /** By store id (1-3); index 0 is unused. */
    final StarlingNode[] nodes = new StarlingNode[4];
    private final int[] ports;

    private ThreeNodeCluster(int[] ports) {
        this.ports = ports;
    }

    /**
     * Starts the three nodes with a configuration preset ("testing" syncs nothing; "development"
     * fsyncs every commit, as the bench's node processes). A node that fails to start stops the
     * ones started before it.
     */
    static ThreeNodeCluster start(Path dir, String preset) throws Exception {
        ThreeNodeCluster c = new ThreeNodeCluster(io.starlingdb.testkit.FreePorts.below32768(3));
        try {
            for (int i = 1; i <= 3; i++) {
                Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0",
                        "node.id", "n" + i, "peer.port", String.valueOf(c.ports[i - 1]),
                        "data.dir", dir.resolve("n" + i).toString(), "store.id", String.valueOf(i),
                        "store.initial.members", "1,2,3", "join", "127.0.0.1:" + c.ports[i == 1 ? 1 : 0]));
                c.nodes[i] = new StarlingNode(NodeConfig.of(preset, settings)).start();
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A client that knows all three nodes (the caller closes it). */
    StarlingClient connect() throws InterruptedException {
        return StarlingClient.connect("127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2]);
    }

    @Override
    public void close() {
        for (StarlingNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
