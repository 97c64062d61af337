package io.starlingdb.sql;

import io.starlingdb.engine.txn.Isolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements that steer a session rather than read or write tables: transaction control
 * ({@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT}, {@code ROLLBACK}), transaction
 * characteristics ({@code SET TRANSACTION ...}, {@code SET SESSION CHARACTERISTICS AS TRANSACTION
 * ...}), session settings ({@code SET name = value}) and {@code SHOW name}. Calcite's parser
 * knows none of them, so they are recognised here, before it runs (docs/sql.md, "Transactions").
 */
sealed interface SessionStatement {

    /** Characteristics a transaction may be given; null where a statement leaves one as it is. */
    record Modes(Isolation isolation, Boolean readOnly) {
    }

    /** {@code BEGIN} / {@code START TRANSACTION} with optional modes. */
    record Begin(Modes modes) implements SessionStatement {
    }

    /** {@code COMMIT} / {@code END}. */
    record Commit() implements SessionStatement {
    }

    /** {@code ROLLBACK} / {@code ABORT}. */
    record Rollback() implements SessionStatement {
    }

    /** {@code SET TRANSACTION modes} ({@code session} false) or the session's defaults ({@code session} true). */
    record SetTransaction(Modes modes, boolean session) implements SessionStatement {
    }

    /** {@code SET name = value} / {@code SET name TO value}: {@code name} lower case, value unquoted. */
    record Set(String name, String value) implements SessionStatement {
    }

    /** {@code SHOW name}, name lower case. */
    record Show(String name) implements SessionStatement {
    }

    /** Longest session statement recognised here; longer texts go to the SQL parser (and fail there if bad). */
    int maxLength = 256;

    /**
     * The session statement {@code sql} is, or null if it is none (it is then a statement for the
     * SQL parser). Throws for a statement that starts like one but is malformed.
     */
    static SessionStatement parse(String sql) throws SqlException {
        int start = 0;
        while (start < sql.length() && Character.isWhitespace(sql.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < sql.length() && Character.isLetter(sql.charAt(end))) {
            end++;
        }
        String first = sql.substring(start, end).toUpperCase(Locale.ROOT);
        switch (first) {
            case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SET", "SHOW", "SAVEPOINT", "RELEASE" -> {
            }
            default -> {
                return null;
            }
        }
        if (sql.length() > maxLength) {
            return null;
        }
        List<String> tokens = tokens(sql);
        if (first.equals("SET") && tokens.size() > 1 && !isSessionSetting(tokens.get(1))) {
            return null; // SET of something else (Calcite's SET option): the SQL parser answers it
        }
        return new Parser(tokens, sql).statement();
    }

    /** Names {@code SET} and {@code SHOW} accept besides the transaction forms. */
    static boolean isSessionSetting(String token) {
        return switch (token) {
            case "TRANSACTION", "SESSION", "READ_CONSISTENCY", "TRANSACTION_ISOLATION", "DEFAULT_TRANSACTION_ISOLATION",
                    "TRANSACTION_READ_ONLY", "DEFAULT_TRANSACTION_READ_ONLY" -> true;
            default -> false;
        };
    }

