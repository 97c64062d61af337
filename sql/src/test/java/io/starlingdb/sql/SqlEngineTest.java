package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL layer over a real RocksDB store: DDL, DML, queries, errors and atomicity. */
class SqlEngineTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE emp (id INTEGER NOT NULL, name VARCHAR(20) NOT NULL, dept INTEGER, "
                + "salary DECIMAL(10,2) DEFAULT 100.50, active BOOLEAN DEFAULT TRUE, hired TIMESTAMP, score DOUBLE, "
                + "big BIGINT, born DATE, PRIMARY KEY (id))");
        db.update("CREATE TABLE dept (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id))");
        db.update("INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty')");
        assertEquals(4, db.update("INSERT INTO emp (id, name, dept, hired, score, big, born) VALUES "
                + "(1, 'ann', 1, TIMESTAMP '2020-01-02 03:04:05', 1.5, 10000000000, DATE '1990-05-06'), "
                + "(2, 'bob', 1, NULL, NULL, NULL, NULL), (3, 'cy', 2, NULL, 2.5, 3, NULL), (4, 'di', NULL, NULL, NULL, NULL, NULL)"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static List<List<Object>> rows(Object[]... rows) {
        List<List<Object>> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(Arrays.asList(r));
        }
        return out;
    }

    private static Object[] row(Object... values) {
        return values;
    }

    @Test
    void insertedValuesComeBackWithTheirTypesAndDefaults() throws SqlException {
        assertEquals(rows(row(1, "ann", 1, new BigDecimal("100.50"), true, LocalDateTime.of(2020, 1, 2, 3, 4, 5), 1.5,
                        10000000000L, LocalDate.of(1990, 5, 6))),
                db.rows("SELECT * FROM emp WHERE id = 1"));
        assertEquals(rows(row(4, "di", null, new BigDecimal("100.50"), true, null, null, null, null)),
                db.rows("SELECT * FROM emp WHERE id = 4"));
    }

    @Test
    void joinsSubqueriesAndSetOperations() throws SqlException {
        assertEquals(rows(row("ann", "eng"), row("bob", "eng"), row("cy", "ops")),
                db.rows("SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept = d.id ORDER BY e.name"));
        assertEquals(rows(row("ann", "eng"), row("bob", "eng"), row("cy", "ops"), row("di", null)),
                db.rows("SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept = d.id ORDER BY e.name"));
        assertEquals(rows(row("empty", 0L), row("eng", 2L), row("ops", 1L)),
                db.rows("SELECT d.name, COUNT(e.id) FROM dept d LEFT OUTER JOIN emp e ON e.dept = d.id GROUP BY d.name ORDER BY 1"));
        assertEquals(rows(row("eng", 2L)),
                db.rows("SELECT d.name, COUNT(*) FROM dept d JOIN emp e ON e.dept = d.id GROUP BY d.name HAVING COUNT(*) > 1"));
        assertEquals(rows(row("ann"), row("bob")),
                db.rows("SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE name = 'eng') ORDER BY name"));
        assertEquals(rows(row("cy")),
                db.rows("SELECT name FROM emp e WHERE EXISTS (SELECT 1 FROM dept d WHERE d.id = e.dept AND d.name = 'ops')"));
        assertEquals(rows(row("ann"), row("di")),
                db.rows("SELECT name FROM emp WHERE id = (SELECT MIN(id) FROM emp) OR id = (SELECT MAX(id) FROM emp) ORDER BY 1"));
        assertEquals(7, db.rows("SELECT name FROM emp UNION SELECT name FROM dept").size());
        assertEquals(7, db.rows("SELECT name FROM emp UNION ALL SELECT name FROM dept").size());
        assertEquals(rows(row((Object) null), row(1), row(2)), db.rows("SELECT DISTINCT dept FROM emp ORDER BY dept NULLS FIRST"));
        assertEquals(rows(row(1), row(2)), db.rows("SELECT dept FROM emp INTERSECT SELECT id FROM dept ORDER BY 1"));
        assertEquals(rows(row(3)), db.rows("SELECT id FROM dept EXCEPT SELECT dept FROM emp"));
        assertEquals(5, db.rows("SELECT e.name, d.name FROM emp e FULL OUTER JOIN dept d ON e.dept = d.id").size());
        assertEquals(4, db.rows("SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept = d.id").size());
    }

    @Test
    void expressionsAggregatesAndPaging() throws SqlException {
        assertEquals(rows(row(1, "high", "1", "ANN", 3, 1.5), row(4, "low", "4", "DI", 2, 0.0)),
                db.rows("SELECT id, CASE WHEN dept IS NOT NULL THEN 'high' ELSE 'low' END, CAST(id AS VARCHAR(5)), UPPER(name), "
                        + "CHAR_LENGTH(name), COALESCE(score, 0) FROM emp WHERE id IN (1, 4) ORDER BY id"));
        assertEquals(rows(row(new BigDecimal("402.00"), 2.0, "ann", 10000000000L, 4L, 2L)),
                db.rows("SELECT SUM(salary), AVG(score), MIN(name), MAX(big), COUNT(*), COUNT(score) FROM emp"));
        assertEquals(rows(row(3), row(2)), db.rows("SELECT id FROM emp ORDER BY id DESC LIMIT 2 OFFSET 1"));
        assertEquals(rows(row(2), row(3)), db.rows("SELECT id FROM emp ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY"));
        // ROUND(2.567, 2) is of its operand's type, DECIMAL(4, 3), and a computed DECIMAL has its type's scale.
        assertEquals(rows(row("ann!", "an", "a", 3, 1, new BigDecimal("2.570"), 2020L)),
                db.rows("SELECT name || '!', SUBSTRING(name FROM 1 FOR 2), TRIM(' a '), ABS(-3), MOD(7, 3), ROUND(2.567, 2), "
                        + "EXTRACT(YEAR FROM hired) FROM emp WHERE id = 1"));
        assertEquals(rows(row(1, "x")), db.rows("VALUES (1, 'x')"));
    }

    @Test
    void updateDeleteAndInsertSelect() throws SqlException {
        assertEquals(2, db.update("UPDATE emp SET salary = salary * 2, score = 9 WHERE dept = 1"));
        assertEquals(rows(row(1, new BigDecimal("201.00"), 9.0), row(2, new BigDecimal("201.00"), 9.0), row(3, new BigDecimal("100.50"), 2.5)),
                db.rows("SELECT id, salary, score FROM emp WHERE id < 4 ORDER BY id"));
        assertEquals(1, db.update("DELETE FROM emp WHERE dept IS NULL"));
        db.update("CREATE TABLE emp2 (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id))");
        assertEquals(2, db.update("INSERT INTO emp2 SELECT id, name FROM emp WHERE id < 3"));
        assertEquals(rows(row(1, "ann"), row(2, "bob")), db.rows("SELECT * FROM emp2 ORDER BY id"));
        // Primary keys may move, even onto each other's old values, within one statement.
        assertEquals(2, db.update("UPDATE emp2 SET id = 3 - id"));
        assertEquals(rows(row(1, "bob"), row(2, "ann")), db.rows("SELECT * FROM emp2 ORDER BY id"));
        db.update("DROP TABLE emp2");
        assertEquals("42S02", db.error("SELECT * FROM emp2"));
        assertEquals("42S02", db.error("DROP TABLE emp2"));
        db.update("DROP TABLE IF EXISTS emp2");
        db.update("CREATE TABLE colkey (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(5))");
        db.update("INSERT INTO colkey VALUES (1, 'a')");
        assertEquals("23505", db.error("INSERT INTO colkey VALUES (1, 'b')"));
        String plan = db.explain("SELECT v FROM colkey WHERE id = 1");
        assertTrue(plan.contains("primary key lookup (ID = 1"), plan);
        db.update("CREATE TABLE IF NOT EXISTS dept (x INTEGER)");
        assertEquals(3, db.rows("SELECT * FROM dept").size());
    }

    @Test
    void unicodeLongTextAndWideDecimalsArriveIntact() throws SqlException {
        db.update("CREATE TABLE txt (id INTEGER NOT NULL PRIMARY KEY, v VARCHAR(200000), d DECIMAL(40, 10))");
        db.update("INSERT INTO txt VALUES (1, 'check ✓ 雪 😀', 123456789012345678901234567890.0123456789)");
        assertEquals(rows(row("check ✓ 雪 😀", new BigDecimal("123456789012345678901234567890.0123456789"))),
                db.rows("SELECT v, d FROM txt WHERE v = 'check ✓ 雪 😀'"));
        String text = "y".repeat(150_000);
        db.update("INSERT INTO txt (id, v) VALUES (2, ?)", text);
        assertEquals(rows(row(150_000)), db.rows("SELECT CHAR_LENGTH(v) FROM txt WHERE id = 2"));
        assertEquals("22001", db.error("INSERT INTO txt (id, v) VALUES (3, ?)", "z".repeat(200_001)));
        assertEquals("22023", db.error("CREATE TABLE toolong (v VARCHAR(2000000))"));
        assertEquals("0A000", db.error("SELECT TIME '10:00:00'"));
    }

    @Test
    void tablesWithoutPrimaryKeyKeepDuplicateRows() throws SqlException {
        db.update("CREATE TABLE bag (a INTEGER, b VARCHAR(3))");
        db.update("INSERT INTO bag VALUES (1, 'a'), (1, 'a'), (2, NULL)");
        assertEquals(2, db.update("UPDATE bag SET b = 'z' WHERE a = 1"));
        assertEquals(rows(row(1, "z"), row(1, "z"), row(2, null)), db.rows("SELECT * FROM bag ORDER BY a"));
        assertEquals(2, db.update("DELETE FROM bag WHERE a = 1"));
        assertEquals(rows(row(2, null)), db.rows("SELECT * FROM bag"));
    }

    @Test
    void primaryKeyPredicatesBecomeLookupsAndRanges() throws SqlException {
        db.update("CREATE TABLE kv (a INTEGER NOT NULL, b VARCHAR(10) NOT NULL, v INTEGER, PRIMARY KEY (a, b))");
        db.update("INSERT INTO kv VALUES (1, 'x', 1), (1, 'y', 2), (1, 'z', 3), (2, 'a', 4), (3, 'b', 5)");
        assertEquals(rows(row(2), row(3)), db.rows("SELECT v FROM kv WHERE a = 1 AND b > 'x' ORDER BY v"));
        assertEquals(rows(row(1), row(2)), db.rows("SELECT v FROM kv WHERE a = 1 AND b >= 'x' AND b < 'z' ORDER BY v"));
        assertEquals(rows(row(4), row(5)), db.rows("SELECT v FROM kv WHERE a >= 2 ORDER BY v"));
        assertEquals(rows(row(1), row(2), row(3)), db.rows("SELECT v FROM kv WHERE 2 > a ORDER BY v"));
        assertEquals(rows(row(2)), db.rows("SELECT v FROM kv WHERE a = 1 AND b = 'y'"));
        assertEquals(rows(), db.rows("SELECT v FROM kv WHERE a = 1.5"));
        assertEquals(rows(row(4), row(5)), db.rows("SELECT v FROM kv WHERE a > 1.5 ORDER BY v"));
        assertEquals(rows(row(2)), db.rows("SELECT v FROM kv WHERE a = ? AND b = ?", 1, "y"));
        assertEquals(rows(row(4), row(5)), db.rows("SELECT v FROM kv WHERE a > ? ORDER BY v", 1));

        assertTrue(db.explain("SELECT v FROM kv WHERE a = 1 AND b = 'x'").contains("primary key lookup (A = 1, B = 'x'"));
        assertTrue(db.explain("SELECT v FROM kv WHERE a = 1 AND b > 'x'").contains("primary key range (A = 1, B > 'x'"));
        assertTrue(db.explain("SELECT v FROM kv WHERE a > ?").contains("primary key range (A > ?0)"));
        assertTrue(db.explain("SELECT v FROM kv WHERE v = 1").contains("full scan"));
    }

    @Test
    void everyStatementIsAtomic() throws SqlException {
        StringBuilder insert = new StringBuilder("INSERT INTO dept VALUES ");
        for (int i = 0; i < 1000; i++) {
            insert.append(i == 0 ? "" : ", ").append('(').append(100 + i).append(", '")
                    .append(i == 499 ? "x".repeat(21) : "d" + i).append("')");
        }
        assertEquals("22001", db.error(insert.toString()));
        assertEquals(rows(row(3L)), db.rows("SELECT COUNT(*) FROM dept"));
        // An update that fails on one row changes none.
        assertEquals("23505", db.error("UPDATE dept SET id = 1 WHERE id >= 2"));
        assertEquals(rows(row(1, "eng"), row(2, "ops"), row(3, "empty")), db.rows("SELECT * FROM dept ORDER BY id"));
    }

    @Test
    void badInputGetsItsSqlStateAndWritesNothing() throws SqlException {
        assertEquals("42000", db.error("SELEC 1"));
        assertEquals("42000", db.error("SELECT FROM WHERE"));
        assertEquals("42S02", db.error("SELECT * FROM nope"));
        assertEquals("42S02", db.error("INSERT INTO nope VALUES (1)"));
        assertEquals("42S22", db.error("SELECT nope FROM emp"));
        assertEquals("42S22", db.error("UPDATE emp SET nope = 1"));
        assertEquals("23505", db.error("INSERT INTO emp (id, name) VALUES (1, 'dup')"));
        assertEquals("23502", db.error("INSERT INTO emp (id, name) VALUES (10, NULL)"));
        assertEquals("23502", db.error("INSERT INTO emp (id) VALUES (10)"));
        assertEquals("22001", db.error("INSERT INTO emp (id, name) VALUES (11, 'this name is far too long for twenty')"));
        assertEquals("22018", db.error("INSERT INTO emp (id, name, dept) VALUES (12, 'x', 'notanumber')"));
        assertEquals("22003", db.error("INSERT INTO emp (id, name, dept) VALUES (14, 'x', 3000000000)"));
        assertEquals("22003", db.error("INSERT INTO emp (id, name, salary) VALUES (15, 'x', 123456789012.5)"));
        assertEquals("22012", db.error("SELECT 1/0"));
        assertEquals("22018", db.error("SELECT CAST('abc' AS INTEGER)"));
        assertEquals("22007", db.error("SELECT CAST('not a date' AS DATE)"));
        assertEquals("22007", db.error("INSERT INTO emp (id, name, born) VALUES (20, 'x', CAST('not a date' AS DATE))"));
        assertEquals("42S01", db.error("CREATE TABLE dept (id INTEGER NOT NULL, PRIMARY KEY (id))"));
        assertEquals("07001", db.error("SELECT * FROM emp WHERE id = ?"));
        assertEquals("42000", db.error(""));
        assertEquals(rows(row(4L)), db.rows("SELECT COUNT(*) FROM emp"));
    }

    @Test
    void rowsAndKeysOverTheLimitsAreRefused() throws SqlException {
        db.update("CREATE TABLE wide (k VARCHAR(65535) NOT NULL, v VARCHAR(65535), PRIMARY KEY (k))");
        String longKey = "x".repeat(io.starlingdb.engine.Limits.maxKeyBytes + 1);
        assertEquals("54000", db.error("INSERT INTO wide VALUES (?, 'v')", longKey));
        assertEquals(rows(row(0L)), db.rows("SELECT COUNT(*) FROM wide"));

        int columns = io.starlingdb.engine.Limits.maxRowBytes / 65535 + 1;
        StringBuilder create = new StringBuilder("CREATE TABLE fat (id INTEGER NOT NULL");
        StringBuilder insert = new StringBuilder("INSERT INTO fat VALUES (1");
        Object[] params = new Object[columns];
        for (int i = 0; i < columns; i++) {
            create.append(", c").append(i).append(" VARCHAR(65535)");
            insert.append(", ?");
            params[i] = "y".repeat(65535);
        }
        db.update(create.append(", PRIMARY KEY (id))").toString());
        assertEquals("54000", db.error(insert.append(')').toString(), params));
        assertEquals(rows(row(0L)), db.rows("SELECT COUNT(*) FROM fat"));
    }

    @Test
    void parametersSupplyValuesOfEveryColumnType() throws SqlException {
        LocalDateTime ts = LocalDateTime.of(2021, 2, 3, 4, 5, 6, 7_000_000);
        assertEquals(1, db.update("INSERT INTO emp VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                7, "eve", 2, new BigDecimal("12.34"), false, ts, 0.25, -5L, LocalDate.of(2000, 1, 31)));
        assertEquals(rows(row(7, "eve", 2, new BigDecimal("12.34"), false, ts, 0.25, -5L, LocalDate.of(2000, 1, 31))),
                db.rows("SELECT * FROM emp WHERE id = ?", 7));
        assertEquals(2, db.update("INSERT INTO dept (id, name) VALUES (?, ?), (?, ?)", 8, "x", 9, null));
        assertEquals(1, db.update("UPDATE emp SET name = ?, salary = ? WHERE id = ?", "eva", new BigDecimal("1.5"), 7));
        assertEquals(rows(row("eva", new BigDecimal("1.50"))), db.rows("SELECT name, salary FROM emp WHERE id = 7"));
        assertEquals(1, db.update("INSERT INTO dept (id, name) SELECT ?, name FROM dept WHERE id = ?", 10, 8));
        // Values are checked against the column, never silently truncated or rounded into range.
        assertEquals("22001", db.error("UPDATE emp SET name = ? WHERE id = 7", "n".repeat(21)));
        assertEquals("22003", db.error("UPDATE emp SET salary = ? WHERE id = 7", new BigDecimal("123456789.5")));
        assertEquals("22018", db.error("UPDATE emp SET dept = ? WHERE id = 7", "two"));
        assertEquals("23502", db.error("UPDATE emp SET name = ? WHERE id = 7", (Object) null));
        assertEquals(rows(row("eva", 2)), db.rows("SELECT name, dept FROM emp WHERE id = 7"));
    }

    @Test
    void preparedStatementsReuseTheirPlan() throws SqlException {
        PreparedSql select = db.session.prepare("SELECT name FROM emp WHERE id = ?");
        assertEquals(1, select.parameters().size());
        long before = db.engine.planCacheHits();
        for (int id = 1; id <= 4; id++) {
            StatementResult result = db.session.execute(select, List.of(id));
            try (RowCursor cursor = ((StatementResult.Rows) result).cursor()) {
                assertEquals(1, cursor.fetch(10).size());
            }
        }
        db.rows("SELECT name FROM emp WHERE id = ?", 1);
        db.rows("SELECT name FROM emp WHERE id = ?", 2);
        assertTrue(db.engine.planCacheHits() > before, "the repeated statement text hits the plan cache");
        // A schema change re-plans the prepared statement transparently.
        db.update("CREATE INDEX emp_dept ON emp (dept)");
        StatementResult result = db.session.execute(select, List.of(3));
        try (RowCursor cursor = ((StatementResult.Rows) result).cursor()) {
            assertEquals("cy", cursor.fetch(10).get(0)[0]);
        }
    }

    @Test
    void explicitTransactionsCommitAndRollBack() throws SqlException {
        db.session.setAutoCommit(false);
        db.update("INSERT INTO dept VALUES (10, 'a')");
        assertEquals("23505", db.error("INSERT INTO dept VALUES (11, 'b'), (10, 'dup')"));
        db.session.rollback();
        assertEquals(rows(row(3L)), db.rows("SELECT COUNT(*) FROM dept"));
        db.update("INSERT INTO dept VALUES (12, 'c')");
        db.session.commit();
        db.session.setAutoCommit(true);
        try (SqlSession other = db.engine.openSession()) {
            assertEquals(rows(row("c")), SqlFixture.rows(other, "SELECT name FROM dept WHERE id = 12"));
        }
    }

    @Test
    void theCatalogSurvivesARestart() throws SqlException {
        db.update("CREATE UNIQUE INDEX emp_name ON emp (name)");
        db.close();
        db = new SqlFixture(dir);
        assertEquals(rows(row(4L)), db.rows("SELECT COUNT(*) FROM emp"));
        assertEquals("23505", db.error("INSERT INTO emp (id, name) VALUES (9, 'ann')"));
        CatalogView.TableInfo emp = db.session.catalog().tables().stream().filter(t -> t.name().equals("EMP")).findFirst().orElseThrow();
        assertEquals(List.of("ID"), emp.primaryKey());
        assertEquals(List.of(new CatalogView.IndexInfo("EMP_NAME", true, List.of("NAME"), List.of(false))), emp.indexes());
        assertEquals("100.50", emp.columns().get(3).defaultValue());
    }

    @Test
    void unsupportedStatementsSaySo() {
        SqlException e = assertThrows(SqlException.class, () -> db.session.execute("CREATE TABLE copy AS SELECT 1 AS x", List.of()));
        assertTrue(e.sqlState().startsWith("0A") || e.sqlState().equals("42000"), e.sqlState());
    }
}
