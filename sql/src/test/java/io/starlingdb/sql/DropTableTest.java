package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DROP TABLE works for a table of any size: the table leaves the catalog in one small
 * transaction, and its keys are deleted afterwards in bounded transactions.
 */
class DropTableTest {

    @TempDir
    Path dir;

    /** Keys left in a table's span (rows and index entries), as a new transaction sees them. */
    private static long keysOf(SqlFixture f, TableDef table) {
        byte[] prefix = new KeyEncoder().writeTableId(table.id()).toBytes();
        long keys = 0;
        try (Transaction txn = f.store.begin(); KvCursor cursor = txn.scan(prefix, KeyEncoder.prefixEnd(prefix))) {
            while (cursor.next()) {
                keys++;
            }
        }
        return keys;
    }

    private static void fill(SqlFixture f, String table, int rows) throws SqlException {
        for (int start = 0; start < rows; start += 1_000) {
            StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
            for (int i = start; i < Math.min(rows, start + 1_000); i++) {
                sql.append(i == start ? "" : ", ").append('(').append(i).append(", ").append(i % 100).append(')');
            }
            f.update(sql.toString());
        }
    }

    @Test
    void droppingATableWithMoreKeysThanOneDeleteBatchRemovesItAndAllItsKeys() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE wide (id INT PRIMARY KEY, g INT)");
            f.update("CREATE INDEX wide_g ON wide (g)");
            int rows = TableStorage.DELETE_BATCH_KEYS + 2_000;
            fill(f, "wide", rows);
            TableDef table = f.engine.catalog().snapshot().table("WIDE");
            assertEquals(2L * rows, keysOf(f, table));

            f.update("DROP TABLE wide");

            assertNull(f.engine.catalog().snapshot().table("WIDE"));
            assertEquals(0, keysOf(f, table));
            assertEquals("42S02", f.error("SELECT COUNT(*) FROM wide"));
            f.update("CREATE TABLE wide (id INT PRIMARY KEY, g INT)");
            assertEquals(List.of(List.of(0L)), f.rows("SELECT COUNT(*) FROM wide"));
        }
    }

    @Test
    void deletingInSmallBatchesResumesAfterEachBatchAndLeavesOtherTablesAlone() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE gone (id INT PRIMARY KEY, g INT)");
            f.update("CREATE TABLE kept (id INT PRIMARY KEY, g INT)");
            fill(f, "gone", 50);
            fill(f, "kept", 30);
            TableDef gone = f.engine.catalog().snapshot().table("GONE");

            assertEquals(50, TableStorage.deleteAll(f.store, gone, 7));

            assertEquals(0, keysOf(f, gone));
            assertEquals(List.of(List.of(0L)), f.rows("SELECT COUNT(*) FROM gone"));
            assertEquals(List.of(List.of(30L)), f.rows("SELECT COUNT(*) FROM kept"));
        }
    }
}
