package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.exec.AutoParameters;
import io.starlingdb.sql.exec.Dml;
import io.starlingdb.sql.exec.Errors;
import io.starlingdb.sql.exec.PlannerPath;
import io.starlingdb.sql.exec.QueryCompiler;
import io.starlingdb.sql.exec.QueryCursor;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INSERT ... VALUES, UPDATE and DELETE whose rows the direct planner plans (no validator,
 * converter or planner) do exactly what they do through Calcite's path: statement by statement,
 * generated with good and bad values (wrong types, too long, out of range, NULL into NOT NULL,
 * duplicate keys and unique values), the same SQLState or the same count and the same table
 * afterwards, and the same parameter types.
 */
class DirectDmlTest {

    /** Generated statements per run; each runs both ways, each in a transaction rolled back afterwards. */
    private static final int GENERATED_STATEMENTS = 300;

    @TempDir
    Path dir;
    SqlFixture db;
    /** The highest row id of r's first rows: ids of rows inserted later differ between runs (ids are reserved, not rolled back). */
    long lastRowId;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE m (id INT PRIMARY KEY, a INT, b BIGINT, c DOUBLE, d DECIMAL(6,2), s VARCHAR(4), n INT NOT NULL,"
                + " ts TIMESTAMP, day DATE, f BOOLEAN)");
        db.update("CREATE UNIQUE INDEX m_a ON m (a)");
        // Without a primary key: UPDATE and DELETE read its rows with their row ids; equal rows are told apart.
        db.update("CREATE TABLE r (a INT, b BIGINT, s VARCHAR(4))");
        db.update("INSERT INTO r VALUES (1, 10, 'x'), (1, 10, 'x'), (2, NULL, 'y'), (NULL, 30, NULL), (3, 30, 'x')");
        lastRowId = (Long) db.rows("SELECT MAX(\"$ROWID\") FROM STARLING_ROWID.r").get(0).get(0);
        for (int id = 1; id <= 6; id++) {
            db.update("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, id % 3 == 0 ? null : id * 10, (long) id << 33,
                    id / 4.0, new BigDecimal(id).movePointLeft(1), "s" + id, id % 2,
                    LocalDateTime.of(2024, 1, id, 0, 0, 0, id * 1_000), java.time.LocalDate.of(2020, 1, id), id % 2 == 0);
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void simpleWritesArePlannedDirectly() throws SqlException {
        assertFalse(plan("INSERT INTO m VALUES (7, 70, 1, 1.5, 2.25, 'x', 0, TIMESTAMP '2024-01-01 00:00:00', DATE '2020-01-01', TRUE)",
                PlannerPath.AUTO).source().direct(), "DATE, TIMESTAMP and boolean literals stay literals: Calcite's path");
        assertTrue(plan("INSERT INTO m (id, n, s) VALUES (7, 1, 'ab'), (8, 0, 'abc')", PlannerPath.AUTO).source().direct());
        assertTrue(plan("INSERT INTO m (id, n, ts, day, f) VALUES (?, ?, ?, ?, ?)", PlannerPath.AUTO).source().direct());
        assertTrue(plan("INSERT INTO m (id, n, a) VALUES (9, 1, NULL)", PlannerPath.AUTO).source().direct());
        assertTrue(plan("UPDATE m SET s = 'q', c = 2.5 WHERE id = 3", PlannerPath.AUTO).source().direct());
        assertTrue(plan("UPDATE m SET ts = ? WHERE id = ?", PlannerPath.AUTO).source().direct());
        assertTrue(plan("DELETE FROM m WHERE id = 3", PlannerPath.AUTO).source().direct());
        assertTrue(plan("DELETE FROM m WHERE id = ?", PlannerPath.AUTO).source().direct());
        Dml.Plan point = plan("DELETE FROM m WHERE id = ?", PlannerPath.AUTO);
        assertTrue(point.source().explain().contains("primary key lookup"), point.source().explain());
        assertTrue(plan("UPDATE m SET a = a + 1 WHERE id = 3", PlannerPath.AUTO).source().direct(), "a counter");
        assertTrue(plan("UPDATE m SET b = b - ?, c = c * 2.5e0, n = a + n WHERE id = ?", PlannerPath.AUTO).source().direct());
        assertTrue(plan("UPDATE m SET f = TRUE, c = -1.5 WHERE id IN (?, ?, ?)", PlannerPath.AUTO).source().direct());
        assertTrue(plan("INSERT INTO m (id, n, a, d, f) VALUES (7, -1, -20, -3.25, FALSE)", PlannerPath.AUTO).source().direct(),
                "negative numbers and booleans");
        assertTrue(plan("INSERT INTO m (id, n, d) VALUES (7, 1, 2.5), (8, 99999999999, 10), (9, 0, -0.125)", PlannerPath.AUTO)
                .source().direct(), "numbers of several types in one column");
        assertTrue(plan("DELETE FROM m WHERE id NOT IN (?, ?)", PlannerPath.AUTO).source().direct());
        assertFalse(plan("UPDATE m SET d = d + 1.5 WHERE id = 3", PlannerPath.AUTO).source().direct(), "DECIMAL arithmetic");
        assertTrue(plan("UPDATE r SET a = a + 1 WHERE s = 'x'", PlannerPath.AUTO).source().direct(), "a table without a primary key");
        assertTrue(plan("DELETE FROM r WHERE b IN (?, ?)", PlannerPath.AUTO).source().direct());
        assertFalse(plan("UPDATE m SET s = UPPER(s) WHERE id = 3", PlannerPath.AUTO).source().direct(), "a function");
        assertTrue(plan("INSERT INTO m (id, n) SELECT id + 100, n FROM m", PlannerPath.AUTO).source().direct(), "a direct SELECT");
        assertFalse(plan("DELETE FROM m WHERE id = 3", PlannerPath.VALIDATED).source().direct());
    }

    @Test
    void directAndValidatedWritesDoAlike() throws SqlException {
        Random random = new Random(Long.getLong("direct.seed", 29));
        int direct = 0;
        for (int i = 0; i < GENERATED_STATEMENTS; i++) {
            Statement statement = generated(random);
            direct += compare(statement) ? 1 : 0;
        }
        assertTrue(direct >= GENERATED_STATEMENTS / 2, "most generated statements are planned directly: " + direct);
        System.out.println("DirectDmlTest: " + direct + " of " + GENERATED_STATEMENTS + " generated statements planned directly");
    }

    private record Statement(String sql, List<Object> parameters) {
    }

    /** Runs the statement both ways and compares; whether the direct planner planned it. */
    private boolean compare(Statement statement) throws SqlException {
        Outcome expected = outcome(statement, PlannerPath.VALIDATED);
        Outcome actual = outcome(statement, PlannerPath.AUTO);
        String context = statement + "\ndirect=" + actual.direct;
        assertEquals(expected.error, actual.error, "error: " + context);
        assertEquals(expected.parameters, actual.parameters, "parameter types: " + context);
        assertEquals(expected.count, actual.count, "count: " + context);
        assertEquals(expected.table, actual.table, "table afterwards: " + context);
        return actual.direct;
    }

    private record Outcome(String error, List<String> parameters, long count, List<String> table, boolean direct) {
    }

    private Outcome outcome(Statement statement, PlannerPath path) throws SqlException {
        Dml.Plan plan;
        List<Object> values;
        int userParameters;
        List<Object> literals;
        try {
            SqlNode node = QueryCompiler.parse(statement.sql());
            AutoParameters.Result auto = AutoParameters.apply(node);
            userParameters = auto == null ? QueryCompiler.countParameters(node) : auto.userParameters();
            literals = auto == null ? List.of() : auto.values();
            plan = plan(auto == null ? node : auto.statement(), path);
        } catch (SqlException e) {
            return new Outcome(e.sqlState(), null, -1, null, false);
        }
        List<String> parameters = plan.source().statementParameterTypes(userParameters).stream()
                .map(t -> t == null ? "?" : t.getFullTypeString()).toList();
        boolean direct = plan.source().direct();
        try (Transaction txn = db.store.begin()) {
            try {
                values = plan.source().bind(statement.parameters(), userParameters, literals);
                List<Object[]> rows;
                try (Enumerator<Object> enumerator = plan.source().open(txn, CancelSignal.withoutDeadline(), values)) {
                    rows = QueryCursor.drain(enumerator, plan.source().columns().size());
                }
                long count = Dml.execute(plan, rows, txn, db.engine.tableStorage());
                return new Outcome(null, parameters, count, table(txn), direct);
            } catch (SqlException e) {
                return new Outcome(e.sqlState(), parameters, -1, table(txn), direct);
            } catch (RuntimeException | LinkageError e) {
                // As a session reports a failure of the running plan (a string that is no number: 22018; in
                // generated code's static constants, an ExceptionInInitializerError).
                return new Outcome(Errors.execution(e).sqlState(), parameters, -1, table(txn), direct);
            } finally {
                txn.rollback();
            }
        }
    }

    /** Both tables as the transaction sees them, each row with its key (r's row ids of its first rows included). */
    private List<String> table(Transaction txn) {
        List<String> out = new ArrayList<>();
        String keyless = "SELECT CASE WHEN \"$ROWID\" <= " + lastRowId + " THEN \"$ROWID\" END, a, b, s FROM STARLING_ROWID.r"
                + " ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST, 4 NULLS LAST";
        for (String query : List.of("SELECT * FROM m ORDER BY id", keyless)) {
            try (Enumerator<Object> rows = db.engine.compiler().compile(query).open(txn, CancelSignal.withoutDeadline(), List.of())) {
                while (rows.moveNext()) {
                    Object row = rows.current();
                    out.add(Arrays.deepToString(row instanceof Object[] array ? array : new Object[] {row}));
                }
            } catch (SqlException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    private Dml.Plan plan(String sql, PlannerPath path) throws SqlException {
        SqlNode node = QueryCompiler.parse(sql);
        AutoParameters.Result auto = AutoParameters.apply(node);
        return plan(auto == null ? node : auto.statement(), path);
    }

    private Dml.Plan plan(SqlNode node, PlannerPath path) throws SqlException {
        QueryCompiler compiler = db.engine.compiler();
        if (node instanceof SqlInsert insert) {
            return Dml.planInsert(insert, compiler, path);
        }
        if (node instanceof SqlUpdate update) {
            return Dml.planUpdate(update, compiler, path);
        }
        return Dml.planDelete((SqlDelete) node, compiler, path);
    }

    // ---- generated statements: good and bad values for every column type ----

    private static final String[] COLUMNS = {"id", "a", "b", "c", "d", "s", "n", "ts", "day", "f"};

    /** A value for a column as SQL text, or a parameter; some fit, some do not. */
    private static String value(Random random, String column, List<Object> parameters) {
        if (random.nextInt(3) == 0) {
            parameters.add(parameterValue(random, column));
            return "?";
        }
        return switch (random.nextInt(18)) {
            case 14 -> "-" + pick(random, "1", "7", "2.5", "99999999999", "2147483648", "0.001");
            case 15 -> pick(random, "TRUE", "FALSE");
            case 0 -> "NULL";
            case 1 -> "'abc'";
            case 2 -> "'12345'";
            case 3 -> "2.5";
            case 4 -> "99999999999";
            case 5 -> "1234.567";
            case 6 -> "'2024-01-02 03:04:05.123456'";
            case 7 -> "'x'";
            case 8 -> "''";
            default -> String.valueOf(random.nextInt(12) - 1);
        };
    }

    private static Object parameterValue(Random random, String column) {
        return switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> "abc";
            case 2 -> LocalDateTime.of(2024, 2, 3, 4, 5, 6, 123_456_789);
            case 3 -> java.time.LocalDate.of(2021, 5, 6);
            case 4 -> random.nextBoolean();
            case 5 -> 2.5;
            case 6 -> new BigDecimal("12.345");
            case 7 -> 9_999_999_999L;
            case 8 -> "7";
            default -> random.nextInt(12) - 1;
        };
    }

    private static Statement generated(Random random) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        if (random.nextInt(6) == 0) {
            return keyless(random);
        }
        switch (random.nextInt(3)) {
            case 0 -> {
                List<String> columns = new ArrayList<>(List.of(COLUMNS));
                java.util.Collections.shuffle(columns, random);
                List<String> chosen = columns.subList(0, 1 + random.nextInt(columns.size()));
                boolean named = chosen.size() < COLUMNS.length || random.nextBoolean();
                sql.append("INSERT INTO m");
                if (named) {
                    sql.append(" (").append(String.join(", ", chosen)).append(')');
                }
                List<String> target = named ? chosen : List.of(COLUMNS);
                sql.append(" VALUES ");
                int rows = 1 + random.nextInt(3);
                for (int r = 0; r < rows; r++) {
                    sql.append(r == 0 ? "(" : ", (");
                    for (int c = 0; c < target.size(); c++) {
                        String column = target.get(c);
                        String v = column.equals("id") && random.nextInt(4) > 0 ? String.valueOf(5 + random.nextInt(6))
                                : value(random, column, parameters);
                        sql.append(c == 0 ? "" : ", ").append(v);
                    }
                    sql.append(')');
                }
            }
            case 1 -> {
                sql.append("UPDATE m SET ");
                int sets = 1 + random.nextInt(2);
                for (int i = 0; i < sets; i++) {
                    String column = COLUMNS[1 + random.nextInt(COLUMNS.length - 1)];
                    sql.append(i == 0 ? "" : ", ").append(column).append(" = ").append(random.nextInt(3) == 0
                            ? computed(random, column, parameters) : value(random, column, parameters));
                }
                sql.append(where(random, parameters));
            }
            default -> sql.append("DELETE FROM m").append(where(random, parameters));
        }
        return new Statement(sql.toString(), parameters);
    }

    /** A write to r, the table without a primary key. */
    private static Statement keyless(Random random) {
        List<Object> parameters = new ArrayList<>();
        int kind = random.nextInt(3);
        if (kind == 0) {
            String b = pick(random, "10", "99999999999", "?");
            if (b.equals("?")) {
                parameters.add((long) random.nextInt(50));
            }
            return new Statement("INSERT INTO r VALUES (" + pick(random, "1", "-2", "NULL") + ", " + b + ", "
                    + pick(random, "'x'", "'toolong'", "NULL") + ")", parameters);
        }
        String column = pick(random, "a", "b", "s");
        String set = column.equals("s") ? pick(random, "'z'", "NULL", "'abcde'")
                : pick(random, column + " + 1", "-" + column, column + " * 2", "a + 1", "7");
        String where = switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> " WHERE s = 'x'";
            case 2 -> " WHERE a IS NULL OR b > 10";
            case 3 -> {
                parameters.add(random.nextInt(4));
                yield " WHERE a = ?";
            }
            default -> " WHERE b IN (10, 30)";
        };
        return new Statement(kind == 1 ? "UPDATE r SET " + column + " = " + set + where : "DELETE FROM r" + where, parameters);
    }

    /** A SET value computed from the row: arithmetic of columns, values and parameters, a negation. */
    private static String computed(Random random, String column, List<Object> parameters) {
        String numeric = pick(random, "a", "b", "c", "d", "n", "id", column);
        return switch (random.nextInt(6)) {
            case 0 -> numeric + " " + pick(random, "+", "-", "*") + " " + value(random, column, parameters);
            case 1 -> value(random, column, parameters) + " " + pick(random, "+", "-", "*") + " " + numeric;
            case 2 -> numeric + " " + pick(random, "+", "-", "*") + " " + pick(random, "a", "b", "c", "n");
            case 3 -> "-" + numeric;
            case 4 -> {
                String sum = "(" + numeric + " + " + value(random, column, parameters) + ") * ";
                if (random.nextInt(4) == 0) {
                    parameters.add(parameterValue(random, column));
                    yield sum + "?";
                }
                yield sum + pick(random, "2", "-1", "n");
            }
            default -> numeric + " + 0";
        };
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String where(Random random, List<Object> parameters) {
        return switch (random.nextInt(7)) {
            case 5, 6 -> {
                int n = 1 + random.nextInt(4);
                StringBuilder in = new StringBuilder(" WHERE ").append(pick(random, "id", "a", "b", "c", "s"))
                        .append(random.nextBoolean() ? " IN (" : " NOT IN (");
                for (int k = 0; k < n; k++) {
                    in.append(k == 0 ? "?" : ", ?");
                    parameters.add(parameterValue(random, "id"));
                }
                yield in.append(')').toString();
            }
            case 0 -> "";
            case 1 -> {
                parameters.add(random.nextInt(8));
                yield " WHERE id = ?";
            }
            case 2 -> " WHERE a > " + random.nextInt(50);
            case 3 -> " WHERE id = " + random.nextInt(8) + " OR s = 's2'";
            default -> " WHERE id = " + random.nextInt(8);
        };
    }
}
