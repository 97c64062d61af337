package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Words that Calcite reserves but users name columns and aliases with (ONE, VALUE, YEAR,
 * COUNT, ...) work as names, and the constructs those words belong to still work.
 */
class KeywordNamesTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() {
        db = new SqlFixture(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private List<String> labels(String sql) throws SqlException {
        StatementResult result = db.session.execute(sql, List.of());
        try (RowCursor cursor = ((StatementResult.Rows) result).cursor()) {
            return cursor.columns().stream().map(ColumnMeta::label).toList();
        }
    }

    @Test
    void selectOneAsOneParses() throws SqlException {
        assertEquals(List.of(List.of(1)), db.rows("SELECT 1 AS one"));
        assertEquals(List.of("ONE"), labels("SELECT 1 AS one"));
    }

    @Test
    void commonWordsAreAliases() throws SqlException {
        assertEquals(List.of("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "COUNT", "SUM", "MIN", "MAX",
                        "AVG", "RESULT", "POSITION"),
                labels("SELECT 2 AS year, 3 AS month, 4 AS day, 5 AS hour, 6 AS minute, 7 AS second,"
                        + " 8 AS count, 9 AS sum, 10 AS min, 11 AS max, 12 AS avg, 13 AS result, 14 AS position"));
        assertEquals(List.of("YEAR", "COUNT"), labels("SELECT 1 year, 2 count"));
        // VALUE stays reserved (f(value) would parse as a VALUES table); quoted, it is a name.
        assertEquals(List.of("VALUE"), labels("SELECT 1 AS \"VALUE\""));
    }

    @Test
    void commonWordsAreColumnNames() throws SqlException {
        db.update("CREATE TABLE readings (id INT PRIMARY KEY, result DOUBLE, year INT, count BIGINT, one INT)");
        db.update("INSERT INTO readings (id, result, year, count, one) VALUES (1, 1.5, 2024, 10, 1), (2, 2.5, 2025, 20, 1)");
        assertEquals(List.of(List.of(2.5, 2025, 20L)),
                db.rows("SELECT result, year, count FROM readings WHERE year > 2024 AND count = 20 ORDER BY result"));
        db.update("UPDATE readings SET result = result + 1 WHERE year = 2024");
        assertEquals(List.of(List.of(2.5, 2L, 2025, 30L)), db.rows("SELECT MIN(result), COUNT(one), MAX(year), SUM(count) FROM readings"));
    }

    @Test
    void theKeywordsStillWorkAsKeywords() throws SqlException {
        db.update("CREATE TABLE d (id INT PRIMARY KEY, day DATE, n INT)");
        db.update("INSERT INTO d VALUES (1, DATE '2024-03-05', 4), (2, DATE '2025-07-09', 6)");
        assertEquals(List.of(List.of(2L, 6, 4, 5L, 10L)),
                db.rows("SELECT COUNT(*), MAX(n), MIN(n), AVG(n), SUM(n) FROM d"));
        assertEquals(List.of(List.of(2L)), db.rows("SELECT COUNT(DISTINCT n) FROM d"));
        assertEquals(List.of(List.of(2024L, 3L), List.of(2025L, 7L)),
                db.rows("SELECT EXTRACT(YEAR FROM day), EXTRACT(MONTH FROM day) FROM d ORDER BY id"));
        assertEquals(List.of(List.of(true)),
                db.rows("SELECT day + INTERVAL '1' DAY = DATE '2024-03-06' FROM d WHERE id = 1"));
        assertEquals(List.of(List.of(3)), db.rows("SELECT POSITION('c' IN 'abc')"));
        assertEquals(List.of(List.of(2024L, 12L)),
                db.rows("SELECT YEAR(day), SECOND(TIMESTAMP '2024-01-01 10:11:12') FROM d WHERE id = 1"));
        assertEquals(List.of(List.of(1), List.of(2)), db.rows("VALUES (1), (2)"));
    }
}
