package io.starlingdb.sql.exec;

import io.starlingdb.sql.SqlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CREATE INDEX and DROP INDEX, which Calcite's DDL grammar lacks:
 * <pre>
 * CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [ASC] [, ...])
 * DROP INDEX [IF EXISTS] name
 * </pre>
 * Identifiers follow Calcite's rules: unquoted ones are upper-cased, "quoted" ones kept as written.
 */
public final class IndexDdl {

    /** A parsed CREATE INDEX. */
    public record Create(String name, String table, List<String> columns, boolean unique, boolean ifNotExists) {
    }

    /** A parsed DROP INDEX. */
    public record Drop(String name, boolean ifExists) {
    }

    private final List<String> tokens;
    private final List<Boolean> quoted;
    private int pos;

    private IndexDdl(String sql) throws SqlException {
        tokens = new ArrayList<>();
        quoted = new ArrayList<>();
        tokenize(sql);
    }

    /** Parses the statement if it is CREATE/DROP INDEX; returns null for any other statement. */
    public static Object parse(String sql) throws SqlException {
        String head = sql.stripLeading().toUpperCase(Locale.ROOT);
        boolean create = head.startsWith("CREATE") && head.replaceAll("\\s+", " ").matches("CREATE (UNIQUE )?INDEX\\b.*");
        boolean drop = head.startsWith("DROP") && head.replaceAll("\\s+", " ").matches("DROP INDEX\\b.*");
        if (!create && !drop) {
            return null;
        }
        IndexDdl p = new IndexDdl(sql);
        return create ? p.create() : p.drop();
    }

    private Create create() throws SqlException {
        expect("CREATE");
        boolean unique = accept("UNIQUE");
        expect("INDEX");
        boolean ifNotExists = false;
        if (accept("IF")) {
            expect("NOT");
            expect("EXISTS");
            ifNotExists = true;
        }
        String name = identifier("index name");
        expect("ON");
        String table = identifier("table name");
        expect("(");
        List<String> columns = new ArrayList<>();
        do {
            columns.add(identifier("column name"));
            if (accept("DESC")) {
                throw new SqlException("0A000", "descending index columns are not supported");
            }
            accept("ASC");
        } while (accept(","));
        expect(")");
        end();
        return new Create(name, table, columns, unique, ifNotExists);
    }

    private Drop drop() throws SqlException {
        expect("DROP");
        expect("INDEX");
        boolean ifExists = false;
        if (accept("IF")) {
            expect("EXISTS");
            ifExists = true;
        }
        String name = identifier("index name");
        end();
        return new Drop(name, ifExists);
    }

    private void tokenize(String sql) throws SqlException {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',' || c == ';') {
                add(String.valueOf(c), false);
                i++;
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                if (end < 0) {
                    throw new SqlException("42000", "syntax error: unterminated quoted identifier");
                }
                add(sql.substring(i + 1, end), true);
                i = end + 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int start = i;
                while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                add(sql.substring(start, i).toUpperCase(Locale.ROOT), false);
            } else {
                throw new SqlException("42000", "syntax error: unexpected character '" + c + "' at position " + (i + 1));
            }
        }
        // A trailing semicolon is allowed.
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).equals(";") && !quoted.get(quoted.size() - 1)) {
            tokens.remove(tokens.size() - 1);
            quoted.remove(quoted.size() - 1);
        }
    }

    private void add(String token, boolean isQuoted) {
        tokens.add(token);
        quoted.add(isQuoted);
    }

    private boolean accept(String keyword) {
        if (pos < tokens.size() && !quoted.get(pos) && tokens.get(pos).equals(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String keyword) throws SqlException {
        if (!accept(keyword)) {
            throw new SqlException("42000", "syntax error: expected " + keyword + " but found "
                    + (pos < tokens.size() ? "'" + tokens.get(pos) + "'" : "the end of the statement"));
        }
    }

    private String identifier(String what) throws SqlException {
        if (pos >= tokens.size()) {
            throw new SqlException("42000", "syntax error: expected " + what + " but found the end of the statement");
        }
        String token = tokens.get(pos);
        if (!quoted.get(pos) && (token.length() == 1 && "(),".contains(token) || Character.isDigit(token.charAt(0)))) {
            throw new SqlException("42000", "syntax error: expected " + what + " but found '" + token + "'");
        }
        pos++;
        return token;
    }

    private void end() throws SqlException {
        if (pos < tokens.size()) {
            throw new SqlException("42000", "syntax error: unexpected '" + tokens.get(pos) + "' after the statement");
        }
    }
}
