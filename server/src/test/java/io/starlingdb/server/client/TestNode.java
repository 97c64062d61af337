package io.starlingdb.server.client;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** A real node on free ports in a temporary directory, shared by the tests of one class. */
final class TestNode {

    private TestNode() {
    }

    static StarlingNode start(Path dir) throws Exception {
        return new StarlingNode(NodeConfig.of("testing", Map.of(
                "client.port", "0", "http.port", "0", "data.dir", dir.toString()))).start();
    }

    static Connection connect(StarlingNode node) throws SQLException {
        return DriverManager.getConnection(node.jdbcUrl());
    }

    /** The single long value a query returns. */
    static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            long v = rs.getLong(1);
            if (rs.next()) {
                throw new AssertionError("more than one row from " + sql);
            }
            return v;
        }
    }
}
