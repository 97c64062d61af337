package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starlingdb.sql.schema.StarlingSchema;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table without a primary key: rows are addressed by their hidden row id, so duplicates are
 * told apart, and the next row id survives a restart without reading the table.
 */
class KeylessTableTest {

    @TempDir
    Path dir;

    @Test
    void updateChangesOnlyTheRowsItsWhereMatchesAmongDuplicates() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE log (k INT, v VARCHAR(10), n INT)");
            f.update("INSERT INTO log VALUES (1, 'a', 10), (1, 'a', 20), (1, 'a', 10), (2, 'b', 30)");

            assertEquals(1, f.update("UPDATE log SET v = 'z' WHERE n = 20"));
            assertEquals(List.of(List.of(1, "a", 10), List.of(1, "a", 10), List.of(2, "b", 30), List.of(1, "z", 20)),
                    f.rows("SELECT k, v, n FROM log ORDER BY v, n"));

            // Two identical rows: both match, both change, none is lost or doubled.
            assertEquals(2, f.update("UPDATE log SET n = n + 1 WHERE n = 10"));
            assertEquals(List.of(List.of(1, "a", 11), List.of(1, "a", 11), List.of(2, "b", 30), List.of(1, "z", 20)),
                    f.rows("SELECT k, v, n FROM log ORDER BY v, n"));
        }
    }

    @Test
    void deleteRemovesExactlyTheMatchedRowsAmongDuplicates() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE dup (k INT, n INT)");
            f.update("CREATE INDEX dup_n ON dup (n)");
            f.update("INSERT INTO dup VALUES (1, 1), (1, 1), (1, 2), (2, 2)");

            assertEquals(1, f.update("DELETE FROM dup WHERE k = 1 AND n = 2"));
            assertEquals(List.of(List.of(1, 1), List.of(1, 1), List.of(2, 2)), f.rows("SELECT k, n FROM dup ORDER BY k, n"));
            assertEquals(2, f.update("DELETE FROM dup WHERE n = 1"));
            assertEquals(List.of(List.of(2, 2)), f.rows("SELECT k, n FROM dup"));
            // The index lost the deleted rows' entries too.
            assertEquals(List.of(List.of(2, 2)), f.rows("SELECT k, n FROM dup WHERE n = 2"));
            assertEquals(List.of(), f.rows("SELECT k, n FROM dup WHERE n = 1"));
        }
    }

    @Test
    void selectStarHidesTheRowIdWhichOnlyItsOwnSchemaShows() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE plain (a INT)");
            f.update("INSERT INTO plain VALUES (7), (7)");
            assertEquals(List.of(List.of(7), List.of(7)), f.rows("SELECT * FROM plain"));
            assertEquals(List.of(List.of(7, 1L), List.of(7, 2L)),
                    f.rows("SELECT a, \"$ROWID\" FROM " + StarlingSchema.ROW_IDS + ".plain ORDER BY 2"));
        }
    }

    @Test
    void afterARestartTheFirstInsertContinuesFromTheStoredCounter() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE events (e INT)");
            f.update("INSERT INTO events VALUES (1), (2), (3)");
        }
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("INSERT INTO events VALUES (4)");
            // The new id comes after the ids the first process reserved, not from the table's
            // highest id (3): the restart read the counter, not the rows.
            assertEquals(List.of(List.of(1, 1L), List.of(2, 2L), List.of(3, 3L), List.of(4, 1L + TableStorage.ROW_ID_RESERVATION)),
                    f.rows("SELECT e, \"$ROWID\" FROM " + StarlingSchema.ROW_IDS + ".events ORDER BY 2"));
            assertEquals(1, f.update("DELETE FROM events WHERE e = 2"));
            assertEquals(List.of(List.of(1), List.of(3), List.of(4)), f.rows("SELECT e FROM events ORDER BY e"));
        }
    }
}
