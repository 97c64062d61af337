package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Limits;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The Starling JDBC driver: {@code jdbc:starling://host:port[,host:port...]/}. Registered
 * through META-INF/services. Connection properties: user, password (accepted and sent; nodes
 * do not authenticate yet), connectTimeout and socketTimeout (milliseconds), fetchSize.
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

    static {
        try {
            DriverManager.registerDriver(new StarlingDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** SQLState of a node refusing a connection over its limit. */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        StarlingUrl parsed = StarlingUrl.parse(url, info);
        int connectTimeout = parsed.intProperty("connectTimeout", DEFAULT_CONNECT_TIMEOUT_MILLIS, 1, 600_000);
        int socketTimeout = parsed.intProperty("socketTimeout", DEFAULT_SOCKET_TIMEOUT_MILLIS, 0, Integer.MAX_VALUE);
        int fetchSize = parsed.intProperty("fetchSize", DEFAULT_FETCH_SIZE, 1, Limits.MAX_BATCH_ROWS);
        String user = parsed.properties().getProperty("user", "");
        List<String> failures = new ArrayList<>();
        boolean allFull = true;
        for (StarlingUrl.HostPort host : parsed.hosts()) {
            try {
                Wire wire = Wire.open(host, connectTimeout, socketTimeout, Limits.DEFAULT_MAX_FRAME_BYTES, user);
                return new StarlingConnection(wire, url, fetchSize);
            } catch (IOException | SQLException e) {
                // Down, hung past the connect timeout, or refusing us: the next host may serve.
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
        DriverPropertyInfo user = new DriverPropertyInfo("user", info == null ? null : info.getProperty("user"));
        user.description = "user name (nodes do not authenticate yet)";
        return new DriverPropertyInfo[] {connect, socket, fetch, user};
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
