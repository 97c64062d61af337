package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.sql.exec.AutoParameters;
import io.starlingdb.sql.exec.QueryCompiler;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statements with literals share a plan with every statement of the same shape: the literals
 * become parameters of the literal's own type, so results are those of the statement as written.
 */
class AutoParametersTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE item (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(8), qty INTEGER, price DECIMAL(8,2), "
                + "weight DOUBLE)");
        db.update("CREATE INDEX item_code ON item (code)");
        for (int i = 1; i <= 20; i++) {
            db.update("INSERT INTO item VALUES (?, ?, ?, ?, ?)", (long) i, "c" + i, i % 7, new BigDecimal(i + ".25"), i * 0.5);
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The statement with literals and the same statement with the literals passed as parameters agree. */
    private void sameAsPrepared(String literalSql, String parameterSql, Object... params) throws SqlException {
        assertEquals(db.rows(parameterSql, params), db.rows(literalSql), literalSql);
    }

    @Test
    void literalsGiveTheResultsOfTheStatementAsWritten() throws SqlException {
        sameAsPrepared("SELECT code FROM item WHERE id = 7", "SELECT code FROM item WHERE id = ?", 7L);
        assertEquals(List.of(List.of("c7")), db.rows("SELECT code FROM item WHERE id = 7"));
        sameAsPrepared("SELECT id FROM item WHERE code = 'c12'", "SELECT id FROM item WHERE code = ?", "c12");
        sameAsPrepared("SELECT id FROM item WHERE id BETWEEN 3 AND 5 ORDER BY id",
                "SELECT id FROM item WHERE id BETWEEN ? AND ? ORDER BY id", 3L, 5L);
        sameAsPrepared("SELECT id FROM item WHERE price > 15.25 ORDER BY id",
                "SELECT id FROM item WHERE price > ? ORDER BY id", new BigDecimal("15.25"));
        sameAsPrepared("SELECT id FROM item WHERE weight < 2.5e0 ORDER BY id",
                "SELECT id FROM item WHERE weight < ? ORDER BY id", 2.5);
        sameAsPrepared("SELECT id FROM item WHERE qty = -(-3) OR id > 18 ORDER BY id",
                "SELECT id FROM item WHERE qty = ? OR id > ? ORDER BY id", 3, 18L);
        sameAsPrepared("SELECT id FROM item WHERE code LIKE 'c1%' AND id <> 1 ORDER BY id",
                "SELECT id FROM item WHERE code LIKE ? AND id <> ? ORDER BY id", "c1%", 1L);
        // A literal type's own semantics survive: integer division stays integer division,
        // 1.5 is not an integer, and a string longer than the column simply matches nothing.
        assertEquals(List.of(List.of(2L), List.of(3L)), db.rows("SELECT id FROM item WHERE id / 2 = 1 ORDER BY id"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE id = 1.5"));
        assertEquals(List.of(List.of(1L)), db.rows("SELECT id FROM item WHERE id = 1.0"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE code = 'c1-and-much-longer'"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE id = 3000000000"));
        // Literals outside WHERE are left as written: the select list and GROUP BY, whose
        // expressions must still match, ORDER BY ordinals and LIMIT.
        assertEquals(List.of(List.of(7, 1L)), db.rows("SELECT qty + 1, COUNT(*) FROM item WHERE id = 13 GROUP BY qty + 1"));
        assertEquals(List.of(List.of(1L), List.of(2L)), db.rows("SELECT id FROM item ORDER BY 1 LIMIT 2"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE 1 = 0"));
    }

    @Test
    void userParametersKeepTheirNumbersBesideLiterals() throws SqlException {
        PreparedSql mixed = db.session.prepare("SELECT id FROM item WHERE code = ? AND qty > 0 AND id < ? ORDER BY id");
        assertEquals(2, mixed.parameters().size(), "only the user's parameters are described");
        assertEquals(List.of(List.of(12L)), db.rows("SELECT id FROM item WHERE code = ? AND qty > 0 AND id < ? ORDER BY id",
                "c12", 20L));
        assertEquals("07001", db.error("SELECT id FROM item WHERE code = ? AND qty > 0", "c1", 5));
    }

    @Test
    void dmlWithLiteralsWritesTheLiteralValues() throws SqlException {
        assertEquals(1, db.update("INSERT INTO item VALUES (100, 'new', 5, 9.99, 1.5)"));
        assertEquals(1, db.update("INSERT INTO item VALUES (101, 'newer', 6, 10, 2)"));
        assertEquals(List.of(List.of("newer", 6, new BigDecimal("10.00"), 2.0)),
                db.rows("SELECT code, qty, price, weight FROM item WHERE id = 101"));
        assertEquals(1, db.update("UPDATE item SET qty = qty + 10, price = price * 2 WHERE id = 100"));
        assertEquals(List.of(List.of(15, new BigDecimal("19.98"))), db.rows("SELECT qty, price FROM item WHERE id = 100"));
        assertEquals(1, db.update("DELETE FROM item WHERE code = 'newer'"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE id = 101"));
        // Constraint errors are those of the value written.
        assertEquals("22001", db.error("INSERT INTO item VALUES (102, 'far-too-long', 1, 1, 1)"));
        assertEquals("23505", db.error("INSERT INTO item VALUES (100, 'dup', 1, 1, 1)"));
    }

    /** A VALUES of more rows than Janino can nest stays literal: it must plan, and the first bad row fails it whole. */
    @Test
    void largeMultiRowInsertsStayLiteral() throws SqlException {
        StringBuilder big = new StringBuilder("INSERT INTO item (id, code) VALUES ");
        for (int i = 0; i < 1000; i++) {
            big.append(i == 0 ? "" : ", ").append('(').append(1000 + i).append(", 'b").append(i).append("')");
        }
        org.apache.calcite.sql.SqlNode parsed = QueryCompiler.parse(big.toString());
        String before = parsed.toString();
        assertNull(AutoParameters.apply(parsed), "over MAX_PARAMETERS literals");
        assertEquals(before, parsed.toString(), "left exactly as parsed");
        assertEquals(1000, db.update(big.toString()));
        assertEquals("22001", db.error(big.toString().replace("1000, 'b0'", "5000, 'much-too-long'")));
        // The largest parameterized insert: MAX_PARAMETERS literals in rows of two, twice with other values.
        for (int round = 0; round < 2; round++) {
            StringBuilder rows = new StringBuilder("INSERT INTO item (id, code) VALUES ");
            int n = AutoParameters.MAX_PARAMETERS / 2;
            for (int i = 0; i < n; i++) {
                rows.append(i == 0 ? "" : ", ").append('(').append(10_000 + round * 1000 + i).append(", 'r").append(i % 10).append("')");
            }
            assertEquals(n, db.update(rows.toString()));
        }
        assertEquals(List.of(List.of(20L + 1000 + AutoParameters.MAX_PARAMETERS)), db.rows("SELECT COUNT(*) FROM item"));
    }

    @Test
    void statementsDifferingOnlyInLiteralsArePlannedOnce() throws SqlException {
        db.rows("SELECT code FROM item WHERE id = 1");
        long hits = db.engine.planCacheHits();
        for (int id = 2; id <= 6; id++) {
            assertEquals(List.of(List.of("c" + id)), db.rows("SELECT code FROM item WHERE id = " + id));
        }
        assertEquals(hits + 5, db.engine.planCacheHits(), "each new literal reuses the plan of id = 1");
    }

    /** The plan is found by the parsed tree's shape, so spacing, case and comments do not matter. */
    @Test
    void statementsWrittenDifferentlyShareThePlanOfTheirTree() throws SqlException {
        db.rows("SELECT code FROM item WHERE id = 1");
        long hits = db.engine.planCacheHits();
        assertEquals(List.of(List.of("c2")), db.rows("select CODE\n  from Item -- the second\n where ID=2"));
        assertEquals(hits + 1, db.engine.planCacheHits());
    }

    /**
     * A text of a known shape takes its plan without parsing, but only where the plan took its
     * literals as parameters: a literal the plan kept (select list, LIMIT, a DATE) must match.
     */
    @Test
    void textsOfOneShapeRunWithTheirOwnLiterals() throws SqlException {
        for (int limit = 1; limit <= 3; limit++) {
            assertEquals(limit, db.rows("SELECT id FROM item WHERE id > 5 ORDER BY id LIMIT " + limit).size());
        }
        for (int add = 1; add <= 3; add++) {
            assertEquals(List.of(List.of(3 + add)), db.rows("SELECT qty + " + add + " FROM item WHERE id = 10"));
        }
        for (int day = 1; day <= 3; day++) {
            assertEquals(List.of(List.of(java.time.LocalDate.of(2020, 1, day))),
                    db.rows("SELECT DATE '2020-01-0" + day + "' FROM item WHERE id = " + day));
        }
        for (int qty = 1; qty <= 3; qty++) {
            assertEquals(db.rows("SELECT id FROM item WHERE qty = ? ORDER BY id", qty),
                    db.rows("SELECT id FROM item WHERE qty = -" + qty + " * -1 ORDER BY id"));
        }
        db.update("INSERT INTO item VALUES (200, 'it''s', 1, 1, 1), (201, 'its', 2, 2, 2)");
        assertEquals(List.of(List.of(200L)), db.rows("SELECT \"ID\" FROM item\nWHERE code = 'it''s'"));
        assertEquals(List.of(List.of(201L)), db.rows("SELECT \"ID\" FROM item\nWHERE code = 'its'"));
        assertEquals(List.of(List.of(2)), db.rows("SELECT qty FROM item\r\nWHERE code = 'its'"));
        // Parameters and literals together, the text seen before with other values.
        assertEquals(List.of(List.of(12L)), db.rows("SELECT id FROM item WHERE code = ? AND qty > 4 AND id < 15", "c12"));
        assertEquals(List.of(List.of(13L)), db.rows("SELECT id FROM item WHERE code = ? AND qty > 5 AND id < 14", "c13"));
        assertEquals(List.of(), db.rows("SELECT id FROM item WHERE code = ? AND qty > 6 AND id < 14", "c13"));
    }

    /** The shared plan still uses keys and indexes, as the plan for the literal does. */
    @Test
    void theSharedPlanUsesKeysAndIndexes() throws SqlException {
        assertTrue(autoPlan("SELECT code FROM item WHERE id = 7").contains("primary key lookup (ID = ?0)"));
        String plan = autoPlan("SELECT id FROM item WHERE code = 'c7'");
        assertTrue(plan.contains("index ITEM_CODE lookup (CODE = ?0)"), plan);
        assertTrue(autoPlan("SELECT code FROM item WHERE id > 7 AND id < 9").contains("primary key range"));
        assertNull(AutoParameters.apply(QueryCompiler.parse("SELECT id FROM item WHERE 1 = 0")), "nothing to replace");
    }

    private String autoPlan(String sql) throws SqlException {
        AutoParameters.Result result = AutoParameters.apply(QueryCompiler.parse(sql));
        return db.engine.compiler().compile(result.statement()).explain();
    }
}
