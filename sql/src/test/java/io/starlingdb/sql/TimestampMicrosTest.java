package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TIMESTAMP keeps microseconds: stored, compared, sorted, keyed and returned exactly; TIMESTAMP(3) columns keep milliseconds. */
class TimestampMicrosTest {

    private static final LocalDateTime A = LocalDateTime.parse("2024-12-04T10:00:58.123456");
    private static final LocalDateTime A_PLUS_1 = LocalDateTime.parse("2024-12-04T10:00:58.123457");
    private static final LocalDateTime MS = LocalDateTime.parse("2024-12-04T10:00:58.123");
    private static final LocalDateTime BEFORE_1970 = LocalDateTime.parse("1969-12-31T23:59:59.999999");

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP, ms TIMESTAMP(3))");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static List<Object> row(Object... values) {
        return java.util.Arrays.asList(values);
    }

    @Test
    void aLiteralWithMicrosecondsReadsBackExactly() throws SqlException {
        db.update("INSERT INTO t VALUES (1, TIMESTAMP '2024-12-04 10:00:58.123456', TIMESTAMP '2024-12-04 10:00:58.123456')");
        db.update("INSERT INTO t VALUES (2, '2024-12-04 10:00:58.123457', '2024-12-04 10:00:58.123457')");
        assertEquals(List.of(row(1, A, MS), row(2, A_PLUS_1, MS)), db.rows("SELECT id, ts, ms FROM t ORDER BY id"));
        assertEquals(List.of(row(A)), db.rows("SELECT TIMESTAMP '2024-12-04 10:00:58.123456'"));
    }

    @Test
    void aParameterWithNanosecondsKeepsItsMicroseconds() throws SqlException {
        LocalDateTime nanos = LocalDateTime.parse("2024-12-04T10:00:58.123456789");
        db.update("INSERT INTO t VALUES (?, ?, ?)", 1, nanos, nanos);
        db.update("INSERT INTO t (id, ts) VALUES (?, ?)", 2, "1969-12-31 23:59:59.999999");
        assertEquals(List.of(row(1, A, MS), row(2, BEFORE_1970, null)), db.rows("SELECT * FROM t ORDER BY id"));
        assertEquals(List.of(row(1)), db.rows("SELECT id FROM t WHERE ts = ?", A));
        assertEquals(List.of(), db.rows("SELECT id FROM t WHERE ts = ?", A_PLUS_1));
        assertEquals(List.of(row(1)), db.rows("SELECT id FROM t WHERE ts = ?", "2024-12-04 10:00:58.123456"));
    }

    @Test
    void comparisonsAndOrderTellMicrosecondsApart() throws SqlException {
        db.update("INSERT INTO t (id, ts, ms) VALUES (1, ?, ?), (2, ?, ?), (3, ?, ?), (4, NULL, ?)", A_PLUS_1, MS, A, MS,
                BEFORE_1970, MS, MS);
        assertEquals(List.of(row(3), row(2), row(1), row(4)), db.rows("SELECT id FROM t ORDER BY ts"));
        assertEquals(List.of(row(1)), db.rows("SELECT id FROM t WHERE ts > TIMESTAMP '2024-12-04 10:00:58.123456'"));
        assertEquals(List.of(row(1), row(2)), db.rows("SELECT id FROM t WHERE ts >= '2024-12-04 10:00:58.123456' ORDER BY id"));
        assertEquals(List.of(row(2)), db.rows("SELECT id FROM t WHERE ts = TIMESTAMP '2024-12-04 10:00:58.123456'"));
        assertEquals(List.of(row(2)), db.rows("SELECT id FROM t WHERE ts IN (TIMESTAMP '2024-12-04 10:00:58.123456',"
                + " TIMESTAMP '2000-01-01 00:00:00')"));
        assertEquals(List.of(row(2), row(3)), db.rows("SELECT id FROM t WHERE ts BETWEEN ? AND ? ORDER BY id", BEFORE_1970, A));
        // A millisecond column against microseconds: compared exactly, in microseconds.
        assertEquals(List.of(row(3)), db.rows("SELECT id FROM t WHERE ms > ts ORDER BY id"));
        assertEquals(List.of(row(1), row(2)), db.rows("SELECT id FROM t WHERE ts > ms ORDER BY id"));
        assertEquals(List.of(row(1), row(2), row(3), row(4)), db.rows("SELECT id FROM t WHERE ms < TIMESTAMP"
                + " '2024-12-04 10:00:58.123001' ORDER BY id"));
        assertEquals(List.of(), db.rows("SELECT id FROM t WHERE ms > TIMESTAMP '2024-12-04 10:00:58.123001'"));
        assertEquals(List.of(row(BEFORE_1970, A_PLUS_1, 3L)), db.rows("SELECT MIN(ts), MAX(ts), COUNT(DISTINCT ts) FROM t"));
        assertEquals(List.of(row(A_PLUS_1), row(MS)), db.rows("SELECT CASE WHEN id = 1 THEN ts ELSE ms END FROM t"
                + " WHERE id < 3 ORDER BY id"));
        assertEquals(List.of(row(A_PLUS_1), row(A), row(BEFORE_1970), row(MS)),
                db.rows("SELECT COALESCE(ts, ms) FROM t ORDER BY id"));
    }

    @Test
    void keysAndIndexesOnMicrosecondsFindTheRow() throws SqlException {
        db.update("CREATE TABLE k (ts TIMESTAMP PRIMARY KEY, v INT)");
        db.update("CREATE INDEX t_ts ON t (ts DESC)");
        db.update("INSERT INTO k VALUES (?, 1), (?, 2), (?, 3)", A, A_PLUS_1, BEFORE_1970);
        db.update("INSERT INTO t (id, ts) VALUES (1, ?), (2, ?), (3, ?)", A, A_PLUS_1, BEFORE_1970);
        assertEquals("23505", db.error("INSERT INTO k VALUES (?, 9)", A));
        db.update("INSERT INTO k VALUES (?, 4)", MS);
        assertEquals(List.of(row(2)), db.rows("SELECT v FROM k WHERE ts = ?", A_PLUS_1));
        assertTrue(db.explain("SELECT v FROM k WHERE ts = ?").contains("primary key lookup"), db.explain("SELECT v FROM k WHERE ts = ?"));
        assertEquals(List.of(row(1)), db.rows("SELECT v FROM k WHERE ts = TIMESTAMP '2024-12-04 10:00:58.123456'"));
        assertEquals(List.of(row(3), row(4), row(1), row(2)), db.rows("SELECT v FROM k"));
        assertEquals(List.of(row(2)), db.rows("SELECT id FROM t WHERE ts = ?", A_PLUS_1));
        assertTrue(db.explain("SELECT id FROM t WHERE ts = ?").contains("index"), db.explain("SELECT id FROM t WHERE ts = ?"));
        assertEquals(1, db.update("UPDATE k SET ts = ? WHERE ts = ?", LocalDateTime.parse("2030-01-01T00:00:00.000001"), A));
        assertEquals(List.of(row(LocalDateTime.parse("2030-01-01T00:00:00.000001"), 1)), db.rows("SELECT ts, v FROM k WHERE v = 1"));
        assertEquals(1, db.update("DELETE FROM k WHERE ts = ?", BEFORE_1970));
        assertEquals(List.of(row(4), row(2), row(1)), db.rows("SELECT v FROM k"));
    }

    @Test
    void copiesAndDefaultsKeepTheirUnit() throws SqlException {
        db.update("CREATE TABLE d (id INT PRIMARY KEY, ts TIMESTAMP DEFAULT TIMESTAMP '2024-12-04 10:00:58.123456',"
                + " ms TIMESTAMP(3) DEFAULT TIMESTAMP '2024-12-04 10:00:58.123456')");
        db.update("INSERT INTO d (id) VALUES (1)");
        assertEquals(List.of(row(A, MS)), db.rows("SELECT ts, ms FROM d"));
        db.update("INSERT INTO t SELECT id, ts, ts FROM d");
        db.update("INSERT INTO t SELECT id + 1, ms, ts FROM d");
        assertEquals(List.of(row(1, A, MS), row(2, MS, MS)), db.rows("SELECT * FROM t ORDER BY id"));
        db.update("UPDATE t SET ts = ms, ms = ts WHERE id = 1");
        assertEquals(List.of(row(MS, MS)), db.rows("SELECT ts, ms FROM t WHERE id = 1"));
    }

    @Test
    void textAndFunctionsOfMicroseconds() throws SqlException {
        db.update("INSERT INTO t (id, ts, ms) VALUES (1, ?, ?)", A, MS);
        assertEquals(List.of(row("2024-12-04 10:00:58.123456", "2024-12-04 10:00")),
                db.rows("SELECT CAST(ts AS VARCHAR), CAST(ts AS VARCHAR(16)) FROM t"));
        assertEquals(List.of(row(MS, 58L, 2024L)), db.rows("SELECT CAST(ts AS TIMESTAMP(3)), EXTRACT(SECOND FROM ts),"
                + " EXTRACT(YEAR FROM ts) FROM t"));
        assertEquals(List.of(row(A)), db.rows("SELECT CAST('2024-12-04 10:00:58.123456' AS TIMESTAMP(6))"));
        assertEquals(List.of(row(LocalDateTime.parse("2024-12-05T10:00:58.123"))),
                db.rows("SELECT ts + INTERVAL '1' DAY FROM t"));
    }

    @Test
    void setOperationsAndJoinsMixingTheUnitsCompareInMicroseconds() throws SqlException {
        db.update("INSERT INTO t (id, ts, ms) VALUES (1, ?, ?), (2, ?, ?)", A, MS, MS, MS);
        assertEquals(List.of(row(MS), row(A)), db.rows("SELECT ts FROM t WHERE id = 1 UNION ALL SELECT ms FROM t WHERE id = 1"
                + " ORDER BY 1"));
        assertEquals(List.of(row(MS), row(A)), db.rows("SELECT ms FROM t UNION SELECT ts FROM t ORDER BY 1"));
        assertEquals(List.of(row(A)), db.rows("SELECT ts FROM t EXCEPT SELECT ms FROM t"));
        assertEquals(List.of(row(2, 1), row(2, 2)), db.rows("SELECT x.id, y.id FROM t AS x JOIN t AS y ON x.ts = y.ms"
                + " ORDER BY 1, 2"));
    }

    @Test
    void aTimestampPrecisionAboveMicrosecondsIsRefused() {
        assertEquals("22023", db.error("CREATE TABLE bad (id INT PRIMARY KEY, ts TIMESTAMP(9))"));
    }
}
