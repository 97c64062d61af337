package io.starlingdb.server;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.server.client.HandshakeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The handshake of a node running SQL on the cluster: it takes sessions once it has read the
 * catalog, and names the client addresses its live SWIM members gossip (the {@code client=}
 * entry of their {@link Metadata#addresses}, see {@code StarlingNode.nodeMetadata}), so that a
 * driver given one node finds the others.
 */
final class ClusterHandshake implements HandshakeInfo {

    private final Supplier<ClusterNetworkManager> network;
    private final BooleanSupplier catalogLoaded;

    ClusterHandshake(Supplier<ClusterNetworkManager> network, BooleanSupplier catalogLoaded) {
        this.network = network;
        this.catalogLoaded = catalogLoaded;
    }

    @Override
    public boolean acceptingSessions() {
        return catalogLoaded.getAsBoolean();
    }

    @Override
    public List<String> clientAddresses() {
        ClusterNetworkManager cluster = network.get();
        if (cluster == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (MemberView member : cluster.members()) { // this node first
            String address = clientAddress(member.metadata().get(Metadata.addresses));
            if (member.state() == MemberState.ALIVE && address != null) {
                out.add(address);
            }
        }
        return out;
    }

    /** The {@code host:port} of the {@code client=} entry of a member's addresses ("client=h:p,http=h:p"), or null. */
    static String clientAddress(String addresses) {
        if (addresses == null) {
            return null;
        }
        for (String entry : addresses.split(",")) {
            if (entry.startsWith("client=") && entry.length() > "client=".length()) {
                return entry.substring("client=".length());
            }
        }
        return null;
    }
}
