package io.starlingdb.sql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.sql.parser.impl.StarlingSqlParserImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.util.Litmus;
import org.junit.jupiter.api.Test;

/**
 * {@link SimpleSelectParser} makes the generated parser's tree, or none: generated statements
 * of its grammar and around it (other words, reserved words as names, comments, quoted names,
 * parentheses, syntax errors made by dropping or repeating a token) parsed both ways, compared node by node
 * (operators, operands, literal values and types, names) and position by position.
 */
class SimpleSelectParserTest {

    private static final SqlParser.Config CONFIG = SqlParser.config().withParserFactory(StarlingSqlParserImpl.FACTORY);

    /** Statements generated per run; each is parsed both ways. */
    private static final int STATEMENTS = 3_000;

    @Test
    void generatedStatementsParseToTheGeneratedParsersTreeOrAreLeftToIt() {
        SplittableRandom random = new SplittableRandom(13);
        int taken = 0;
        int refused = 0;
        for (int i = 0; i < STATEMENTS; i++) {
            String generated = statement(random);
            String sql = random.nextInt(5) == 0 ? mutate(generated, random) : generated;
            SqlNode expected;
            try {
                expected = ReusedParser.parseStatement(sql, CONFIG);
            } catch (SqlParseException | RuntimeException e) {
                expected = null; // a syntax error (BETWEEN without AND surfaces as Calcite's context exception)
            }
            SqlNode simple = SimpleSelectParser.parse(sql, CONFIG);
            if (expected == null) {
                assertNull(simple, () -> "the generated parser refuses, the simple one must too: " + sql);
                refused++;
                continue;
            }
            if (simple != null) {
                assertSameTree(expected, simple, sql);
                taken++;
            }
        }
        assertTrue(taken > STATEMENTS / 3, "the simple parser took " + taken + " statements");
        assertTrue(refused > 0, "some statements are syntax errors");
    }

    @Test
    void theBenchmarksNewStatementsAreTakenWithTheGeneratedParsersTree() throws SqlParseException {
        for (int round : new int[] {0, 1_000_000}) {
            for (int i = 0; i < 400; i++) {
                String sql = benchStatement(i, round);
                SqlNode simple = SimpleSelectParser.parse(sql, CONFIG);
                assertNotNull(simple, sql);
                assertSameTree(ReusedParser.parseStatement(sql, CONFIG), simple, sql);
            }
        }
    }

    @Test
    void statementsOutsideTheGrammarAreLeftToTheGeneratedParser() {
        for (String sql : List.of(
                "SELECT a FROM t -- comment",
                "SELECT /* c */ a FROM t",
                "SELECT \"a\" FROM t",
                "SELECT a FROM t WHERE (a, b) = (1, 2)",
                "SELECT (a - b) DAY FROM t",
                "SELECT ABS(a) FROM t",
                "SELECT DISTINCT a FROM t",
                "SELECT COUNT(DISTINCT a) FROM t",
                "SELECT a FROM t GROUP BY a",
                "SELECT a FROM t, u",
                "SELECT a FROM t JOIN u ON t.a = u.a",
                "SELECT a FROM t WHERE a IN (SELECT b FROM u)",
                "SELECT a FROM t WHERE a = ?",
                "SELECT a FROM t WHERE b = X'00'",
                "SELECT a FROM t WHERE b = 'x' 'y'",
                "SELECT a FROM t WHERE c = 1e3",
                "SELECT a FROM t WHERE c = .5",
                "SELECT a FROM t WHERE b LIKE 'x' ESCAPE '!'",
                "SELECT a FROM t WHERE a != 1",
                "SELECT a FROM t;",
                "SELECT a FROM t LIMIT 1, 2",
                "SELECT a FROM t WHERE a IS TRUE",
                "SELECT a FROM t WHERE a BETWEEN SYMMETRIC 1 AND 2",
                "SELECT CURRENT_DATE FROM t",
                "SELECT a FROM t UNION SELECT b FROM u",
                "INSERT INTO t VALUES (1)",
                "SELECT a c FROM t")) {
            assertNull(SimpleSelectParser.parse(sql, CONFIG), sql);
        }
    }

