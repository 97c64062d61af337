package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableFormatterTest {

    private static final List<TableFormatter.Column> COLUMNS = List.of(
            new TableFormatter.Column("ID", true), new TableFormatter.Column("NAME", false),
            new TableFormatter.Column("NOTE", false));

    @Test
    void columnsAreAsWideAsTheirWidestCellNumbersRightAligned() {
        List<String> lines = TableFormatter.format(COLUMNS, List.of(
                List.of("1", "alice", "x"),
                List.of("1000", "bob", "longer note")));
        assertEquals(List.of(
                "ID   | NAME  | NOTE",
                "-----+-------+------------",
                "   1 | alice | x",
                "1000 | bob   | longer note"), lines);
    }

    @Test
    void headersWiderThanValuesSetTheWidthAndAnEmptyTableStillHasAHeader() {
        assertEquals(List.of("ID | NAME | NOTE", "---+------+-----"), TableFormatter.format(COLUMNS, List.of()));
    }

    @Test
    void linesCarryNoTrailingBlanks() {
        List<String> lines = TableFormatter.format(COLUMNS, List.of(List.of("1", "", ""), List.of("2", "bob", "n")));
        assertEquals(" 1 |      |", lines.get(2));
    }

    @Test
    void rowsAfterTheSampleKeepTheLayoutWidths() {
        TableFormatter layout = TableFormatter.layout(COLUMNS, List.of(List.of("1", "ab", "c")));
        assertEquals("12345 | a    | c", layout.row(List.of("12345", "a", "c")));
        assertEquals(" 7 | a    | c", layout.row(List.of("7", "a", "c")));
    }

    @Test
    void widthCountsCharactersNotUtf16Units() {
        List<String> lines = TableFormatter.format(List.of(new TableFormatter.Column("S", false),
                new TableFormatter.Column("T", false)), List.of(List.of("\uD83D\uDE00\uD83D\uDE00", "x")));
        assertEquals("S  | T", lines.get(0));
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TableFormatter.format(COLUMNS, List.of(List.of("1"))));
    }
}
