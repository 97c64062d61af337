package io.starlingdb.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts shell input into commands. An SQL statement ends at a {@code ;} that is outside string
 * literals ({@code '...'}, with {@code ''} as an embedded quote), quoted identifiers
 * ({@code "..."}), line comments ({@code -- ...}) and block comments ({@code /* ... *}{@code /}).
 * A backslash at the start of a statement begins a meta-command, which ends with its line.
 *
 * <p>Pure: the interactive shell asks whether a buffer is complete, scripts feed it line by line
 * and keep the rest for the next call.
 */
public final class StatementSplitter {

    private static final char TERMINATOR = ';';
    private static final char META_PREFIX = '\\';
    private static final char STRING_QUOTE = '\'';
    private static final char IDENTIFIER_QUOTE = '"';

    private StatementSplitter() {
    }

    /**
     * The outcome of splitting a text.
     *
     * @param complete    the commands that ended in the text, in order
     * @param restStart   index of the first character not consumed by {@code complete}: an
     *                    unfinished statement or comment, or the end of the text
     * @param restLine    the line on which {@code restStart} lies
     * @param open        whether the text stops inside a statement, literal or comment, so that
     *                    more input is needed before the rest can run
     * @param unterminated the unfinished statement (from its first character, comments before it
     *                    skipped), or null when none began; a script runs it at end of input
     */
    public record Split(List<Command> complete, int restStart, int restLine, boolean open, Command unterminated) {
        public Split {
            complete = List.copyOf(complete);
        }
    }

    /** Splits {@code text}, numbering its lines from 1. */
    public static Split split(String text) {
        return split(text, 1);
    }

    /** Splits {@code text}, whose first line is line {@code firstLine} of the input. */
    public static Split split(String text, int firstLine) {
        Scanner s = new Scanner(text, firstLine);
        List<Command> commands = new ArrayList<>();
        int statementStart = -1;
        int statementLine = firstLine;
        int restStart = 0;
        int restLine = firstLine;
        while (s.pos < text.length()) {
            char c = text.charAt(s.pos);
            if (statementStart < 0) {
                // Between statements: skip blanks, comments and empty statements.
                if (Character.isWhitespace(c) || c == TERMINATOR) {
                    s.advance();
                    restStart = s.pos;
                    restLine = s.line;
                    continue;
                }
                if (s.startsWith("--")) {
                    s.skipLineComment();
                    restStart = s.pos;
                    restLine = s.line;
                    continue;
                }
                if (s.startsWith("/*")) {
                    if (!s.skipBlockComment()) {
                        return new Split(commands, restStart, restLine, true, null);
                    }
                    restStart = s.pos;
                    restLine = s.line;
                    continue;
                }
                if (c == META_PREFIX) {
                    int end = text.indexOf('\n', s.pos);
                    end = end < 0 ? text.length() : end;
                    commands.add(Command.meta(text.substring(s.pos, end).strip(), s.line));
                    s.pos = end;
                    restStart = s.pos;
                    restLine = s.line;
                    continue;
                }
                statementStart = s.pos;
                statementLine = s.line;
            }
            if (c == STRING_QUOTE || c == IDENTIFIER_QUOTE) {
                if (!s.skipQuoted(c)) {
                    break;
                }
            } else if (s.startsWith("--")) {
                s.skipLineComment();
            } else if (s.startsWith("/*")) {
                if (!s.skipBlockComment()) {
                    break;
                }
            } else if (c == TERMINATOR) {
                String statement = text.substring(statementStart, s.pos).strip();
                commands.add(Command.sql(statement, statementLine));
                s.advance();
                statementStart = -1;
                restStart = s.pos;
                restLine = s.line;
            } else {
                s.advance();
            }
        }
        if (statementStart < 0) {
            return new Split(commands, restStart, restLine, false, null);
        }
        Command unterminated = Command.sql(text.substring(statementStart).strip(), statementLine);
        return new Split(commands, statementStart, statementLine, true, unterminated);
    }

    /** A cursor over the text that counts lines as it moves. */
    private static final class Scanner {
        private final String text;
        int pos;
        int line;

        Scanner(String text, int firstLine) {
            this.text = text;
            this.line = firstLine;
        }

        void advance() {
            if (text.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }

        boolean startsWith(String token) {
            return text.startsWith(token, pos);
        }

        /** Moves to the newline that ends a line comment (or the end of the text). */
        void skipLineComment() {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        }

        /** Moves past a block comment; false (at the end of the text) when it is not closed. */
        boolean skipBlockComment() {
            pos += 2;
            while (pos < text.length()) {
                if (startsWith("*/")) {
                    pos += 2;
                    return true;
                }
                advance();
            }
            return false;
        }

        /**
         * Moves past a quoted literal or identifier; a doubled quote stands for itself. False
         * (at the end of the text) when the quote is not closed.
         */
        boolean skipQuoted(char quote) {
            pos++;
            while (pos < text.length()) {
                if (text.charAt(pos) == quote) {
                    if (pos + 1 < text.length() && text.charAt(pos + 1) == quote) {
                        pos += 2;
                        continue;
                    }
                    pos++;
                    return true;
                }
                advance();
            }
            return false;
        }
    }
}
