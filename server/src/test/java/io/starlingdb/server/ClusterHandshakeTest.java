package io.starlingdb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The client address a node reads from a member's gossiped addresses, and its handshake outside a cluster. */
class ClusterHandshakeTest {

    @Test
    void clientEntryOfTheGossipedAddresses() {
        assertEquals("127.0.0.1:7432", ClusterHandshake.clientAddress("client=127.0.0.1:7432,http=127.0.0.1:8080"));
        assertEquals("10.0.0.2:7433", ClusterHandshake.clientAddress("http=10.0.0.2:8080,client=10.0.0.2:7433"));
        assertNull(ClusterHandshake.clientAddress("http=127.0.0.1:8080"), "a member whose client listener has not started");
        assertNull(ClusterHandshake.clientAddress("client=,http=h:1"));
        assertNull(ClusterHandshake.clientAddress(null));
    }

    @Test
    void withoutTheClusterNetworkNoAddressAndSessionsOnceTheCatalogIsRead() {
        boolean[] loaded = {false};
        ClusterHandshake handshake = new ClusterHandshake(() -> null, () -> loaded[0]);
        assertEquals(List.of(), handshake.clientAddresses());
        assertFalse(handshake.acceptingSessions());
        loaded[0] = true;
        assertTrue(handshake.acceptingSessions());
    }
}
