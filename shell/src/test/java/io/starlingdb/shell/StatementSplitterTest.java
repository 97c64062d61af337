package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {

    private static List<String> texts(StatementSplitter.Split split) {
        return split.complete().stream().map(Command::text).collect(Collectors.toList());
    }

    @Test
    void statementsEndAtSemicolonsAndLoseThem() {
        StatementSplitter.Split split = StatementSplitter.split("SELECT 1; SELECT 2;\nSELECT 3;");
        assertEquals(List.of("SELECT 1", "SELECT 2", "SELECT 3"), texts(split));
        assertFalse(split.open());
        assertNull(split.unterminated());
    }

    @Test
    void aStatementMaySpanLinesAndKeepsItsFirstLineNumber() {
        StatementSplitter.Split split = StatementSplitter.split("\n\nSELECT *\nFROM t\nWHERE id = 1;\nSELECT 2;");
        assertEquals(List.of("SELECT *\nFROM t\nWHERE id = 1", "SELECT 2"), texts(split));
        assertEquals(3, split.complete().get(0).line());
        assertEquals(6, split.complete().get(1).line());
    }

    @Test
    void semicolonsInsideStringLiteralsDoNotEndTheStatement() {
        StatementSplitter.Split split = StatementSplitter.split("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT 1;");
        assertEquals(List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT 1"), texts(split));
    }

    @Test
    void semicolonsInsideQuotedIdentifiersDoNotEndTheStatement() {
        StatementSplitter.Split split = StatementSplitter.split("SELECT \"odd;name\" FROM \"x\"\"y\"; SELECT 2;");
        assertEquals(List.of("SELECT \"odd;name\" FROM \"x\"\"y\"", "SELECT 2"), texts(split));
    }

    @Test
    void semicolonsInsideCommentsDoNotEndTheStatement() {
        String text = "SELECT 1 -- not the end; really\n , 2 /* nor ; this */ ;";
        assertEquals(List.of("SELECT 1 -- not the end; really\n , 2 /* nor ; this */"),
                texts(StatementSplitter.split(text)));
    }

    @Test
    void commentsBeforeAStatementAreDroppedAndCommentOnlyInputRunsNothing() {
        StatementSplitter.Split split = StatementSplitter.split("-- setup\n/* block\n comment */\nSELECT 1;\n-- trailing note\n");
        assertEquals(List.of("SELECT 1"), texts(split));
        assertEquals(4, split.complete().get(0).line());
        assertFalse(split.open());
        assertTrue(StatementSplitter.split("-- only a comment").complete().isEmpty());
        assertFalse(StatementSplitter.split("-- only a comment").open());
    }

    @Test
    void emptyStatementsAreSkipped() {
        assertEquals(List.of("SELECT 1"), texts(StatementSplitter.split(";;  ;SELECT 1;;")));
    }

    @Test
    void inputWithoutTheFinalSemicolonIsOpenAndKeepsTheUnfinishedStatement() {
        StatementSplitter.Split split = StatementSplitter.split("SELECT 1; SELECT\n  2");
        assertEquals(List.of("SELECT 1"), texts(split));
        assertTrue(split.open());
        assertEquals("SELECT\n  2", split.unterminated().text());
        assertEquals(10, split.restStart());
        assertEquals(1, split.restLine());
    }

    @Test
    void anUnclosedLiteralOrCommentKeepsTheInputOpen() {
        assertTrue(StatementSplitter.split("SELECT 'abc;").open());
        assertTrue(StatementSplitter.split("SELECT 'it''").open());
        assertTrue(StatementSplitter.split("SELECT \"col;").open());
        assertTrue(StatementSplitter.split("SELECT 1 /* still; open").open());
        StatementSplitter.Split comment = StatementSplitter.split("/* a comment; not closed");
        assertTrue(comment.open());
        assertNull(comment.unterminated());
        assertFalse(StatementSplitter.split("SELECT 'abc;';").open());
    }

    @Test
    void aBackslashAtStatementStartIsAMetaCommandEndingWithTheLine() {
        StatementSplitter.Split split = StatementSplitter.split("\\dt\nSELECT 1; \\d orders\n  \\timing");
        assertEquals(List.of(Command.Kind.META, Command.Kind.SQL, Command.Kind.META, Command.Kind.META),
                split.complete().stream().map(Command::kind).collect(Collectors.toList()));
        assertEquals(List.of("\\dt", "SELECT 1", "\\d orders", "\\timing"), texts(split));
        assertEquals(3, split.complete().get(3).line());
        assertFalse(split.open());
    }

    @Test
    void aBackslashInsideAStatementIsPartOfTheStatement() {
        StatementSplitter.Split split = StatementSplitter.split("SELECT '\\d' FROM t;");
        assertEquals(List.of("SELECT '\\d' FROM t"), texts(split));
        assertEquals(Command.Kind.SQL, split.complete().get(0).kind());
    }

    @Test
    void lineNumbersContinueFromTheGivenFirstLine() {
        StatementSplitter.Split split = StatementSplitter.split("\n'a\nb';", 7);
        assertEquals(8, split.complete().get(0).line());
        assertEquals(9, split.restLine());
    }
}
