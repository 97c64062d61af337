package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeFactoryImpl;

/**
 * A statement's text with its numeric and string literals cut out, found by one scan of the
 * text and no parsing. Statements with the same {@link #key} differ only in the values of
 * literals of the same types, so a statement whose literals {@link AutoParameters} replaced once
 * can take the same plan again from the text alone: parsing costs tens of microseconds, more
 * than the rest of a point select.
 *
 * <p>The scan knows string literals ({@code '...'} with {@code ''} inside), quoted identifiers
 * ({@code "..."}) and unsigned numbers; everything else is kept verbatim in the key, so two
 * texts share a key only if they are equal outside their literals. Texts the scan does not
 * fully understand (comments, prefixed strings such as {@code X'..'} or {@code N'..'}, a number
 * run into a word, an unterminated quote) have no shape and are simply planned from their text.
 *
 * <p>The key holds each literal's type (as Calcite types the literal), so that the literal types,
 * and with them the plan's parameter types, are the same for every text of one key.
 */
public final class TextShape {

    /** One literal: where it starts (1-based line and column, as the parser reports), its text and value. */
    public record Literal(int line, int column, String text, Object value) {
    }

    private static final RelDataTypeFactory typeFactory = new SqlTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM);

    /**
     * Digits of the longest unsigned integer whose type is INTEGER whatever its digits (999,999,999
     * is below 2^31): such a literal, the most frequent kind, takes {@link #SMALL_INTEGER_TYPE}
     * without building a Calcite literal and type for it, which cost half of this scan (JFR).
     */
    private static final int SMALL_INTEGER_DIGITS = 9;

    /** The type Calcite gives an unsigned integer literal of at most {@link #SMALL_INTEGER_DIGITS} digits. */
    private static final String SMALL_INTEGER_TYPE = numberType("1", false);

    /** Literals beyond this many: no shape (a statement with thousands of VALUES is rarely repeated). */
    public static final int MAX_LITERALS = 256;

    /** Texts longer than this have no shape: they are planned, and cached, by their text. */
    public static final int MAX_TEXT_CHARS = 16_384;

    private final String key;
    private final List<Literal> literals;

    private TextShape(String key, List<Literal> literals) {
        this.key = key;
        this.literals = literals;
    }

    /** The text with each literal replaced by a marker of its type. */
    public String key() {
        return key;
    }

    public List<Literal> literals() {
        return literals;
    }

    /** The shape of {@code sql}, or null if it has no literal or the scan does not understand it. */
    public static TextShape of(String sql) {
        if (sql.length() > MAX_TEXT_CHARS) {
            return null;
        }
        StringBuilder key = new StringBuilder(sql.length() + 16);
        List<Literal> literals = new ArrayList<>();
        int line = 1;
        int lineStart = 0;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && sql.charAt(i + 1) == '\n') {
                    key.append(c);
                    i++;
                }
                key.append(sql.charAt(i));
                i++;
                line++;
                lineStart = i;
            } else if (Character.isISOControl(c)) {
                return null; // a tab counts as several columns for the parser: positions would not match
            } else if (isWordStart(c)) {
                int j = i + 1;
                while (j < n && isWordPart(sql.charAt(j))) {
                    j++;
                }
                if (j < n && (sql.charAt(j) == '\'' || sql.charAt(j) == '&')) {
                    return null; // X'..', N'..', U&'..', _charset'..'
                }
                key.append(sql, i, j);
                i = j;
            } else if (c == '\'') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= n || sql.charAt(j) == '\n' || sql.charAt(j) == '\r') {
                        return null; // unterminated, or spans lines (kept out to keep positions simple)
                    }
                    char d = sql.charAt(j);
                    if (d == '\'') {
                        if (j + 1 < n && sql.charAt(j + 1) == '\'') {
                            value.append('\'');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    value.append(d);
                    j++;
                }
                if (!add(literals, new Literal(line, i - lineStart + 1, sql.substring(i, j + 1), value.toString()))) {
                    return null;
                }
                key.append("\u0001S").append(value.length()).append('\u0001');
                i = j + 1;
            } else if (c == '"' || c == '`') {
                int j = i + 1;
                while (true) {
                    if (j >= n || sql.charAt(j) == '\n' || sql.charAt(j) == '\r') {
                        return null;
                    }
                    if (sql.charAt(j) == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                key.append(sql, i, j + 1);
                i = j + 1;
            } else if ((c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') || (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*')) {
                return null; // comments
            } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
                if (i > 0 && sql.charAt(i - 1) == '.') {
                    return null; // t.1: not a number
                }
                int j = scanNumber(sql, i);
                if (j < 0) {
                    return null;
                }
                String text = sql.substring(i, j);
                boolean small = j - i <= SMALL_INTEGER_DIGITS && allDigits(text);
                String type;
                BigDecimal value;
                if (small) {
                    type = SMALL_INTEGER_TYPE;
                    value = BigDecimal.valueOf(Integer.parseInt(text));
                } else {
                    try {
                        type = numberType(text, text.indexOf('e') >= 0 || text.indexOf('E') >= 0);
                    } catch (RuntimeException e) {
                        return null;
                    }
                    value = new BigDecimal(text);
                }
                if (!add(literals, new Literal(line, i - lineStart + 1, text, value))) {
                    return null;
                }
                key.append("\u0001N").append(type).append('\u0001');
                i = j;
            } else {
                key.append(c);
                i++;
            }
        }
        return literals.isEmpty() ? null : new TextShape(key.toString(), List.copyOf(literals));
    }

    /** The type Calcite's parser gives the numeric literal {@code text}, as its full type string. */
    private static String numberType(String text, boolean approximate) {
        SqlLiteral literal = approximate ? SqlLiteral.createApproxNumeric(text, SqlParserPos.ZERO)
                : SqlLiteral.createExactNumeric(text, SqlParserPos.ZERO);
        return ((SqlNumericLiteral) literal).createSqlType(typeFactory).getFullTypeString();
    }

    private static boolean allDigits(String text) {
        for (int k = 0; k < text.length(); k++) {
            if (!isDigit(text.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** The end of the unsigned number starting at {@code i}, or -1 if it runs into a word or a second point. */
    private static int scanNumber(String sql, int i) {
        int n = sql.length();
        int j = i;
        while (j < n && isDigit(sql.charAt(j))) {
            j++;
        }
        if (j < n && sql.charAt(j) == '.') {
            j++;
            while (j < n && isDigit(sql.charAt(j))) {
                j++;
            }
        }
        if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
            j++;
            if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
                j++;
            }
            if (j >= n || !isDigit(sql.charAt(j))) {
                return -1;
            }
            while (j < n && isDigit(sql.charAt(j))) {
                j++;
            }
        }
        if (j < n && (isWordPart(sql.charAt(j)) || sql.charAt(j) == '.' || sql.charAt(j) == '\'')) {
            return -1; // 1abc, 1.2.3
        }
        return j;
    }

    private static boolean add(List<Literal> literals, Literal literal) {
        literals.add(literal);
        return literals.size() <= MAX_LITERALS;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /**
     * Which of this text's literals supplies each replaced literal of {@code auto}: for literal
     * {@code i}, {@code result[i]} is the index of its value in {@code auto.values()}, or -1 if
     * the parser kept it as a literal (it must then be the same text in every statement using
     * the mapping). Null if the literals the parser replaced are not exactly literals of this
     * text with the same values (for instance {@code -5} parsed as one negative literal).
     */
    public int[] slots(AutoParameters.Result auto) {
        int[] slots = new int[literals.size()];
        Arrays.fill(slots, -1);
        List<SqlParserPos> positions = auto.positions();
        for (int v = 0; v < positions.size(); v++) {
            SqlParserPos pos = positions.get(v);
            int found = -1;
            for (int i = 0; i < literals.size(); i++) {
                Literal literal = literals.get(i);
                if (literal.line() == pos.getLineNum() && literal.column() == pos.getColumnNum()) {
                    found = i;
                    break;
                }
            }
            if (found < 0 || slots[found] >= 0 || !literals.get(found).value().equals(auto.values().get(v))) {
                return null;
            }
            slots[found] = v;
        }
        return slots;
    }
}
