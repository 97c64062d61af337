package io.starlingdb.cluster;

import io.starlingdb.cluster.health.HealthOptions;
import io.starlingdb.cluster.membership.SwimOptions;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.PeerIdentity;
import io.starlingdb.cluster.transport.TransportOptions;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a node needs to take part in the cluster network; docs/cluster-network.md lists
 * every setting with its unit, range and default.
 *
 * @param nodeId    this node's stable id
 * @param transport listening address, secret, TLS, lane and frame limits
 * @param swim      membership timing and limits
 * @param health    link measurement windows
 * @param seeds     peers to join through; empty for the first node
 * @param metadata  initial metadata gossiped about this node (roles, datacenter, rack, ...)
 */
public record ClusterNetworkOptions(String nodeId, TransportOptions transport, SwimOptions swim, HealthOptions health,
        List<NodeAddress> seeds, Map<String, String> metadata) {

    public ClusterNetworkOptions {
        if (!PeerIdentity.isValidNodeId(nodeId)) {
            throw new IllegalArgumentException("node id must be 1.." + PeerIdentity.maxNodeIdChars
                    + " letters, digits, '.', '_' or '-', got '" + nodeId + "'");
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(swim, "swim");
        Objects.requireNonNull(health, "health");
        seeds = List.copyOf(seeds);
        metadata = Map.copyOf(metadata);
        if (metadata.size() > swim.maxMetadataEntries()) {
            throw new IllegalArgumentException("metadata has " + metadata.size() + " entries, at most "
                    + swim.maxMetadataEntries() + " allowed");
        }
    }

    public static ClusterNetworkOptions defaults(String nodeId, TransportOptions transport, List<NodeAddress> seeds) {
        return new ClusterNetworkOptions(nodeId, transport, SwimOptions.defaults(), HealthOptions.defaults(), seeds,
                Map.of());
    }

    public ClusterNetworkOptions withSwim(SwimOptions newSwim) {
        return new ClusterNetworkOptions(nodeId, transport, newSwim, health, seeds, metadata);
    }

    public ClusterNetworkOptions withMetadata(Map<String, String> newMetadata) {
        return new ClusterNetworkOptions(nodeId, transport, swim, health, seeds, newMetadata);
    }
}
