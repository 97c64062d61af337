package io.starlingdb.shell;

/**
 * One unit of shell input: an SQL statement (without its terminating {@code ;}) or a
 * meta-command such as {@code \d orders} (a whole line starting with a backslash).
 *
 * @param line the 1-based line of the input on which the command starts, for error messages of scripts
 */
public record Command(Kind kind, String text, int line) {

    /** What the shell does with the text. */
    public enum Kind {
        /** Sent to the server as it is. */
        SQL,
        /** Interpreted by the shell itself. */
        META
    }

    public Command {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a command has text");
        }
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1, got " + line);
        }
    }

    static Command sql(String text, int line) {
        return new Command(Kind.SQL, text, line);
    }

    static Command meta(String text, int line) {
        return new Command(Kind.META, text, line);
    }
}
