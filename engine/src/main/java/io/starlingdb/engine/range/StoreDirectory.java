package io.starlingdb.engine.range;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.transport.NodeAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each store (a node holding range replicas) is reached: learnt from the cluster
 * membership, where every storage node gossips its store id under {@link #storeKey}.
 */
public final class StoreDirectory {

    /** Membership metadata key of a node's store id. */
    public static final String storeKey = "store";

    private final Map<Long, NodeAddress> addresses = new ConcurrentHashMap<>();

    /** Re-reads the membership: alive members with a store id, by store id. */
    public void refresh(ClusterNetworkManager network) {
        for (MemberView m : network.members()) {
            String id = m.metadata().get(storeKey);
            if (id == null) {
                continue;
            }
            long store;
            try {
                store = Long.parseLong(id);
            } catch (NumberFormatException e) {
                continue; // a peer gossiping garbage: not a store we can address
            }
            if (store > 0 && m.state() != MemberState.DEAD) {
                addresses.put(store, NodeAddress.parse(m.address()));
            } else if (store > 0) {
                addresses.remove(store);
            }
        }
    }

    public void put(long storeId, NodeAddress address) {
        addresses.put(storeId, address);
    }

    /** The store's address, null if unknown. */
    public NodeAddress address(long storeId) {
        return addresses.get(storeId);
    }

    public List<Long> stores() {
        return new ArrayList<>(addresses.keySet());
    }

    public Map<Long, NodeAddress> snapshot() {
        return Map.copyOf(addresses);
    }
}