    /**
     * Words (upper-cased), quoted strings (kept with their quote, content as written), numbers,
     * and the single characters {@code = , ;}. Anything else is a token of its own and will not parse.
     */
    private static List<String> tokens(String sql) throws SqlException {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int j = i;
                while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_'
                        || sql.charAt(j) == '.')) {
                    j++;
                }
                out.add(sql.substring(i, j).toUpperCase(Locale.ROOT));
                i = j;
            } else if (c == '\'') {
                StringBuilder s = new StringBuilder("'");
                int j = i + 1;
                while (true) {
                    if (j >= sql.length()) {
                        throw new SqlException("42601", "unterminated string in: " + sql.strip());
                    }
                    if (sql.charAt(j) == '\'') {
                        if (j + 1 < sql.length() && sql.charAt(j + 1) == '\'') {
                            s.append('\'');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    s.append(sql.charAt(j++));
                }
                out.add(s.toString());
                i = j + 1;
            } else {
                out.add(String.valueOf(c));
                i++;
            }
        }
        while (!out.isEmpty() && out.get(out.size() - 1).equals(";")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** A recursive-descent reader of the token list. */
    final class Parser {
        private final List<String> tokens;
        private final String sql;
        private int at;

        Parser(List<String> tokens, String sql) {
            this.tokens = tokens;
            this.sql = sql.strip();
        }

        SessionStatement statement() throws SqlException {
            String first = next();
            SessionStatement s = switch (first) {
                case "BEGIN" -> {
                    accept("WORK", "TRANSACTION");
                    yield new Begin(modes(true));
                }
                case "START" -> {
                    expect("TRANSACTION");
                    yield new Begin(modes(true));
                }
                case "COMMIT", "END" -> {
                    accept("WORK", "TRANSACTION");
                    yield new Commit();
                }
                case "ROLLBACK", "ABORT" -> {
                    accept("WORK", "TRANSACTION");
                    if (peek("TO")) {
                        throw savepoints();
                    }
                    yield new Rollback();
                }
                case "SAVEPOINT", "RELEASE" -> throw savepoints();
                case "SET" -> set();
                case "SHOW" -> show();
                default -> throw syntax();
            };
            if (at < tokens.size()) {
                throw syntax();
            }
            return s;
        }

        private SessionStatement set() throws SqlException {
            String name = next();
            if (name.equals("TRANSACTION")) {
                return new SetTransaction(modes(false), false);
            }
            if (name.equals("SESSION")) {
                expect("CHARACTERISTICS");
                expect("AS");
                expect("TRANSACTION");
                return new SetTransaction(modes(false), true);
            }
            if (!accept("=", "TO")) {
                throw syntax();
            }
            StringBuilder value = new StringBuilder();
            while (at < tokens.size()) {
                String t = next();
                value.append(value.length() == 0 ? "" : " ").append(t.startsWith("'") ? t.substring(1) : t.toLowerCase(Locale.ROOT));
            }
            if (value.length() == 0) {
                throw syntax();
            }
            return new Set(name.toLowerCase(Locale.ROOT), value.toString());
        }

        private SessionStatement show() throws SqlException {
            String name = next();
            if (name.equals("TRANSACTION")) {
                expect("ISOLATION");
                expect("LEVEL");
                return new Show("transaction_isolation");
            }
            if (!isSessionSetting(name) || name.equals("SESSION")) {
                throw new SqlException("42704", "unrecognized setting \"" + name.toLowerCase(Locale.ROOT) + "\"; SHOW knows "
                        + "transaction_isolation, default_transaction_isolation, transaction_read_only, "
                        + "default_transaction_read_only and read_consistency");
            }
            return new Show(name.toLowerCase(Locale.ROOT));
        }

        /** Transaction modes separated by optional commas; at least one unless {@code optional}. */
        private Modes modes(boolean optional) throws SqlException {
            Isolation isolation = null;
            Boolean readOnly = null;
            boolean any = false;
            while (at < tokens.size()) {
                if (any) {
                    accept(",");
                }
                if (accept("ISOLATION")) {
                    expect("LEVEL");
                    isolation = isolation();
                } else if (accept("READ")) {
                    String rw = next();
                    if (rw.equals("ONLY")) {
                        readOnly = true;
                    } else if (rw.equals("WRITE")) {
                        readOnly = false;
                    } else {
                        throw syntax();
                    }
                } else if (accept("NOT")) {
                    expect("DEFERRABLE"); // PostgreSQL's [NOT] DEFERRABLE: no transaction here waits to start
                } else if (!accept("DEFERRABLE")) {
                    throw syntax();
                }
                any = true;
            }
            if (!any && !optional) {
                throw syntax();
            }
            return new Modes(isolation, readOnly);
        }

        private Isolation isolation() throws SqlException {
            String level = next();
            return switch (level) {
                case "SERIALIZABLE" -> Isolation.SERIALIZABLE;
                case "SNAPSHOT" -> Isolation.SNAPSHOT;
                case "REPEATABLE" -> {
                    expect("READ");
                    yield Isolation.SNAPSHOT;
                }
                // Weaker levels run as snapshot isolation, which gives more than they promise.
                case "READ" -> {
                    if (!accept("COMMITTED", "UNCOMMITTED")) {
                        throw syntax();
                    }
                    yield Isolation.SNAPSHOT;
                }
                default -> throw new SqlException("42601", "unknown isolation level " + level + " in: " + sql
                        + " (levels: SERIALIZABLE, REPEATABLE READ or SNAPSHOT, READ COMMITTED, READ UNCOMMITTED)");
            };
        }

        private String next() throws SqlException {
            if (at >= tokens.size()) {
                throw syntax();
            }
            return tokens.get(at++);
        }

        private boolean peek(String word) {
            return at < tokens.size() && tokens.get(at).equals(word);
        }

        /** Consumes the next token if it is one of {@code words}. */
        private boolean accept(String... words) {
            for (String w : words) {
                if (peek(w)) {
                    at++;
                    return true;
                }
            }
            return false;
        }

        private void expect(String word) throws SqlException {
            if (!accept(word)) {
                throw syntax();
            }
        }

        private SqlException syntax() {
            return new SqlException("42601", "syntax error in session statement: " + sql);
        }

        private static SqlException savepoints() {
            return new SqlException("0A000", "savepoints are not supported; roll back the whole transaction and retry it");
        }
    }
}
