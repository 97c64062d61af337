package io.starlingdb.sql.system;

import java.util.List;

/**
 * What the node tells SQL about the cluster it belongs to, for the {@code SYS} tables
 * ({@link SysSchema}). The node supplies it (the sql module knows nothing of the node, the
 * membership or the ranges); an engine without a node answers {@link #NONE}. Each call is
 * made when a statement reads the table, so it answers what is true now; a call that needs
 * the cluster and cannot get an answer in bounded time throws (the statement then fails with
 * the error that exception maps to) rather than answering a guess.
 */
public interface SystemView {

    /** Locks at most listed by {@link #locks()}: a bound on what one statement reads. */
    int maxListedLocks = 10_000;

    /** No node: no members, no ranges, no locks. */
    SystemView NONE = new SystemView() {
        @Override
        public List<Node> nodes() {
            return List.of();
        }

        @Override
        public List<Range> ranges() {
            return List.of();
        }

        @Override
        public List<Lock> locks() {
            return List.of();
        }
    };

    /** The members of the cluster as this node sees them, itself included (the only one when it is alone). */
    List<Node> nodes();

    /** Every range in key order, the meta range first; empty on a node that holds no store. */
    List<Range> ranges();

    /** The transaction locks held in the key space now, in key order, at most {@link #maxListedLocks}. */
    List<Lock> locks();

    /** The SQL transactions open on this node now (begun, not yet committed or rolled back); none by default. */
    default List<OpenTransaction> openTransactions() {
        return List.of();
    }

    /**
     * A member of the cluster.
     *
     * @param id            its member id (node.id)
     * @param state         alive, suspect, dead or left, as the membership holds it
     * @param roles         what it does, as it gossips it ("sql,storage" for a node, "client" for a
     *                      {@code StarlingClient})
     * @param storeId       its store id, null if it holds no store
     * @param storeState    active, draining or removed as meta's store registry holds it; null if unknown
     * @param zone          datacenter/rack, "" if unknown
     * @param peerAddress   host:port of its peer (cluster) port, null if the cluster network is off
     * @param clientAddress host:port of its SQL clients' port, null if unknown
     * @param httpAddress   host:port of its HTTP port, null if unknown
     * @param local         whether it is the node answering
     */
    record Node(String id, String state, String roles, Long storeId, String storeState, String zone, String peerAddress,
                String clientAddress, String httpAddress, boolean local) {
    }

    /**
     * A range of the replicated key space.
     *
     * @param start            its first key (inclusive)
     * @param end              its end key (exclusive), null for the last range
     * @param leaseholder      the store serving it as far as this node knows, 0 if unknown
     * @param approximateBytes its size on this node's replica, -1 if this node holds none
     */
    record Range(long rangeId, byte[] start, byte[] end, List<Long> voters, List<Long> learners, long leaseholder,
                 long generation, long approximateBytes) {
        public Range {
            voters = List.copyOf(voters);
            learners = List.copyOf(learners);
        }
    }

    /**
     * A transaction's lock on one key (a prewritten write not yet committed or rolled back).
     *
     * @param startTs     the transaction's start timestamp (hybrid: milliseconds shifted left by 16)
     * @param primary     the key of its primary lock, whose state decides the transaction
     * @param ttlMillis   the lock expires this long after the start timestamp's physical time
     * @param coordinator the member id of the node or client that coordinates the transaction
     */
    record Lock(byte[] key, long startTs, byte[] primary, long ttlMillis, String coordinator) {
    }

    /**
     * A transaction open on this node.
     *
     * @param id            its number on this node (counts up from 1 since the node started)
     * @param isolation     SNAPSHOT or SERIALIZABLE
     * @param startedMillis when it began (wall clock, milliseconds)
     * @param writes        the writes it has buffered (puts and deletes of keys, index entries included)
     */
    record OpenTransaction(long id, String isolation, long startedMillis, int writes) {
    }
}
