package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DOUBLE arithmetic fails where PostgreSQL's float8 fails, instead of answering an infinity or a
 * zero: an overflow or underflow of finite operands is 22003, a division by zero 22012; infinite
 * and NaN operands compute as they do in Java, without error. Every expected answer below is
 * PostgreSQL 15's answer to the same statement over the same rows (float8 columns). Each query
 * runs more times than the interpreted tier lasts, so both tiers answer.
 */
class DoubleArithmeticTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE d (id INTEGER PRIMARY KEY, f DOUBLE, g DOUBLE)");
        db.update("INSERT INTO d VALUES (1, 1e308, 1e-300), (2, CAST('Infinity' AS DOUBLE), CAST('NaN' AS DOUBLE)), (3, -1e308, 0.0),"
                + " (4, 2.0, NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void fails(String sqlState, String sql) {
        for (int run = 0; run < SqlFixture.RUNS_IN_BOTH_TIERS; run++) {
            SqlException e = assertThrows(SqlException.class, () -> db.rows(sql), sql + " (run " + (run + 1) + ")");
            assertEquals(sqlState, e.sqlState(), sql + ": " + e.getMessage());
        }
    }

    private void same(List<List<Object>> expected, String sql) throws SqlException {
        db.assertRowsInBothTiers(expected, sql);
    }

    @Test
    void anInfiniteResultOfFiniteOperandsIsAnOverflow() throws SqlException {
        for (String sql : List.of("SELECT f * f FROM d WHERE id = 1", "SELECT f + f FROM d WHERE id = 1",
                "SELECT f - f * 2 FROM d WHERE id = 3", "SELECT f * 10 FROM d WHERE id = 1", "SELECT f / g FROM d WHERE id = 1",
                "SELECT 1e308 * 10 FROM d WHERE id = 1", "SELECT COUNT(*) FROM d WHERE f * 10 > 0")) {
            fails("22003", sql);
            assertTrue(assertThrows(SqlException.class, () -> db.rows(sql)).getMessage().contains("overflow"), sql);
        }
        // In range, as before: 1e308 * 1.5 is finite, and so is a DECIMAL operand's product.
        same(List.of(List.of(1.5e308, 3.0)), "SELECT f * 1.5, g * 0 + CAST(1.5 AS DECIMAL(3, 1)) * 2 FROM d WHERE id = 1");
    }

    @Test
    void aZeroProductOrQuotientOfNonZeroOperandsIsAnUnderflow() throws SqlException {
        fails("22003", "SELECT g * g FROM d WHERE id = 1");
        fails("22003", "SELECT g / 1e300 FROM d WHERE id = 1");
        // A subnormal result is not an underflow; nor is a difference that is zero.
        same(List.of(List.of(1e-308, 1.1e-308, 0.0)), "SELECT g * 1e-8, 2.2e-308 * 0.5, g - g FROM d WHERE id = 1");
    }

    @Test
    void aDivisionByZeroIsAnErrorUnlessTheDividendIsNaN() throws SqlException {
        fails("22012", "SELECT f / 0 FROM d WHERE id = 1");
        fails("22012", "SELECT g / g FROM d WHERE id = 3");
        fails("22012", "SELECT f / 0 FROM d WHERE id = 2"); // Infinity / 0
        same(List.of(List.of(Double.NaN)), "SELECT g / 0 FROM d WHERE id = 2");
    }

    @Test
    void infiniteAndNaNOperandsComputeWithoutError() throws SqlException {
        same(List.of(Arrays.asList(Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, 0.0, Double.NEGATIVE_INFINITY, Double.NaN, Double.NaN)),
                "SELECT f * 2, f - f, f * 0, 1 / f, -f, g + 1, g * 0 FROM d WHERE id = 2");
        same(List.of(Arrays.asList((Object) null)), "SELECT f * g FROM d WHERE id = 4");
    }

    @Test
    void aSumThatOverflowsIsAnErrorAndOneOfAnInfinityIsInfinite() throws SqlException {
        String twice = "(SELECT f FROM d WHERE id = 1 UNION ALL SELECT f FROM d WHERE id = 1) AS x";
        fails("22003", "SELECT SUM(f) FROM " + twice);
        fails("22003", "SELECT AVG(f) FROM " + twice);
        fails("22003", "SELECT f > 0, SUM(f) FROM " + twice + " GROUP BY f > 0");
        same(List.of(List.of(0.0)), "SELECT SUM(f) FROM d WHERE id IN (1, 3)");
        same(List.of(List.of(Double.POSITIVE_INFINITY)), "SELECT SUM(f) FROM d WHERE id IN (1, 2)");
        same(List.of(List.of(Double.POSITIVE_INFINITY)), "SELECT SUM(f) FROM d WHERE id IN (2, 3)");
        same(List.of(Arrays.asList(null, 0L)), "SELECT SUM(f), COUNT(*) FROM d WHERE id > 100");
        // A window sum fails iff some row's frame overflows.
        same(List.of(List.of(1, 1e308), List.of(3, 0.0), List.of(4, -1e308)),
                "SELECT id, SUM(f) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM d WHERE id IN (1, 3, 4) ORDER BY id");
        fails("22003", "SELECT id, SUM(f) OVER (PARTITION BY id = 4 ORDER BY id) FROM"
                + " (SELECT id, f FROM d WHERE id IN (1, 4) UNION ALL SELECT 5, f FROM d WHERE id = 1) AS x");
    }

    @Test
    void anUpdateThatWouldOverflowFailsAndChangesNothing() throws SqlException {
        SqlException e = assertThrows(SqlException.class, () -> db.update("UPDATE d SET f = f * 10"));
        assertEquals("22003", e.sqlState(), e.getMessage());
        same(List.of(List.of(1e308)), "SELECT f FROM d WHERE id = 1");
    }
}
