package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integer arithmetic never wraps: an INTEGER or BIGINT result out of its type's range is SQL error
 * 22003 (as in PostgreSQL), never the wrapped Java value, in both tiers (interpreted and
 * compiled), on every planning path, in UPDATE and INSERT too; SUM and AVG of an INTEGER add in
 * BIGINT, so that they answer from the exact sum; a SUM of a BIGINT, grouped or in a window, is
 * exact or an error; a window's ROWS offset past the int range cannot wrap its frame; and a
 * RANGE frame with an offset is PostgreSQL's frame at the ends of the key's type, with DESC, and
 * for TIMESTAMP and DATE keys, and with NULL keys (PostgreSQL 15's frames). Each query runs more
 * times than the interpreted tier lasts.
 */
class IntegerOverflowTest {

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
        for (int run = 0; run < SqlFixture.RUNS_IN_BOTH_TIERS; run++) {
            SqlException e = assertThrows(SqlException.class, () -> db.rows(sql, params), sql + " (run " + (run + 1) + ")");
            assertEquals("22003", e.sqlState(), sql + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        }
    }

    private void same(List<List<Object>> expected, String sql, Object... params) throws SqlException {
        db.assertRowsInBothTiers(expected, sql, params);
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

    @Test
    void windowSumOfBigintIsTheExactSumOfEachFrameOrAnError() throws SqlException {
        // In id order b is MAX, 1, MIN: the frames ending at id 2 sum to MAX + 1.
        outOfRange("SELECT id, SUM(b) OVER (PARTITION BY id < 3) FROM n");
        outOfRange("SELECT id, SUM(b) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM n");
        outOfRange("SELECT id, SUM(b) OVER (ORDER BY id) FROM n");
        outOfRange("SELECT id, SUM(b) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM n");
        outOfRange("SELECT id, AVG(b) OVER (ORDER BY id) FROM n"); // AVG divides the same sum
        // Every frame in range: the exact sums, though adding the rows in order leaves the range midway.
        same(List.of(List.of(1, 0L), List.of(2, 0L), List.of(3, 0L)), "SELECT id, SUM(b) OVER () FROM n ORDER BY id");
        same(List.of(List.of(1, 0L), List.of(2, -9223372036854775807L), List.of(3, -9223372036854775808L)),
                "SELECT id, SUM(b) OVER (ORDER BY id DESC) FROM n ORDER BY id");
        same(List.of(List.of(1, 0L), List.of(2, 0L), List.of(3, 0L)), "SELECT id, AVG(b) OVER () FROM n ORDER BY id");
        same(List.of(List.of(1, 1L), List.of(2, -9223372036854775808L), Arrays.asList(3, null)), // an empty frame's SUM is NULL
                "SELECT id, SUM(b) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) FROM n ORDER BY id");
    }

    @Test
    void aRunningWindowSumFailsOnlyIfSomeFrameTotalIsOutOfRange() throws SqlException {
        db.update("CREATE TABLE w (id INTEGER PRIMARY KEY, p INTEGER, b BIGINT)");
        db.update("INSERT INTO w VALUES (1, 1, 9223372036854775807), (2, 1, -5), (3, 1, 6), (4, 1, -6),"
                + " (5, 2, -9223372036854775808), (6, 2, 5), (7, 2, -6), (8, 2, 6)");
        // Running totals by id: MAX, MAX - 5, MAX + 1, MAX - 5 and MIN, MIN + 5, MIN - 1, MIN + 5. The third row of
        // each partition has a total out of range, so the query fails, though the rows after it come back in range.
        outOfRange("SELECT id, SUM(b) OVER (PARTITION BY p ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM w");
        outOfRange("SELECT id, SUM(b) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM w WHERE p = 2");
        outOfRange("SELECT id, AVG(b) OVER (PARTITION BY p ORDER BY id) FROM w");
        // Without those rows, or the other way round, every running total is in range: the exact sums.
        same(List.of(List.of(1, 9223372036854775807L), List.of(2, 9223372036854775802L), List.of(4, 9223372036854775796L),
                        List.of(5, -9223372036854775808L), List.of(6, -9223372036854775803L), List.of(8, -9223372036854775797L)),
                "SELECT id, SUM(b) OVER (PARTITION BY p ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM w"
                        + " WHERE id NOT IN (3, 7) ORDER BY id");
        same(List.of(List.of(1, 9223372036854775802L), List.of(2, -5L), List.of(3, 0L), List.of(4, -6L),
                        List.of(5, -9223372036854775803L), List.of(6, 5L), List.of(7, 0L), List.of(8, 6L)),
                "SELECT id, SUM(b) OVER (PARTITION BY p ORDER BY id DESC) FROM w ORDER BY id");
        // A sliding frame's sum, and a whole partition's, is in range at every row.
        same(List.of(List.of(1, 9223372036854775807L), List.of(2, 9223372036854775802L), List.of(3, 1L), List.of(4, 0L),
                        List.of(5, -9223372036854775808L), List.of(6, -9223372036854775803L), List.of(7, -1L), List.of(8, 0L)),
                "SELECT id, SUM(b) OVER (PARTITION BY p ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM w ORDER BY id");
        same(List.of(List.of(1, 9223372036854775802L, 2305843009213693950L), List.of(4, 9223372036854775802L, 2305843009213693950L),
                        List.of(5, -9223372036854775803L, -2305843009213693950L), List.of(8, -9223372036854775803L, -2305843009213693950L)),
                "SELECT id, s, a FROM (SELECT id, SUM(b) OVER (PARTITION BY p) AS s, AVG(b) OVER (PARTITION BY p) AS a FROM w)"
                        + " WHERE id IN (1, 4, 5, 8) ORDER BY id");
    }

    @Test
    void aRowsFrameOffsetPastTheIntRangeReachesTheEndOfThePartition() throws SqlException {
        same(List.of(List.of(1, 3L), List.of(2, 2L), List.of(3, 1L)),
                "SELECT id, COUNT(b) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2147483647 FOLLOWING) FROM n ORDER BY id");
        same(List.of(List.of(1, 3L), List.of(2, 3L), List.of(3, 2L)),
                "SELECT id, COUNT(b) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 9223372036854775807 FOLLOWING) FROM n ORDER BY id");
        same(List.of(List.of(1, 1L), List.of(2, 2L), List.of(3, 3L)),
                "SELECT id, COUNT(b) OVER (ORDER BY id ROWS BETWEEN 4294967296 PRECEDING AND CURRENT ROW) FROM n ORDER BY id");
        same(List.of(List.of(1, 0L), List.of(2, 0L), List.of(3, 0L)),
                "SELECT id, COUNT(b) OVER (ORDER BY id ROWS BETWEEN 2147483647 FOLLOWING AND UNBOUNDED FOLLOWING) FROM n ORDER BY id");
    }

    /** The rows of {@code id, COUNT(*) OVER w, SUM(id) OVER w} by id: a count and a sum (null for an empty frame) for each id from 1. */
    private static List<List<Object>> frames(long... countsAndSums) {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < countsAndSums.length; i += 2) {
            rows.add(Arrays.asList(i / 2 + 1, countsAndSums[i], countsAndSums[i] == 0 ? null : countsAndSums[i + 1]));
        }
        return rows;
    }

    private void frame(List<List<Object>> expected, String table, String window) throws SqlException {
        same(expected, "SELECT id, COUNT(*) OVER w, SUM(id) OVER w FROM " + table + " WINDOW w AS (" + window + ") ORDER BY id");
    }

    /**
     * Keys at both ends of INTEGER and BIGINT: ids 1..6 have MAX, MAX - 7, 0, 5, MIN, MIN + 7 (in
     * both columns) and partitions p 1 (ids 1, 2, 5) and 2 (ids 3, 4, 6).
     */
    private void extremes() throws SqlException {
        db.update("CREATE TABLE rk (id INTEGER PRIMARY KEY, p INTEGER, i INTEGER, b BIGINT)");
        db.update("INSERT INTO rk VALUES (1, 1, 2147483647, 9223372036854775807), (2, 1, 2147483640, 9223372036854775800), (3, 2, 0, 0),"
                + " (4, 2, 5, 5), (5, 1, -2147483648, -9223372036854775808), (6, 2, -2147483641, -9223372036854775801)");
    }

    @Test
    void aRangeFrameReachesTheEndsOfTheKeysTypeWithoutWrapping() throws SqlException {
        extremes();
        for (String k : List.of("i", "b")) {
            // Frames [k - 10, k + 10]: MAX + 10 and MIN - 10 wrapped, and the rows at the ends counted 0 rows.
            frame(frames(2, 3, 2, 3, 2, 7, 2, 7, 2, 11, 2, 11), "rk", "ORDER BY " + k + " RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING");
            // [k - 5, k]: MIN's own row.
            frame(frames(1, 1, 1, 2, 1, 3, 2, 7, 1, 5, 1, 6), "rk", "ORDER BY " + k + " RANGE 5 PRECEDING");
            // [k + 1, ...): empty for MAX (MAX + 1 wrapped to MIN, and the frame held every row).
            frame(frames(0, 0, 1, 1, 3, 7, 2, 3, 5, 16, 4, 10), "rk",
                    "ORDER BY " + k + " RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING");
            // (..., k - 8]: empty for MIN and MIN + 7.
            frame(frames(4, 18, 4, 18, 2, 11, 2, 11, 0, 0, 0, 0), "rk",
                    "ORDER BY " + k + " RANGE BETWEEN UNBOUNDED PRECEDING AND 8 PRECEDING");
            // [k + 7, k + 8]: MAX - 7 reaches MAX, MIN reaches MIN + 7.
            frame(frames(0, 0, 1, 1, 0, 0, 0, 0, 1, 6, 0, 0), "rk", "ORDER BY " + k + " RANGE BETWEEN 7 FOLLOWING AND 8 FOLLOWING");
            // Within each partition: p 1 holds MAX, MAX - 7 and MIN; p 2 holds 0, 5 and MIN + 7.
            frame(frames(2, 3, 2, 3, 2, 7, 2, 7, 1, 5, 1, 6), "rk",
                    "PARTITION BY p ORDER BY " + k + " RANGE BETWEEN 7 PRECEDING AND 7 FOLLOWING");
            frame(frames(1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6), "rk",
                    "PARTITION BY p ORDER BY " + k + " RANGE BETWEEN CURRENT ROW AND 4 FOLLOWING");
        }
    }

    @Test
    void aDescendingRangeFrameCountsTheLargerKeysAsPreceding() throws SqlException {
        extremes();
        for (String k : List.of("i", "b")) {
            // DESC: n PRECEDING is k + n, n FOLLOWING k - n. Calcite searched for k - n either way (ordinary keys too).
            frame(frames(1, 1, 1, 2, 2, 7, 1, 4, 1, 5, 1, 6), "rk", "ORDER BY " + k + " DESC RANGE BETWEEN 5 PRECEDING AND CURRENT ROW");
            frame(frames(5, 20, 4, 18, 2, 11, 3, 14, 0, 0, 1, 5), "rk",
                    "ORDER BY " + k + " DESC RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING");
            frame(frames(2, 3, 2, 3, 2, 7, 2, 7, 2, 11, 2, 11), "rk", "ORDER BY " + k + " DESC RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING");
            frame(frames(2, 3, 2, 3, 2, 7, 2, 7, 1, 5, 1, 6), "rk",
                    "PARTITION BY p ORDER BY " + k + " DESC RANGE BETWEEN 7 PRECEDING AND 7 FOLLOWING");
            // [k - 8, k - 7] within the partition: only MAX reaches a row (MAX - 7).
            frame(frames(1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "rk",
                    "PARTITION BY p ORDER BY " + k + " DESC RANGE BETWEEN 7 FOLLOWING AND 8 FOLLOWING");
            // (..., k + 8] in DESC order ending 8 PRECEDING: empty for MAX and MAX - 7.
            frame(frames(0, 0, 0, 0, 2, 3, 2, 3, 4, 10, 4, 10), "rk",
                    "ORDER BY " + k + " DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 8 PRECEDING");
        }
    }

    @Test
    void aRangeOffsetPastTheKeysTypeReachesEveryKey() throws SqlException {
        extremes();
        // An INTEGER key with a BIGINT offset (it failed): 4294967295 reaches from MAX down to MIN.
        frame(frames(6, 21, 5, 20, 3, 14, 4, 18, 1, 5, 2, 11), "rk", "ORDER BY i RANGE BETWEEN 4294967295 PRECEDING AND CURRENT ROW");
        frame(frames(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "rk", "ORDER BY i RANGE BETWEEN 4294967296 FOLLOWING AND UNBOUNDED FOLLOWING");
        frame(frames(6, 21, 6, 21, 6, 21, 6, 21, 6, 21, 6, 21), "rk",
                "ORDER BY i DESC RANGE BETWEEN 9223372036854775807 PRECEDING AND 9223372036854775807 FOLLOWING");
        // BIGINT: MAX - MAX is 0; an offset of 2^64 - 1 reaches every BIGINT.
        frame(frames(4, 10, 3, 9, 2, 9, 3, 13, 1, 5, 2, 11), "rk", "ORDER BY b RANGE BETWEEN 9223372036854775807 PRECEDING AND CURRENT ROW");
        frame(frames(6, 21, 5, 20, 3, 14, 4, 18, 1, 5, 2, 11), "rk", "ORDER BY b RANGE BETWEEN 18446744073709551615 PRECEDING AND CURRENT ROW");
        frame(frames(1, 1, 2, 3, 4, 10, 3, 7, 2, 11, 3, 13), "rk", "ORDER BY b DESC RANGE BETWEEN 9223372036854775807 PRECEDING AND CURRENT ROW");
        // A constant expression is an offset too.
        frame(frames(1, 1, 1, 2, 1, 3, 2, 7, 1, 5, 1, 6), "rk", "ORDER BY b RANGE 2 + 3 PRECEDING");
    }

    @Test
    void aRangeFrameOverOrdinaryKeysAnswersAsBefore() throws SqlException {
        db.update("CREATE TABLE ok (id INTEGER PRIMARY KEY, i INTEGER, b BIGINT)");
        db.update("INSERT INTO ok VALUES (1, 1, 1), (2, 2, 2), (3, 4, 4), (4, 7, 7), (5, 7, 7)");
        for (String k : List.of("i", "b")) {
            frame(frames(2, 3, 2, 3, 2, 5, 2, 9, 2, 9), "ok", "ORDER BY " + k + " RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING");
            frame(frames(1, 1, 2, 3, 2, 5, 2, 9, 2, 9), "ok", "ORDER BY " + k + " RANGE 2 PRECEDING");
            frame(frames(4, 14, 3, 12, 2, 9, 0, 0, 0, 0), "ok", "ORDER BY " + k + " RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING");
            frame(frames(5, 15, 5, 15, 5, 15, 5, 15, 5, 15), "ok", "ORDER BY " + k + " RANGE BETWEEN 6 PRECEDING AND 6 FOLLOWING");
            frame(frames(0, 0, 1, 1, 2, 3, 1, 3, 1, 3), "ok", "ORDER BY " + k + " RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING");
        }
    }

    @Test
    void rangeFramesOfTimestampDateAndDoubleKeys() throws SqlException {
        db.update("CREATE TABLE tk (id INTEGER PRIMARY KEY, t TIMESTAMP, d DATE, f DOUBLE)");
        db.update("INSERT INTO tk VALUES (1, TIMESTAMP '2024-01-01 00:00:00', DATE '2024-03-01', 1.0),"
                + " (2, TIMESTAMP '2024-01-01 00:00:00.999999', DATE '2024-03-02', 1.5),"
                + " (3, TIMESTAMP '2024-01-01 00:00:01', DATE '2024-03-03', 2.0), (4, TIMESTAMP '2024-01-01 00:00:02.5', DATE '2024-03-05', 3.5)");
        // A TIMESTAMP column holds microseconds: the offset is a second, not a millisecond.
        frame(frames(1, 1, 2, 3, 3, 6, 1, 4), "tk", "ORDER BY t RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW");
        frame(frames(3, 6, 2, 5, 1, 3, 1, 4), "tk", "ORDER BY t DESC RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW");
        // A DATE key (it failed): 36 hours reach a whole day away from the row, and start two days after it.
        frame(frames(2, 3, 3, 6, 2, 5, 1, 4), "tk", "ORDER BY d RANGE BETWEEN INTERVAL '36' HOUR PRECEDING AND INTERVAL '36' HOUR FOLLOWING");
        frame(frames(2, 7, 1, 4, 1, 4, 0, 0), "tk", "ORDER BY d RANGE BETWEEN INTERVAL '36' HOUR FOLLOWING AND UNBOUNDED FOLLOWING");
        // DOUBLE: DESC, and a fractional offset (it failed to compile).
        frame(frames(3, 6, 2, 5, 1, 3, 1, 4), "tk", "ORDER BY f DESC RANGE BETWEEN 1 PRECEDING AND CURRENT ROW");
        frame(frames(2, 3, 2, 5, 1, 3, 1, 4), "tk", "ORDER BY f RANGE BETWEEN CURRENT ROW AND 0.5 FOLLOWING");
    }

    @Test
    void aRangeFrameThatCannotBeComputedIsAnError() throws SqlException {
        extremes();
        assertEquals("22013", db.error("SELECT COUNT(*) OVER (ORDER BY b RANGE BETWEEN -1 PRECEDING AND CURRENT ROW) FROM rk"));
        assertEquals("22013", db.error("SELECT COUNT(*) OVER (ORDER BY b RANGE BETWEEN 1 - 2 PRECEDING AND CURRENT ROW) FROM rk"));
        assertEquals("22013", db.error("SELECT COUNT(*) OVER (ORDER BY b ROWS BETWEEN CURRENT ROW AND 1 - 2 FOLLOWING) FROM rk"));
        assertEquals("0A000", db.error("SELECT COUNT(*) OVER (ORDER BY b RANGE BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM rk"));
        assertEquals("0A000", db.error("SELECT COUNT(*) OVER (ORDER BY CAST(b AS DECIMAL(20, 0)) RANGE 1 PRECEDING) FROM rk"));
        db.update("CREATE TABLE tm (id INTEGER PRIMARY KEY, t TIMESTAMP)");
        assertEquals("0A000", db.error("SELECT COUNT(*) OVER (ORDER BY t RANGE INTERVAL '1' MONTH PRECEDING) FROM tm"));
    }

    /**
     * Rows with NULL keys: p 1 holds ids 1..5 with keys 1, 2, NULL, 4, NULL; p 2 ids 6 and 7, both
     * NULL; p 3 ids 8 and 9 with keys 10 and 12. The key is the same in every column (days after
     * 2024-01-01 for d, seconds after midnight for t), and so is each frame.
     */
    private void nullKeys() throws SqlException {
        db.update("CREATE TABLE rn (id INTEGER PRIMARY KEY, p INTEGER, i INTEGER, b BIGINT, f DOUBLE, d DATE, t TIMESTAMP)");
        db.update("INSERT INTO rn VALUES (1, 1, 1, 1, 1, DATE '2024-01-02', TIMESTAMP '2024-01-01 00:00:01'),"
                + " (2, 1, 2, 2, 2, DATE '2024-01-03', TIMESTAMP '2024-01-01 00:00:02'), (3, 1, NULL, NULL, NULL, NULL, NULL),"
                + " (4, 1, 4, 4, 4, DATE '2024-01-05', TIMESTAMP '2024-01-01 00:00:04'), (5, 1, NULL, NULL, NULL, NULL, NULL),"
                + " (6, 2, NULL, NULL, NULL, NULL, NULL), (7, 2, NULL, NULL, NULL, NULL, NULL),"
                + " (8, 3, 10, 10, 10, DATE '2024-01-11', TIMESTAMP '2024-01-01 00:00:10'),"
                + " (9, 3, 12, 12, 12, DATE '2024-01-13', TIMESTAMP '2024-01-01 00:00:12')");
    }

    /**
     * Windows over rn (k the key, %d an offset of n in the key's units) and PostgreSQL 15's answer
     * to {@code SELECT id, COUNT(*) OVER w, SUM(id) OVER w, MIN(id) OVER w, MAX(id) OVER w FROM rn
     * WINDOW w AS (PARTITION BY p ORDER BY ...) ORDER BY id} over the same rows (int, bigint, float8,
     * date and timestamp columns), each row "id count sum min max", "-" for NULL. The first five
     * have no UNBOUNDED bound.
     */
    private static final String[][] NULL_KEY_FRAMES = {
        {"k RANGE BETWEEN %1 PRECEDING AND %1 FOLLOWING",
            "1 2 3 1 2, 2 2 3 1 2, 3 2 8 3 5, 4 1 4 4 4, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 8 8 8, 9 1 9 9 9"},
        {"k DESC RANGE BETWEEN %1 PRECEDING AND %2 FOLLOWING",
            "1 2 3 1 2, 2 2 3 1 2, 3 2 8 3 5, 4 2 6 2 4, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 8 8 8, 9 2 17 8 9"},
        {"k NULLS FIRST RANGE BETWEEN %2 PRECEDING AND CURRENT ROW",
            "1 1 1 1 1, 2 2 3 1 2, 3 2 8 3 5, 4 2 6 2 4, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 8 8 8, 9 2 17 8 9"},
        {"k DESC NULLS LAST RANGE BETWEEN CURRENT ROW AND %1 FOLLOWING",
            "1 1 1 1 1, 2 2 3 1 2, 3 2 8 3 5, 4 1 4 4 4, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 8 8 8, 9 1 9 9 9"},
        {"k RANGE BETWEEN %1 FOLLOWING AND %2 FOLLOWING",
            "1 1 2 2 2, 2 1 4 4 4, 3 2 8 3 5, 4 0 - - -, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 9 9 9, 9 0 - - -"},
        {"k RANGE BETWEEN UNBOUNDED PRECEDING AND %1 PRECEDING",
            "1 0 - - -, 2 1 1 1 1, 3 5 15 1 5, 4 2 3 1 2, 5 5 15 1 5, 6 2 13 6 7, 7 2 13 6 7, 8 0 - - -, 9 1 8 8 8"},
        // The last key, 4, starts its frame past every key: at the NULL rows, which UNBOUNDED FOLLOWING reaches.
        {"k RANGE BETWEEN %1 FOLLOWING AND UNBOUNDED FOLLOWING",
            "1 4 14 2 5, 2 3 12 3 5, 3 2 8 3 5, 4 2 8 3 5, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 9 9 9, 9 0 - - -"},
        {"k NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND %1 FOLLOWING",
            "1 4 11 1 5, 2 4 11 1 5, 3 2 8 3 5, 4 5 15 1 5, 5 2 8 3 5, 6 2 13 6 7, 7 2 13 6 7, 8 1 8 8 8, 9 2 17 8 9"},
        {"k DESC RANGE BETWEEN %5 FOLLOWING AND UNBOUNDED FOLLOWING",
            "1 0 - - -, 2 0 - - -, 3 5 15 1 5, 4 0 - - -, 5 5 15 1 5, 6 2 13 6 7, 7 2 13 6 7, 8 0 - - -, 9 0 - - -"},
    };

    /** The offsets of each key column: n as a literal or an interval. */
    private static String window(String template, String key) {
        String window = template.replace("k ", key + " ");
        for (int n : new int[] {1, 2, 5}) {
            String offset = switch (key) {
                case "d" -> "INTERVAL '" + n + "' DAY";
                case "t" -> "INTERVAL '" + n + "' SECOND";
                default -> String.valueOf(n);
            };
            window = window.replace("%" + n, offset);
        }
        return "PARTITION BY p ORDER BY " + window;
    }

    private static List<List<Object>> rows(String expected) {
        List<List<Object>> rows = new ArrayList<>();
        for (String row : expected.split(", ")) {
            String[] v = row.split(" ");
            rows.add(Arrays.asList(Integer.valueOf(v[0]), Long.valueOf(v[1]), v[2].equals("-") ? null : Long.valueOf(v[2]),
                    v[3].equals("-") ? null : Integer.valueOf(v[3]), v[4].equals("-") ? null : Integer.valueOf(v[4])));
        }
        return rows;
    }

    private static String nullKeyQuery(String window) {
        return "SELECT id, COUNT(*) OVER w, SUM(id) OVER w, MIN(id) OVER w, MAX(id) OVER w FROM rn WINDOW w AS (" + window + ") ORDER BY id";
    }

    @Test
    void aRangeFrameOverNullKeysIsPostgreSQLsFrame() throws SqlException {
        nullKeys();
        // An INTEGER or DATE key: every frame (they failed with an internal error).
        for (String key : List.of("i", "d")) {
            for (String[] frame : NULL_KEY_FRAMES) {
                same(rows(frame[1]), nullKeyQuery(window(frame[0], key)));
            }
        }
        // A BIGINT, DOUBLE or TIMESTAMP key: the frames without an UNBOUNDED bound.
        for (String key : List.of("b", "f", "t")) {
            for (String[] frame : Arrays.copyOf(NULL_KEY_FRAMES, 5)) {
                same(rows(frame[1]), nullKeyQuery(window(frame[0], key)));
            }
        }
    }

    @Test
    void anUnboundedRangeFrameOverANullBigintDoubleOrTimestampKeyIsRefused() throws SqlException {
        nullKeys();
        for (String key : List.of("b", "f", "t")) {
            for (String[] frame : Arrays.copyOfRange(NULL_KEY_FRAMES, 5, NULL_KEY_FRAMES.length)) {
                String sql = nullKeyQuery(window(frame[0], key));
                assertEquals("0A000", db.error(sql), sql);
                // Without a NULL key it answers (PostgreSQL 15's rows of p 3).
                same(rows(frame[1]).subList(7, 9), sql.replace("FROM rn", "FROM rn WHERE p = 3"));
            }
        }
    }
}
