package io.starlingdb.sql;

/**
 * Limits of the SQL engine.
 *
 * @param statementTimeoutMillis a statement (or one fetch of its rows) running longer is stopped
 *                               with SQLState 57014; 0 for no limit
 * @param planningTimeoutMillis  planning one statement longer than this is stopped with 57014
 *                               (the cap on planner work: Calcite's rule engines poll the same
 *                               cancel flag); 0 for no limit beyond the statement's
 */
public record SqlOptions(long statementTimeoutMillis, long planningTimeoutMillis) {

    /** Default statement timeout: generous, so only a runaway statement meets it (5 minutes). */
    public static final long DEFAULT_STATEMENT_TIMEOUT_MILLIS = 300_000;
    /** Default planning budget: a 64-table join plans in well under a second (1 minute). */
    public static final long DEFAULT_PLANNING_TIMEOUT_MILLIS = 60_000;
    /** Longest timeout accepted: 1 day. */
    public static final long MAX_TIMEOUT_MILLIS = 86_400_000;

    public SqlOptions {
        check("statementTimeoutMillis", statementTimeoutMillis);
        check("planningTimeoutMillis", planningTimeoutMillis);
    }

    public static SqlOptions defaults() {
        return new SqlOptions(DEFAULT_STATEMENT_TIMEOUT_MILLIS, DEFAULT_PLANNING_TIMEOUT_MILLIS);
    }

    private static void check(String name, long value) {
        if (value < 0 || value > MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException(name + " must be in [0, " + MAX_TIMEOUT_MILLIS + "], got " + value);
        }
    }
}
