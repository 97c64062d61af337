package io.starlingdb.sql.parser;

import io.starlingdb.sql.parser.impl.StarlingSqlParserImpl;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.SqlParserUtil;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parses the one-table SELECTs that applications build most (dynamic filters, IN lists: the
 * shape {@code DirectPlanner} plans) into the tree the generated parser makes for them, node for
 * node and position for position, without it. JFR showed the generated parser (JavaCC's
 * syntactic lookahead, tried at every operator) as the largest cost of a statement never seen
 * before, about two fifths of its CPU. Anything outside the narrow grammar below (quoted
 * identifiers, comments, rows, sub-queries,
 * functions other than COUNT/MIN/MAX/SUM/AVG, any reserved word it does not know, ...) answers
 * null, and the generated parser parses the statement as before; so does a statement with a
 * syntax error, whose message is the generated parser's.
 *
 * <pre>
 * SELECT item [, item]* FROM table [[AS] alias] [WHERE expr]
 *   [ORDER BY expr [ASC | DESC] [NULLS FIRST | LAST] [, ...]] [LIMIT n [OFFSET m]]
 * item: * | expr [[AS] alias]
 * expr: operands joined by OR AND = &lt;&gt; &lt; &lt;= &gt; &gt;= + - * /, prefixed by NOT - +,
 *   followed by [NOT] IN (expr, ...), [NOT] BETWEEN x AND y, [NOT] LIKE x, IS [NOT] NULL
 * operand: unsigned number (no exponent) | 'string' | TRUE | FALSE | NULL | column | table.column
 *   | COUNT(*) | COUNT | MIN | MAX | SUM | AVG (expr) | (expr)
 * </pre>
 *
 * Operands and operators are gathered in a flat list, as the generated parser does, and
 * Calcite's own {@link SqlParserUtil#toTree} applies precedence and builds the calls.
 * {@code SimpleSelectParserTest} parses generated statements both ways and checks the trees
 * are equal with every node's position. Thread-safe: it keeps no state between statements.
 */
public final class SimpleSelectParser {

    /** Longest statement taken here: a longer one is not what this parser is for. */
    public static final int MAX_STATEMENT_CHARS = 16_384;

    /** Calcite's default longest identifier (SqlParser.Config.identifierMaxLength). */
    private static final int MAX_IDENTIFIER_CHARS = 128;

    private static final SqlAbstractParserImpl.Metadata KEYWORDS =
            StarlingSqlParserImpl.FACTORY.getParser(new StringReader("")).getMetadata();

    private enum Kind { WORD, NUMBER, STRING, SYMBOL, EOF }

    /** One token; positions as the generated parser counts them (1-based, a tab one column). */
    private record Token(Kind kind, String image, int line, int column, int endLine, int endColumn) {
        SqlParserPos pos() {
            return new SqlParserPos(line, column, endLine, endColumn);
        }

        boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.SYMBOL) && image.equals(word);
        }
    }

    /** Thrown where the statement leaves the grammar; carries no stack. */
    private static final class NotSimple extends Exception {
        NotSimple() {
            super(null, null, false, false);
        }
    }

    private static final NotSimple NOT_SIMPLE = new NotSimple();

    private final List<Token> tokens;
    private int next;

    private SimpleSelectParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /**
     * The tree of {@code sql} as the generated parser configured by {@code config} makes it, or
     * null if the statement is not of the grammar above (or the configuration is not Calcite's
     * default casing and conformance, which this parser assumes).
     */
    public static SqlNode parse(String sql, SqlParser.Config config) {
        if (sql.length() > MAX_STATEMENT_CHARS || config.unquotedCasing() != Casing.TO_UPPER
                || config.conformance() != SqlConformanceEnum.DEFAULT || config.identifierMaxLength() != MAX_IDENTIFIER_CHARS) {
            return null;
        }
        try {
            return new SimpleSelectParser(tokens(sql)).statement();
        } catch (NotSimple | RuntimeException e) {
            // Calcite's toTree refusing a list (BETWEEN without its AND) is a syntax error: the generated parser reports it.
            return null;
        }
    }

    // ---- tokens

    private static List<Token> tokens(String sql) throws NotSimple {
        List<Token> out = new ArrayList<>();
        int line = 1;
        int column = 0; // of the character before i
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                column++;
                continue;
            }
            if (c == '\n') {
                i++;
                line++;
                column = 0;
                continue;
            }
            int start = i;
            Kind kind;
            if (isLetter(c)) {
                while (i < n && (isLetter(sql.charAt(i)) || isDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                // X'..', N'..', _cs'..', U&'..', "..": string and identifier forms of their own
                if (i < n && (sql.charAt(i) == '\'' || sql.charAt(i) == '"' || sql.charAt(i) == '&' || sql.charAt(i) == '$')
                        || i - start > MAX_IDENTIFIER_CHARS) {
                    throw NOT_SIMPLE;
                }
                kind = Kind.WORD;
            } else if (isDigit(c)) {
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
                if (i < n && sql.charAt(i) == '.') {
                    i++;
                    while (i < n && isDigit(sql.charAt(i))) {
                        i++;
                    }
                }
                // an exponent, a second point or a letter run into the number: not this grammar's
                if (i < n && (isLetter(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    throw NOT_SIMPLE;
                }
                kind = Kind.NUMBER;
            } else if (c == '\'') {
                i++;
                while (true) {
                    if (i >= n || sql.charAt(i) == '\n' || sql.charAt(i) == '\r') {
                        throw NOT_SIMPLE;
                    }
                    if (sql.charAt(i) == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
                kind = Kind.STRING;
            } else {
                kind = Kind.SYMBOL;
                char d = i + 1 < n ? sql.charAt(i + 1) : 0;
                switch (c) {
                    case ',', '(', ')', '*', '+', '=', '.' -> i++;
                    case '-' -> {
                        if (d == '-') {
                            throw NOT_SIMPLE; // a comment
                        }
                        i++;
                    }
                    case '/' -> {
                        if (d == '*') {
                            throw NOT_SIMPLE; // a comment or a hint
                        }
                        i++;
                    }
                    case '<' -> i += d == '=' || d == '>' ? 2 : 1;
                    case '>' -> i += d == '=' ? 2 : 1;
                    default -> throw NOT_SIMPLE;
                }
            }
            String image = sql.substring(start, i);
            int length = i - start;
            out.add(new Token(kind, kind == Kind.WORD ? image.toUpperCase(java.util.Locale.ROOT) : image, line, column + 1, line,
                    column + length));
            column += length;
        }
        out.add(new Token(Kind.EOF, "", line, column + 1, line, column + 1));
        return out;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---- grammar

    private Token peek() {
        return tokens.get(next);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(next + ahead, tokens.size() - 1));
    }

    private Token take() {
        return tokens.get(next++);
    }

    /** The last token taken (the generated parser's {@code getPos()}). */
    private SqlParserPos lastPos() {
        return tokens.get(next - 1).pos();
    }

    private Token expect(String word) throws NotSimple {
        if (!peek().is(word)) {
            throw NOT_SIMPLE;
        }
        return take();
    }

    private boolean accept(String word) {
        if (peek().is(word)) {
            next++;
            return true;
        }
        return false;
    }

    private SqlNode statement() throws NotSimple {
        Token select = expect("SELECT");
        SqlParserPos selectPos = select.pos();
        List<SqlNode> items = new ArrayList<>();
        items.add(selectItem());
        while (accept(",")) {
            items.add(selectItem());
        }
        expect("FROM");
        SqlNode from = tableRef();
        SqlNode where = null;
        if (accept("WHERE")) {
            where = expression();
        }
        SqlParserPos selectEnd = lastPos();
        SqlSelect query = new SqlSelect(selectPos.plus(selectEnd), new SqlNodeList(List.of(), selectPos),
                new SqlNodeList(items, SqlParserPos.sum(items)), from, where, null, null, null, null, null, null, null,
                new SqlNodeList(List.of(), selectEnd));
        SqlNodeList orderBy = null;
        if (peek().is("ORDER")) {
            SqlParserPos orderPos = take().pos();
            expect("BY");
            List<SqlNode> order = new ArrayList<>();
            order.add(orderItem());
            while (accept(",")) {
                order.add(orderItem());
            }
            orderBy = new SqlNodeList(order, orderPos.plusAll(order));
        }
        SqlNode fetch = null;
        SqlNode offset = null;
        if (accept("LIMIT")) {
            fetch = unsignedInteger();
            if (accept("OFFSET")) {
                offset = unsignedInteger();
            }
        }
        if (peek().kind() != Kind.EOF) {
            throw NOT_SIMPLE;
        }
        if (orderBy != null || fetch != null) {
            return new SqlOrderBy(lastPos(), query, orderBy == null ? SqlNodeList.EMPTY : orderBy, offset, fetch);
        }
        return query;
    }

    private SqlNode selectItem() throws NotSimple {
        SqlNode e;
        if (accept("*")) {
            e = SqlIdentifier.star(lastPos());
        } else {
            e = expression();
        }
        boolean as = accept("AS");
        Token alias = peek();
        if (alias.kind() == Kind.WORD && (as ? !KEYWORDS.isReservedWord(alias.image()) : !KEYWORDS.isKeyword(alias.image()))) {
            take();
            SqlIdentifier id = new SqlIdentifier(alias.image(), alias.pos());
            return SqlStdOperatorTable.AS.createCall(alias.pos().plus(e.getParserPosition()), e, id);
        }
        if (as) {
            throw NOT_SIMPLE;
        }
        return e;
    }

    private SqlNode tableRef() throws NotSimple {
        SqlIdentifier table = compoundIdentifier();
        boolean as = accept("AS");
        Token alias = peek();
        if (alias.kind() == Kind.WORD && (as ? !KEYWORDS.isReservedWord(alias.image()) : !KEYWORDS.isKeyword(alias.image()))) {
            take();
            SqlIdentifier id = new SqlIdentifier(alias.image(), alias.pos());
            return SqlStdOperatorTable.AS.createCall(table.getParserPosition().plus(alias.pos()), table, id);
        }
        if (as) {
            throw NOT_SIMPLE;
        }
        return table;
    }

    private SqlNode orderItem() throws NotSimple {
        SqlNode e = expression();
        if (accept("DESC")) {
            e = SqlStdOperatorTable.DESC.createCall(lastPos(), e);
        } else {
            accept("ASC");
        }
        if (peek().is("NULLS")) {
            take();
            if (accept("FIRST")) {
                e = SqlStdOperatorTable.NULLS_FIRST.createCall(lastPos(), e);
            } else if (accept("LAST")) {
                e = SqlStdOperatorTable.NULLS_LAST.createCall(lastPos(), e);
            } else {
                throw NOT_SIMPLE;
            }
        }
        return e;
    }

    private SqlNode unsignedInteger() throws NotSimple {
        Token t = peek();
        if (t.kind() != Kind.NUMBER || t.image().indexOf('.') >= 0) {
            throw NOT_SIMPLE;
        }
        take();
        return SqlLiteral.createExactNumeric(t.image(), t.pos());
    }

    private SqlNode expression() throws NotSimple {
        List<Object> list = new ArrayList<>();
        expression2(list);
        return SqlParserUtil.toTree(list);
    }

    /** Operands and operators in order, as the generated parser's Expression2 gathers them. */
    private void expression2(List<Object> list) throws NotSimple {
        operand(list);
        while (true) {
            Token t = peek();
            boolean not = t.is("NOT");
            Token op = not ? peek(1) : t;
            if (op.is("IN")) {
                next += not ? 2 : 1;
                SqlParserPos inPos = lastPos();
                SqlNodeList values = parenthesizedList();
                list.add(new SqlParserUtil.ToTreeListItem(not ? SqlStdOperatorTable.NOT_IN : SqlStdOperatorTable.IN, inPos));
                list.add(values);
            } else if (op.is("BETWEEN")) {
                next += not ? 2 : 1;
                SqlParserPos betweenPos = lastPos();
                if (peek().is("SYMMETRIC") || peek().is("ASYMMETRIC")) {
                    throw NOT_SIMPLE;
                }
                list.add(new SqlParserUtil.ToTreeListItem(not ? SqlStdOperatorTable.NOT_BETWEEN : SqlStdOperatorTable.BETWEEN,
                        betweenPos));
                operand(list);
            } else if (op.is("LIKE")) {
                SqlParserPos before = lastPos();
                next += not ? 2 : 1;
                List<Object> pattern = new ArrayList<>();
                expression2(pattern);
                list.add(new SqlParserUtil.ToTreeListItem(not ? SqlStdOperatorTable.NOT_LIKE : SqlStdOperatorTable.LIKE, before));
                list.addAll(pattern);
                if (peek().is("ESCAPE")) {
                    throw NOT_SIMPLE;
                }
            } else if (not) {
                return; // NOT before anything else ends the expression here, as in the generated parser
            } else if (t.is("IS")) {
                take();
                boolean isNot = accept("NOT");
                expect("NULL");
                list.add(new SqlParserUtil.ToTreeListItem(isNot ? SqlStdOperatorTable.IS_NOT_NULL : SqlStdOperatorTable.IS_NULL,
                        lastPos()));
            } else {
                SqlOperator binary = binary(t);
                if (binary == null) {
                    return;
                }
                take();
                list.add(new SqlParserUtil.ToTreeListItem(binary, lastPos()));
                operand(list);
            }
        }
    }

    private static SqlOperator binary(Token t) {
        if (t.kind() != Kind.SYMBOL && t.kind() != Kind.WORD) {
            return null;
        }
        return switch (t.image()) {
            case "=" -> SqlStdOperatorTable.EQUALS;
            case "<>" -> SqlStdOperatorTable.NOT_EQUALS;
            case "<" -> SqlStdOperatorTable.LESS_THAN;
            case "<=" -> SqlStdOperatorTable.LESS_THAN_OR_EQUAL;
            case ">" -> SqlStdOperatorTable.GREATER_THAN;
            case ">=" -> SqlStdOperatorTable.GREATER_THAN_OR_EQUAL;
            case "+" -> SqlStdOperatorTable.PLUS;
            case "-" -> SqlStdOperatorTable.MINUS;
            case "*" -> SqlStdOperatorTable.MULTIPLY;
            case "/" -> SqlStdOperatorTable.DIVIDE;
            case "AND" -> t.kind() == Kind.WORD ? SqlStdOperatorTable.AND : null;
            case "OR" -> t.kind() == Kind.WORD ? SqlStdOperatorTable.OR : null;
            default -> null;
        };
    }

    /** Prefix operators, then one operand (the generated parser's AddExpression2b). */
    private void operand(List<Object> list) throws NotSimple {
        while (true) {
            Token t = peek();
            SqlOperator prefix = t.is("NOT") ? SqlStdOperatorTable.NOT : t.is("-") ? SqlStdOperatorTable.UNARY_MINUS
                    : t.is("+") ? SqlStdOperatorTable.UNARY_PLUS : null;
            if (prefix == null) {
                break;
            }
            take();
            list.add(new SqlParserUtil.ToTreeListItem(prefix, lastPos()));
        }
        list.add(atom());
    }

    private SqlNode atom() throws NotSimple {
        if (peek().is("(")) {
            // One expression in parentheses is that expression at the parentheses' position; a row is not this grammar's.
            SqlNodeList inner = parenthesizedList();
            if (inner.size() != 1) {
                throw NOT_SIMPLE;
            }
            return inner.get(0).clone(inner.getParserPosition());
        }
        Token t = take();
        switch (t.kind()) {
            case NUMBER:
                return SqlLiteral.createExactNumeric(t.image(), t.pos());
            case STRING:
                if (peek().kind() == Kind.STRING) {
                    throw NOT_SIMPLE; // a literal continued: a chain of fragments
                }
                return SqlLiteral.createCharString(SqlParserUtil.parseString(t.image()), t.pos());
            case WORD:
                break;
            default:
                throw NOT_SIMPLE;
        }
        switch (t.image()) {
            case "TRUE":
                return SqlLiteral.createBoolean(true, t.pos());
            case "FALSE":
                return SqlLiteral.createBoolean(false, t.pos());
            case "NULL":
                return SqlLiteral.createNull(t.pos());
            case "COUNT", "MIN", "MAX", "SUM", "AVG":
                return aggregate(t);
            default:
                break;
        }
        next--;
        if (peek(1).is("(")) {
            throw NOT_SIMPLE; // a function: the generated parser knows which
        }
        return compoundIdentifier();
    }

    private SqlNode aggregate(Token name) throws NotSimple {
        expect("(");
        List<SqlNode> args = new ArrayList<>();
        if (name.is("COUNT") && peek().is("*") && peek(1).is(")")) {
            take();
            args.add(SqlIdentifier.star(lastPos()));
        } else {
            if (peek().is("DISTINCT") || peek().is("ALL") || peek().is(")")) {
                throw NOT_SIMPLE;
            }
            args.add(expression());
        }
        expect(")");
        SqlParserPos pos = name.pos().plus(lastPos());
        SqlIdentifier function = new SqlIdentifier(name.image(), name.pos());
        return new SqlUnresolvedFunction(function, null, null, null, null, SqlFunctionCategory.USER_DEFINED_FUNCTION)
                .createCall(null, pos, args.toArray(new SqlNode[0]));
    }

    /** {@code name} or {@code qualifier.name}: words that are not reserved. */
    private SqlIdentifier compoundIdentifier() throws NotSimple {
        List<String> names = new ArrayList<>(2);
        List<SqlParserPos> positions = new ArrayList<>(2);
        identifierSegment(names, positions);
        while (peek().is(".")) {
            take();
            identifierSegment(names, positions);
        }
        return new SqlIdentifier(names, null, SqlParserPos.sum(positions), positions);
    }

    private void identifierSegment(List<String> names, List<SqlParserPos> positions) throws NotSimple {
        Token t = take();
        if (t.kind() != Kind.WORD || KEYWORDS.isReservedWord(t.image())) {
            throw NOT_SIMPLE;
        }
        names.add(t.image());
        positions.add(t.pos());
    }

    /** {@code (expr, ...)}, as the generated parser's ParenthesizedQueryOrCommaList makes it. */
    private SqlNodeList parenthesizedList() throws NotSimple {
        SqlParserPos open = expect("(").pos();
        List<SqlNode> values = new ArrayList<>();
        values.add(expression());
        while (accept(",")) {
            values.add(expression());
        }
        expect(")");
        return new SqlNodeList(values, open.plus(lastPos()));
    }
}
