package io.starlingdb.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.shell.ExitCode;
import io.starlingdb.shell.StarlingCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;

/**
 * The interactive shell on a dumb JLine terminal whose keyboard is a string: the same line
 * reader, parser, history and session as at a real prompt.
 */
class InteractiveShellTest extends ShellNodeTest {

    record Session(int code, String screen, String err) {
    }

    private static Session type(String keys, Path history) {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = {"sql", "--url", url(), "--history", history.toString()};
        int code = StarlingCli.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream(), true),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> new DumbTerminal(new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8)), screen));
        return new Session(code, screen.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void multiLineStatementsRunAtTheirSemicolonAndErrorsDoNotEndTheSession() throws Exception {
        Path history = dir.resolve("history-1");
        Session s = type(String.join("\n",
                "CREATE TABLE inter (id INTEGER NOT NULL,",
                "  name VARCHAR(10), PRIMARY KEY (id));",
                "INSERT INTO inter VALUES (1, 'x;y');",
                "SELECT * FROM nope;",
                "SELECT *",
                "FROM inter;",
                "\\timing",
                "SELECT * FROM inter;",
                "\\q",
                "SELECT 'never runs' FROM inter;",
                ""), history);
        assertEquals(ExitCode.OK, s.code(), s.screen() + s.err());
        String screen = s.screen().replace("\r", "");
        assertTrue(screen.contains("Connected to "), screen);
        assertTrue(screen.matches("(?s).*CREATE TABLE \\(\\d+\\.\\d ms\\).*"), screen);
        assertTrue(screen.matches("(?s).*INSERT 1 \\(\\d+\\.\\d ms\\).*"), screen);
        assertTrue(screen.contains("ERROR 42S02: "), screen);
        assertTrue(screen.contains("ID | NAME\n---+-----\n 1 | x;y\n"), screen);
        assertTrue(screen.matches("(?s).*\\(1 row, \\d+\\.\\d ms\\).*Timing is off\\..*\\(1 row\\)\n.*"), screen);
        assertTrue(!screen.contains("never runs"), screen);
        List<String> entries = Files.readAllLines(history);
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("SELECT *\\nFROM inter;")),
                "a multi-line statement is one history entry: " + entries);
    }

    @Test
    void endOfInputLeavesTheShellWithExitCode0() {
        Session s = type("\\dt\n", dir.resolve("history-2"));
        assertEquals(ExitCode.OK, s.code(), s.screen() + s.err());
        assertTrue(s.screen().replace("\r", "").contains("Schema | Table\n"), s.screen());
    }
}
