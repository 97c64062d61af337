package io.starlingdb.jdbc;

import java.util.Locale;

/**
 * What the driver reads from a statement's text: its first keywords, after blanks, comments and
 * opening parentheses. Enough to tell a read from a write and a session setting from the rest;
 * anything not recognised counts as a write, the kind the driver never resends.
 */
final class StatementText {

    private StatementText() {
    }

    static RequestKind kind(String sql) {
        int start = skipNoise(sql, 0);
        String first = word(sql, start);
        switch (first) {
            case "SELECT":
            case "VALUES":
            case "WITH":
            case "EXPLAIN":
            case "SHOW":
            case "DESCRIBE":
                return RequestKind.READ;
            case "BEGIN":
            case "START":
                return RequestKind.BEGIN;
            case "COMMIT":
            case "END":
                return RequestKind.COMMIT;
            case "ROLLBACK":
                // ROLLBACK TO SAVEPOINT keeps the transaction open: not an end.
                return "TO".equals(word(sql, skipNoise(sql, start + first.length()))) ? RequestKind.WRITE : RequestKind.ROLLBACK;
            case "SET":
                return RequestKind.SESSION;
            default:
                return RequestKind.WRITE;
        }
    }

    /**
     * The name of the session setting a {@code SET name = value} (or {@code SET SESSION name ...},
     * {@code SET name TO value}) statement changes, lower case; null for any other statement and
     * for {@code SET TRANSACTION} / {@code SET LOCAL}, which last one transaction only.
     */
    static String sessionSetting(String sql) {
        int start = skipNoise(sql, 0);
        if (!"SET".equals(word(sql, start))) {
            return null;
        }
        int at = skipNoise(sql, start + 3);
        String name = word(sql, at);
        if (name.equals("SESSION")) {
            at = skipNoise(sql, at + name.length());
            name = word(sql, at);
        }
        if (name.isEmpty() || name.equals("TRANSACTION") || name.equals("LOCAL")) {
            return null;
        }
        if (name.equals("CHARACTERISTICS")) {
            // SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ... | READ ONLY | READ WRITE:
            // the isolation level and the access mode are two settings.
            at = skipNoise(sql, at + name.length());
            at = skipNoise(sql, at + word(sql, at).length()); // AS
            at = skipNoise(sql, at + word(sql, at).length()); // TRANSACTION
            return "characteristics " + word(sql, at).toLowerCase(Locale.ROOT);
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** The index of the first character after blanks, comments and opening parentheses from {@code i}. */
    private static int skipNoise(String sql, int i) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    /** The word (letters, digits, underscores) at {@code i}, upper case; empty if none starts there. */
    private static String word(String sql, int i) {
        int end = i;
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
            end++;
        }
        return sql.substring(i, end).toUpperCase(Locale.ROOT);
    }
}
