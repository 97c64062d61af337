package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Limits;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The Starling JDBC driver: {@code jdbc:starling://host:port[,host:port...]/}. Registered
 * through META-INF/services. Connection properties: user, password (accepted and sent; nodes
 * do not authenticate yet), connectTimeout and socketTimeout (milliseconds), fetchSize,
 * discoverNodes (true: also try the cluster nodes a node names; docs/cluster.md), loadBalanceHosts
 * (true: each connection starts at the next node in turn, spreading a pool over the nodes), readConsistency
 * (strong, bounded:500ms or "bounded 500ms", eventual: the session's read_consistency).
 */
public final class StarlingDriver implements Driver {

    public static final int MAJOR_VERSION = 0;
    public static final int MINOR_VERSION = 1;

    /** Default time to open a TCP connection to one host before trying the next, in ms. */
    static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Default time to wait for a response; 0 waits forever (a long statement is not an error). */
    static final int DEFAULT_SOCKET_TIMEOUT_MILLIS = 0;
    /** Rows per fetch when the application sets none. */
    static final int DEFAULT_FETCH_SIZE = 1_000;
    /** Whether the driver also tries the cluster's nodes that the nodes it reached named. */
    static final boolean DEFAULT_DISCOVER_NODES = true;
    /**
     * Whether each connection starts at the next node in turn rather than at the URL's first
     * (pgJDBC's property of that name). Off by default: with every connection on one node, the
     * leases of the ranges it reads follow it there and point statements need no hop.
     */
    static final boolean DEFAULT_LOAD_BALANCE_HOSTS = false;

    static {
        try {
            DriverManager.registerDriver(new StarlingDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        StarlingUrl parsed = StarlingUrl.parse(url, info);
        int connectTimeout = parsed.intProperty("connectTimeout", DEFAULT_CONNECT_TIMEOUT_MILLIS, 1, 600_000);
        int socketTimeout = parsed.intProperty("socketTimeout", DEFAULT_SOCKET_TIMEOUT_MILLIS, 0, Integer.MAX_VALUE);
        int fetchSize = parsed.intProperty("fetchSize", DEFAULT_FETCH_SIZE, 1, Limits.MAX_BATCH_ROWS);
        boolean discover = parsed.booleanProperty("discoverNodes", DEFAULT_DISCOVER_NODES);
        boolean spread = parsed.booleanProperty("loadBalanceHosts", DEFAULT_LOAD_BALANCE_HOSTS);
        String user = parsed.properties().getProperty("user", "");
        Connector connector = new Connector(url, parsed.hosts(), connectTimeout, socketTimeout, user, discover, spread,
                ClusterAddresses.SHARED);
        StarlingConnection connection = new StarlingConnection(connector, connector.open(), url, fetchSize);
        String readConsistency = parsed.properties().getProperty("readConsistency");
        if (readConsistency != null) {
            // A session setting like any SET: the connection runs it again if it moves to another node.
            try (Statement set = connection.createStatement()) {
                set.execute("SET read_consistency = '" + readConsistency.replace("'", "''") + "'");
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    @Override
    public boolean acceptsURL(String url) {
        return StarlingUrl.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        DriverPropertyInfo connect = new DriverPropertyInfo("connectTimeout", String.valueOf(DEFAULT_CONNECT_TIMEOUT_MILLIS));
        connect.description = "milliseconds to open a connection to one host before trying the next";
        DriverPropertyInfo socket = new DriverPropertyInfo("socketTimeout", String.valueOf(DEFAULT_SOCKET_TIMEOUT_MILLIS));
        socket.description = "milliseconds to wait for a response; 0 waits forever";
        DriverPropertyInfo fetch = new DriverPropertyInfo("fetchSize", String.valueOf(DEFAULT_FETCH_SIZE));
        fetch.description = "rows per batch when streaming results";
        DriverPropertyInfo discover = new DriverPropertyInfo("discoverNodes", String.valueOf(DEFAULT_DISCOVER_NODES));
        discover.description = "also connect to the cluster's nodes that a node names, not only the URL's hosts";
        discover.choices = new String[] {"true", "false"};
        DriverPropertyInfo spread = new DriverPropertyInfo("loadBalanceHosts", String.valueOf(DEFAULT_LOAD_BALANCE_HOSTS));
        spread.description = "start each connection at the next node in turn (URL's and discovered), spreading a pool over the nodes";
        spread.choices = new String[] {"true", "false"};
        DriverPropertyInfo user = new DriverPropertyInfo("user", info == null ? null : info.getProperty("user"));
        user.description = "user name (nodes do not authenticate yet)";
        DriverPropertyInfo consistency = new DriverPropertyInfo("readConsistency", "strong");
        consistency.description = "how old a snapshot read-only transactions may read: strong, bounded 500ms, eventual";
        return new DriverPropertyInfo[] {connect, socket, fetch, discover, spread, user, consistency};
    }

    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the driver does not log through java.util.logging");
    }
}
