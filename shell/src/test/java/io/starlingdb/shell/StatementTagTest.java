package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatementTagTest {

    @Test
    void rowChangingStatementsShowTheirCount() {
        assertEquals("INSERT 3", StatementTag.of("insert into t values (1), (2), (3)", 3));
        assertEquals("UPDATE 0", StatementTag.of("UPDATE t SET a = 1 WHERE false", 0));
        assertEquals("DELETE 2", StatementTag.of("  DELETE FROM t", 2));
    }

    @Test
    void ddlShowsTheVerbAndTheKindOfObject() {
        assertEquals("CREATE TABLE", StatementTag.of("CREATE TABLE t (id INTEGER)", 0));
        assertEquals("CREATE UNIQUE INDEX", StatementTag.of("create unique index i on t(a)", 0));
        assertEquals("DROP TABLE", StatementTag.of("DROP TABLE IF EXISTS t", 0));
    }

    @Test
    void onlyDdlChangesTheCatalog() {
        assertTrue(StatementTag.changesCatalog("create table t (a int)"));
        assertTrue(StatementTag.changesCatalog("DROP INDEX i"));
        assertFalse(StatementTag.changesCatalog("INSERT INTO t VALUES (1)"));
        assertFalse(StatementTag.changesCatalog("SELECT * FROM created"));
    }
}
