package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constraints under concurrency (issue 12, item 4): two transactions that each insert the same
 * value of a UNIQUE column under different keys cannot both commit, and a statement that fails
 * inside a manual transaction leaves nothing of itself.
 */
class ConcurrentConstraintTest {

    @TempDir
    Path dir;

    @Test
    void twoTransactionsInsertingTheSameUniqueValueCannotBothCommit() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(40))");
            f.update("CREATE UNIQUE INDEX users_email ON users (email)");
            SqlSession other = f.engine.openSession();
            try {
                f.session.setAutoCommit(false);
                other.setAutoCommit(false);
                SqlFixture.update(f.session, "INSERT INTO users VALUES (1, 'a@example.com')");
                SqlFixture.update(other, "INSERT INTO users VALUES (2, 'a@example.com')"); // neither sees the other's row
                f.session.commit();
                SqlException e = assertThrows(SqlException.class, other::commit);
                assertEquals("40001", e.sqlState(), e.getMessage());
            } finally {
                other.close();
            }
            f.session.setAutoCommit(true);
            assertEquals(List.of(List.of(1, "a@example.com")), f.rows("SELECT id, email FROM users"));
            // The value is free again once its row is gone, and a NULL is never a duplicate.
            f.update("DELETE FROM users WHERE id = 1");
            f.update("INSERT INTO users VALUES (3, 'a@example.com'), (4, NULL), (5, NULL)");
            assertEquals(3L, ((Number) f.rows("SELECT COUNT(*) FROM users").get(0).get(0)).longValue());
        }
    }

    @Test
    void aMultiRowInsertThatFailsInAManualTransactionLeavesNothingOfItself() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            f.update("INSERT INTO t VALUES (2, 0)");
            f.session.setAutoCommit(false);
            f.update("INSERT INTO t VALUES (1, 1)");
            SqlException e = assertThrows(SqlException.class, () -> f.update("INSERT INTO t VALUES (3, 3), (2, 2), (4, 4)"));
            assertEquals("23505", e.sqlState(), e.getMessage());
            f.session.commit();
            f.session.setAutoCommit(true);
            List<List<Object>> rows = f.rows("SELECT id, v FROM t ORDER BY id");
            assertEquals(List.of(List.of(1, 1), List.of(2, 0)), rows, "the failed statement left " + rows);
        }
    }
}
