package io.starlingdb.shell;

import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Completes SQL keywords, table names and column names. Names come from {@link Catalog} and are
 * read again after each statement that may change them ({@link #catalogChanged()}), not on each
 * Tab, so completion costs no round trip.
 */
final class SqlCompleter implements Completer, SqlSession.CatalogListener {

    private static final String KEYWORD_GROUP = "keywords";
    private static final String TABLE_GROUP = "tables";
    private static final String COLUMN_GROUP = "columns";
    /** After these words only a table name makes sense. */
    private static final Set<String> TABLE_CONTEXT = Set.of("FROM", "JOIN", "INTO", "UPDATE", "TABLE");
    private static final String DESCRIBE_COMMAND = "\\d";

    /** Where the names come from: the database's metadata, or a fixed list in tests. */
    interface NameSource {
        List<String> tableNames() throws SQLException;

        List<String> columnNames() throws SQLException;
    }

    private record Names(List<String> tables, List<String> columns) {
    }

    private final NameSource source;
    private volatile Names names = new Names(List.of(), List.of());

    SqlCompleter(NameSource source) {
        this.source = source;
    }

    @Override
    public void catalogChanged() {
        try {
            Set<String> tables = new LinkedHashSet<>(source.tableNames());
            names = new Names(List.copyOf(tables), List.copyOf(new LinkedHashSet<>(source.columnNames())));
        } catch (SQLException | RuntimeException e) {
            // Completion is a convenience: keep the names we had rather than disturb the user.
        }
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String prefix = line.word().substring(0, line.wordCursor());
        boolean lower = !prefix.isEmpty() && prefix.equals(prefix.toLowerCase(Locale.ROOT))
                && !prefix.equals(prefix.toUpperCase(Locale.ROOT));
        Names current = names;
        for (String table : current.tables()) {
            candidates.add(candidate(table, TABLE_GROUP, lower));
        }
        if (wantsTable(line)) {
            return;
        }
        for (String column : current.columns()) {
            candidates.add(candidate(column, COLUMN_GROUP, lower));
        }
        for (String keyword : SqlKeywords.ALL) {
            candidates.add(candidate(keyword, KEYWORD_GROUP, lower));
        }
    }

    private static boolean wantsTable(ParsedLine line) {
        if (line.line().stripLeading().startsWith(DESCRIBE_COMMAND)) {
            return true;
        }
        int previous = line.wordIndex() - 1;
        return previous >= 0 && TABLE_CONTEXT.contains(line.words().get(previous).toUpperCase(Locale.ROOT));
    }

    /** Names stored upper-cased (unquoted identifiers) are offered in lower case when the user types in lower case. */
    private static Candidate candidate(String name, String group, boolean lower) {
        boolean plain = name.chars().allMatch(c -> SqlLineParser.isWordChar((char) c))
                && name.equals(name.toUpperCase(Locale.ROOT));
        String value = lower && plain ? name.toLowerCase(Locale.ROOT) : name;
        return new Candidate(value, value, group, null, null, null, true);
    }
}
