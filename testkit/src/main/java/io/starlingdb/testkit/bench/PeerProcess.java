package io.starlingdb.testkit.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.ClusterNetworkOptions;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.TransportOptions;
import io.starlingdb.testkit.swim.RandomLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One cluster-network node in its own process, default configuration, for
 * {@link KillDetectionBenchmark}. Prints {@code READY} once started and one
 * {@code EVENT <type> <member> <incarnation> <epochMillis>} line per membership event.
 * Arguments: nodeId port seeds(comma-separated host:port, or -) lossRate secret.
 */
public final class PeerProcess {

    private PeerProcess() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[0];
        int port = Integer.parseInt(args[1]);
        List<NodeAddress> seeds = new ArrayList<>();
        if (!args[2].equals("-")) {
            for (String seed : args[2].split(",")) {
                seeds.add(NodeAddress.parse(seed));
            }
        }
        double loss = Double.parseDouble(args[3]);
        ClusterNetworkManager node = new ClusterNetworkManager(ClusterNetworkOptions.defaults(id,
                TransportOptions.defaults("127.0.0.1", port, args[4]), seeds), null, new SimpleMeterRegistry(),
                new RandomLoss(loss, new Random()));
        node.start();
        node.subscribe(e -> {
            synchronized (System.out) {
                System.out.println("EVENT " + e.type() + " " + e.member().id() + " " + e.member().incarnation() + " "
                        + System.currentTimeMillis());
                System.out.flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        synchronized (System.out) {
            System.out.println("READY " + node.address());
            System.out.flush();
        }
        Thread.currentThread().join();
    }
}
