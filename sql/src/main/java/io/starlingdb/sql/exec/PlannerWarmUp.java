package io.starlingdb.sql.exec;

import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.sql.catalog.TableDef;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.sql.SqlNode;

/**
 * Warms a fresh node's JIT for statements it has never seen (issue 13): plans a few thousand
 * distinct one-table statements of the common shapes (point and IN-list lookups, ranges,
 * aggregates, ORDER BY ... LIMIT, with literals of every type: the shapes planned without
 * Calcite's cost-based planner, whose cost a warm JIT cannot remove) against a table of its own
 * that no client can name, at start, before the node accepts clients (bounded by
 * {@code sql.warmup.max.ms}: while it ran beside clients it took the CPU their statements
 * needed). Parsing, the text and tree shapes and direct planning then run compiled code when
 * clients arrive, instead of the JVM's interpreter,
 * which made a fresh node's first few hundred new statements several times slower than a warm
 * node's. Nothing is executed and nothing is stored.
 */
public final class PlannerWarmUp {

    private PlannerWarmUp() {
    }

    /** Plans {@code statements} distinct statements, or as many as {@code maxMillis} of wall time allow; returns how many it planned. */
    public static int run(int statements, long maxMillis) {
        TableDef table = new TableDef(Integer.MAX_VALUE, "STARLING_WARMUP", List.of(
                new ColumnDef(0, "ID", ValueType.INTEGER, 0, 0, false, null, null),
                new ColumnDef(1, "A", ValueType.INTEGER, 0, 0, true, null, null),
                new ColumnDef(2, "B", ValueType.VARCHAR, 20, 0, true, null, null),
                new ColumnDef(3, "C", ValueType.DOUBLE, 0, 0, true, null, null)), new int[] {0});
        QueryCompiler compiler = new QueryCompiler(new Catalog.Snapshot(0, Map.of(table.name(), table), Map.of(), 1));
        SplittableRandom random = new SplittableRandom(42);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        int planned = 0;
        for (int i = 0; i < statements && System.nanoTime() < deadline; i++) {
            String sql = statement(i, random);
            try {
                TextShape.of(sql);
                SqlNode node = QueryCompiler.parse(sql);
                AutoParameters.Result auto = AutoParameters.apply(node);
                SqlNode statement = auto == null ? node : auto.statement(); // as the session plans it
                TreeShape.of(statement);
                compiler.compile(statement);
                planned++;
            } catch (SqlException | RuntimeException e) {
                // a shape the planner refuses teaches the JIT as much; nothing depends on it
            }
        }
        return planned;
    }

    private static String statement(int i, SplittableRandom r) {
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