    /** The distinct phase's statement {@code i} of {@code bin/starling bench compare} (JdbcBench.distinctStatement). */
    private static String benchStatement(int i, int offset) {
        int length = 1 + (i / 4) % 100;
        int round = offset + i / 400;
        StringBuilder in = new StringBuilder();
        for (int k = 0; k < length; k++) {
            in.append(k == 0 ? "" : ", ").append(k * 10 + i % 7);
        }
        return switch (i % 4) {
            case 0 -> "SELECT id, b, a + " + round + " FROM bench_distinct WHERE a IN (" + in + ")";
            case 1 -> "SELECT id, a + " + round + ", b, c FROM bench_distinct WHERE a > " + (i % 13) + " AND b <> 'q' OR c < "
                    + (i % 5) + ".5 AND id IN (" + in + ")";
            case 2 -> "SELECT COUNT(*), MAX(c) + " + round + " FROM bench_distinct WHERE id NOT IN (" + in + ") OR b LIKE 'b"
                    + (i % 3) + "%'";
            default -> "SELECT b, a + " + round + " FROM bench_distinct WHERE id BETWEEN 1 AND " + (1 + i % 4) + " AND a NOT IN ("
                    + in + ") ORDER BY a DESC LIMIT " + (1 + i % 3);
        };
    }

    /** Equal trees (Calcite's deep equality and the unparsed text) with equal positions at every node. */
    private static void assertSameTree(SqlNode expected, SqlNode actual, String sql) {
        assertTrue(expected.equalsDeep(actual, Litmus.IGNORE), () -> sql + "\nexpected " + expected + "\nactual   " + actual);
        assertEquals(expected.toString(), actual.toString(), sql);
        assertSamePositions(expected, actual, sql);
    }

