package io.starlingdb.shell;

import java.sql.SQLException;

/**
 * The one line the shell prints for a failure: {@code ERROR 42S02: Table 'X' not found}. Only
 * the first line of a message is kept, and never a stack trace: the user needs the SQLState and
 * what was wrong, not the driver's insides.
 */
public final class ErrorLine {

    private static final String PREFIX = "ERROR";

    private ErrorLine() {
    }

    public static String of(SQLException e) {
        String state = e.getSQLState();
        String message = firstLine(e.getMessage(), e);
        return state == null || state.isBlank() ? PREFIX + ": " + message : PREFIX + " " + state + ": " + message;
    }

    /** For failures that are not the database's (a bug, an I/O problem): the kind and the message. */
    public static String of(RuntimeException e) {
        return PREFIX + ": " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage(), e);
    }

    /** A failure the shell itself detected, such as an unknown meta-command. */
    public static String of(String message) {
        return PREFIX + ": " + message;
    }

    /** A failure with an SQLState the shell assigns itself, such as a table {@code \d} cannot find. */
    public static String of(String sqlState, String message) {
        return PREFIX + " " + sqlState + ": " + message;
    }

    private static String firstLine(String message, Exception e) {
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }
}
