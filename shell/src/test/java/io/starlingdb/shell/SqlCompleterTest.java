package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jline.reader.Candidate;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class SqlCompleterTest {

    /** A catalog whose tables the test changes, as DDL would. */
    private static final class FakeCatalog implements SqlCompleter.NameSource {
        List<String> tables = List.of("ORDERS");
        List<String> columns = List.of("ID", "CUSTOMER", "ID");

        @Override
        public List<String> tableNames() {
            return tables;
        }

        @Override
        public List<String> columnNames() {
            return columns;
        }
    }

    private final FakeCatalog catalog = new FakeCatalog();
    private final SqlCompleter completer = new SqlCompleter(catalog);

    private Set<String> complete(String line) {
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, new SqlLineParser().parse(line, line.length(), ParseContext.COMPLETE), candidates);
        return candidates.stream().map(Candidate::value).collect(Collectors.toSet());
    }

    @Test
    void offersKeywordsTablesAndColumnsOnceTheCatalogIsRead() {
        assertFalse(complete("SELECT ").contains("ORDERS"), "names are read on catalogChanged, not on each Tab");
        completer.catalogChanged();
        Set<String> offered = complete("SELECT ");
        assertTrue(offered.containsAll(Set.of("ORDERS", "ID", "CUSTOMER", "FROM", "COUNT")), offered.toString());
    }

    @Test
    void afterFromOnlyTablesAreOffered() {
        completer.catalogChanged();
        assertTrue(complete("SELECT * FROM ").equals(Set.of("ORDERS")));
        assertTrue(complete("\\d ").equals(Set.of("ORDERS")));
        assertTrue(complete("INSERT INTO ").equals(Set.of("ORDERS")));
    }

    @Test
    void lowerCaseTypingGetsLowerCaseNames() {
        completer.catalogChanged();
        Set<String> offered = complete("sel");
        assertTrue(offered.contains("select"), offered.toString());
        assertTrue(complete("select * from o").contains("orders"));
    }

    @Test
    void namesFollowTheCatalogAfterDdl() {
        completer.catalogChanged();
        catalog.tables = List.of("ORDERS", "INVOICES");
        completer.catalogChanged();
        assertTrue(complete("SELECT * FROM ").equals(Set.of("ORDERS", "INVOICES")));
    }

    @Test
    void aFailingCatalogDoesNotBreakCompletion() {
        SqlCompleter broken = new SqlCompleter(new SqlCompleter.NameSource() {
            @Override
            public List<String> tableNames() throws SQLException {
                throw new SQLException("connection lost", "08006");
            }

            @Override
            public List<String> columnNames() {
                return List.of();
            }
        });
        broken.catalogChanged(); // must not throw: completion is a convenience
        List<Candidate> candidates = new ArrayList<>();
        broken.complete(null, new SqlLineParser().parse("SEL", 3, ParseContext.COMPLETE), candidates);
        assertTrue(candidates.stream().anyMatch(c -> c.value().equals("SELECT")));
    }
}
