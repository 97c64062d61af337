package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CREATE INDEX ... (col DESC) and mixed directions: stored in descending order, found by lookups, kept over restarts. */
class DescendingIndexTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10), c DOUBLE)");
        db.update("INSERT INTO t VALUES (1, 5, 'x', 1.5), (2, -3, 'y', NULL), (3, 5, 'a', -2.0), (4, NULL, 'x', 0.0),"
                + " (5, 100, NULL, 7.25), (6, 5, 'x', 3.0)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The indexed values of an index's entries in the order the store keeps them. */
    private List<List<Object>> storedOrder(String table, String index) {
        TableDef def = db.engine.catalog().snapshot().table(table);
        IndexDef idx = def.index(index);
        List<List<Object>> out = new ArrayList<>();
        try (Transaction txn = db.store.begin()) {
            byte[] prefix = TableStorage.indexPrefix(def, idx, new Object[0]);
            try (KvCursor cursor = txn.scan(prefix, KeyEncoder.prefixEnd(prefix))) {
                while (cursor.next()) {
                    Object[] row = TableStorage.decodeRow(def, txn.get(cursor.value().clone()));
                    out.add(java.util.Arrays.asList(TableStorage.indexValues(idx, row)));
                }
            }
            txn.rollback();
        }
        return out;
    }

    @Test
    void aDescendingColumnIsStoredFromTheHighestValueDown() throws SqlException {
        db.update("CREATE INDEX t_a ON t (a DESC)");
        // Descending bytes put NULL (lowest ascending) last.
        assertEquals(List.of(List.of(100), List.of(5), List.of(5), List.of(5), List.of(-3), java.util.Arrays.asList((Object) null)),
                storedOrder("T", "T_A"));
        db.update("INSERT INTO t VALUES (7, 42, 'q', 1.0)");
        db.update("UPDATE t SET a = -10 WHERE id = 2");
        assertEquals(List.of(List.of(100), List.of(42), List.of(5), List.of(5), List.of(5), List.of(-10),
                java.util.Arrays.asList((Object) null)), storedOrder("T", "T_A"));
    }

    @Test
    void mixedDirectionsSortEachColumnItsOwnWay() throws SqlException {
        db.update("CREATE INDEX t_ab ON t (a ASC, b DESC)");
        List<List<Object>> stored = storedOrder("T", "T_AB");
        assertEquals(List.of(java.util.Arrays.asList(null, "x"), List.of(-3, "y"), List.of(5, "x"), List.of(5, "x"), List.of(5, "a"),
                java.util.Arrays.asList(100, null)), stored);
        db.update("CREATE INDEX t_cd ON t (c DESC, id)");
        assertEquals(List.of(List.of(7.25, 5), List.of(3.0, 6), List.of(1.5, 1), List.of(0.0, 4), List.of(-2.0, 3),
                java.util.Arrays.asList(null, 2)), storedOrder("T", "T_CD"));
    }

    @Test
    void lookupsAndOrderByAreRightOverDescendingIndexes() throws SqlException {
        db.update("CREATE INDEX t_ab ON t (a DESC, b DESC)");
        assertTrue(db.explain("SELECT id FROM t WHERE a = 5").contains("index T_AB lookup (A = 5)"), db.explain("SELECT id FROM t WHERE a = 5"));
        assertTrue(db.explain("SELECT id FROM t WHERE a = 5 AND b = 'x'").contains("index T_AB lookup (A = 5, B = 'x'"));
        assertEquals(List.of(List.of(1), List.of(3), List.of(6)), db.rows("SELECT id FROM t WHERE a = 5 ORDER BY id"));
        assertEquals(List.of(List.of(1), List.of(6)), db.rows("SELECT id FROM t WHERE a = 5 AND b = 'x' ORDER BY id"));
        assertEquals(List.of(List.of(2)), db.rows("SELECT id FROM t WHERE a = ?", -3));
        assertEquals(List.of(), db.rows("SELECT id FROM t WHERE a = 6"));
        assertEquals(List.of(List.of(5), List.of(3), List.of(1), List.of(6), List.of(2), List.of(4)),
                db.rows("SELECT id FROM t ORDER BY a DESC NULLS LAST, b ASC, id"));
        assertEquals(List.of(List.of(4), List.of(2), List.of(1), List.of(6), List.of(3), List.of(5)),
                db.rows("SELECT id FROM t ORDER BY a ASC NULLS FIRST, b DESC, id"));
    }

    @Test
    void aUniqueDescendingIndexRefusesDuplicates() throws SqlException {
        db.update("CREATE UNIQUE INDEX t_id_c ON t (c DESC)");
        assertEquals("23505", db.error("INSERT INTO t VALUES (8, 1, 'z', 3.0)"));
        db.update("INSERT INTO t VALUES (8, 1, 'z', 3.5)");
        assertEquals(List.of(List.of(8)), db.rows("SELECT id FROM t WHERE c = 3.5"));
    }

    @Test
    void directionsSurviveARestartAndAreListed() throws SqlException {
        db.update("CREATE INDEX t_ba ON t (b DESC, a)");
        db.close();
        db = new SqlFixture(dir);
        db.update("INSERT INTO t VALUES (9, 1, 'zz', 1.0)");
        assertEquals(List.of(List.of("zz", 1), List.of("y", -3), java.util.Arrays.asList("x", null), List.of("x", 5)),
                storedOrder("T", "T_BA").subList(0, 4));
        assertEquals(List.of(List.of(9)), db.rows("SELECT id FROM t WHERE b = 'zz'"));
        CatalogView.IndexInfo info = db.session.catalog().tables().stream().filter(t -> t.name().equals("T")).findFirst()
                .orElseThrow().indexes().get(0);
        assertEquals(List.of("B", "A"), info.columns());
        assertEquals(List.of(true, false), info.descending());
    }
}
