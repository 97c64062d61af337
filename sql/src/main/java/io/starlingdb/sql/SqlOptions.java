package io.starlingdb.sql;

/**
 * Limits of the SQL engine.
 *
 * @param statementTimeoutMillis a statement (or one fetch of its rows) running longer is stopped
 *                               with SQLState 57014; 0 for no limit
 * @param planningTimeoutMillis  planning one statement longer than this is stopped with 57014
 *                               (the cap on planner work: Calcite's rule engines poll the same
 *                               cancel flag); 0 for no limit beyond the statement's
 * @param memoryStopPercent      while the heap is this full (percent of its maximum, after
 *                               garbage collection) the longest-running statement is stopped
 *                               with 53200, one a second ({@link MemoryGuard}); 0: never
 */
public record SqlOptions(long statementTimeoutMillis, long planningTimeoutMillis, int memoryStopPercent) {

    /** Default statement timeout: generous, so only a runaway statement meets it (5 minutes). */
    public static final long DEFAULT_STATEMENT_TIMEOUT_MILLIS = 300_000;
    /** Default planning budget: a 64-table join plans in well under a second (1 minute). */
    public static final long DEFAULT_PLANNING_TIMEOUT_MILLIS = 60_000;
    /** Longest timeout accepted: 1 day. */
    public static final long MAX_TIMEOUT_MILLIS = 86_400_000;

    /** Default heap fullness at which statements are stopped: 85 %, far above a node's own live data. */
    public static final int DEFAULT_MEMORY_STOP_PERCENT = 85;

    public SqlOptions {
        check("statementTimeoutMillis", statementTimeoutMillis);
        check("planningTimeoutMillis", planningTimeoutMillis);
        if (memoryStopPercent < 0 || memoryStopPercent > 100) {
            throw new IllegalArgumentException("memoryStopPercent must be in [0, 100], got " + memoryStopPercent);
        }
    }

    /** The two timeouts, with the default memory stop. */
    public SqlOptions(long statementTimeoutMillis, long planningTimeoutMillis) {
        this(statementTimeoutMillis, planningTimeoutMillis, DEFAULT_MEMORY_STOP_PERCENT);
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
