package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan reads only the columns the operators above it use (on the cluster the others stay at
 * the leaseholders), and the answers are the same: through projections, filters, aggregates,
 * sorts, joins and sub-queries.
 */
class ScanColumnsTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(20), c INT, d DOUBLE)");
        db.update("CREATE TABLE u (x INT PRIMARY KEY, y INT, z VARCHAR(20))");
        db.update("INSERT INTO t VALUES (1, 'one', 10, 1.5), (2, 'two', 20, 2.5), (3, 'three', 30, NULL), (4, NULL, NULL, 4.5)");
        db.update("INSERT INTO u VALUES (1, 10, 'p'), (2, 30, 'q'), (3, 40, 'r')");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void scansReadOnlyTheColumnsAbove() throws SqlException {
        assertTrue(db.explain("SELECT b FROM t WHERE c > 15").contains("columns=[{1, 2}]"), db.explain("SELECT b FROM t WHERE c > 15"));
        assertTrue(db.explain("SELECT COUNT(*) FROM t").contains("columns=[{}]"), db.explain("SELECT COUNT(*) FROM t"));
        assertTrue(db.explain("SELECT SUM(d) FROM t GROUP BY c").contains("columns=[{2, 3}]"));
        assertFalse(db.explain("SELECT * FROM t").contains("columns="), "every column read: nothing to say");
        String join = db.explain("SELECT t.b, u.z FROM t JOIN u ON t.c = u.y");
        assertEquals(2, join.split("columns=\\[\\{1, 2}]", -1).length - 1, "t's b and c, u's y and z: " + join);
    }

    /**
     * A one-column table's rows travel as bare values, which the compiled aggregate unboxed even
     * for COUNT(*): with the column left unread (NULL) the query failed from its first compiled
     * run on (its third), with a NullPointerException.
     */
    @Test
    void countingAOneColumnTableWorksInEveryTier() throws SqlException {
        db.update("CREATE TABLE single (id INT PRIMARY KEY)");
        db.update("INSERT INTO single VALUES (1), (2), (3)");
        for (int run = 0; run < 6; run++) {
            assertEquals(List.of(List.of(3L)), db.rows("SELECT COUNT(*) FROM single"), "run " + (run + 1));
            assertEquals(List.of(List.of(2L)), db.rows("SELECT COUNT(*) FROM single WHERE id > 1"), "run " + (run + 1));
        }
    }

    @Test
    void answersAreThoseOfTheWholeRows() throws SqlException {
        assertEquals(List.of(List.of("two"), List.of("three")), db.rows("SELECT b FROM t WHERE c > 15 ORDER BY c"));
        assertEquals(List.of(List.of(4L)), db.rows("SELECT COUNT(*) FROM t"));
        assertEquals(List.of(List.of("one", "p"), List.of("three", "q")),
                db.rows("SELECT t.b, u.z FROM t JOIN u ON t.c = u.y ORDER BY t.a"));
        assertEquals(List.of(List.of(1), List.of(3)),
                db.rows("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.y = t.c) ORDER BY a"));
        assertEquals(List.of(List.of(2), List.of(4)),
                db.rows("SELECT a FROM t WHERE c NOT IN (SELECT y FROM u WHERE y IS NOT NULL) OR c IS NULL ORDER BY a"));
        assertEquals(List.of(List.of("three", 30)), db.rows("SELECT b, c FROM t ORDER BY d DESC NULLS FIRST LIMIT 1"));
        assertEquals(List.of(List.of(1, "p"), List.of(3, "q")),
                db.rows("SELECT t.a, (SELECT z FROM u WHERE u.y = t.c) FROM t WHERE t.c IN (10, 30) ORDER BY t.a"));
        assertEquals(List.of(List.of(2)), db.rows("SELECT a FROM t WHERE a = 2"));
        db.update("CREATE TABLE k (v INT, w VARCHAR(10))");
        db.update("INSERT INTO k VALUES (1, 'a'), (1, 'b'), (2, 'c')");
        assertEquals(List.of(List.of(1, 2L), List.of(2, 1L)), db.rows("SELECT v, COUNT(*) FROM k GROUP BY v ORDER BY v"));
        assertEquals(1, db.update("DELETE FROM k WHERE w = 'c'"), "a table without a key still finds its rows");
        assertEquals(1, db.update("UPDATE k SET w = 'z' WHERE w = 'a'"));
        assertEquals(List.of(List.of(1, "b"), List.of(1, "z")), db.rows("SELECT v, w FROM k ORDER BY w"));
    }
}
