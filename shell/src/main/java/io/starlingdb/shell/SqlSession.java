package io.starlingdb.shell;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands on one connection and prints what they produce: tables of rows with their
 * count, statement tags with update counts, meta-command output, and one line per error.
 */
public final class SqlSession implements ScriptRunner.CommandRunner {

    /**
     * Rows read before the column widths are fixed. A longer result streams out with those widths
     * instead of being held in memory whole.
     */
    static final int ALIGN_WINDOW_ROWS = 1_000;

    /** Told when a statement may have changed the set of tables or columns. */
    public interface CatalogListener {
        void catalogChanged();
    }

    private final Connection connection;
    private final PrintWriter out;
    private final PrintWriter err;
    private final MetaCommands meta;
    private final CatalogListener catalogListener;
    private boolean timing;

    public SqlSession(Connection connection, PrintWriter out, PrintWriter err, boolean timing, CatalogListener catalogListener)
            throws SQLException {
        this.connection = connection;
        this.out = out;
        this.err = err;
        this.timing = timing;
        this.catalogListener = catalogListener;
        this.meta = new MetaCommands(this, new Catalog(connection.getMetaData()), out);
    }

    /**
     * Runs one command. {@code origin} names the script it came from (null for none); it prefixes
     * error lines with the script and the line, as in {@code init.sql:3: ERROR 42S02: ...}.
     */
    @Override
    public Outcome run(Command command, String origin) {
        try {
            Outcome outcome = command.kind() == Command.Kind.META ? meta.run(command.text()) : execute(command.text());
            out.flush();
            return outcome;
        } catch (CommandFailure e) {
            return fail(origin, command, ErrorLine.of(e.getMessage()));
        } catch (SQLException e) {
            return fail(origin, command, ErrorLine.of(e));
        } catch (RuntimeException e) {
            return fail(origin, command, ErrorLine.of(e));
        }
    }

    private Outcome fail(String origin, Command command, String line) {
        out.flush();
        err.println(origin == null ? line : origin + ":" + command.line() + ": " + line);
        err.flush();
        return Outcome.FAILED;
    }

    boolean timing() {
        return timing;
    }

    void timing(boolean on) {
        timing = on;
    }

    private Outcome execute(String sql) throws SQLException {
        long start = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
            if (statement.execute(sql)) {
                try (ResultSet rs = statement.getResultSet()) {
                    printRows(rs, start);
                }
            } else {
                long count = statement.getUpdateCount();
                long elapsed = System.nanoTime() - start;
                out.println(StatementTag.of(sql, count) + (timing ? " (" + Elapsed.format(elapsed) + ")" : ""));
            }
        } finally {
            if (StatementTag.changesCatalog(sql)) {
                catalogListener.catalogChanged();
            }
        }
        return Outcome.OK;
    }

    private void printRows(ResultSet rs, long start) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<TableFormatter.Column> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(new TableFormatter.Column(md.getColumnLabel(i), JdbcTypes.isNumeric(md.getColumnType(i))));
        }
        List<List<String>> window = new ArrayList<>();
        TableFormatter layout = null;
        long rows = 0;
        while (rs.next()) {
            List<String> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                row.add(CellText.of(rs, i));
            }
            rows++;
            if (layout != null) {
                out.println(layout.row(row));
                continue;
            }
            window.add(row);
            if (window.size() == ALIGN_WINDOW_ROWS) {
                layout = printWindow(columns, window);
            }
        }
        long elapsed = System.nanoTime() - start;
        if (layout == null && n > 0) {
            printWindow(columns, window);
        }
        out.println(countLine(rows, elapsed));
    }

    private TableFormatter printWindow(List<TableFormatter.Column> columns, List<List<String>> window) {
        TableFormatter layout = TableFormatter.layout(columns, window);
        out.println(layout.header());
        out.println(layout.rule());
        for (List<String> row : window) {
            out.println(layout.row(row));
        }
        window.clear();
        return layout;
    }

    /** {@code (3 rows, 1.2 ms)}, or {@code (1 row)} with timing off. */
    String countLine(long rows, long elapsedNanos) {
        return "(" + rowCount(rows) + (timing ? ", " + Elapsed.format(elapsedNanos) : "") + ")";
    }

    static String rowCount(long rows) {
        return rows + (rows == 1 ? " row" : " rows");
    }

    /** A meta-command that could not do its work; the message becomes the error line. */
    static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandFailure(String message) {
            super(message, null, false, false);
        }
    }
}
