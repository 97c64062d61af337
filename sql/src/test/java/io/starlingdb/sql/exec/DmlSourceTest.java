package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.sql.SqlException;
import org.apache.calcite.sql.SqlInsert;
import org.junit.jupiter.api.Test;

/**
 * Which INSERTs' rows read no table (so that a JDBC batch of them may compute every execution's
 * rows first and write them as one statement): a VALUES list without a query at any depth.
 */
class DmlSourceTest {

    private static boolean readsNoTable(String insert) throws SqlException {
        return Dml.sourceReadsNoTable(((SqlInsert) QueryCompiler.parse(insert)).getSource());
    }

    @Test
    void aValuesListWithoutAQueryReadsNoTable() throws SqlException {
        assertTrue(readsNoTable("INSERT INTO t (a, b) VALUES (?, ?)"));
        assertTrue(readsNoTable("INSERT INTO t VALUES (1, 'x'), (2, UPPER(?)), (-3, CAST(? AS INTEGER) + 1)"));
    }

    @Test
    void aSelectAnywhereReadsATable() throws SqlException {
        assertFalse(readsNoTable("INSERT INTO t SELECT a, b FROM u"));
        assertFalse(readsNoTable("INSERT INTO t (a, b) SELECT COALESCE(MAX(a), 0) + 1, ? FROM t"));
        assertFalse(readsNoTable("INSERT INTO t VALUES ((SELECT MAX(a) FROM t) + 1, 'x')"));
        assertFalse(readsNoTable("INSERT INTO t VALUES (1, CASE WHEN EXISTS (SELECT 1 FROM u) THEN 'y' ELSE 'n' END)"));
        assertFalse(readsNoTable("INSERT INTO t VALUES (1, 'a') UNION ALL SELECT a, b FROM u"));
    }
}
