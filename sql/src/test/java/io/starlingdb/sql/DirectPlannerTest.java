package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.exec.AutoParameters;
import io.starlingdb.sql.exec.PlannerPath;
import io.starlingdb.sql.exec.QueryCompiler;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct planner (no validator, converter or planner for the simplest one-table queries)
 * answers exactly as Calcite's path: statement by statement, generated around and just outside
 * the shapes it plans, the same result columns (labels, types, nullability, source table), the
 * same parameter types, the same rows in both execution tiers, and the same errors.
 */
class DirectPlannerTest {

    /** Generated statements per run; each is planned both ways and run in both tiers. */
    private static final int GENERATED_QUERIES = 400;

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE m (id INT PRIMARY KEY, a INT, b BIGINT, c DOUBLE, d DECIMAL(8,2), s VARCHAR(10), n INT NOT NULL)");
        db.update("CREATE INDEX m_a ON m (a)");
        db.update("CREATE TABLE k (x INT, y VARCHAR(5))");
        Random random = new Random(5);
        String[] strings = {"s1", "s12", "S1", "", "s1 ", "abc", "x%y", "s2"};
        for (int id = 1; id <= 40; id++) {
            db.update("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?, ?)", id, random.nextInt(5) == 0 ? null : random.nextInt(20) - 5,
                    random.nextInt(6) == 0 ? null : (long) random.nextInt(1000) - 100 + (random.nextInt(8) == 0 ? 5_000_000_000L : 0),
                    random.nextInt(7) == 0 ? null : random.nextInt(9) == 0 ? -0.0 : (random.nextInt(40) - 10) / 2.0,
                    random.nextInt(5) == 0 ? null : new BigDecimal(random.nextInt(10_000)).movePointLeft(2),
                    random.nextInt(6) == 0 ? null : strings[random.nextInt(strings.length)], random.nextInt(4));
        }
        for (int i = 0; i < 6; i++) {
            db.update("INSERT INTO k VALUES (?, ?)", i % 3 == 0 ? null : i, i % 2 == 0 ? "y" + i : null);
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void simpleStatementsArePlannedDirectly() throws SqlException {
        // The four kinds of statement of bench compare's distinct phase.
        assertTrue(plan("SELECT id, s, a + 0 FROM m WHERE a IN (1, 11, 21)", PlannerPath.AUTO).direct());
        assertTrue(plan("SELECT id, a + 7, s, c FROM m WHERE a > 5 AND s <> 'q' OR c < 3.5 AND id IN (1, 11)", PlannerPath.AUTO).direct());
        assertTrue(plan("SELECT COUNT(*), MAX(c) + 3 FROM m WHERE id NOT IN (2, 12) OR s LIKE 's1%'", PlannerPath.AUTO).direct());
        assertTrue(plan("SELECT s, a + 0 FROM m WHERE id BETWEEN 1 AND 3 AND a NOT IN (3, 13) ORDER BY a DESC LIMIT 2",
                PlannerPath.AUTO).direct());
        QueryCompiler.Compiled point = plan("SELECT * FROM m WHERE id = 3", PlannerPath.AUTO);
        assertTrue(point.direct());
        assertTrue(point.explain().contains("primary key lookup"), point.explain());
        assertTrue(plan("SELECT * FROM k", PlannerPath.AUTO).direct());
        assertFalse(plan("SELECT id FROM m WHERE d = 3.5", PlannerPath.AUTO).direct(), "DECIMAL comparisons take Calcite's path");
        assertFalse(plan("SELECT a, a FROM m", PlannerPath.AUTO).direct(), "the validator renames a repeated column");
        assertFalse(plan("SELECT UPPER(s) FROM m", PlannerPath.AUTO).direct(), "a function");
        assertFalse(plan("SELECT id FROM m WHERE id = 3", PlannerPath.VALIDATED).direct());
    }

    @Test
    void directAndValidatedPlansAnswerAlike() throws SqlException {
        Random random = new Random(Long.getLong("direct.seed", 17));
        int direct = 0;
        for (int i = 0; i < GENERATED_QUERIES; i++) {
            String sql = generated(random);
            direct += compare(sql) ? 1 : 0;
        }
        assertTrue(direct >= GENERATED_QUERIES / 3, "many generated statements are planned directly: " + direct);
    }

    /**
     * The direct planner keeps each table's row type and Calcite table per catalog version: after
     * DDL replaces a table, new statements are planned over the new table, not the one kept.
     */
    @Test
    void aTableReplacedByDdlIsPlannedDirectlyWithItsNewColumns() throws SqlException {
        QueryCompiler.Compiled before = plan("SELECT * FROM k WHERE x = 1", PlannerPath.AUTO);
        assertTrue(before.direct());
        assertEquals(List.of("X", "Y"), before.columns().stream().map(ColumnMeta::label).toList());
        db.update("DROP TABLE k");
        db.update("CREATE TABLE k (x BIGINT PRIMARY KEY, z DOUBLE, y VARCHAR(5))");
        db.update("INSERT INTO k VALUES (1, 2.5, 'new')");
        QueryCompiler.Compiled after = plan("SELECT * FROM k WHERE x = 1", PlannerPath.AUTO);
        assertTrue(after.direct());
        assertEquals(List.of("X", "Z", "Y"), after.columns().stream().map(ColumnMeta::label).toList());
        assertEquals(List.of("BIGINT NOT NULL", "DOUBLE", "VARCHAR(5)"),
                after.columnTypes().stream().map(RelDataType::getFullTypeString).toList());
        assertEquals(List.of(List.of(1L, 2.5, "new")), db.rows("SELECT * FROM k WHERE x IN (1, 2)"));
    }

    /**
     * Statements planned directly on several threads at once (sharing one catalog version's
     * tables and types) and run in both tiers, code generation included, answer as Calcite's path
     * planned alone on one thread does.
     */
    @Test
    void statementsPlannedOnManyThreadsAtOnceAnswerAsPlannedAlone() throws Exception {
        int threads = 4;
        int perThread = 60;
        List<List<String>> statements = new ArrayList<>();
        List<List<Outcome>> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(100 + t);
            List<String> mine = new ArrayList<>();
            List<Outcome> answers = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                String sql = generated(random);
                mine.add(sql);
                answers.add(outcome(sql, PlannerPath.VALIDATED));
            }
            statements.add(mine);
            expected.add(answers);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    int direct = 0;
                    for (int i = 0; i < perThread; i++) {
                        String sql = statements.get(thread).get(i);
                        Outcome want = expected.get(thread).get(i);
                        Outcome got = outcome(sql, PlannerPath.AUTO);
                        assertEquals(want.error, got.error, sql);
                        assertEquals(want.columns, got.columns, sql);
                        assertEquals(want.types, got.types, sql);
                        assertEquals(want.rows, got.rows, sql);
                        if (got.interpretedRows != null) {
                            assertEquals(want.rows, got.interpretedRows, sql);
                        }
                        direct += got.direct ? 1 : 0;
                    }
                    return direct;
                }));
            }
            start.countDown();
            int direct = 0;
            for (java.util.concurrent.Future<Integer> f : done) {
                direct += f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(direct >= threads * perThread / 4, "many statements were planned directly: " + direct);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Plans {@code sql} both ways, as a session does (after AutoParameters), and compares; whether it was planned directly. */
    private boolean compare(String sql) throws SqlException {
        Outcome expected = outcome(sql, PlannerPath.VALIDATED);
        Outcome actual = outcome(sql, PlannerPath.AUTO);
        String context = sql + "\ndirect=" + actual.direct + "\nvalidated plan:\n" + expected.explain + "auto plan:\n" + actual.explain;
        assertEquals(expected.error, actual.error, "error: " + context);
        assertEquals(expected.columns, actual.columns, "columns: " + context);
        assertEquals(expected.types, actual.types, "column types: " + context);
        assertEquals(expected.parameters, actual.parameters, "parameter types: " + context);
        assertEquals(expected.rows, actual.rows, "rows (generated code): " + context);
        if (actual.interpretedRows != null) {
            assertEquals(expected.rows, actual.interpretedRows, "rows (interpreted): " + context);
        }
        return actual.direct;
    }

    private record Outcome(String error, List<ColumnMeta> columns, List<String> types, List<String> parameters, List<String> rows,
                           List<String> interpretedRows, String explain, boolean direct) {
    }

    private Outcome outcome(String sql, PlannerPath path) {
        QueryCompiler.Compiled compiled;
        List<Object> values;
        try {
            SqlNode node = QueryCompiler.parse(sql);
            AutoParameters.Result auto = AutoParameters.apply(node);
            compiled = db.engine.compiler().compile(auto == null ? node : auto.statement(), path);
            values = compiled.bind(List.of(), 0, auto == null ? List.of() : auto.values());
        } catch (SqlException e) {
            return new Outcome(e.sqlState(), null, null, null, null, null, "", false);
        }
        List<String> types = compiled.columnTypes().stream().map(RelDataType::getFullTypeString).toList();
        List<String> parameters = compiled.parameterTypes().stream().map(t -> t == null ? "?" : t.getFullTypeString()).toList();
        try {
            // Calcite's plans run interpreted where they can (PlannerPathTest checks that tier against
            // generated code); direct plans run in both tiers.
            List<String> interpreted = rows(compiled, values, true);
            List<String> generated = path == PlannerPath.AUTO && compiled.direct() || interpreted == null
                    ? rows(compiled, values, false) : interpreted;
            return new Outcome(null, compiled.columns(), types, parameters, generated, interpreted, compiled.explain(),
                    compiled.direct());
        } catch (RuntimeException | LinkageError e) {
            return new Outcome("run: " + e.getClass().getSimpleName(), null, null, null, null, null, compiled.explain(), compiled.direct());
        }
    }

    /** Rows of one tier as text, in the order they come; null if the plan cannot be interpreted. */
    private List<String> rows(QueryCompiler.Compiled compiled, List<Object> values, boolean interpret) {
        List<String> out = new ArrayList<>();
        try (Transaction txn = db.store.begin();
             Enumerator<Object> rows = compiled.open(txn, CancelSignal.withoutDeadline(), values, interpret)) {
            if (rows == null) {
                return null;
            }
            while (rows.moveNext()) {
                Object row = rows.current();
                // Generated code gives one-column rows as the bare value; the interpreter always as an array.
                out.add(Arrays.deepToString(row instanceof Object[] array ? array : new Object[] {row}));
            }
        }
        return out;
    }

    private QueryCompiler.Compiled plan(String sql, PlannerPath path) throws SqlException {
        SqlNode node = QueryCompiler.parse(sql);
        AutoParameters.Result auto = AutoParameters.apply(node);
        return db.engine.compiler().compile(auto == null ? node : auto.statement(), path);
    }

    // ---- statements around the direct planner's shape ----

    private static final String[] COLUMNS = {"id", "a", "b", "c", "d", "s", "n"};

    private static String generated(Random random) {
        if (random.nextInt(12) == 0) {
            return "SELECT " + pick(random, "*", "x", "y, x", "COUNT(*)", "MAX(y)") + " FROM k"
                    + (random.nextBoolean() ? " WHERE " + pick(random, "x IS NULL", "x > 1", "y = 'y2'", "y LIKE 'y%'", "x IN (1, 2)") : "");
        }
        boolean aggregate = random.nextInt(4) == 0;
        boolean aliased = random.nextInt(5) == 0;
        String table = aliased ? "m AS t" : random.nextInt(8) == 0 ? "M" : "m";
        StringBuilder sql = new StringBuilder("SELECT ");
        int items = 1 + random.nextInt(3);
        for (int i = 0; i < items; i++) {
            sql.append(i == 0 ? "" : ", ").append(aggregate ? aggregateItem(random) : item(random, aliased));
        }
        sql.append(" FROM ").append(table);
        if (random.nextInt(6) > 0) {
            sql.append(" WHERE ").append(predicate(random, 2, aliased));
        }
        if (!aggregate && random.nextInt(3) == 0) {
            sql.append(" ORDER BY ");
            int keys = 1 + random.nextInt(2);
            for (int i = 0; i < keys; i++) {
                sql.append(i == 0 ? "" : ", ").append(pick(random, COLUMNS)).append(pick(random, "", " DESC", " ASC", " NULLS FIRST",
                        " DESC NULLS LAST"));
            }
        }
        if (random.nextInt(5) == 0) {
            sql.append(" LIMIT ").append(random.nextInt(6));
            if (random.nextBoolean()) {
                sql.append(" OFFSET ").append(random.nextInt(4));
            }
        }
        return sql.toString();
    }

    private static String item(Random random, boolean aliased) {
        String column = (aliased && random.nextInt(3) == 0 ? "t." : random.nextInt(10) == 0 ? "m." : "") + pick(random, COLUMNS);
        String item = switch (random.nextInt(10)) {
            case 0, 1, 2, 8, 9 -> column;
            case 3 -> column + " " + pick(random, "+", "-", "*") + " " + pick(random, "0", "1", "7", "2000000000", "2.5", "3000000000");
            case 4 -> pick(random, "0", "1", "5") + " " + pick(random, "+", "-", "*") + " " + column;
            case 5 -> "*";
            case 6 -> pick(random, "-a", "a + b", "c * 2", "a / 2", "UPPER(s)", "1", "'x'", "a + 1 + 2", "-c", "-d", "b - n * a",
                    "(a + b) * 2", "-(a + 1)", "TRUE", "FALSE AS f", "c * a - b", "n - -n", "a + d");
            default -> column + " AS " + pick(random, "v", "a", "id", "\"q\"");
        };
        return item;
    }

    private static String aggregateItem(Random random) {
        String call = switch (random.nextInt(6)) {
            case 0 -> "COUNT(*)";
            case 1 -> "COUNT(" + pick(random, COLUMNS) + ")";
            case 2 -> "MIN(" + pick(random, COLUMNS) + ")";
            case 3 -> "MAX(" + pick(random, COLUMNS) + ")";
            case 4 -> pick(random, "SUM(a)", "AVG(c)", "COUNT(DISTINCT a)", "a");
            default -> "MAX(" + pick(random, "a", "b", "c") + ") " + pick(random, "+", "-", "*") + " " + pick(random, "0", "1", "3");
        };
        return random.nextInt(6) == 0 ? call + " AS " + pick(random, "v", "w") : call;
    }

    private static String predicate(Random random, int depth, boolean aliased) {
        if (depth > 0 && random.nextInt(3) > 0) {
            String op = random.nextBoolean() ? " AND " : " OR ";
            String p = "(" + predicate(random, depth - 1, aliased) + op + predicate(random, depth - 1, aliased) + ")";
            return random.nextInt(5) == 0 ? "NOT " + p : p;
        }
        String qualifier = aliased && random.nextInt(3) == 0 ? "t." : "";
        if (random.nextInt(6) > 0) {
            return qualifier + plannedLeaf(random);
        }
        String column = qualifier + pick(random, COLUMNS);
        return switch (random.nextInt(10)) {
            case 0 -> column + pick(random, " IS NULL", " IS NOT NULL");
            case 1 -> column + pick(random, " BETWEEN ", " NOT BETWEEN ") + literal(random) + " AND " + literal(random);
            case 2 -> {
                StringBuilder in = new StringBuilder(column + pick(random, " IN (", " NOT IN ("));
                int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 30);
                boolean strings = column.endsWith("s");
                for (int k = 0; k < n; k++) {
                    in.append(k == 0 ? "" : ", ").append(random.nextInt(15) == 0 ? pick(random, "NULL", "-3", "2.5", "1")
                            : strings ? "'s" + random.nextInt(4) + "'" : String.valueOf(random.nextInt(25) - 5));
                }
                yield in.append(')').toString();
            }
            case 3 -> "s " + pick(random, "LIKE 's1%'", "LIKE '%'", "NOT LIKE 's%'", "LIKE 'abcdefghijklmnop%'", "LIKE 'x\\%y' ESCAPE '\\'");
            case 4 -> column + " " + comparison(random) + " " + pick(random, COLUMNS);
            case 5 -> literal(random) + " " + comparison(random) + " " + column;
            default -> column + " " + comparison(random) + " " + literal(random);
        };
    }

    /** A condition of a shape the direct planner plans. */
    private static String plannedLeaf(Random random) {
        String integerColumn = pick(random, "id", "a", "b", "n");
        int v = random.nextInt(30) - 5;
        return switch (random.nextInt(8)) {
            case 0 -> pick(random, "a", "b", "c", "s") + pick(random, " IS NULL", " IS NOT NULL");
            case 1 -> integerColumn + pick(random, " BETWEEN ", " NOT BETWEEN ") + random.nextInt(20) + " AND " + random.nextInt(20);
            case 2 -> {
                StringBuilder in = new StringBuilder(integerColumn + pick(random, " IN (", " NOT IN ("));
                int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
                for (int k = 0; k < n; k++) {
                    in.append(k == 0 ? "" : ", ").append(k * 3 + random.nextInt(3));
                }
                yield in.append(')').toString();
            }
            case 3 -> "s " + pick(random, "LIKE 's1%'", "LIKE '%'", "LIKE 'S_'", "<> 's1'", "= 's1 '", ">= 's'", "= ''");
            case 4 -> "c " + comparison(random) + " " + pick(random, String.valueOf(v), v + ".5", "1e1", "-0.0");
            case 5 -> pick(random, "a = id", "b <> b", "c < c", "s >= s", "n > a", "id <= a");
            default -> (random.nextBoolean() ? integerColumn + " " + comparison(random) + " " + Math.abs(v)
                    : Math.abs(v) + " " + comparison(random) + " " + integerColumn);
        };
    }

    private static String comparison(Random random) {
        return pick(random, "=", "<>", "<", "<=", ">", ">=", "!=");
    }

    private static String literal(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> String.valueOf(random.nextInt(30) - 5);
            case 1 -> random.nextInt(20) + ".5";
            case 2 -> pick(random, "3000000000", "1e1", "2.25E0", "0.125");
            case 3 -> "'s" + random.nextInt(3) + "'";
            case 4 -> pick(random, "'abcdefghijklmnop'", "''", "'s1 '", "'7'");
            case 5 -> pick(random, "NULL", "TRUE", "-2.5");
            default -> String.valueOf(random.nextInt(25));
        };
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }
}
