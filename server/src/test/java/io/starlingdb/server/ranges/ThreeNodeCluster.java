package io.starlingdb.server.ranges;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.testkit.Await;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Three {@link StarlingNode}s in this JVM on free loopback ports, stores 1-3 of one new cluster,
 * each with its data under dir/n1..n3, and clients of all three: the set-up of
 * {@link ClusterTransactionTest} and {@link ClusterTransferCostProbe}, and with SQL on the
 * cluster of {@link ClusterSqlTest} and {@link PointReadOnEventLoopTest}.
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
                c.nodes[i] = new StarlingNode(NodeConfig.of(preset, c.settings(dir, i))).start();
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * As {@link #start}, with SQL on the cluster ({@code sql.storage=cluster}): the three start at
     * once, since a node's start waits for the cluster's catalog, which needs the others.
     */
    static ThreeNodeCluster startSql(Path dir, String preset) throws Exception {
        return startSql(dir, preset, Map.of());
    }

    /** As {@link #startSql(Path, String)}, with extra settings on every node. */
    static ThreeNodeCluster startSql(Path dir, String preset, Map<String, String> extra) throws Exception {
        ThreeNodeCluster c = new ThreeNodeCluster(io.starlingdb.testkit.FreePorts.below32768(3));
        Thread[] starters = new Thread[4];
        Exception[] failures = new Exception[4];
        for (int i = 1; i <= 3; i++) {
            Map<String, String> settings = c.settings(dir, i);
            settings.putAll(extra);
            settings.put("sql.storage", "cluster");
            c.nodes[i] = new StarlingNode(NodeConfig.of(preset, settings));
            int n = i;
            starters[i] = new Thread(() -> {
                try {
                    c.nodes[n].start();
                } catch (Exception e) {
                    failures[n] = e;
                }
            });
            starters[i].start();
        }
        for (int i = 1; i <= 3; i++) {
            starters[i].join(120_000);
            if (failures[i] != null) {
                c.close();
                throw failures[i];
            }
        }
        return c;
    }

    private Map<String, String> settings(Path dir, int i) {
        return new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                "peer.port", String.valueOf(ports[i - 1]), "data.dir", dir.resolve("n" + i).toString(),
                "store.id", String.valueOf(i), "store.initial.members", "1,2,3",
                "join", "127.0.0.1:" + ports[i == 1 ? 1 : 0]));
    }

    /** A JDBC connection to node's client port. */
    static java.sql.Connection jdbc(StarlingNode node) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:starling://127.0.0.1:" + node.clientAddress().getPort() + "/");
    }

    /** Runs sql on node until it succeeds (the node may not have read the catalog yet), within 60 s. */
    static void awaitStatement(StarlingNode node, String sql) throws Exception {
        java.sql.SQLException[] last = {null};
        Await.until(java.time.Duration.ofSeconds(60), () -> {
            try (java.sql.Connection c = jdbc(node); java.sql.Statement s = c.createStatement()) {
                s.execute(sql);
                return true;
            } catch (java.sql.SQLException e) {
                last[0] = e;
                return false;
            }
        }, () -> "node " + node.clientAddress() + " never ran " + sql + ": " + last[0]);
    }

    /** Runs sql on every node until it succeeds there ({@link #awaitStatement}): each has read the catalog it needs. */
    void awaitOnEveryNode(String sql) throws Exception {
        for (int i = 1; i <= 3; i++) {
            awaitStatement(nodes[i], sql);
        }
    }

    /** The nodes' peer ports, by store id minus one. */
    int[] peerPorts() {
        return ports.clone();
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
