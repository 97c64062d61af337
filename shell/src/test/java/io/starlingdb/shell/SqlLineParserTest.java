package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class SqlLineParserTest {

    private final SqlLineParser parser = new SqlLineParser();

    @Test
    void enterRunsTheInputOnlyOnceTheStatementIsTerminated() {
        assertThrows(EOFError.class, () -> parser.parse("SELECT *\nFROM t", 15, ParseContext.ACCEPT_LINE));
        assertThrows(EOFError.class, () -> parser.parse("SELECT 'a;", 10, ParseContext.ACCEPT_LINE));
        assertDoesNotThrow(() -> parser.parse("SELECT *\nFROM t;", 16, ParseContext.ACCEPT_LINE));
        assertDoesNotThrow(() -> parser.parse("\\d t", 4, ParseContext.ACCEPT_LINE));
        assertDoesNotThrow(() -> parser.parse("", 0, ParseContext.ACCEPT_LINE));
    }

    @Test
    void completionSeesTheSqlWordUnderTheCursor() {
        ParsedLine line = parser.parse("SELECT na FROM t(", 9, ParseContext.COMPLETE);
        assertEquals("na", line.word());
        assertEquals(2, line.wordCursor());
        assertEquals(List.of("SELECT", "na"), line.words());
        assertEquals(1, line.wordIndex());
        ParsedLine afterDot = parser.parse("SELECT t.", 9, ParseContext.COMPLETE);
        assertEquals("", afterDot.word());
        assertEquals(List.of("SELECT", "t", ""), afterDot.words());
    }
}
