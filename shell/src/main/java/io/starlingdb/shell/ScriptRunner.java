package io.starlingdb.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Runs commands that do not come from a person at a prompt: {@code -e} text, {@code -f} files and
 * piped standard input. The first failing command stops the script (as psql with
 * {@code ON_ERROR_STOP}): later statements often depend on earlier ones, and running them
 * after a failure would change data the author did not mean to change.
 */
final class ScriptRunner {

    /** Runs one command and prints what it produces; {@link SqlSession} in the shell. */
    interface CommandRunner {
        Outcome run(Command command, String origin);
    }

    private final CommandRunner session;

    ScriptRunner(CommandRunner session) {
        this.session = session;
    }

    /** Runs {@code text}; a last statement without {@code ;} runs too. */
    Outcome run(String text, String origin) {
        StatementSplitter.Split split = StatementSplitter.split(text);
        Outcome outcome = runAll(split, origin);
        if (outcome != Outcome.OK || split.unterminated() == null) {
            return outcome;
        }
        return session.run(split.unterminated(), origin);
    }

    /**
     * Runs what {@code reader} supplies, a command as soon as its end has been read, so that a
     * long script or a pipe shows progress and a failure stops it before the rest is read.
     */
    Outcome run(Reader reader, String origin) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        StringBuilder pending = new StringBuilder();
        int pendingLine = 1;
        StatementSplitter.Split split;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            pending.append(line).append('\n');
            if (!mayEndCommand(line)) {
                continue; // re-scanning a long statement on each of its lines would cost quadratic time
            }
            split = StatementSplitter.split(pending.toString(), pendingLine);
            Outcome outcome = runAll(split, origin);
            if (outcome != Outcome.OK) {
                return outcome;
            }
            pending.delete(0, split.restStart());
            pendingLine = split.restLine();
        }
        if (pending.length() > 0) {
            split = StatementSplitter.split(pending.toString(), pendingLine);
            Outcome outcome = runAll(split, origin);
            if (outcome != Outcome.OK || split.unterminated() == null) {
                return outcome;
            }
            return session.run(split.unterminated(), origin);
        }
        return Outcome.OK;
    }

    /** Only a {@code ;} or a meta-command's backslash can complete a command. */
    private static boolean mayEndCommand(String line) {
        return line.indexOf(';') >= 0 || line.indexOf('\\') >= 0;
    }

    private Outcome runAll(StatementSplitter.Split split, String origin) {
        for (Command command : split.complete()) {
            Outcome outcome = session.run(command, origin);
            if (outcome != Outcome.OK) {
                return outcome;
            }
        }
        return Outcome.OK;
    }
}
