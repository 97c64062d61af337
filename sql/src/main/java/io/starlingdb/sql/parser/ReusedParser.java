package io.starlingdb.sql.parser;

import io.starlingdb.sql.parser.impl.StarlingSqlParserImpl;
import java.io.StringReader;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.util.SourceStringReader;

/**
 * The generated parser, kept by one thread and re-initialised for each statement. Building a
 * parser allocates its lookahead tables and a 4,096-character input buffer (three arrays), which
 * JFR showed as about 6 % of the CPU of a statement never seen before; re-initialising keeps
 * them. Each parse starts from the state a new parser has: the input, the position, the
 * {@code ?} count and the warnings are reset, and the configuration is applied as
 * {@link SqlParser} applies it. Not thread-safe: a thread uses its own ({@link #forThread}).
 */
public final class ReusedParser extends StarlingSqlParserImpl {

    /**
     * Statements longer than this (characters) get a parser of their own, so that the input
     * buffer a thread keeps stays small (the generated parser grows it to fit a long token).
     */
    public static final int MAX_REUSED_STATEMENT_CHARS = 16_384;

    private static final ThreadLocal<ReusedParser> PER_THREAD = new ThreadLocal<>();

    private final SqlParser.Config config;

    private ReusedParser(SqlParser.Config config) {
        super(new StringReader(""));
        this.config = config;
    }

    /**
     * Parses one statement with this thread's parser for {@code config} (a new one if the
     * thread has none for it, or the statement is long).
     */
    public static SqlNode parseStatement(String sql, SqlParser.Config config) throws SqlParseException {
        if (sql.length() > MAX_REUSED_STATEMENT_CHARS) {
            return SqlParser.create(sql, config).parseStmt();
        }
        ReusedParser parser = PER_THREAD.get();
        if (parser == null || parser.config != config) {
            parser = new ReusedParser(config);
            PER_THREAD.set(parser);
        }
        return parser.parse(sql);
    }

    private SqlNode parse(String sql) throws SqlParseException {
        ReInit(new SourceStringReader(sql));
        nDynamicParams = 0;
        warnings.clear();
        setOriginalSql(sql);
        setTabSize(1);
        setQuotedCasing(config.quotedCasing());
        setUnquotedCasing(config.unquotedCasing());
        setIdentifierMaxLength(config.identifierMaxLength());
        setTimeUnitCodes(config.timeUnitCodes());
        setConformance(config.conformance());
        switchTo(LexicalState.forConfig(config));
        try {
            return parseSqlStmtEof();
        } catch (Throwable e) {
            if (e instanceof CalciteContextException context) {
                context.setOriginalStatement(sql);
            }
            throw normalizeException(e);
        }
    }
}
