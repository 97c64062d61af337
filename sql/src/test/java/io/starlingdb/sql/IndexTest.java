package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secondary indexes: DDL, maintenance by every kind of write, uniqueness, and use by the planner. */
class IndexTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE emp (id INTEGER NOT NULL, name VARCHAR(20) NOT NULL, dept INTEGER, PRIMARY KEY (id))");
        db.update("INSERT INTO emp VALUES (1, 'ann', 1), (2, 'bob', 1), (3, 'cy', 2), (4, 'di', NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void equalityPredicatesUseTheIndexAndExplainSaysSo() throws SqlException {
        assertTrue(db.explain("SELECT name FROM emp WHERE dept = 1").contains("full scan"));
        db.update("CREATE INDEX emp_dept ON emp (dept)");
        assertTrue(db.explain("SELECT name FROM emp WHERE dept = 1").contains("index EMP_DEPT lookup (DEPT = 1)"));
        assertTrue(db.explain("SELECT name FROM emp WHERE dept = ?").contains("index EMP_DEPT lookup (DEPT = ?0)"));
        // The primary key still wins when it is fixed.
        assertTrue(db.explain("SELECT name FROM emp WHERE dept = 1 AND id = 2").contains("primary key lookup (ID = 2)"));
        assertEquals(List.of(List.of("ann"), List.of("bob")), db.rows("SELECT name FROM emp WHERE dept = 1 ORDER BY name"));
        assertEquals(List.of(List.of("cy")), db.rows("SELECT name FROM emp WHERE dept = ?", 2));
        db.update("DROP INDEX emp_dept");
        assertTrue(db.explain("SELECT name FROM emp WHERE dept = 1").contains("full scan"));
        assertEquals(List.of(List.of("ann"), List.of("bob")), db.rows("SELECT name FROM emp WHERE dept = 1 ORDER BY name"));
    }

    @Test
    void uniqueIndexesRefuseDuplicatesButNotNulls() throws SqlException {
        db.update("CREATE UNIQUE INDEX emp_name ON emp (name)");
        assertEquals("23505", db.error("INSERT INTO emp VALUES (5, 'cy', 3)"));
        assertEquals("23505", db.error("INSERT INTO emp VALUES (5, 'new', 3), (6, 'new', 3)"));
        assertEquals("23505", db.error("UPDATE emp SET name = 'ann' WHERE id = 2"));
        assertEquals(List.of(List.of(4L)), db.rows("SELECT COUNT(*) FROM emp"));
        // A row may keep its own value, and a freed value may be taken in the same statement.
        assertEquals(1, db.update("UPDATE emp SET dept = 7 WHERE name = 'ann'"));
        assertEquals(1, db.update("DELETE FROM emp WHERE name = 'bob'"));
        assertEquals(1, db.update("INSERT INTO emp VALUES (2, 'bob', 9)"));
        db.update("CREATE UNIQUE INDEX emp_dept ON emp (dept)");
        assertEquals(2, db.update("INSERT INTO emp VALUES (5, 'e', NULL), (6, 'f', NULL)"));
        db.update("CREATE UNIQUE INDEX emp_name_dept ON emp (name, dept)");
        assertEquals("23505", db.error("INSERT INTO emp VALUES (8, 'g', 9)"));
    }

    @Test
    void ddlErrors() throws SqlException {
        db.update("CREATE INDEX emp_dept ON emp (dept)");
        assertEquals("42S11", db.error("CREATE INDEX emp_dept ON emp (name)"));
        db.update("CREATE INDEX IF NOT EXISTS emp_dept ON emp (name)");
        assertEquals("42S22", db.error("CREATE INDEX x ON emp (nope)"));
        assertEquals("42S02", db.error("CREATE INDEX x ON nope (a)"));
        assertEquals("42000", db.error("CREATE INDEX x ON emp"));
        assertEquals("42000", db.error("CREATE INDEX x ON emp (dept"));
        assertEquals("42701", db.error("CREATE INDEX x ON emp (dept, dept)"));
        db.update("INSERT INTO emp VALUES (5, 'ann', 2)");
        assertEquals("23505", db.error("CREATE UNIQUE INDEX emp_name ON emp (name)"));
        assertEquals("42S12", db.error("DROP INDEX nope"));
        db.update("DROP INDEX IF EXISTS nope");
        db.update("DROP INDEX emp_dept");
        assertEquals("42S12", db.error("DROP INDEX emp_dept"));
    }

    /** After random writes, every index lookup returns exactly what a full scan finds. */
    @Test
    void indexLookupsAgreeWithFullScansAfterRandomWrites() throws SqlException {
        db.update("CREATE TABLE t (id INTEGER NOT NULL, g INTEGER, h VARCHAR(5), PRIMARY KEY (id))");
        db.update("CREATE INDEX t_g ON t (g)");
        db.update("CREATE INDEX t_gh ON t (h, g)");
        db.update("CREATE TABLE bag (g INTEGER, h VARCHAR(5))");
        db.update("CREATE INDEX bag_g ON bag (g)");
        Random random = new Random(42);
        for (int step = 0; step < 400; step++) {
            int id = random.nextInt(60);
            int g = random.nextInt(6);
            String h = "h" + random.nextInt(3);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    db.update("DELETE FROM t WHERE id = ?", id);
                    db.update("INSERT INTO t VALUES (?, ?, ?)", id, g, h);
                    db.update("INSERT INTO bag VALUES (?, ?)", g, h);
                }
                case 2 -> {
                    db.update("UPDATE t SET g = ? WHERE id = ?", g, id);
                    db.update("UPDATE bag SET h = ? WHERE g = ?", h, g);
                }
                case 3 -> {
                    // Moves keys; may collide with a key moved before, and then changes nothing.
                    try {
                        db.update("UPDATE t SET id = id + 100 WHERE g = ? AND id < 100", g);
                    } catch (SqlException e) {
                        assertEquals("23505", e.sqlState());
                    }
                }
                default -> {
                    db.update("DELETE FROM t WHERE g = ?", g);
                    db.update("DELETE FROM bag WHERE g = ? AND h = ?", g, h);
                }
            }
        }
        assertTrue(db.explain("SELECT id FROM t WHERE g = 1").contains("index T_G lookup"));
        assertTrue(db.explain("SELECT g FROM bag WHERE g = 1").contains("index BAG_G lookup"));
        for (int g = 0; g < 6; g++) {
            assertEquals(sorted(db.rows("SELECT id FROM t WHERE g + 0 = ?", g)), sorted(db.rows("SELECT id FROM t WHERE g = ?", g)));
            assertEquals(sorted(db.rows("SELECT h FROM bag WHERE g + 0 = ?", g)), sorted(db.rows("SELECT h FROM bag WHERE g = ?", g)));
            for (int h = 0; h < 3; h++) {
                assertEquals(sorted(db.rows("SELECT id FROM t WHERE g + 0 = ? AND h || '' = ?", g, "h" + h)),
                        sorted(db.rows("SELECT id FROM t WHERE g = ? AND h = ?", g, "h" + h)));
            }
        }
        // Dropping the table drops its index entries too: a new table starts empty.
        db.update("DROP TABLE t");
        db.update("CREATE TABLE t (id INTEGER NOT NULL, g INTEGER, PRIMARY KEY (id))");
        db.update("CREATE INDEX t_g ON t (g)");
        assertEquals(List.of(), db.rows("SELECT id FROM t WHERE g = 1"));
    }

    private static List<String> sorted(List<List<Object>> rows) {
        List<String> out = new ArrayList<>();
        for (List<Object> r : rows) {
            out.add(String.valueOf(r));
        }
        out.sort(null);
        return out;
    }
}
