package io.starlingdb.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out rows as an aligned text table, in the manner of psql:
 *
 * <pre>
 * ID | NAME
 * ---+------
 *  1 | alice
 * </pre>
 *
 * Column widths come from the header and the rows given to {@link #layout}; rows printed later
 * through the same layout keep those widths (a wider value pushes its row out of line rather
 * than holding back the output of a long result).
 */
public final class TableFormatter {

    private static final String SEPARATOR = " | ";
    private static final String RULE_JOINT = "-+-";
    private static final char RULE = '-';

    /** A column: its header and whether its values line up on the right (numbers do). */
    public record Column(String name, boolean alignRight) {
    }

    private final List<Column> columns;
    private final int[] widths;

    private TableFormatter(List<Column> columns, int[] widths) {
        this.columns = columns;
        this.widths = widths;
    }

    /** A layout wide enough for the headers and every cell of {@code sampleRows}. */
    public static TableFormatter layout(List<Column> columns, List<List<String>> sampleRows) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table has at least one column");
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = displayWidth(columns.get(i).name());
        }
        for (List<String> row : sampleRows) {
            checkArity(columns, row);
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], displayWidth(row.get(i)));
            }
        }
        return new TableFormatter(List.copyOf(columns), widths);
    }

    /** Header, rule and rows of a whole table. */
    public static List<String> format(List<Column> columns, List<List<String>> rows) {
        TableFormatter layout = layout(columns, rows);
        List<String> lines = new ArrayList<>(rows.size() + 2);
        lines.add(layout.header());
        lines.add(layout.rule());
        for (List<String> row : rows) {
            lines.add(layout.row(row));
        }
        return lines;
    }

    public String header() {
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(c.name());
        }
        return join(names, false);
    }

    /** The line of dashes under the header. */
    public String rule() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                b.append(RULE_JOINT);
            }
            b.append(String.valueOf(RULE).repeat(widths[i]));
        }
        return b.toString();
    }

    public String row(List<String> cells) {
        checkArity(columns, cells);
        return join(cells, true);
    }

    private String join(List<String> cells, boolean alignValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append(SEPARATOR);
            }
            String cell = cells.get(i);
            int pad = Math.max(0, widths[i] - displayWidth(cell));
            boolean right = alignValues && columns.get(i).alignRight();
            if (right) {
                b.append(" ".repeat(pad)).append(cell);
            } else {
                b.append(cell).append(" ".repeat(pad));
            }
        }
        // No trailing blanks: they only get in the way of diffs and copy-paste.
        return stripTrailingBlanks(b);
    }

    private static String stripTrailingBlanks(StringBuilder b) {
        int end = b.length();
        while (end > 0 && b.charAt(end - 1) == ' ') {
            end--;
        }
        return b.substring(0, end);
    }

    private static int displayWidth(String s) {
        return s.codePointCount(0, s.length());
    }

    private static void checkArity(List<Column> columns, List<String> row) {
        if (row.size() != columns.size()) {
            throw new IllegalArgumentException("row has " + row.size() + " cells for " + columns.size() + " columns");
        }
    }
}
