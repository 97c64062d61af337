package io.starlingdb.sql;

import java.util.Locale;

/**
 * A session's {@code read_consistency} (docs/cluster.md, "Read consistency"): how old a snapshot
 * its read-only transactions (auto-commit queries, READ ONLY transactions) may read. STRONG reads
 * the newest committed data (a fresh timestamp from the oracle); BOUNDED reads a snapshot at most
 * {@code maxStalenessMillis} old and saves the oracle's round trip when the node has such a
 * timestamp; EVENTUAL is BOUNDED with {@link #EVENTUAL_MAX_STALENESS_MILLIS}. Every snapshot is
 * consistent: older, never torn. On one node's own store every read is strong.
 */
record ReadConsistency(String name, long maxStalenessMillis) {

    static final ReadConsistency STRONG = new ReadConsistency("strong", 0);
    /** The staleness EVENTUAL allows: well inside the version GC window (txn.max.duration.ms). */
    static final long EVENTUAL_MAX_STALENESS_MILLIS = 10_000;
    /** Largest bound accepted for BOUNDED. */
    static final long MAX_BOUND_MILLIS = 60_000;

    /** {@code strong}, {@code eventual}, or {@code bounded 500ms} / {@code bounded 2s} (as SET parses it). */
    static ReadConsistency parse(String value) throws SqlException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("strong")) {
            return STRONG;
        }
        if (v.equals("eventual")) {
            return new ReadConsistency("eventual", EVENTUAL_MAX_STALENESS_MILLIS);
        }
        if (v.startsWith("bounded")) {
            // bounded 500ms, bounded '500ms' (as SET parses it), bounded:500ms (a URL property)
            String bound = v.substring("bounded".length()).replace(" ", "").replace("'", "").replaceFirst("^[:=]", "");
            long millis = millis(bound, value);
            if (millis <= 0 || millis > MAX_BOUND_MILLIS) {
                throw new SqlException("22023", "read_consistency bounded takes a bound above 0 and at most "
                        + MAX_BOUND_MILLIS + " ms, not '" + bound + "'");
            }
            return new ReadConsistency("bounded '" + millis + "ms'", millis);
        }
        throw new SqlException("22023", "read_consistency is strong, bounded '<duration>' (such as bounded '500ms') or"
                + " eventual, not '" + value + "'");
    }

    private static long millis(String bound, String value) throws SqlException {
        try {
            if (bound.endsWith("ms")) {
                return Long.parseLong(bound.substring(0, bound.length() - 2));
            }
            if (bound.endsWith("s")) {
                return Math.multiplyExact(Long.parseLong(bound.substring(0, bound.length() - 1)), 1000L);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // falls through to the error below
        }
        throw new SqlException("22023", "read_consistency bounded needs a duration such as '500ms' or '2s', not '" + value + "'");
    }

    @Override
    public String toString() {
        return name;
    }
}
