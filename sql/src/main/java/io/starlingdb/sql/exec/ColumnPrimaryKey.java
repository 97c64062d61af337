package io.starlingdb.sql.exec;

import io.starlingdb.sql.SqlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Accepts a column-level {@code PRIMARY KEY} in CREATE TABLE ({@code id INTEGER PRIMARY KEY}),
 * which Calcite's DDL grammar lacks, by moving it to a table constraint before parsing:
 * {@code CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, v INT)} becomes
 * {@code CREATE TABLE t (id INTEGER NOT NULL , v INT, PRIMARY KEY (id))}. The rewrite works on
 * lexical structure only (quotes, comments and nesting respected); everything else is left to
 * Calcite's parser, which reports its own errors on the result.
 */
final class ColumnPrimaryKey {

    private ColumnPrimaryKey() {
    }

    static String rewrite(String sql) throws SqlException {
        String upper = sql.stripLeading().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (!upper.startsWith("CREATE TABLE")) {
            return sql;
        }
        int open = -1;
        int close = -1;
        int depth = 0;
        List<int[]> elements = new ArrayList<>(); // [start, end) of each top-level element
        int elementStart = -1;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(sql, i, c);
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? sql.length() : nl;
            } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 1;
            } else if (c == '(') {
                depth++;
                if (depth == 1 && open < 0) {
                    open = i;
                    elementStart = i + 1;
                }
            } else if (c == ')') {
                depth--;
                if (depth == 0 && open >= 0 && close < 0) {
                    close = i;
                    elements.add(new int[] {elementStart, i});
                }
            } else if (c == ',' && depth == 1 && close < 0) {
                elements.add(new int[] {elementStart, i});
                elementStart = i + 1;
            }
        }
        if (open < 0 || close < 0) {
            return sql;
        }
        String keyColumn = null;
        boolean tableKey = false;
        StringBuilder body = new StringBuilder();
        for (int[] e : elements) {
            String element = sql.substring(e[0], e[1]);
            String words = mask(element).toUpperCase(Locale.ROOT);
            int at = words.indexOf("PRIMARY KEY");
            String head = words.strip();
            if (head.startsWith("PRIMARY") || head.startsWith("CONSTRAINT") || head.startsWith("UNIQUE")) {
                tableKey |= at >= 0;
            } else if (at >= 0) {
                if (keyColumn != null) {
                    throw new SqlException("42000", "syntax error: more than one column is declared PRIMARY KEY; "
                            + "use a table constraint PRIMARY KEY (a, b) for a composite key");
                }
                keyColumn = element.strip().split("\\s+", 2)[0];
                element = element.substring(0, at) + element.substring(at + "PRIMARY KEY".length());
            }
            body.append(body.length() == 0 ? "" : ",").append(element);
        }
        if (keyColumn == null) {
            return sql;
        }
        if (tableKey) {
            throw new SqlException("42000", "syntax error: a table has one PRIMARY KEY, declared on a column or as a constraint, not both");
        }
        return sql.substring(0, open + 1) + body + ", PRIMARY KEY (" + keyColumn + ")" + sql.substring(close);
    }

    /** The text with quoted parts and comments blanked (same length), so keywords are found only outside them. */
    private static String mask(String s) {
        StringBuilder out = new StringBuilder(s);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int end = -1;
            if (c == '\'' || c == '"') {
                end = skipQuoted(s, i, c);
            } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-') {
                int nl = s.indexOf('\n', i);
                end = nl < 0 ? s.length() - 1 : nl;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int close = s.indexOf("*/", i + 2);
                end = close < 0 ? s.length() - 1 : close + 1;
            }
            if (end >= 0) {
                for (int j = i; j <= end && j < s.length(); j++) {
                    out.setCharAt(j, ' ');
                }
                i = end;
            }
        }
        // Keyword match across any whitespace: normalise whitespace runs to single spaces of the same length.
        return out.toString().replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /** Index of the closing quote (a doubled quote is an escaped one), or the last index. */
    private static int skipQuoted(String s, int start, char quote) {
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return s.length() - 1;
    }
}
