package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries that Calcite's stock planning answered wrongly or refused (issue 13, and the
 * reductions the differential SQL test printed), each with the answer any SQL database gives.
 */
class PlannerCorrectnessTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE m (id INT PRIMARY KEY, a INT, b INT, c INT)");
        db.update("INSERT INTO m VALUES (1,10,20,30),(2,11,21,31),(3,12,22,32),(4,NULL,5,7)");
        db.update("CREATE TABLE nothing (id INT PRIMARY KEY, a INT)");
        db.update("CREATE TABLE dup (c0 INT, c1 BIGINT)");
        db.update("INSERT INTO dup VALUES (2, 4), (5, 5), (NULL, 4), (NULL, 11), (-2, 4), (NULL, 7), (-2, NULL), (NULL, NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static List<List<Object>> column(Object... values) {
        List<List<Object>> out = new ArrayList<>();
        for (Object v : values) {
            out.add(Arrays.asList(v));
        }
        return out;
    }

    @Test
    void coalesceOfANullableColumnKeepsItsNullGuardOnTheCostBasedPath() throws SqlException {
        db.update("CREATE TABLE f (c0 INT PRIMARY KEY, c2 DOUBLE)");
        db.update("INSERT INTO f VALUES (1, 1.5), (5, NULL), (6, NULL)");
        // x NOT BETWEEN 4.0 AND 1.5 holds for every non-NULL x; the sub-query (and the join) send
        // these to the cost-based path, whose simplifier lifted COALESCE's NOT NULL cast out of
        // its guard: the NULL rows matched as 0.0.
        assertEquals(column(1), db.rows("SELECT c0 FROM f WHERE CASE WHEN TRUE THEN COALESCE(c2, c2)"
                + " ELSE (SELECT SUM(CAST(1.5 AS DOUBLE)) FROM nothing) END NOT BETWEEN CAST(4.0 AS DOUBLE) AND 1.50"));
        assertEquals(column(1), db.rows("SELECT c0 FROM f CROSS JOIN (VALUES 1) AS x (y)"
                + " WHERE COALESCE(c2, c2) NOT BETWEEN CAST(4.0 AS DOUBLE) AND 1.50"));
        assertEquals(column(1, 5, 6), db.rows("SELECT c0 FROM f CROSS JOIN (VALUES 1) AS x (y)"
                + " WHERE COALESCE(c2, 5) NOT BETWEEN CAST(4.0 AS DOUBLE) AND 1.50 ORDER BY c0"));
    }

    @Test
    void isNotFalseOfAnAndWithANullGuardIsFalseWhenTheGuardFails() throws SqlException {
        // Found by the -Plong differential run (seed 13000243 query 99): FALSE AND NULL is FALSE, so
        // the CASE must answer 0 for the row whose c1 is NULL, as the WHERE form keeps only one row.
        db.update("CREATE TABLE h (c0 DOUBLE NOT NULL, c1 INT, PRIMARY KEY (c0))");
        db.update("INSERT INTO h VALUES (CAST(9.5 AS DOUBLE), NULL), (CAST(6.75 AS DOUBLE), 8)");
        assertEquals(column(1L), db.rows("SELECT COUNT(*) FROM h WHERE ((c1 IS NOT NULL AND 7 <= c1)) IS NOT FALSE"));
        assertEquals(column(0, 1), db.rows("SELECT CASE WHEN ((c1 IS NOT NULL AND 7 <= c1)) IS NOT FALSE THEN 1 ELSE 0 END "
                + "FROM h ORDER BY c0 DESC"));
        assertEquals(column(false, true), db.rows("SELECT (c1 IS NOT NULL AND 7 <= c1) IS NOT FALSE FROM h ORDER BY c0 DESC"));
        assertEquals(column(false, true), db.rows("SELECT (c1 IS NOT NULL AND c1 > 1 OR c0 < 0) IS NOT FALSE FROM h ORDER BY c0 DESC"));
        assertEquals(column(1L), db.rows("SELECT COUNT(*) FROM h WHERE (c1 IS NOT NULL AND c1 > 1) IS NOT FALSE"));
    }

    @Test
    void inOfAConstantOverAnEmptyOrNullSubqueryHasThreeValuedAnswers() throws SqlException {
        // Found by the -Plong differential run (seeds 13000454 query 120, 13000395 query 55): Calcite's
        // special case for an IN whose left side is constant skipped the empty check of a correlated
        // sub-query and, under IS TRUE, read a NULL row of the sub-query as a match.
        assertEquals(column(1, 2, 3, 4), db.rows("SELECT id FROM m a0 WHERE CAST(NULL AS INTEGER) NOT IN "
                + "(SELECT a0.a FROM m a1 JOIN m a2 ON FALSE) ORDER BY id"));
        assertEquals(column(1, 2, 3, 4), db.rows("SELECT id FROM m a0 WHERE CAST(NULL AS INTEGER) NOT IN "
                + "(SELECT a0.a FROM nothing) ORDER BY id"));
        assertEquals(column(true, true, true, true), db.rows("SELECT CAST(NULL AS INTEGER) NOT IN (SELECT a0.a FROM nothing) "
                + "FROM m a0 ORDER BY id"));
        assertEquals(column(null, null, null, null), db.rows("SELECT CAST(NULL AS INTEGER) NOT IN (SELECT a0.a FROM m) "
                + "FROM m a0 ORDER BY id"));
        assertEquals(column(0L), db.rows("SELECT COUNT(*) FROM m a0 WHERE (1 IN (SELECT CAST(NULL AS INTEGER) FROM m a1)) IS TRUE"));
        assertEquals(column(0L), db.rows("SELECT COUNT(*) FROM m a0 WHERE (1 IN (SELECT a0.a FROM m a1)) IS TRUE"));
        assertEquals(column(4L), db.rows("SELECT COUNT(*) FROM m a0 WHERE (1 IN (SELECT a0.a FROM m a1)) IS NOT TRUE"));
        assertEquals(column(1L), db.rows("SELECT COUNT(*) FROM m a0 WHERE (10 IN (SELECT a0.a FROM m a1)) IS TRUE"));
        assertEquals(column(true, true, null, null), db.rows("SELECT 11 IN (SELECT a1.a FROM m a1 WHERE a1.id >= a0.id) "
                + "FROM m a0 ORDER BY id"));
        assertEquals(column(true, true, true, false), db.rows("SELECT 12 IN (SELECT a1.a FROM m a1 WHERE a1.id >= a0.id AND a1.id < 4) "
                + "FROM m a0 ORDER BY id"));
        assertEquals(column(false, false, false, false), db.rows("SELECT 5 IN (SELECT a1.a FROM m a1 WHERE a1.a IS NOT NULL AND a0.id > 0) "
                + "FROM m a0 ORDER BY id"));
    }

    @Test
    void truthTestsOfAnInSubqueryKeepItsUnknown() throws SqlException {
        // Found by the -Plong differential run (seed 13000412 query 35): Calcite's simplifier took
        // 1 IN (SELECT ...) for never NULL, as its left side is not, and dropped the IS NOT FALSE.
        // dup.c0 holds NULLs and no 1, so 1 IN (SELECT c0 FROM dup) is UNKNOWN on every row.
        assertEquals(column(true, true, true, true), db.rows("SELECT (1 IN (SELECT c0 FROM dup)) IS NOT FALSE FROM m ORDER BY id"));
        assertEquals(column(1, 1, 1, 1), db.rows("SELECT CASE WHEN (1 IN (SELECT c0 FROM dup)) IS NOT FALSE THEN 1 ELSE 0 END "
                + "FROM m ORDER BY id"));
        assertEquals(column(1, 1, 1, 1), db.rows("SELECT CASE WHEN (1 IN (SELECT c0 FROM dup)) IS NULL THEN 1 ELSE 0 END "
                + "FROM m ORDER BY id"));
        assertEquals(column(false, false, false, false), db.rows("SELECT (1 IN (SELECT c0 FROM dup)) IS TRUE FROM m ORDER BY id"));
        assertEquals(column(true, true, true, true), db.rows("SELECT (1 IN (SELECT c0 FROM dup)) IS NOT TRUE FROM m ORDER BY id"));
        assertEquals(column(1, 2, 3, 4), db.rows("SELECT id FROM m WHERE (1 IN (SELECT c0 FROM dup)) IS NOT TRUE ORDER BY id"));
        assertEquals(column(), db.rows("SELECT id FROM m WHERE (1 IN (SELECT c0 FROM dup)) OR NOT (1 IN (SELECT c0 FROM dup))"));
        // The same through a correlated column of the NULL side of an outer join.
        assertEquals(column(1, 1, 1, 1), db.rows("SELECT CASE WHEN (1 IN (SELECT n.a FROM dup)) IS NOT FALSE THEN 1 ELSE 0 END "
                + "FROM nothing n RIGHT JOIN m ON FALSE ORDER BY m.id"));
        assertEquals(column(5L), db.rows("SELECT c1 FROM dup WHERE (c1 IN (SELECT c0 FROM dup)) IS TRUE"));
        assertEquals(column(4L), db.rows("SELECT COUNT(*) FROM dup WHERE (2 IN (SELECT c0 FROM dup)) IS NOT FALSE AND c0 IS NULL"));
    }

    @Test
    void aUnionOfThreeOuterJoinsOfAViewPlansInsteadOfRunningAway() throws SqlException {
        // Found by the -Plong differential run (seed 13000538 query 110, a ternary logic partitioning):
        // in the cost-based phase ProjectMergeRule kept merging the projections of the three branches
        // into ever deeper expressions and planning ran past its 60 s budget (57014).
        String base = "SELECT 1, CAST(2.5 AS DOUBLE) * a1.c0 FROM wv a0 LEFT JOIN wv a1 ON FALSE";
        String p = "a1.c0 > a1.c0";
        try (SqlFixture bounded = new SqlFixture(dir.resolve("bounded"), new SqlOptions(SqlOptions.DEFAULT_STATEMENT_TIMEOUT_MILLIS, 20_000))) {
            bounded.update("CREATE TABLE w (c0 DOUBLE NOT NULL, c1 DECIMAL(10,2) NOT NULL, c2 VARCHAR(10), c4 DOUBLE, PRIMARY KEY (c0, c1))");
            bounded.update("CREATE INDEX w_i0 ON w (c0, c1)");
            bounded.update("CREATE INDEX w_i1 ON w (c4, c0)");
            bounded.update("INSERT INTO w VALUES (1.5, 2.50, 'a', NULL), (2.5, 1.25, NULL, 3.0)");
            bounded.update("CREATE VIEW wv AS SELECT c0, c1, c2 FROM w");
            assertEquals(List.of(Arrays.asList(1, null), Arrays.asList(1, null)), bounded.rows(base + " WHERE " + p + " UNION ALL " + base
                    + " WHERE NOT (" + p + ") UNION ALL " + base + " WHERE (" + p + ") IS NULL"));
        }
    }

    @Test
    void countDistinctOfAColumnPassedTwiceIsPlannedWithOtherGroupKeys() throws SqlException {
        db.update("CREATE TABLE g (c0 INT NOT NULL, c2 DECIMAL(10,2), c3 TEXT, PRIMARY KEY (c0))");
        db.update("CREATE INDEX g_i0 ON g (c3, c2)");
        db.update("INSERT INTO g VALUES (1, 1.25, 'a'), (2, NULL, 'a'), (3, 2.5, NULL), (4, 1.25, 'b')");
        // Found by the -Plong differential run: Calcite's AggregateProjectMergeRule mapped the
        // COUNT(DISTINCT) expansion's two grouping sets onto one and failed ("must be sorted").
        assertEquals(List.of(Arrays.asList(1, 1L), Arrays.asList(2, 1L), Arrays.asList(3, 0L), Arrays.asList(4, 1L)),
                db.rows("SELECT c0, COUNT(DISTINCT COALESCE(c3, c3)) FROM g GROUP BY c0, c3 ORDER BY c0"));
        assertEquals(List.of(), db.rows("SELECT COUNT(DISTINCT COALESCE(c3, c3)) FROM g GROUP BY c0, c3 HAVING COUNT(*) > 2"));
    }

    @Test
    void orWithAnEmptyInSubqueryKeepsTheRowsOfTheOtherBranch() throws SqlException {
        assertEquals(column(1, 2, 3),
                db.rows("SELECT id FROM m WHERE c >= 25 OR b IS NULL AND b IN (SELECT a FROM m WHERE a = 52) ORDER BY id"));
        assertEquals(column(1, 2, 3),
                db.rows("SELECT id FROM m WHERE c >= 25 OR b > 0 AND b IN (SELECT a FROM m WHERE a = 52) ORDER BY id"));
    }

    @Test
    void scalarSubqueriesInCaseWithExistsUnderOrArePlanned() throws SqlException {
        List<List<Object>> rows = db.rows("SELECT CASE WHEN c > (SELECT AVG(c) FROM m) THEN a*2 ELSE b*10 END, "
                + "(SELECT COUNT(*) FROM m AS x WHERE x.c > m.c AND x.b < m.b) FROM m "
                + "WHERE EXISTS (SELECT 1 FROM m AS x WHERE x.b < m.b) OR a > b ORDER BY 1");
        assertEquals(List.of(Arrays.asList(20, 0L), Arrays.asList(22, 0L), Arrays.asList(24, 0L)), rows);
    }

    @Test
    void outerJoinsAmongInnerJoinsArePlanned() throws SqlException {
        assertEquals(64, db.rows("SELECT 1.50 FROM m a0 JOIN m a1 ON TRUE RIGHT JOIN m a2 ON TRUE").size());
        assertEquals(16, db.rows("SELECT a0.id FROM m a0 LEFT JOIN m a1 ON TRUE JOIN m a2 ON a1.id = a2.id").size());
    }

    @Test
    void rightJoinKeepsEveryUnmatchedRowOfOneColumn() throws SqlException {
        assertEquals(column(-2, -2, 2, 5, null, null, null, null),
                db.rows("SELECT d.c0 FROM nothing e RIGHT JOIN dup d ON e.a = d.c0 ORDER BY 1 NULLS LAST"));
        assertEquals(8, db.rows("SELECT 'a' FROM dup a0 LEFT JOIN nothing a1 ON TRUE "
                + "WHERE (TRUE OR EXISTS (SELECT 1 FROM dup a5 JOIN m a6 ON a6.b <= a0.c0))").size());
    }

    @Test
    void correlatedExistsBesideAnUncorrelatedOneUnderOrMatchesPerRow() throws SqlException {
        assertEquals(column(2, 5), db.rows("SELECT c0 FROM dup a0 WHERE EXISTS (SELECT 1 FROM nothing) "
                + "OR EXISTS (SELECT 1 FROM m a6 WHERE 1 <= a0.c0 AND a6.a IS NOT NULL) ORDER BY 1"));
    }

    @Test
    void typedNullsInArithmeticAndInListsArePlanned() throws SqlException {
        assertEquals(column(null, null, null, null), db.rows("SELECT CAST(NULL AS INTEGER) / -a FROM m"));
        assertEquals(column(), db.rows("SELECT id FROM m WHERE b NOT IN (CAST(NULL AS INTEGER) + c)"));
        assertEquals(column(), db.rows("SELECT id FROM m WHERE b IN (CAST(NULL AS INTEGER) + c, CAST(NULL AS INTEGER))"));
    }

    /** Calcite's constant reduction failed on these with "not a literal: /(null, 7)" (found by the differential test). */
    @Test
    void typedNullsInArithmeticOverOuterJoinsArePlanned() throws SqlException {
        db.update("CREATE TABLE n (id INT PRIMARY KEY, x DOUBLE)");
        db.update("INSERT INTO n VALUES (1, 1.5), (5, NULL)");
        assertEquals(column(null, null), db.rows("SELECT 4 * (CAST(NULL AS INTEGER) / NULLIF(7, 0)) FROM m RIGHT JOIN n ON m.id = n.id"));
        assertEquals(List.of(Arrays.asList(1, null), Arrays.asList(null, null)),
                db.rows("SELECT m.id, 4 * (CAST(NULL AS INTEGER) / NULLIF(7, 0)) FROM n LEFT JOIN m ON m.id = n.id"
                        + " WHERE m.a > 3 OR n.x IS NULL ORDER BY 1"));
        assertEquals(column(2L), db.rows("SELECT COUNT(*) FROM m RIGHT JOIN n ON m.a = CAST(NULL AS INTEGER) * n.id"));
    }
    /**
     * Found by the cluster differential test: a JOIN's ON condition that reads only the left input
     * is pushed into that input as a new field, and a correlated sub-query in the select list
     * made the select list number the join's fields as if that field were still there, so
     * {@code a2.c0} answered {@code a2.c1}.
     */
    @Test
    void aCorrelatedSubQueryBesideAJoinConditionOnTheLeftInputReadsTheRightColumns() throws SqlException {
        db.update("CREATE TABLE s1 (c0 INT, c1 VARCHAR(12), c2 VARCHAR(12))");
        db.update("INSERT INTO s1 VALUES (6, NULL, 'ab'), (2, '', 'Z')");
        db.update("CREATE TABLE s2 (c0 INT PRIMARY KEY, c1 INT)");
        db.update("INSERT INTO s2 VALUES (2, 7), (12, NULL), (10, NULL), (-3, 5), (1, -1)");
        List<List<Object>> expected = List.of(Arrays.asList(-3, 2L), Arrays.asList(1, 2L), Arrays.asList(2, 2L),
                Arrays.asList(10, 2L), Arrays.asList(12, 2L));
        assertEquals(expected, db.rows("SELECT a2.c0, (SELECT COUNT(*) FROM s1 a4 WHERE a0.c1 <= 'a') "
                + "FROM s1 a0 JOIN s2 a2 ON 'a' <> a0.c1 ORDER BY 1"));
        assertEquals(expected, db.rows("SELECT a2.c0, (SELECT COUNT(*) FROM s1 a4 WHERE a0.c1 <= 'a') "
                + "FROM s1 a0 JOIN s2 a2 ON 'a' <> a0.c1 AND a2.c0 IS NOT NULL ORDER BY 1"));
        assertEquals(List.of(Arrays.asList(-3, 5), Arrays.asList(1, -1), Arrays.asList(2, 7)),
                db.rows("SELECT a2.c0, a2.c1 FROM s1 a0 JOIN s2 a2 ON a0.c0 - 0 = a2.c0 OR a2.c1 IS NOT NULL "
                        + "WHERE EXISTS (SELECT 1 FROM s1 a4 WHERE a4.c0 = a0.c0) AND a0.c1 = '' ORDER BY 1"));
    }
    /**
     * Found by the cluster differential test: a DECIMAL quotient kept its dividend's scale (1.50)
     * while its type has scale 13, and the set operations, DISTINCT and grouping compare
     * {@link BigDecimal}s with {@code equals}, which tells 1.50 from 1.5000000000000: EXCEPT kept
     * every row, UNION answered 1.50 twice.
     */
    @Test
    void aComputedDecimalHasItsTypesScaleSoEqualValuesAreOneValue() throws SqlException {
        db.update("CREATE TABLE d (id INT PRIMARY KEY, c1 DECIMAL(10,2))");
        db.update("INSERT INTO d VALUES (1, 1.50), (2, 0), (3, -2.25), (4, NULL)");
        String quotient = "c1 / NULLIF(ABS(1), 0)";
        for (int run = 0; run < 4; run++) {
            assertEquals(column(), db.rows("SELECT " + quotient + " FROM d EXCEPT SELECT c1 FROM d"));
            assertEquals(4, db.rows("SELECT " + quotient + " FROM d UNION SELECT c1 FROM d").size());
            assertEquals(4, db.rows("SELECT " + quotient + " FROM d INTERSECT SELECT c1 FROM d").size());
            assertEquals(4, db.rows("SELECT DISTINCT q FROM (SELECT " + quotient + " AS q FROM d UNION ALL SELECT c1 FROM d) AS u").size());
            assertEquals(List.of(Arrays.asList(new BigDecimal("1.5000000000000"), 2L)),
                    db.rows("SELECT q, COUNT(*) FROM (SELECT " + quotient + " AS q FROM d UNION ALL SELECT c1 FROM d) AS u "
                            + "WHERE q > 1 GROUP BY q"));
            assertEquals(column(new BigDecimal("0.5000000000000"), new BigDecimal("0E-13")),
                    db.rows("SELECT c1 / NULLIF(ABS(3), 0) FROM d WHERE id IN (1, 2) ORDER BY id"));
            assertEquals(column(new BigDecimal("1.50")), db.rows("SELECT c1 FROM d WHERE id = ?", 1));
            assertEquals(List.of(List.of(new BigDecimal("-1.5000"), new BigDecimal("-1.50"), new BigDecimal("2.3000"))),
                    db.rows("SELECT CAST(-c1 AS DECIMAL(12, 4)), -c1, CAST(CAST(2.3 AS DOUBLE) AS DECIMAL(12, 4)) FROM d WHERE id = ?", 1));
        }
    }
    /**
     * Found by the differential test (seed 31000166): Calcite's merge join claimed its output
     * sorted on a LEFT join's right keys, which are NULL on the unmatched rows, so the second
     * merge join met its left input out of order and matched nothing (CALCITE-4809).
     */
    @Test
    void aLeftJoinOnTheRightKeysOfALeftMergeJoinFindsItsMatches() throws SqlException {
        db.update("CREATE TABLE k (c0 VARCHAR(12) NOT NULL PRIMARY KEY, c1 VARCHAR(12), c4 BIGINT)");
        db.update("INSERT INTO k VALUES ('a', 'ab', 6), ('x1', NULL, 7), ('Z', NULL, 0), ('c', NULL, 7), ('ab', 'ba', 2)");
        db.update("CREATE VIEW kg AS SELECT c1 AS g, COUNT(*) AS n FROM k GROUP BY c1");
        List<List<Object>> expected = column(6L, null, null, null, null);
        assertEquals(expected, db.rows("SELECT a2.c4 FROM k a0 LEFT JOIN k a1 ON a0.c0 = a1.c1 LEFT JOIN k a2 ON a1.c1 = a2.c1 "
                + "ORDER BY 1 NULLS LAST"));
        assertEquals(expected, db.rows("SELECT a2.c4 FROM k a0 LEFT JOIN kg a1 ON a0.c0 = a1.g LEFT JOIN k a2 ON a1.g = a2.c1 "
                + "ORDER BY 1 NULLS LAST"));
        assertEquals(List.of(Arrays.asList("ab", "a", 6L)), db.rows("SELECT a0.c0, a1.c0, a2.c4 FROM k a0 JOIN k a1 ON a0.c0 = a1.c1 "
                + "LEFT JOIN k a2 ON a1.c1 = a2.c1"));
    }

    /**
     * Found by the differential test (seed 31000182): the literal 5 became a parameter, its cast
     * to DOUBLE was folded into the parameter's type, and the interpreter compared the bound
     * Integer as a Double (a ClassCastException instead of rows).
     */
    @Test
    void aLiteralComparedWithADoubleColumnIsInterpretedAsADouble() throws SqlException {
        db.update("CREATE TABLE g (c0 INT NOT NULL PRIMARY KEY, c1 FLOAT)");
        db.update("INSERT INTO g VALUES (3, NULL), (1, CAST(1.75 AS DOUBLE)), (10, CAST(0.5 AS DOUBLE)), (8, CAST(7.5 AS DOUBLE))");
        for (int run = 0; run < 4; run++) {
            assertEquals(List.of(Arrays.asList(10, 0.5)), db.rows("SELECT * FROM g a0 WHERE 5 BETWEEN a0.c1 AND a0.c0"));
            assertEquals(List.of(Arrays.asList(8, 7.5)), db.rows("SELECT * FROM g WHERE 7 < c1"));
        }
    }
    /**
     * Found by the differential test (seed 43000225 query 23): {@code (NOT p) IS NOT TRUE} is
     * {@code p IS NOT FALSE}, which Calcite simplifies treating UNKNOWN as TRUE, and merged the
     * comparison with the NULL guard so that the rows where c1 is NULL answered TRUE.
     */
    @Test
    void negatedTruthTestsOfAnAndWithANullGuardAreFalseWhenTheGuardFails() throws SqlException {
        db.update("CREATE TABLE nt (c0 INT NOT NULL PRIMARY KEY, c1 VARCHAR(12))");
        db.update("INSERT INTO nt VALUES (3, NULL), (8, NULL), (11, 'a'), (9, 'Z'), (-3, 'a')");
        String p = "('Z' < c1 AND c1 IS NOT NULL)";
        for (String test : List.of("(NOT " + p + ") IS NOT TRUE", "NOT (" + p + " IS FALSE)", "NOT ((NOT " + p + ") IS TRUE)",
                p + " IS NOT FALSE")) {
            assertEquals(column(-3, 11), db.rows("SELECT c0 FROM nt WHERE " + test + " ORDER BY c0"), test);
            assertEquals(column(0, 0, 0, 1, 1), db.rows("SELECT CASE WHEN " + test + " THEN 1 ELSE 0 END FROM nt ORDER BY c1 NULLS FIRST, c0"),
                    test);
        }
        assertEquals(column(3, 8, 9), db.rows("SELECT c0 FROM nt WHERE (NOT " + p + ") IS TRUE ORDER BY c0"));
    }
}
