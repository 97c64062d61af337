package io.starlingdb.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Prints {@link ClusterMembers} as a summary line and an aligned table, one member a row. */
final class ClusterStatusTable {

    /** Shown where a member has no measured link health. */
    static final String NO_VALUE = "-";
    /** Between metadata entries; not a comma, which the values themselves use (address lists, roles). */
    private static final String METADATA_SEPARATOR = "; ";
    private static final double PERCENT = 100.0;
    private static final double BYTES_PER_KIB = 1024.0;
    private static final String[] RATE_UNITS = {"B/s", "KiB/s", "MiB/s", "GiB/s"};

    private static final List<TableFormatter.Column> COLUMNS = List.of(
            new TableFormatter.Column("ID", false),
            new TableFormatter.Column("ADDRESS", false),
            new TableFormatter.Column("STATE", false),
            new TableFormatter.Column("INCARNATION", true),
            new TableFormatter.Column("RTT P50", true),
            new TableFormatter.Column("RTT P99", true),
            new TableFormatter.Column("LOSS", true),
            new TableFormatter.Column("IN", true),
            new TableFormatter.Column("OUT", true),
            new TableFormatter.Column("SCORE", true),
            new TableFormatter.Column("METADATA", false));

    private ClusterStatusTable() {
    }

    static List<String> format(ClusterMembers status) {
        List<String> lines = new ArrayList<>();
        lines.add("Node " + status.self() + ": " + status.members().size() + " member" + (status.members().size() == 1 ? "" : "s")
                + ", " + (status.hasMajority() ? "sees a majority" : "does NOT see a majority"));
        List<List<String>> rows = new ArrayList<>();
        for (ClusterMembers.Member m : status.members()) {
            ClusterMembers.Health h = m.health();
            String id = m.id() + (m.id() != null && m.id().equals(status.self()) ? " (self)" : "");
            rows.add(List.of(text(id), text(m.address()), text(m.state()), Long.toString(m.incarnation()),
                    h == null ? NO_VALUE : millis(h.rttP50Ms()),
                    h == null ? NO_VALUE : millis(h.rttP99Ms()),
                    h == null ? NO_VALUE : String.format(Locale.ROOT, "%.1f%%", h.lossRate() * PERCENT),
                    h == null ? NO_VALUE : rate(h.bytesInPerSec()),
                    h == null ? NO_VALUE : rate(h.bytesOutPerSec()),
                    h == null ? NO_VALUE : String.format(Locale.ROOT, "%.2f", h.score()),
                    metadata(m.metadata())));
        }
        lines.addAll(TableFormatter.format(COLUMNS, rows));
        return lines;
    }

    private static String text(String s) {
        return s == null ? NO_VALUE : CellText.oneLine(s);
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.2f ms", ms);
    }

    /** Bytes per second in the largest unit that keeps the number at or above 1. */
    static String rate(double bytesPerSec) {
        double value = bytesPerSec;
        int unit = 0;
        while (value >= BYTES_PER_KIB && unit < RATE_UNITS.length - 1) {
            value /= BYTES_PER_KIB;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, RATE_UNITS[unit]);
    }

    private static String metadata(Map<String, Object> metadata) {
        if (metadata.isEmpty()) {
            return "";
        }
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, Object> e : new TreeMap<>(metadata).entrySet()) {
            pairs.add(e.getKey() + "=" + CellText.of(e.getValue()));
        }
        return String.join(METADATA_SEPARATOR, pairs);
    }
}
