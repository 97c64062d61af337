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

/**
 * Integer arithmetic never wraps: an INTEGER or BIGINT result out of its type's range is SQL error
 * 22003 (as in PostgreSQL), never the wrapped Java value, in both tiers (interpreted and
 * compiled), on every planning path, in UPDATE and INSERT too; and SUM and AVG of an INTEGER
 * add in BIGINT, so that they answer from the exact sum. Each query runs more times than the
 * interpreted tier lasts.
 */
class IntegerOverflowTest {

    /** More runs than {@code TieredPlan}'s interpreted tier, so the compiled code answers too. */
    private static final int RUNS = 4;

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE n (id INTEGER PRIMARY KEY, i INTEGER, b BIGINT)");
        db.update("INSERT INTO n VALUES (1, 2147483647, 9223372036854775807), (2, 1, 1), (3, -2147483648, -9223372036854775808)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void outOfRange(String sql, Object... params) {
        for (int run = 0; run < RUNS; run++) {
            SqlException e = assertThrows(SqlException.class, () -> db.rows(sql, params), sql + " (run " + (run + 1) + ")");
            assertEquals("22003", e.sqlState(), sql + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        }
    }

    private void same(List<List<Object>> expected, String sql, Object... params) throws SqlException {
        for (int run = 0; run < RUNS; run++) {
            assertEquals(expected, db.rows(sql, params), sql + " (run " + (run + 1) + ")");
        }
    }

    @Test
    void integerArithmeticPastTheRangeIsAnError() throws SqlException {
        outOfRange("SELECT i + 1 FROM n WHERE id = 1");
        outOfRange("SELECT i + ? FROM n WHERE id = 1", 1);
        outOfRange("SELECT i - 1 FROM n WHERE id = 3");
        outOfRange("SELECT i * 2 FROM n");
        outOfRange("SELECT -i FROM n WHERE id = 3");
        outOfRange("SELECT i / -1 FROM n WHERE id = 3");
        outOfRange("SELECT 2147483647 + 1 FROM n WHERE id = 2");
        outOfRange("SELECT b + 1 FROM n WHERE id = 1");
        outOfRange("SELECT b * b FROM n WHERE id = 1");
        outOfRange("SELECT -b FROM n WHERE id = 3");
        outOfRange("SELECT COUNT(*) FROM n WHERE i + 1 > 0");
        outOfRange("SELECT ABS(i) FROM n WHERE id = 3");
        outOfRange("SELECT ABS(b) FROM n WHERE id = 3");
        same(List.of(List.of(2147483647, 9223372036854775807L), List.of(1, 1L)), "SELECT ABS(i), ABS(b) FROM n WHERE id < 3 ORDER BY id");
        same(List.of(List.of(2147483647)), "SELECT ABS(i - 0) FROM n WHERE id = 1");
        outOfRange("SELECT a.i + c.i FROM n a JOIN n c ON a.id = c.id WHERE a.id = 1");
        // In range, the same expressions answer as before.
        same(List.of(List.of(-2147483648, -9223372036854775807L)), "SELECT i - 0, b + 1 FROM n WHERE id = 3");
        same(List.of(List.of(2)), "SELECT i * 2 FROM n WHERE id = 2");
        same(List.of(List.of(-2147483647)), "SELECT -i FROM n WHERE id = 1");
    }

    @Test
    void anUpdateThatWouldOverflowFailsAndChangesNothing() throws SqlException {
        SqlException e = assertThrows(SqlException.class, () -> db.update("UPDATE n SET i = i + 1 WHERE id = 1"));
        assertEquals("22003", e.sqlState(), e.getMessage());
        e = assertThrows(SqlException.class, () -> db.update("UPDATE n SET i = i + 1"));
        assertEquals("22003", e.sqlState(), e.getMessage());
        e = assertThrows(SqlException.class, () -> db.update("INSERT INTO n VALUES (4, 2147483647 + 1, 0)"));
        assertEquals("22003", e.sqlState(), e.getMessage());
        same(List.of(List.of(1, 2147483647), List.of(2, 1), List.of(3, -2147483648)), "SELECT id, i FROM n ORDER BY id");
        assertEquals(1, db.update("UPDATE n SET i = i + 1 WHERE id = 2"));
        same(List.of(List.of(2)), "SELECT i FROM n WHERE id = 2");
    }

    @Test
    void sumWidensAndAnswersTheExactSum() throws SqlException {
        same(List.of(List.of(2147483648L)), "SELECT SUM(i) FROM n WHERE id < 3");
        same(List.of(List.of(-1L, -1L)), "SELECT SUM(i), SUM(b) FROM n WHERE id <> 2");
        same(List.of(List.of(1, 2147483647L), List.of(2, 2147483648L), List.of(3, 0L)),
                "SELECT id, SUM(i) OVER (ORDER BY id) FROM n ORDER BY id");
        same(List.of(List.of(true, 2147483648L), List.of(false, -2147483648L)),
                "SELECT id < 3, SUM(i) FROM n GROUP BY id < 3 ORDER BY 2 DESC");
        // A BIGINT sum is exact: out of BIGINT's range it fails, whatever the order of the rows (in range, it answers).
        outOfRange("SELECT SUM(b) FROM n WHERE id < 3");
        outOfRange("SELECT id < 3, SUM(b) FROM n GROUP BY id < 3");
        same(List.of(List.of(0L)), "SELECT SUM(b) FROM n"); // leaves the range midway (MAX + 1) and comes back
        same(List.of(List.of(9223372036854775807L)), "SELECT SUM(b) FROM (VALUES (9223372036854775807), (1), (-1)) AS v (b)");
        // AVG of an INTEGER is the truncated quotient (Calcite), as a BIGINT, of the exact sum.
        same(List.of(List.of(1073741824L)), "SELECT AVG(i) FROM n WHERE id < 3");
        same(List.of(List.of(-1073741823L)), "SELECT AVG(i) FROM n WHERE id <> 1");
        same(List.of(List.of(3L)), "SELECT COUNT(*) FROM n HAVING SUM(i) = 0");
    }
}
