package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cast to an integer type or to a DECIMAL of fewer decimal places rounds, as PostgreSQL 15's
 * does, where Calcite truncated: a DECIMAL rounds half away from zero ({@code CAST(2.5 AS
 * INTEGER)} is 3, {@code CAST(-2.5 AS INTEGER)} -3, {@code CAST(1.025 AS DECIMAL(10,2))} 1.03),
 * a DOUBLE half to even ({@code rint}: {@code CAST(2.5e0 AS INTEGER)} is 2, of 3.5 4), and so does
 * a DOUBLE stored into an INTEGER or BIGINT column. The expected values were answered by
 * PostgreSQL 15.18 (the float8 and numeric casts of the same values). Each query runs more times
 * than the interpreted tier lasts, so both tiers answer.
 */
class CastRoundingTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE n (id INTEGER PRIMARY KEY, d DECIMAL(10,2), x DOUBLE)");
        db.update("INSERT INTO n VALUES (1, 2.50, 2.5), (2, -2.50, -2.5), (3, 3.50, 3.5), (4, 1.49, 0.5), (5, -0.50, -1.5)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void same(List<List<Object>> expected, String sql, Object... params) throws SqlException {
        db.assertRowsInBothTiers(expected, sql, params);
    }

    @Test
    void decimalLiteralsRoundHalfAwayFromZero() throws SqlException {
        same(List.of(List.of(3, -3, 4L)), "SELECT CAST(2.50 AS INTEGER), CAST(-2.5 AS INTEGER), CAST(3.5 AS BIGINT)");
        same(List.of(List.of(new BigDecimal("1.03"), new BigDecimal("-1.03"))),
                "SELECT CAST(1.025 AS DECIMAL(10,2)), CAST(-1.025 AS DECIMAL(10,2))");
    }

    @Test
    void decimalColumnsRoundHalfAwayFromZero() throws SqlException {
        same(List.of(List.of(1, 3), List.of(2, -3), List.of(3, 4), List.of(4, 1), List.of(5, -1)),
                "SELECT id, CAST(d AS INTEGER) FROM n ORDER BY id");
        same(List.of(List.of(1, new BigDecimal("2.5")), List.of(2, new BigDecimal("-2.5")), List.of(4, new BigDecimal("1.5")),
                        List.of(5, new BigDecimal("-0.5"))),
                "SELECT id, CAST(d AS DECIMAL(5,1)) FROM n WHERE id <> 3 ORDER BY id");
        same(List.of(List.of(new BigDecimal("0.88"))), "SELECT CAST(d / 4 AS DECIMAL(10,2)) FROM n WHERE id = 3");
    }

    @Test
    void doublesRoundHalfToEven() throws SqlException {
        same(List.of(List.of(1, 2), List.of(2, -2), List.of(3, 4), List.of(4, 0), List.of(5, -2)),
                "SELECT id, CAST(x AS INTEGER) FROM n ORDER BY id");
        same(List.of(List.of(1, 2L), List.of(3, 4L)), "SELECT id, CAST(x AS BIGINT) FROM n WHERE id IN (1, 3) ORDER BY id");
        same(List.of(List.of(4, 2)), "SELECT CAST(CAST(3.5 AS DOUBLE) AS INTEGER), CAST(CAST(2.5 AS DOUBLE) AS INTEGER)");
    }

    @Test
    void doublesStoredIntoIntegerColumnsRoundHalfToEven() throws SqlException {
        db.update("CREATE TABLE i (id INTEGER PRIMARY KEY, v INTEGER, w BIGINT)");
        db.update("INSERT INTO i VALUES (1, CAST(2.5 AS DOUBLE), CAST(-2.5 AS DOUBLE)), (2, CAST(3.5 AS DOUBLE), CAST(0.5 AS DOUBLE))");
        assertEquals(List.of(List.of(1, 2, -2L), List.of(2, 4, 0L)), db.rows("SELECT id, v, w FROM i ORDER BY id"));
        db.update("UPDATE i SET v = CAST(6.5 AS DOUBLE), w = CAST(-0.5 AS DOUBLE) WHERE id = 1");
        assertEquals(List.of(List.of(6, 0L)), db.rows("SELECT v, w FROM i WHERE id = 1"));
        // A DECIMAL stored so rounds half away from zero, as before.
        db.update("INSERT INTO i VALUES (4, 2.5, -2.5)");
        assertEquals(List.of(List.of(3, -3L)), db.rows("SELECT v, w FROM i WHERE id = 4"));
    }
}
