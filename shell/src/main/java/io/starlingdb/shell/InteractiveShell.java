package io.starlingdb.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The shell at a prompt: JLine line editing with history and completion; a statement runs once
 * its {@code ;} has been typed. Errors do not end the session; {@code \q} and Ctrl-D do (exit 0),
 * Ctrl-C throws away the input being typed.
 */
final class InteractiveShell {

    static final String PROMPT = "starling> ";
    /** The prompt of a statement's further lines, right-aligned under {@link #PROMPT}. */
    static final String CONTINUATION_PROMPT = String.format("%" + PROMPT.length() + "s", "-> ");
    private static final String APP_NAME = "starling";

    private final Terminal terminal;
    private final Connection connection;
    private final Path historyFile;
    private final boolean timing;

    InteractiveShell(Terminal terminal, Connection connection, Path historyFile, boolean timing) {
        this.terminal = terminal;
        this.connection = connection;
        this.historyFile = historyFile;
        this.timing = timing;
    }

    int run() throws SQLException {
        PrintWriter out = terminal.writer();
        SqlCompleter completer = new SqlCompleter(new Catalog(connection.getMetaData()));
        completer.catalogChanged();
        SqlSession session = new SqlSession(connection, out, out, timing, completer);
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName(APP_NAME)
                .parser(new SqlLineParser())
                .completer(completer)
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT)
                // '!' is SQL (<>, !=), not a history reference.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.CASE_INSENSITIVE, true)
                .build();
        try {
            while (true) {
                String input;
                try {
                    input = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C: the line typed so far is dropped, the session goes on
                } catch (EndOfFileException e) {
                    return ExitCode.OK;
                }
                if (runInput(session, input) == Outcome.QUIT) {
                    return ExitCode.OK;
                }
            }
        } finally {
            out.flush();
            saveHistory(reader);
        }
    }

    private static Outcome runInput(SqlSession session, String input) {
        StatementSplitter.Split split = StatementSplitter.split(input);
        for (Command command : split.complete()) {
            if (session.run(command, null) == Outcome.QUIT) {
                return Outcome.QUIT;
            }
        }
        // The parser accepts only complete input; this covers a terminal that bypassed it.
        if (split.unterminated() != null) {
            return session.run(split.unterminated(), null) == Outcome.QUIT ? Outcome.QUIT : Outcome.OK;
        }
        return Outcome.OK;
    }

    private static void saveHistory(LineReader reader) {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            reader.getTerminal().writer().println("starling: could not save the history: " + e.getMessage());
        }
    }
}
