package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CREATE [OR REPLACE] VIEW and DROP VIEW: stored in the catalog, read as their query, never written. */
class ViewTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE emp (id INT PRIMARY KEY, name VARCHAR(20), dept INT, salary DOUBLE)");
        db.update("CREATE TABLE dept (id INT PRIMARY KEY, title VARCHAR(20))");
        db.update("INSERT INTO emp VALUES (1, 'ann', 10, 100.0), (2, 'bob', 10, 80.0), (3, 'cy', 20, 120.0), (4, 'di', NULL, 50.0)");
        db.update("INSERT INTO dept VALUES (10, 'sales'), (20, 'ops')");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private SqlException failure(String sql) {
        return assertThrows(SqlException.class, () -> db.rows(sql), sql);
    }

    private List<String> labels(String sql) throws SqlException {
        StatementResult result = db.session.execute(sql, List.of());
        try (RowCursor cursor = ((StatementResult.Rows) result).cursor()) {
            return cursor.columns().stream().map(ColumnMeta::label).toList();
        }
    }

    @Test
    void aViewReadsAsItsQueryAndJoinsLikeATable() throws SqlException {
        db.update("CREATE VIEW rich AS SELECT id, name, dept FROM emp WHERE salary >= 100");
        assertEquals(List.of(List.of(1, "ann"), List.of(3, "cy")), db.rows("SELECT id, name FROM rich ORDER BY id"));
        assertEquals(List.of(List.of("ann", "sales"), List.of("cy", "ops")),
                db.rows("SELECT r.name, d.title FROM rich r JOIN dept d ON r.dept = d.id ORDER BY r.name"));
        assertEquals(List.of(List.of(1L)), db.rows("SELECT COUNT(*) FROM rich WHERE dept = 20"));
        // It reads the table as it is now.
        db.update("INSERT INTO emp VALUES (5, 'ed', 20, 300.0)");
        assertEquals(List.of(List.of(3L)), db.rows("SELECT COUNT(*) FROM rich"));
    }

    @Test
    void columnsTakeTheGivenNamesOrTheQuerysLabels() throws SqlException {
        db.update("CREATE VIEW per_dept (dept_id, heads, top_pay) AS SELECT dept, COUNT(*), MAX(salary) FROM emp GROUP BY dept");
        assertEquals(List.of("DEPT_ID", "HEADS", "TOP_PAY"), labels("SELECT * FROM per_dept"));
        assertEquals(List.of(List.of(10, 2L, 100.0)), db.rows("SELECT dept_id, heads, top_pay FROM per_dept WHERE dept_id = 10"));
        db.update("CREATE VIEW counted AS SELECT dept, COUNT(*) FROM emp GROUP BY dept");
        assertEquals(List.of("DEPT", "COUNT"), labels("SELECT * FROM counted"));
        assertEquals(List.of(List.of(2L)), db.rows("SELECT count FROM counted WHERE dept = 10"));
        assertEquals("42P16", db.error("CREATE VIEW bad (a) AS SELECT id, name FROM emp"));
        assertEquals("42701", db.error("CREATE VIEW twice AS SELECT id, id FROM emp"));
    }

    @Test
    void viewsOfViewsAndOrReplace() throws SqlException {
        db.update("CREATE VIEW v1 AS SELECT id, salary FROM emp WHERE dept = 10");
        db.update("CREATE VIEW v2 AS SELECT id FROM v1 WHERE salary > 90");
        assertEquals(List.of(List.of(1)), db.rows("SELECT * FROM v2"));
        assertEquals("42P07", db.error("CREATE VIEW v1 AS SELECT 1 AS x"));
        db.update("CREATE OR REPLACE VIEW v1 AS SELECT id, salary FROM emp WHERE dept = 20");
        assertEquals(List.of(List.of(3)), db.rows("SELECT * FROM v2"));
        // A view that would read itself is refused, and the old definition stays.
        assertEquals("42P17", db.error("CREATE OR REPLACE VIEW v1 AS SELECT id, 1.0 AS salary FROM v2"));
        assertEquals(List.of(List.of(3)), db.rows("SELECT * FROM v2"));
    }

    @Test
    void dropViewAndItsErrors() throws SqlException {
        db.update("CREATE VIEW v AS SELECT id FROM emp");
        assertEquals("42809", db.error("DROP TABLE v"));
        assertEquals("42809", db.error("DROP VIEW emp"));
        assertEquals("42809", db.error("CREATE INDEX v_id ON v (id)"));
        assertEquals("42S01", db.error("CREATE TABLE v (x INT)"));
        assertEquals("42P07", db.error("CREATE VIEW emp AS SELECT 1 AS x"));
        assertEquals("42809", db.error("CREATE OR REPLACE VIEW emp AS SELECT 1 AS x"));
        db.update("DROP VIEW v");
        assertEquals("42S02", db.error("SELECT * FROM v"));
        assertEquals("42P01", db.error("DROP VIEW v"));
        db.update("DROP VIEW IF EXISTS v");
        assertEquals("42S02", db.error("CREATE VIEW w AS SELECT * FROM nosuch"));
        assertEquals("42000", db.error("CREATE VIEW w AS SELECT * FROM emp WHERE id = ?"));
    }

    @Test
    void viewsAreNeverWritten() throws SqlException {
        db.update("CREATE VIEW v AS SELECT id, name FROM emp");
        for (String sql : List.of("INSERT INTO v VALUES (9, 'x')", "UPDATE v SET name = 'x'", "DELETE FROM v WHERE id = 1")) {
            SqlException e = assertThrows(SqlException.class, () -> db.update(sql), sql);
            assertEquals("42809", e.sqlState(), sql);
            assertTrue(e.getMessage().contains("V is a view"), e.getMessage());
        }
        assertEquals(List.of(List.of(4L)), db.rows("SELECT COUNT(*) FROM emp"));
    }

    @Test
    void aViewWhoseTableWasDroppedFailsClearlyUntilTheTableIsBack() throws SqlException {
        db.update("CREATE VIEW titles AS SELECT title FROM dept");
        db.update("DROP TABLE dept");
        SqlException e = failure("SELECT * FROM titles");
        assertEquals("42S02", e.sqlState());
        assertTrue(e.getMessage().contains("view TITLES cannot be read"), e.getMessage());
        db.update("CREATE TABLE dept (id INT PRIMARY KEY, title VARCHAR(20))");
        db.update("INSERT INTO dept VALUES (1, 'new')");
        assertEquals(List.of(List.of("new")), db.rows("SELECT * FROM titles"));
        // Recreated with other columns: the view's query no longer fits its names.
        db.update("DROP TABLE dept");
        db.update("CREATE TABLE dept (id INT PRIMARY KEY, label VARCHAR(20))");
        assertEquals("42S22", failure("SELECT * FROM titles").sqlState());
    }

    @Test
    void viewsSurviveARestart() throws SqlException {
        db.update("CREATE VIEW sales (who) AS SELECT name FROM emp WHERE dept = 10");
        db.close();
        db = new SqlFixture(dir);
        assertEquals(List.of(List.of("ann"), List.of("bob")), db.rows("SELECT who FROM sales ORDER BY who"));
        db.update("DROP VIEW sales");
        db.close();
        db = new SqlFixture(dir);
        assertEquals("42S02", db.error("SELECT * FROM sales"));
    }

    @Test
    void theCatalogListsViews() throws SqlException {
        db.update("CREATE VIEW v (n, pay) AS SELECT name, salary FROM emp");
        CatalogView.TableInfo view = db.session.catalog().tables().stream().filter(t -> t.name().equals("V")).findFirst()
                .orElseThrow();
        assertEquals(CatalogView.TableInfo.VIEW, view.type());
        assertEquals(List.of("N", "PAY"), view.columns().stream().map(CatalogView.ColumnInfo::name).toList());
        assertEquals(java.sql.Types.DOUBLE, view.columns().get(1).jdbcType());
        assertEquals(CatalogView.TableInfo.TABLE,
                db.session.catalog().tables().stream().filter(t -> t.name().equals("EMP")).findFirst().orElseThrow().type());
    }
}
