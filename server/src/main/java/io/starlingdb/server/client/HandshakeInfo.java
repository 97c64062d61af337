package io.starlingdb.server.client;

import java.util.List;

/**
 * What a node tells a client at the handshake about itself and its cluster (docs/protocol.md,
 * "Connection start").
 */
public interface HandshakeInfo {

    /**
     * Whether the node takes sessions now. A node running SQL on the cluster does once it has read
     * the catalog; before, it refuses the handshake with 57P03 and the driver tries another node.
     */
    boolean acceptingSessions();

    /**
     * {@code host:port} of the client listeners of the live nodes of the node's SQL cluster, this
     * node first; empty when the node serves SQL on its own.
     */
    List<String> clientAddresses();

    /** A node serving SQL on its own store: always accepting, no other node to name. */
    HandshakeInfo STANDALONE = new HandshakeInfo() {
        @Override
        public boolean acceptingSessions() {
            return true;
        }

        @Override
        public List<String> clientAddresses() {
            return List.of();
        }
    };
}
