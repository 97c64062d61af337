package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptRunnerTest {

    /** Records what would run, failing the commands whose text it is told to fail. */
    private static final class Recorder implements ScriptRunner.CommandRunner {
        final List<String> ran = new ArrayList<>();
        final String failing;

        Recorder(String failing) {
            this.failing = failing;
        }

        @Override
        public Outcome run(Command command, String origin) {
            ran.add(origin + ":" + command.line() + ":" + command.kind() + ":" + command.text());
            if (command.text().equals("\\q")) {
                return Outcome.QUIT;
            }
            return command.text().equals(failing) ? Outcome.FAILED : Outcome.OK;
        }
    }

    private static final String SCRIPT = String.join("\n",
            "-- schema",
            "CREATE TABLE a (x INT);",
            "INSERT INTO a",
            "  VALUES (1);",
            "\\dt",
            "SELECT 'multi",
            "line;' FROM a; SELECT 2;",
            "SELECT 3");

    @Test
    void aReaderRunsEachCommandWithTheLineItStartsOnAndTheLastOneWithoutSemicolon() throws IOException {
        Recorder recorder = new Recorder(null);
        Outcome outcome = new ScriptRunner(recorder).run(new StringReader(SCRIPT), "s.sql");
        assertEquals(Outcome.OK, outcome);
        assertEquals(List.of(
                "s.sql:2:SQL:CREATE TABLE a (x INT)",
                "s.sql:3:SQL:INSERT INTO a\n  VALUES (1)",
                "s.sql:5:META:\\dt",
                "s.sql:6:SQL:SELECT 'multi\nline;' FROM a",
                "s.sql:7:SQL:SELECT 2",
                "s.sql:8:SQL:SELECT 3"), recorder.ran);
    }

    @Test
    void textAndReaderRunTheSameCommands() throws IOException {
        Recorder fromText = new Recorder(null);
        Recorder fromReader = new Recorder(null);
        new ScriptRunner(fromText).run(SCRIPT, "s.sql");
        new ScriptRunner(fromReader).run(new StringReader(SCRIPT), "s.sql");
        assertEquals(fromReader.ran, fromText.ran);
    }

    @Test
    void theFirstFailureStopsTheScript() throws IOException {
        Recorder recorder = new Recorder("INSERT INTO a\n  VALUES (1)");
        Outcome outcome = new ScriptRunner(recorder).run(new StringReader(SCRIPT), "s.sql");
        assertEquals(Outcome.FAILED, outcome);
        assertEquals(2, recorder.ran.size());
    }

    @Test
    void quitEndsTheScriptWithoutFailure() {
        Recorder recorder = new Recorder(null);
        Outcome outcome = new ScriptRunner(recorder).run("SELECT 1;\n\\q\nSELECT 2;", null);
        assertEquals(Outcome.QUIT, outcome);
        assertEquals(List.of("null:1:SQL:SELECT 1", "null:2:META:\\q"), recorder.ran);
    }
}
