package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextShapeTest {

    private static String key(String sql) {
        TextShape shape = TextShape.of(sql);
        assertNotNull(shape, sql);
        return shape.key();
    }

    @Test
    void textsDifferingInLiteralValuesOfOneTypeShareAKey() {
        assertEquals(key("SELECT v FROM t WHERE id = 1"), key("SELECT v FROM t WHERE id = 99999"));
        assertEquals(key("SELECT v FROM t WHERE s = 'ab' AND d > 1.25"), key("SELECT v FROM t WHERE s = 'xy' AND d > 9.75"));
        // Another literal type, another key: INTEGER, BIGINT, DECIMAL(2,1), DOUBLE, CHAR(2) vs CHAR(3).
        assertNotEquals(key("SELECT v FROM t WHERE id = 1"), key("SELECT v FROM t WHERE id = 3000000000"));
        assertNotEquals(key("SELECT v FROM t WHERE id = 1"), key("SELECT v FROM t WHERE id = 1.5"));
        assertNotEquals(key("SELECT v FROM t WHERE id = 1.5"), key("SELECT v FROM t WHERE id = 1.5e0"));
        assertNotEquals(key("SELECT v FROM t WHERE s = 'ab'"), key("SELECT v FROM t WHERE s = 'abc'"));
        // Any other difference in the text, even case or spacing, is another key.
        assertNotEquals(key("SELECT v FROM t WHERE id = 1"), key("select v from t where id = 1"));
        assertNotEquals(key("SELECT v FROM t WHERE id = 1"), key("SELECT v FROM t WHERE id  = 1"));
        assertNotEquals(key("SELECT v FROM t1 WHERE id = 1"), key("SELECT v FROM t2 WHERE id = 1"));
    }

    @Test
    void literalsCarryTheirPositionTextAndValue() {
        TextShape shape = TextShape.of("SELECT \"a'b\", c12\nFROM t WHERE s = 'it''s' AND n IN (.5, 7)\r\n  AND m = -2");
        List<TextShape.Literal> literals = shape.literals();
        assertEquals(List.of(
                new TextShape.Literal(2, 18, "'it''s'", "it's"),
                new TextShape.Literal(2, 36, ".5", new BigDecimal(".5")),
                new TextShape.Literal(2, 40, "7", new BigDecimal("7")),
                new TextShape.Literal(3, 12, "2", new BigDecimal("2"))), literals);
    }

    @Test
    void textsTheScanDoesNotFullyUnderstandHaveNoShape() {
        for (String sql : List.of(
                "SELECT v FROM t",                          // no literal
                "SELECT v FROM t WHERE id = 1 -- note",     // comments
                "SELECT v FROM t /* x */ WHERE id = 1",
                "SELECT v FROM t WHERE b = X'0A'",          // prefixed strings
                "SELECT v FROM t WHERE s = N'abc'",
                "SELECT v FROM t WHERE s = U&'abc'",
                "SELECT v FROM t WHERE s = 'abc",           // unterminated
                "SELECT v FROM t WHERE \"s = 1",
                "SELECT v FROM t WHERE s = 'a\nb'",         // a string over two lines
                "SELECT v FROM t WHERE\tid = 1",            // a tab
                "SELECT v FROM t WHERE id = 1abc",
                "SELECT v FROM t WHERE id = 1.2.3",
                "SELECT v FROM t WHERE id = 1e")) {
            assertNull(TextShape.of(sql), sql);
        }
        assertNull(TextShape.of("SELECT 1" + ", 1".repeat(TextShape.MAX_LITERALS)));
        assertNull(TextShape.of("SELECT 1 FROM t WHERE s = '" + "x".repeat(TextShape.MAX_TEXT_CHARS) + "'"));
    }

    @Test
    void slotsMapTheParsersReplacedLiteralsToTheTextsLiterals() throws Exception {
        String sql = "SELECT k + 1 FROM t WHERE id = 5 AND s = 'x'\n AND n > 2.5 ORDER BY 1 LIMIT 10";
        TextShape shape = TextShape.of(sql);
        AutoParameters.Result auto = AutoParameters.apply(QueryCompiler.parse(sql));
        // k + 1, ORDER BY 1 and LIMIT 10 stay literals (-1); id, s and n are auto-parameters 0..2.
        assertArrayEquals(new int[] {-1, 0, 1, 2, -1, -1}, shape.slots(auto));
        // The parser reads -5 as one literal where the text has the sign and 5: no mapping (the
        // statement is then planned by its shape and cached by its text).
        String negative = "SELECT v FROM t WHERE id = -5";
        assertNull(TextShape.of(negative).slots(AutoParameters.apply(QueryCompiler.parse(negative))));
        // Adjacent strings are one chained literal, which the parser keeps: the text has two, nothing to map.
        assertNull(AutoParameters.apply(QueryCompiler.parse("SELECT v FROM t WHERE s = 'a' 'b'")));
    }
}
