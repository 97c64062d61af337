package io.starlingdb.sql.exec;

import java.util.SplittableRandom;

/**
 * The statements a fresh node runs to warm its JIT for statements it has never seen (issue 13):
 * distinct one-table SELECTs of the common shapes (point and IN-list lookups, ranges, aggregates,
 * ORDER BY ... LIMIT, with literals of every type: the shapes planned without Calcite's
 * cost-based planner, whose cost a warm JIT cannot remove) over a table {@code STARLING_WARMUP
 * (ID INTEGER NOT NULL PRIMARY KEY, A INTEGER, B VARCHAR(20), C DOUBLE PRECISION)}. The server's
 * {@code ExecutionWarmUp} runs them, and writes of the same table, through the whole client path
 * against a scratch database of its own before the node accepts clients.
 */
public final class PlannerWarmUp {

    /** The warm-up table's definition, as SQL. */
    public static final String CREATE_TABLE =
            "CREATE TABLE starling_warmup (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b VARCHAR(20), c DOUBLE PRECISION)";

    private PlannerWarmUp() {
    }

    /** The {@code i}th warm-up SELECT: six shapes in turn, literals and IN-list lengths from {@code random}. */
    public static String statement(int i, SplittableRandom r) {
        int n = 1 + r.nextInt(40);
        StringBuilder in = new StringBuilder();
        for (int k = 0; k < n; k++) {
            in.append(k == 0 ? "" : ", ").append(r.nextInt(1000));
        }
        return switch (i % 6) {
            case 0 -> "SELECT id, a, b, c FROM starling_warmup WHERE id = " + r.nextInt(100_000);
            case 1 -> "SELECT id, a + " + r.nextInt(9) + " FROM starling_warmup WHERE a IN (" + in + ")";
            case 2 -> "SELECT id, b FROM starling_warmup WHERE a > " + r.nextInt(100) + " AND b <> 'q" + r.nextInt(9)
                    + "' OR c < " + r.nextDouble() + " AND id IN (" + in + ")";
            case 3 -> "SELECT COUNT(*), MAX(c) FROM starling_warmup WHERE id NOT IN (" + in + ") OR b LIKE 'b" + r.nextInt(9) + "%'";
            case 4 -> "SELECT id, a FROM starling_warmup WHERE id BETWEEN 1 AND " + r.nextInt(1000) + " AND a NOT IN (" + in
                    + ") ORDER BY a DESC LIMIT " + (1 + r.nextInt(20));
            default -> "SELECT id, c FROM starling_warmup WHERE b = 'x" + r.nextInt(99) + "' AND a <= " + r.nextInt(50)
                    + " AND c >= " + r.nextInt(50) + ".5";
        };
    }
}
