package io.starlingdb.engine.range;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.transport.NodeAddress;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each store (a node holding range replicas) is reached: learnt from the cluster
 * membership, where every storage node gossips its store id under {@link #storeKey}.
 */
public final class StoreDirectory {

    /** Membership metadata key of a node's store id. */
    public static final String storeKey = "store";

    private final Map<Long, NodeAddress> addresses = new ConcurrentHashMap<>();

    /** Stores whose node the membership held alive (or suspect) at the last refresh. */
    private volatile Set<Long> alive = Set.of();
    /** Stores whose node the membership held alive and not suspect at the last refresh. */
    private volatile Set<Long> unsuspected = Set.of();

    /** Re-reads the membership: members with a store id that are alive or suspect (not dead, not left), by store id. */
    public void refresh(ClusterNetworkManager network) {
        Set<Long> aliveNow = new HashSet<>();
        Set<Long> unsuspectedNow = new HashSet<>();
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
            boolean up = m.state() == MemberState.ALIVE || m.state() == MemberState.SUSPECT;
            if (store > 0 && up) {
                addresses.put(store, NodeAddress.parse(m.address()));
                aliveNow.add(store);
                if (m.state() == MemberState.ALIVE) {
                    unsuspectedNow.add(store);
                }
            } else if (store > 0) {
                addresses.remove(store);
            }
        }
        alive = Set.copyOf(aliveNow);
        unsuspected = Set.copyOf(unsuspectedNow);
    }

    /**
     * The stores the membership held alive and not suspect at the last refresh: where a lease
     * may go (a store just killed stays suspect for the membership's suspicion timeout).
     */
    public Set<Long> unsuspected() {
        return unsuspected;
    }

    /** The stores the membership held alive at the last refresh (a member gone from it is not). */
    public Set<Long> alive() {
        return alive;
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
