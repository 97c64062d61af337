package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full scans and filtered aggregates over more rows than one storage read batch, checked
 * against a model of the table: committed versions, deleted rows, NULLs, and an open
 * transaction's own writes.
 */
class TableScanTest {

    /** More rows than the storage cursor's largest batch, so scans cross batch boundaries. */
    private static final int rowCount = 1200;
    private static final int insertChunk = 200;
    private static final int distinctK = 100;

    @TempDir
    Path dir;
    SqlFixture db;
    /** id -> {k, v, n, m} as the committed table holds them. */
    final TreeMap<Long, Object[]> model = new TreeMap<>();

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL, v VARCHAR(100), n BIGINT, m INTEGER)");
        for (long first = 0; first < rowCount; first += insertChunk) {
            StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
            for (long id = first; id < first + insertChunk; id++) {
                int k = (int) (id % distinctK);
                Integer m = id % 3 == 0 ? null : (int) (id % 50);
                Object[] row = {k, "value-" + id + "-padding", id * 10, m};
                model.put(id, row);
                sql.append(id == first ? "" : ", ").append("(").append(id).append(", ").append(k).append(", '")
                        .append(row[1]).append("', ").append(row[2]).append(", ").append(m).append(")");
            }
            db.update(sql.toString());
        }
        // Newer versions and tombstones over the first ones.
        db.update("UPDATE t SET n = n + 1, v = 'updated' WHERE k = 3");
        model.values().stream().filter(r -> (int) r[0] == 3).forEach(r -> {
            r[1] = "updated";
            r[2] = (long) r[2] + 1;
        });
        db.update("DELETE FROM t WHERE k = 5 OR k = 99");
        model.values().removeIf(r -> (int) r[0] == 5 || (int) r[0] == 99);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** COUNT(*), SUM(n), MAX(v) of the model rows that match, as the SQL aggregate returns them. */
    private List<List<Object>> aggregate(TreeMap<Long, Object[]> rows, Predicate<Object[]> where) {
        long count = 0;
        Long sum = null;
        String max = null;
        for (Object[] r : rows.values()) {
            if (!where.test(r)) {
                continue;
            }
            count++;
            sum = (sum == null ? 0 : sum) + (long) r[2];
            max = max == null || ((String) r[1]).compareTo(max) > 0 ? (String) r[1] : max;
        }
        return List.of(Arrays.asList(count, sum, max));
    }

    private static final String aggregateSql = "SELECT COUNT(*), SUM(n), MAX(v) FROM t WHERE ";

    @Test
    void filteredAggregatesSeeLatestVersionsAndNoDeletedRows() throws SqlException {
        for (int bound : new int[] {-1, 0, 1, 4, 6, 50, 99, 100, 1000}) {
            assertEquals(aggregate(model, r -> (int) r[0] < bound), db.rows(aggregateSql + "k < ?", bound), "k < " + bound);
            assertEquals(aggregate(model, r -> (int) r[0] >= bound), db.rows(aggregateSql + "? <= k", bound), bound + " <= k");
            assertEquals(aggregate(model, r -> (int) r[0] == bound), db.rows(aggregateSql + "k = " + bound), "k = " + bound);
        }
        assertEquals(aggregate(model, r -> (int) r[0] > 10 && (int) r[0] <= 20),
                db.rows(aggregateSql + "k > 10 AND k <= ?", 20L));
        assertEquals(aggregate(model, r -> true), db.rows("SELECT COUNT(*), SUM(n), MAX(v) FROM t"));
    }

    @Test
    void filtersOnANullableColumnNeverMatchNulls() throws SqlException {
        assertEquals(aggregate(model, r -> r[3] != null && (int) r[3] < 10), db.rows(aggregateSql + "m < ?", 10));
        assertEquals(aggregate(model, r -> r[3] != null && (int) r[3] >= 10), db.rows(aggregateSql + "NOT (m < ?)", 10));
        assertEquals(aggregate(model, r -> r[3] == null), db.rows(aggregateSql + "m IS NULL"));
    }

    @Test
    void literalsOutsideTheColumnTypeStillFilterCorrectly() throws SqlException {
        assertEquals(aggregate(model, r -> (int) r[0] < 7), db.rows(aggregateSql + "k < 6.5"));
        assertEquals(aggregate(model, r -> true), db.rows(aggregateSql + "k < 5000000000"));
        assertEquals(aggregate(model, r -> false), db.rows(aggregateSql + "k > 5000000000"));
        assertEquals(aggregate(model, r -> (int) r[0] < 7), db.rows(aggregateSql + "k < ?", 7L));
    }

    @Test
    void scansInATransactionSeeItsOwnWritesAndOthersDoNot() throws SqlException {
        db.session.setAutoCommit(false);
        TreeMap<Long, Object[]> own = new TreeMap<>();
        model.forEach((id, r) -> own.put(id, r.clone()));
        db.update("INSERT INTO t VALUES (5000, 1, 'zz-own', 7, 1), (-1, 2, 'own-first', 8, NULL)");
        own.put(5000L, new Object[] {1, "zz-own", 7L, 1});
        own.put(-1L, new Object[] {2, "own-first", 8L, null});
        db.update("DELETE FROM t WHERE k = 2 AND id > 500");
        own.entrySet().removeIf(e -> (int) e.getValue()[0] == 2 && e.getKey() > 500);
        db.update("UPDATE t SET n = 0 WHERE k = 1");
        own.values().stream().filter(r -> (int) r[0] == 1).forEach(r -> r[2] = 0L);

        assertEquals(aggregate(own, r -> (int) r[0] < 4), db.rows(aggregateSql + "k < ?", 4));
        assertEquals(aggregate(own, r -> true), db.rows("SELECT COUNT(*), SUM(n), MAX(v) FROM t"));
        List<Long> ids = new ArrayList<>();
        for (List<Object> row : db.rows("SELECT id FROM t WHERE k = ? ORDER BY id", 2)) {
            ids.add((Long) row.get(0));
        }
        assertEquals(own.entrySet().stream().filter(e -> (int) e.getValue()[0] == 2).map(e -> e.getKey()).toList(), ids);
        try (SqlSession other = db.engine.openSession()) {
            assertEquals(aggregate(model, r -> (int) r[0] < 4), SqlFixture.rows(other, aggregateSql + "k < ?", 4));
        }
        db.session.rollback();
        assertEquals(aggregate(model, r -> (int) r[0] < 4), db.rows(aggregateSql + "k < ?", 4));
    }
    @Test
    void earlyComparisonsOnDecimalDateAndTimestampColumnsKeepExactlyTheMatchingRows() throws SqlException {
        db.update("CREATE TABLE typed (id INTEGER PRIMARY KEY, d DECIMAL(10,2), born DATE, ts TIMESTAMP, x DOUBLE)");
        db.update("INSERT INTO typed VALUES (1, 1.50, DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00', -0.0), "
                + "(2, 2.25, DATE '2021-06-15', TIMESTAMP '2021-06-15 12:30:00', 0.0), "
                + "(3, NULL, NULL, NULL, NULL), (4, -3, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59', 2.5)");
        assertEquals(List.of(List.of(2), List.of(4)), db.rows("SELECT id FROM typed WHERE d <> 1.5 ORDER BY id"));
        assertEquals(List.of(List.of(1), List.of(4)), db.rows("SELECT id FROM typed WHERE d <= 1.5 ORDER BY id"));
        assertEquals(List.of(List.of(2)), db.rows("SELECT id FROM typed WHERE born > DATE '2020-01-01'"));
        assertEquals(List.of(List.of(1), List.of(2)),
                db.rows("SELECT id FROM typed WHERE ts >= TIMESTAMP '1970-01-01 00:00:00' ORDER BY id"));
        assertEquals(List.of(List.of(4)), db.rows("SELECT id FROM typed WHERE ts < ?",
                java.time.LocalDateTime.of(1970, 1, 1, 0, 0)));
        assertEquals(List.of(List.of(1), List.of(2), List.of(4)), db.rows("SELECT id FROM typed WHERE x >= 0.0 OR x < 0 ORDER BY id"));
        assertEquals(List.of(List.of(1), List.of(2)), db.rows("SELECT id FROM typed WHERE x >= 0.0 AND x < 1 ORDER BY id"),
                "-0.0 equals 0.0 in SQL");
    }

    @Test
    void updatesAndDeletesWithEarlyComparisonsTouchExactlyTheMatchingRows() throws SqlException {
        long kept = model.values().stream().filter(r -> (int) r[0] >= 20 && (int) r[0] < 30).count();
        assertEquals(kept, db.update("UPDATE t SET n = -1 WHERE k >= 20 AND k < ?", 30));
        assertEquals(List.of(Arrays.asList(kept, -kept, null)).get(0).subList(0, 2),
                db.rows("SELECT COUNT(*), SUM(n) FROM t WHERE n = -1").get(0));
        long deleted = model.values().stream().filter(r -> r[3] != null && (int) r[3] > 40).count();
        assertEquals(deleted, db.update("DELETE FROM t WHERE m > ?", 40));
        assertEquals(List.of(List.of(0L)), db.rows("SELECT COUNT(*) FROM t WHERE m > 40"));
    }
}