    private static void assertSamePositions(SqlNode expected, SqlNode actual, String sql) {
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, sql);
            return;
        }
        assertEquals(expected.getClass(), actual.getClass(), sql);
        assertEquals(expected.getParserPosition(), actual.getParserPosition(), () -> sql + "\nat " + expected);
        if (expected instanceof SqlIdentifier e && e.names.size() > 1) {
            for (int i = 0; i < e.names.size(); i++) {
                assertEquals(e.getComponentParserPosition(i), ((SqlIdentifier) actual).getComponentParserPosition(i), sql);
            }
        }
        if (expected instanceof SqlNodeList e) {
            SqlNodeList a = (SqlNodeList) actual;
            assertEquals(e.size(), a.size(), sql);
            for (int i = 0; i < e.size(); i++) {
                assertSamePositions(e.get(i), a.get(i), sql);
            }
        } else if (expected instanceof SqlCall e) {
            SqlCall a = (SqlCall) actual;
            assertEquals(e.getOperator().getName(), a.getOperator().getName(), sql);
            assertEquals(e.getOperator().getClass(), a.getOperator().getClass(), sql);
            assertEquals(e.getFunctionQuantifier() == null, a.getFunctionQuantifier() == null, sql);
            List<SqlNode> eo = e.getOperandList();
            List<SqlNode> ao = a.getOperandList();
            assertEquals(eo.size(), ao.size(), sql);
            for (int i = 0; i < eo.size(); i++) {
                assertSamePositions(eo.get(i), ao.get(i), sql);
            }
        }
    }

    /** Column names, among them non-reserved keywords (A, C, NAME, STATUS) and, rarely, reserved ones (VALUE, YEAR). */
    private static final String[] COLUMNS = {"a", "b", "c", "id", "t.a", "x.id", "name", "status", "k_2", "a", "b", "c", "id"};
    private static final String[] TABLES = {"t", "t AS x", "t x", "public.t", "bench_distinct", "t AS a", "orders o"};

    private static String statement(SplittableRandom r) {
        StringBuilder sql = new StringBuilder(word("SELECT", r)).append(space(r));
        int items = 1 + r.nextInt(4);
        for (int i = 0; i < items; i++) {
            sql.append(i == 0 ? "" : "," + space(r)).append(selectItem(r));
        }
        sql.append(space(r)).append(word("FROM", r)).append(space(r)).append(TABLES[r.nextInt(TABLES.length)]);
        if (r.nextInt(4) != 0) {
            sql.append(space(r)).append(word("WHERE", r)).append(space(r)).append(predicate(r, 3));
        }
        if (r.nextInt(3) == 0) {
            sql.append(space(r)).append(word("ORDER BY", r)).append(space(r));
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                sql.append(i == 0 ? "" : ", ").append(arithmetic(r, 1));
                sql.append(switch (r.nextInt(4)) {
                    case 0 -> " ASC";
                    case 1 -> " desc";
                    default -> "";
                });
                sql.append(switch (r.nextInt(5)) {
                    case 0 -> " NULLS FIRST";
                    case 1 -> " nulls last";
                    default -> "";
                });
            }
        }
        if (r.nextInt(3) == 0) {
            sql.append(space(r)).append(word("LIMIT", r)).append(' ').append(r.nextInt(100));
            if (r.nextBoolean()) {
                sql.append(" OFFSET ").append(r.nextInt(10));
            }
        }
        return sql.toString();
    }

    private static String selectItem(SplittableRandom r) {
        String e = switch (r.nextInt(8)) {
            case 0 -> "*";
            case 1 -> "COUNT(*)";
            case 2 -> new String[] {"count", "MIN", "max", "SUM", "Avg"}[r.nextInt(5)] + "(" + arithmetic(r, 1) + ")";
            case 3 -> "COUNT(*) + " + r.nextInt(9);
            default -> arithmetic(r, 2);
        };
        return e + switch (r.nextInt(12)) {
            case 0 -> " AS n" + r.nextInt(3);
            case 1 -> " total";
            case 2 -> " AS a";
            case 3 -> r.nextInt(4) == 0 ? " AS select" : " as Total";
            default -> "";
        };
    }

    private static String predicate(SplittableRandom r, int depth) {
        if (depth > 0 && r.nextInt(3) == 0) {
            String op = r.nextBoolean() ? " AND " : " OR ";
            return predicate(r, depth - 1) + (r.nextBoolean() ? op : op.toLowerCase()) + predicate(r, depth - 1);
        }
        if (depth > 0 && r.nextInt(8) == 0) {
            return "NOT " + predicate(r, depth - 1);
        }
        if (depth > 0 && r.nextInt(5) == 0) {
            return "(" + predicate(r, depth - 1) + ")";
        }
        String left = arithmetic(r, 1);
        return switch (r.nextInt(8)) {
            case 0 -> left + (r.nextBoolean() ? " NOT" : "") + " IN (" + list(r) + ")";
            case 1 -> left + (r.nextBoolean() ? " NOT" : "") + " BETWEEN " + operand(r) + " AND " + operand(r);
            case 2 -> left + (r.nextBoolean() ? " NOT" : "") + " LIKE '" + (char) ('a' + r.nextInt(3)) + "%'";
            case 3 -> left + " IS" + (r.nextBoolean() ? " NOT" : "") + " NULL";
            default -> left + space(r) + new String[] {"=", "<>", "<", "<=", ">", ">="}[r.nextInt(6)] + space(r) + arithmetic(r, 1);
        };
    }

    private static String list(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : r.nextBoolean() ? ", " : ",").append(operand(r));
        }
        return s.toString();
    }

    private static String arithmetic(SplittableRandom r, int depth) {
        if (depth > 0 && r.nextInt(3) == 0) {
            return arithmetic(r, depth - 1) + space(r) + "+-*/".charAt(r.nextInt(4)) + space(r) + arithmetic(r, depth - 1);
        }
        if (r.nextInt(10) == 0) {
            return "-" + operand(r);
        }
        if (depth > 0 && r.nextInt(8) == 0) {
            return "(" + arithmetic(r, depth - 1) + ")";
        }
        return operand(r);
    }

    private static String operand(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> String.valueOf(r.nextInt(1000));
            case 1 -> r.nextInt(100) + "." + r.nextInt(100);
            case 2 -> "'s" + (r.nextBoolean() ? "''q" : "") + r.nextInt(9) + "'";
            case 3 -> new String[] {"TRUE", "false", "NULL", "1.", "0.25"}[r.nextInt(5)];
            default -> r.nextInt(40) == 0 ? (r.nextBoolean() ? "value" : "year") : COLUMNS[r.nextInt(COLUMNS.length)];
        };
    }

    private static String word(String w, SplittableRandom r) {
        return r.nextInt(3) == 0 ? w.toLowerCase() : w;
    }

    private static String space(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> "\n";
            case 1 -> "  ";
            case 2 -> "\t";
            default -> " ";
        };
    }

    /** A statement made wrong or odd: a token dropped or repeated, or something this parser leaves alone put in. */
    private static String mutate(String sql, SplittableRandom r) {
        List<String> words = new ArrayList<>(List.of(sql.split(" ")));
        int at = r.nextInt(words.size());
        switch (r.nextInt(5)) {
            case 0 -> words.remove(at);
            case 1 -> words.add(at, words.get(at));
            case 2 -> words.add(at, new String[] {"--", "/*x*/", "\"q\"", "?", "(", ")", ";", "!=", "SELECT", "FROM", "1e2", "U&'x'",
                    "N'x'", "_x", "$y", "ROW", "DISTINCT", ",", "AS", "IS", "NOT", "ESCAPE", "'"}[r.nextInt(23)]);
            case 3 -> words.set(at, words.get(at) + ".");
            default -> words.set(at, words.get(at).toUpperCase());
        }
        return String.join(" ", words);
    }
}
