package io.starlingdb.shell;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The stores and the ranges of the cluster as one node's SYS tables show them
 * ({@code sys.nodes}, {@code sys.ranges}): for each store, its node, state, replicas and leases;
 * for each range, its keys, replicas and leaseholder. Printed by {@code cluster status}.
 */
record ClusterRanges(List<List<String>> stores, List<List<String>> ranges) {

    /** How long the node may take to answer each query (it bounds its own reads of the cluster to seconds). */
    static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final String NO_VALUE = ClusterStatusTable.NO_VALUE;

    private static final List<TableFormatter.Column> STORE_COLUMNS = List.of(
            new TableFormatter.Column("STORE", true),
            new TableFormatter.Column("NODE", false),
            new TableFormatter.Column("NODE STATE", false),
            new TableFormatter.Column("STORE STATE", false),
            new TableFormatter.Column("ZONE", false),
            new TableFormatter.Column("REPLICAS", true),
            new TableFormatter.Column("LEASES", true));

    private static final List<TableFormatter.Column> RANGE_COLUMNS = List.of(
            new TableFormatter.Column("RANGE", true),
            new TableFormatter.Column("START", false),
            new TableFormatter.Column("END", false),
            new TableFormatter.Column("VOTERS", false),
            new TableFormatter.Column("LEARNERS", false),
            new TableFormatter.Column("LEASEHOLDER", true),
            new TableFormatter.Column("SIZE", true));

    static ClusterRanges read(Connection connection) throws SQLException {
        List<List<String>> stores = query(connection, "SELECT store_id, node_id, state, store_state, zone, ranges, leases"
                + " FROM sys.nodes WHERE store_id IS NOT NULL ORDER BY store_id");
        List<List<String>> ranges = query(connection, "SELECT range_id, start_key, end_key, voters, learners, leaseholder,"
                + " approximate_bytes FROM sys.ranges");
        for (List<String> r : ranges) {
            r.set(6, r.get(6).equals(NO_VALUE) ? NO_VALUE : size(Long.parseLong(r.get(6))));
        }
        return new ClusterRanges(stores, ranges);
    }

    private static List<List<String>> query(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                List<List<String>> out = new ArrayList<>();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        String v = rs.getString(i);
                        row.add(v == null || v.isEmpty() ? NO_VALUE : CellText.oneLine(v));
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    /** Bytes in the largest unit that keeps the number at or above 1. */
    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    List<String> format() {
        List<String> lines = new ArrayList<>();
        if (stores.isEmpty() && ranges.isEmpty()) {
            lines.add("No replicated key space: no node of this cluster holds a store (store.id).");
            return lines;
        }
        lines.add(stores.size() + " store" + (stores.size() == 1 ? "" : "s") + ", " + ranges.size() + " range"
                + (ranges.size() == 1 ? "" : "s"));
        lines.addAll(TableFormatter.format(STORE_COLUMNS, stores));
        lines.add("");
        lines.addAll(TableFormatter.format(RANGE_COLUMNS, ranges));
        return lines;
    }
}
