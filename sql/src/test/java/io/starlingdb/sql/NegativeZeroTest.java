package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL says {@code -0.0 = 0.0}: every place a DOUBLE becomes a key (a comparison, a semi-join, a
 * join, a group, a distinct value, a set operation, a unique index, a primary key) treats them as
 * one value. Each query runs more times than the interpreted tier lasts, so both tiers answer.
 */
class NegativeZeroTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE d (id INTEGER PRIMARY KEY, x DOUBLE)");
        db.update("INSERT INTO d VALUES (1, 0.0), (3, 1.5)");
        db.update("INSERT INTO d VALUES (2, ?)", -0.0);
        db.update("INSERT INTO d VALUES (4, CAST('-0.0' AS DOUBLE))");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void same(List<List<Object>> expected, String sql, Object... params) throws SqlException {
        db.assertRowsInBothTiers(expected, sql, params);
    }

    @Test
    void equalityComparisonsMatchBothZeros() throws SqlException {
        same(List.of(List.of(1), List.of(2), List.of(4)), "SELECT id FROM d WHERE x = 0.0 ORDER BY id");
        same(List.of(List.of(1), List.of(2), List.of(4)), "SELECT id FROM d WHERE x = ? ORDER BY id", -0.0);
        same(List.of(List.of(1), List.of(2), List.of(4)), "SELECT id FROM d WHERE -x = 0 ORDER BY id");
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM d WHERE x IN (?, ?)", -0.0, 7.0);
    }

    @Test
    void inSubQueriesMatchBothZeros() throws SqlException {
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM d a WHERE -a.x IN (SELECT b.x FROM d b)");
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM d a WHERE a.x IN (SELECT -b.x FROM d b WHERE b.id = 1)");
        same(List.of(List.of(1L)), "SELECT COUNT(*) FROM d a WHERE -a.x NOT IN (SELECT b.x FROM d b)");
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM d a WHERE EXISTS (SELECT 1 FROM d b WHERE b.x = -a.x)");
    }

    @Test
    void joinsMatchBothZeros() throws SqlException {
        same(List.of(List.of(10L)), "SELECT COUNT(*) FROM d a JOIN d b ON a.x = b.x");
        same(List.of(List.of(9L)), "SELECT COUNT(*) FROM d a JOIN d b ON a.x = -b.x");
        same(List.of(List.of(9L)), "SELECT COUNT(*) FROM d a, d b WHERE -a.x = b.x AND b.x = a.x");
        same(List.of(List.of(4L)), "SELECT COUNT(*) FROM d a LEFT JOIN (SELECT DISTINCT -x AS y FROM d) b ON a.x = b.y");
    }

    @Test
    void groupsHoldBothZerosTogether() throws SqlException {
        same(List.of(List.of(0.0, 3L), List.of(1.5, 1L)), "SELECT x, COUNT(*) FROM d GROUP BY x ORDER BY x");
        same(List.of(List.of(-1.5, 1L), List.of(0.0, 3L)), "SELECT -x, COUNT(*) FROM d GROUP BY -x ORDER BY 1");
        same(List.of(List.of(2L)), "SELECT COUNT(*) FROM (SELECT x FROM d GROUP BY x) g");
        same(List.of(List.of(3L)), "SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM d GROUP BY x * -1) g");
    }

    @Test
    void distinctValuesCountBothZerosOnce() throws SqlException {
        same(List.of(List.of(0.0), List.of(1.5)), "SELECT DISTINCT x FROM d ORDER BY x");
        same(List.of(List.of(-1.5), List.of(0.0)), "SELECT DISTINCT -x FROM d ORDER BY 1");
        same(List.of(List.of(2L)), "SELECT COUNT(DISTINCT x) FROM d");
        same(List.of(List.of(2L, 4L)), "SELECT COUNT(DISTINCT -x), COUNT(*) FROM d");
    }

    @Test
    void setOperationsTreatBothZerosAsOneValue() throws SqlException {
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM (SELECT x FROM d UNION SELECT -x FROM d) u");
        same(List.of(List.of(0.0)), "SELECT x FROM d INTERSECT SELECT -x * 1 FROM d");
        same(List.of(List.of(1L)), "SELECT COUNT(*) FROM (SELECT x FROM d EXCEPT SELECT -x FROM d WHERE id <> 3) u");
    }

    @Test
    void storedValuesReadBackAsPositiveZero() throws SqlException {
        same(List.of(List.of(0.0), List.of(0.0), List.of(1.5), List.of(0.0)), "SELECT x FROM d ORDER BY id");
    }

    @Test
    void uniqueIndexesAndPrimaryKeysTreatBothZerosAsOneValue() throws SqlException {
        db.update("CREATE TABLE u (id INTEGER PRIMARY KEY, x DOUBLE)");
        db.update("CREATE UNIQUE INDEX u_x ON u (x)");
        db.update("INSERT INTO u VALUES (1, 0.0)");
        assertEquals("23505", db.error("INSERT INTO u VALUES (2, ?)", -0.0));
        assertEquals("23505", db.error("INSERT INTO u VALUES (2, -1 * 0.0)"));
        assertEquals("23505", db.error("INSERT INTO u SELECT 2, -x FROM u"));
        assertEquals("23505", db.error("INSERT INTO u VALUES (5, ?), (6, ?)", -0.0, 0.0));
        db.update("DELETE FROM u");
        assertEquals("23505", db.error("INSERT INTO u VALUES (5, ?), (6, ?)", -0.0, 0.0));
        assertEquals(List.of(List.of(0L)), db.rows("SELECT COUNT(*) FROM u"));

        db.update("CREATE TABLE k (x DOUBLE PRIMARY KEY, n INTEGER)");
        db.update("INSERT INTO k VALUES (?, 1)", -0.0);
        assertEquals("23505", db.error("INSERT INTO k VALUES (0.0, 2)"));
        same(List.of(List.of(1)), "SELECT n FROM k WHERE x = 0.0");
        same(List.of(List.of(1)), "SELECT n FROM k WHERE x = ?", -0.0);
    }
}
