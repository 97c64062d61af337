package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Limits;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens wires for one connection's URL: tries the URL's hosts and the cluster's nodes the
 * driver has learned of ({@link ClusterAddresses}), and learns the cluster's client addresses
 * from each handshake. Used at connect and whenever a connection moves to another node.
 */
final class Connector {

    /** SQLState of a node refusing a connection over its limit. */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    private final String url;
    private final List<StarlingUrl.HostPort> urlHosts;
    private final int connectTimeoutMillis;
    private final int socketTimeoutMillis;
    private final String user;
    private final boolean discover;
    /** Whether each wire starts at the next host in turn (loadBalanceHosts) rather than the first. */
    private final boolean spread;
    private final ClusterAddresses addresses;

    Connector(String url, List<StarlingUrl.HostPort> urlHosts, int connectTimeoutMillis, int socketTimeoutMillis, String user,
              boolean discover, boolean spread, ClusterAddresses addresses) {
        this.url = url;
        this.urlHosts = List.copyOf(urlHosts);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.socketTimeoutMillis = socketTimeoutMillis;
        this.user = user;
        this.discover = discover;
        this.spread = spread;
        this.addresses = addresses;
    }

    /**
     * A wire to the first candidate that completes the handshake. If none does, throws 08001
     * listing each host with its failure, or 53300 ({@link SQLTransientConnectionException}) when
     * every host is up but at its connection limit.
     */
    Wire open() throws SQLException {
        List<String> failures = new ArrayList<>();
        boolean allFull = true;
        for (StarlingUrl.HostPort host : addresses.candidates(urlHosts, discover, spread)) {
            try {
                Wire wire = Wire.open(host, connectTimeoutMillis, socketTimeoutMillis, Limits.DEFAULT_MAX_FRAME_BYTES, user);
                addresses.markUp(host);
                if (discover) {
                    addresses.learn(urlHosts, wire.reachedOverLoopback(), wire.hello().clientAddresses());
                }
                return wire;
            } catch (IOException | SQLException e) {
                // Down, hung past the connect timeout, or refusing us: the next host may serve.
                addresses.markDown(host);
                failures.add(host + ": " + e.getMessage());
                allFull &= e instanceof SQLException s && TOO_MANY_CONNECTIONS.equals(s.getSQLState());
            }
        }
        String message = "could not connect to any host of " + url + " (" + String.join("; ", failures) + ")";
        if (allFull) {
            // Every node is up but at its connection limit: worth retrying later, unlike an unreachable cluster.
            throw new SQLTransientConnectionException(message, TOO_MANY_CONNECTIONS);
        }
        throw new SQLNonTransientConnectionException(message, "08001");
    }

    /** Remembers that a node was lost, so the next attempts try the others first. */
    void lost(StarlingUrl.HostPort host) {
        addresses.markDown(host);
    }
}
