package io.starlingdb.shell;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The backslash commands: {@code \dt}, {@code \d TABLE}, {@code \timing}, {@code \q}, {@code \?}. */
final class MetaCommands {

    /** SQLState of an unknown table, as the server reports it. */
    private static final String TABLE_NOT_FOUND = "42S02";

    static final String HELP = String.join("\n",
            "  \\dt            list tables",
            "  \\d             list tables (as \\dt)",
            "  \\d TABLE       describe a table: columns, types, nullability, defaults, primary key, indexes",
            "  \\timing [on|off]",
            "                 show the elapsed time after each statement (toggles without an argument)",
            "  \\q             quit (Ctrl-D too)",
            "  \\?             this help",
            "SQL statements end with ';' and may span lines.");

    private final SqlSession session;
    private final Catalog catalog;
    private final PrintWriter out;

    MetaCommands(SqlSession session, Catalog catalog, PrintWriter out) {
        this.session = session;
        this.catalog = catalog;
        this.out = out;
    }

    Outcome run(String text) throws SQLException {
        List<String> words = words(text);
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        switch (name) {
            case "\\q":
            case "\\quit":
                return Outcome.QUIT;
            case "\\?":
            case "\\help":
                out.println(HELP);
                return Outcome.OK;
            case "\\timing":
                timing(args);
                return Outcome.OK;
            case "\\dt":
                expectArgs(name, args, 0);
                listTables();
                return Outcome.OK;
            case "\\d":
                if (args.isEmpty()) {
                    listTables();
                } else {
                    expectArgs(name, args, 1);
                    describe(args.get(0));
                }
                return Outcome.OK;
            default:
                throw new SqlSession.CommandFailure("unknown command " + name + " (\\? lists the commands)");
        }
    }

    private void timing(List<String> args) {
        expectArgs("\\timing", args, 1);
        boolean on;
        if (args.isEmpty()) {
            on = !session.timing();
        } else {
            String arg = args.get(0).toLowerCase(Locale.ROOT);
            if (!arg.equals("on") && !arg.equals("off")) {
                throw new SqlSession.CommandFailure("\\timing takes on or off, not '" + args.get(0) + "'");
            }
            on = arg.equals("on");
        }
        session.timing(on);
        out.println("Timing is " + (on ? "on." : "off."));
    }

    private void listTables() throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        for (Catalog.Table t : catalog.tables()) {
            rows.add(List.of(t.schema() == null ? "" : t.schema(), t.name()));
        }
        List<TableFormatter.Column> columns = List.of(new TableFormatter.Column("Schema", false),
                new TableFormatter.Column("Table", false));
        TableFormatter.format(columns, rows).forEach(out::println);
        out.println("(" + SqlSession.rowCount(rows.size()) + ")");
    }

    private void describe(String name) throws SQLException {
        Catalog.Table table = catalog.resolve(name);
        if (table == null) {
            throw new SQLException("Table '" + name + "' not found", TABLE_NOT_FOUND);
        }
        Catalog.TableDetail detail = catalog.describe(table);
        out.println("Table " + table.qualified());
        List<List<String>> rows = new ArrayList<>();
        for (Catalog.Column c : detail.columns()) {
            rows.add(List.of(c.name(), c.type(), c.nullable() ? "null" : "not null",
                    c.defaultValue() == null ? "" : CellText.oneLine(c.defaultValue())));
        }
        List<TableFormatter.Column> columns = List.of(new TableFormatter.Column("Column", false),
                new TableFormatter.Column("Type", false), new TableFormatter.Column("Nullable", false),
                new TableFormatter.Column("Default", false));
        TableFormatter.format(columns, rows).forEach(out::println);
        if (!detail.primaryKey().isEmpty()) {
            out.println("Primary key: (" + String.join(", ", detail.primaryKey()) + ")");
        }
        List<String> indexLines = new ArrayList<>();
        for (Catalog.Index index : detail.indexes()) {
            boolean primary = index.name() != null && index.name().equals(detail.primaryKeyName());
            String kind = primary ? " PRIMARY KEY" : index.unique() ? " UNIQUE" : "";
            indexLines.add("    " + index.name() + kind + " (" + String.join(", ", index.columns()) + ")");
        }
        if (!indexLines.isEmpty()) {
            out.println("Indexes:");
            indexLines.forEach(out::println);
        }
    }

    private static void expectArgs(String command, List<String> args, int max) {
        if (args.size() > max) {
            String allowed = max == 0 ? "no argument" : "at most " + max + " argument" + (max == 1 ? "" : "s");
            throw new SqlSession.CommandFailure(command + " takes " + allowed + ", got " + args.size());
        }
    }

    /** The command's words, split on blanks; a {@code ;} typed out of habit at the end is dropped. */
    private static List<String> words(String text) {
        String trimmed = text.strip();
        while (trimmed.endsWith(";")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
        }
        List<String> words = new ArrayList<>(List.of(trimmed.split("\\s+")));
        words.removeIf(String::isEmpty);
        return words;
    }
}
