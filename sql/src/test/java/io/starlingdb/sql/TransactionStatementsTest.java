package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transaction control in SQL (issue 12, item 3): BEGIN / START TRANSACTION / COMMIT / ROLLBACK,
 * isolation levels (write skew is refused under SERIALIZABLE and allowed under snapshot
 * isolation), read-only transactions (25006), SHOW, and clear errors for what is not supported.
 */
class TransactionStatementsTest {

    @TempDir
    Path dir;

    @Test
    void beginCommitAndRollbackDelimitATransactionInAutoCommitMode() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            SqlSession other = f.engine.openSession();
            try {
                f.update("BEGIN");
                f.update("INSERT INTO t VALUES (1, 10)");
                f.update("INSERT INTO t VALUES (2, 20)");
                assertEquals(List.of(), SqlFixture.rows(other, "SELECT id FROM t"), "uncommitted rows are visible to others");
                f.update("ROLLBACK");
                assertEquals(List.of(), f.rows("SELECT id FROM t"));

                f.update("START TRANSACTION");
                f.update("INSERT INTO t VALUES (3, 30)");
                f.update("UPDATE t SET v = v + 1 WHERE id = 3");
                f.update("COMMIT;");
                assertEquals(List.of(List.of(3, 31)), SqlFixture.rows(other, "SELECT id, v FROM t"));

                // after COMMIT the session is back in auto-commit: a statement commits on its own
                f.update("INSERT INTO t VALUES (4, 40)");
                assertEquals(2, SqlFixture.rows(other, "SELECT id FROM t").size());

                f.update("begin work");
                f.update("DELETE FROM t WHERE id = 4");
                f.update("end");
                assertEquals(List.of(List.of(3)), SqlFixture.rows(other, "SELECT id FROM t"));
            } finally {
                other.close();
            }
        }
    }

    @Test
    void serializableRefusesWriteSkewThatSnapshotIsolationAllows() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE doctors (id INT PRIMARY KEY, on_call BOOLEAN)");
            // Under snapshot isolation both doctors may leave: the rule "someone stays on call" breaks.
            assertEquals(0, onCallAfterBothLeave(f, "REPEATABLE READ"));
            // Under SERIALIZABLE the second to commit is refused, so one doctor stays on call.
            assertEquals(1, onCallAfterBothLeave(f, "SERIALIZABLE"));
        }
    }

    /** Two doctors each check that the other is on call and leave, concurrently; returns how many stay. */
    private static int onCallAfterBothLeave(SqlFixture f, String level) throws Exception {
        f.update("DELETE FROM doctors");
        f.update("INSERT INTO doctors VALUES (1, TRUE), (2, TRUE)");
        SqlSession alice = f.engine.openSession();
        SqlSession bob = f.engine.openSession();
        try {
            SqlFixture.update(alice, "BEGIN ISOLATION LEVEL " + level);
            SqlFixture.update(bob, "START TRANSACTION ISOLATION LEVEL " + level + ", READ WRITE");
            assertEquals(List.of(List.of(2L)), SqlFixture.rows(alice, "SELECT COUNT(*) FROM doctors WHERE on_call"));
            assertEquals(List.of(List.of(2L)), SqlFixture.rows(bob, "SELECT COUNT(*) FROM doctors WHERE on_call"));
            SqlFixture.update(alice, "UPDATE doctors SET on_call = FALSE WHERE id = 1");
            SqlFixture.update(bob, "UPDATE doctors SET on_call = FALSE WHERE id = 2");
            SqlFixture.update(alice, "COMMIT");
            if (level.equals("SERIALIZABLE")) {
                SqlException e = assertThrows(SqlException.class, () -> SqlFixture.update(bob, "COMMIT"));
                assertEquals("40001", e.sqlState(), e.getMessage());
            } else {
                SqlFixture.update(bob, "COMMIT");
            }
        } finally {
            alice.close();
            bob.close();
        }
        return ((Number) f.rows("SELECT COUNT(*) FROM doctors WHERE on_call").get(0).get(0)).intValue();
    }

    @Test
    void aSerializableTransactionThatOnlyReadsAlwaysCommits() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            f.update("INSERT INTO t VALUES (1, 1)");
            f.update("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            f.session.setAutoCommit(false);
            assertEquals(List.of(List.of(1)), f.rows("SELECT v FROM t"));
            SqlSession other = f.engine.openSession();
            SqlFixture.update(other, "UPDATE t SET v = 2 WHERE id = 1");
            other.close();
            assertEquals(List.of(List.of(1)), f.rows("SELECT v FROM t"), "the snapshot moved");
            f.session.commit(); // it read a consistent snapshot: serializable at its start
            assertEquals(List.of(List.of(2)), f.rows("SELECT v FROM t"));
        }
    }

    @Test
    void readOnlyTransactionsRefuseWritesWith25006() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            f.update("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            assertEquals("25006", f.error("INSERT INTO t VALUES (1, 1)"));
            assertEquals("25006", f.error("CREATE TABLE u (id INT PRIMARY KEY)"));
            assertEquals(List.of(), f.rows("SELECT id FROM t"));
            assertEquals(List.of(List.of("on")), f.rows("SHOW transaction_read_only"));
            // one transaction may read and write although the session's default is read-only
            f.update("BEGIN READ WRITE");
            f.update("INSERT INTO t VALUES (1, 1)");
            f.update("COMMIT");
            assertEquals("25006", f.error("UPDATE t SET v = 2"));
            f.update("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
            f.update("UPDATE t SET v = 2");
            f.update("START TRANSACTION READ ONLY");
            assertEquals("25006", f.error("DELETE FROM t"));
            f.update("ROLLBACK");
            assertEquals(List.of(List.of(1, 2)), f.rows("SELECT id, v FROM t"));
        }
    }

    @Test
    void showReportsTheIsolationLevelInPostgresqlsWords() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            assertEquals(List.of(List.of("repeatable read")), f.rows("SHOW TRANSACTION ISOLATION LEVEL"));
            f.update("BEGIN");
            f.update("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            assertEquals(List.of(List.of("serializable")), f.rows("SHOW transaction_isolation"));
            assertEquals(List.of(List.of("repeatable read")), f.rows("SHOW default_transaction_isolation"));
            f.update("COMMIT");
            assertEquals(List.of(List.of("repeatable read")), f.rows("SHOW transaction_isolation"), "the level outlived its transaction");
            f.update("SET default_transaction_isolation = 'serializable'");
            assertEquals(List.of(List.of("serializable")), f.rows("SHOW transaction_isolation"));
        }
    }

    @Test
    void readConsistencyIsASessionSettingWithClearErrors() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            assertEquals(List.of(List.of("strong")), f.rows("SHOW read_consistency"));
            f.update("SET read_consistency = bounded '500ms'");
            assertEquals(List.of(List.of("bounded '500ms'")), f.rows("SHOW read_consistency"));
            f.update("SET read_consistency TO 'bounded 2s'");
            assertEquals(List.of(List.of("bounded '2000ms'")), f.rows("SHOW read_consistency"));
            f.update("SET read_consistency = eventual");
            assertEquals(List.of(List.of("eventual")), f.rows("SHOW read_consistency"));
            assertEquals("22023", f.error("SET read_consistency = bounded 'soon'"));
            assertEquals("22023", f.error("SET read_consistency = bounded '0ms'"));
            assertEquals("22023", f.error("SET read_consistency = bounded '10m'"));
            assertEquals("22023", f.error("SET read_consistency = sometimes"));
            // On one node's own store a read is as cheap at the newest snapshot: it reads it.
            f.update("CREATE TABLE t (id INT PRIMARY KEY)");
            f.update("INSERT INTO t VALUES (1)");
            assertEquals(List.of(List.of(1)), f.rows("SELECT id FROM t"));
            f.update("SET read_consistency = strong");
            assertEquals(List.of(List.of("strong")), f.rows("SHOW read_consistency"));
        }
    }

    @Test
    void misusedTransactionStatementsAnswerClearErrors() throws Exception {
        try (SqlFixture f = new SqlFixture(dir)) {
            f.update("CREATE TABLE t (id INT PRIMARY KEY)");
            assertEquals("25P01", f.error("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
            f.update("BEGIN");
            assertEquals("25001", f.error("BEGIN"));
            f.rows("SELECT id FROM t");
            assertEquals("25001", f.error("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
            assertEquals("0A000", f.error("SAVEPOINT a"));
            assertEquals("0A000", f.error("ROLLBACK TO SAVEPOINT a"));
            f.update("ROLLBACK");
            assertEquals("42601", f.error("BEGIN ISOLATION LEVEL CHAOS"));
            assertEquals("42601", f.error("START TRANSACTION READ SOMETIMES"));
            assertEquals("42601", f.error("COMMIT NOW"));
            assertEquals("42704", f.error("SHOW nosuch"));
            assertEquals("42704", f.error("SET transaction_isolation = 'serializable'"));
            assertEquals("22023", f.error("SET default_transaction_isolation = 'chaos'"));
            // COMMIT and ROLLBACK without a transaction are harmless, as in PostgreSQL
            f.update("COMMIT");
            f.update("ROLLBACK");
            f.update("INSERT INTO t VALUES (1)");
            assertEquals(List.of(List.of(1)), f.rows("SELECT id FROM t"));
        }
    }
}
