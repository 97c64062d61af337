package io.starlingdb.sql.differential;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A random database: a few tables with typed columns, NULLs, single, composite or no primary
 * keys, secondary (some descending) indexes and views, and a few rows each from small value
 * domains (so that comparisons and joins match often). It writes the same database as DDL and
 * INSERTs for Starling and for the reference engine (H2).
 */
final class RandomSchema {

    /** Column types and how each engine spells them; {@code family} says what may be compared. */
    enum Type {
        INTEGER("num", "INTEGER", "INT"),
        BIGINT("num", "BIGINT", "BIGINT"),
        DOUBLE("num", "DOUBLE PRECISION", "DOUBLE"),
        FLOAT("num", "DOUBLE PRECISION", "FLOAT"),
        DECIMAL("num", "DECIMAL(10,2)", "DECIMAL(10,2)"),
        VARCHAR("str", "VARCHAR(12)", "VARCHAR(12)"),
        TEXT("str", "VARCHAR(100)", "TEXT");

        final String family;
        final String h2;
        final String starling;

        Type(String family, String h2, String starling) {
            this.family = family;
            this.h2 = h2;
            this.starling = starling;
        }

        boolean isApproximate() {
            return this == DOUBLE || this == FLOAT;
        }
    }

    record Column(String name, Type type) {
    }

    record Index(String name, List<String> columns, List<Boolean> descending) {
    }

    /** A table or a view (a view has {@code viewQuery} and no rows of its own). */
    record Table(String name, List<Column> columns, List<String> primaryKey, List<Index> indexes, List<List<Object>> rows,
                 String viewQuery) {
        List<Column> columnsOf(String family) {
            return columns.stream().filter(c -> c.type().family.equals(family)).toList();
        }

        boolean isView() {
            return viewQuery != null;
        }
    }

    static final String[] STRINGS = {"", "a", "ab", "b", "ba", "c", "x1", "Z"};
    /** INTEGER values at the ends of the range (with {@code widened}), one value in {@link #WIDENED_EVERY}. */
    static final Integer[] INT_EXTREMES = {Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1};
    /**
     * Strings that differ from others only in trailing spaces (with {@code widened}), one value in
     * {@link #WIDENED_EVERY}: PostgreSQL's text and varchar compare them as different, where SQL's
     * CHAR semantics (Calcite's for literals) would pad them equal.
     */
    static final String[] PADDED_STRINGS = {"a ", " ", "ab  "};
    static final int WIDENED_EVERY = 10;

    final List<Table> tables = new ArrayList<>();

    RandomSchema(Random random, String prefix) {
        this(random, prefix, false);
    }

    /**
     * {@code widened}: INTEGER columns sometimes hold the ends of their range, so that arithmetic
     * over them crosses it, and string columns strings with trailing spaces; only with a
     * reference whose overflow errors are compared with Starling's ({@link
     * ReferenceEngine#comparesFailures}: PostgreSQL). The draws are made only then, so the
     * databases of the default (H2) run stay those of earlier runs.
     */
    RandomSchema(Random random, String prefix, boolean widened) {
        int tableCount = 2 + random.nextInt(3);
        for (int t = 0; t < tableCount; t++) {
            tables.add(table(random, prefix + "t" + t, widened));
        }
        if (random.nextInt(2) == 0) {
            Table base = tables.get(random.nextInt(tableCount));
            List<Column> columns = new ArrayList<>();
            List<String> select = new ArrayList<>();
            for (Column c : base.columns()) {
                if (random.nextInt(3) > 0 || columns.isEmpty()) {
                    columns.add(c);
                    select.add(c.name());
                }
            }
            String where = "";
            List<Column> numeric = base.columnsOf("num");
            if (!numeric.isEmpty() && random.nextBoolean()) {
                where = " WHERE " + numeric.get(random.nextInt(numeric.size())).name() + " > " + random.nextInt(6)
                        + " OR " + numeric.get(random.nextInt(numeric.size())).name() + " IS NULL";
            }
            String query = "SELECT " + String.join(", ", select) + " FROM " + base.name() + where;
            tables.add(new Table(prefix + "v0", columns, List.of(), List.of(), List.of(), query));
        }
        if (random.nextInt(3) == 0) {
            // A grouped view: its rows are computed, so queries over it test the expansion of aggregates.
            Table base = tables.get(random.nextInt(tableCount));
            Column group = base.columns().get(random.nextInt(base.columns().size()));
            List<Column> columns = List.of(new Column("g", group.type()), new Column("n", Type.BIGINT));
            String query = "SELECT " + group.name() + " AS g, COUNT(*) AS n FROM " + base.name() + " GROUP BY " + group.name();
            tables.add(new Table(prefix + "v1", columns, List.of(), List.of(), List.of(), query));
        }
    }

    private static Table table(Random random, String name, boolean widened) {
        int columnCount = 2 + random.nextInt(4);
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < columnCount; c++) {
            Type type = Type.values()[random.nextInt(Type.values().length)];
            if (c == 0 && random.nextInt(4) > 0) {
                type = Type.INTEGER;
            }
            columns.add(new Column("c" + c, type));
        }
        List<String> key = new ArrayList<>();
        int keyShape = random.nextInt(10);
        if (keyShape < 6) {
            key.add("c0");
        } else if (keyShape < 8) {
            key.add("c0");
            key.add("c1");
        }
        List<Index> indexes = new ArrayList<>();
        int indexCount = random.nextInt(3);
        for (int i = 0; i < indexCount; i++) {
            List<String> indexColumns = new ArrayList<>();
            List<Boolean> descending = new ArrayList<>();
            int width = 1 + random.nextInt(2);
            for (int k = 0; k < width; k++) {
                String column = columns.get(random.nextInt(columnCount)).name();
                if (!indexColumns.contains(column)) {
                    indexColumns.add(column);
                    descending.add(random.nextInt(3) == 0);
                }
            }
            indexes.add(new Index(name + "_i" + i, indexColumns, descending));
        }
        int rowCount = random.nextInt(9);
        List<List<Object>> rows = new ArrayList<>();
        Set<List<Object>> keys = new HashSet<>();
        for (int r = 0; r < rowCount; r++) {
            List<Object> row = new ArrayList<>();
            for (Column column : columns) {
                boolean inKey = key.contains(column.name());
                row.add(!inKey && random.nextInt(5) == 0 ? null : widened ? widenedValue(random, column.type())
                        : value(random, column.type()));
            }
            List<Object> keyValues = new ArrayList<>();
            for (String k : key) {
                keyValues.add(row.get(Integer.parseInt(k.substring(1))));
            }
            if (key.isEmpty() || keys.add(keyValues)) {
                rows.add(row);
            }
        }
        return new Table(name, columns, key, indexes, rows, null);
    }

    static Object value(Random random, Type type) {
        return switch (type) {
            case INTEGER -> random.nextInt(16) - 3;
            case BIGINT -> (long) (random.nextInt(16) - 3);
            // Quarters: exact in binary, so DOUBLE and DECIMAL agree on them.
            case DOUBLE, FLOAT -> (random.nextInt(48) - 8) / 4.0;
            case DECIMAL -> BigDecimal.valueOf(random.nextInt(48) - 8, 0).divide(BigDecimal.valueOf(4)).setScale(2);
            case VARCHAR, TEXT -> STRINGS[random.nextInt(STRINGS.length)];
        };
    }

    /** A value of the widened domain: now and then an INTEGER extreme or a string with trailing spaces. */
    private static Object widenedValue(Random random, Type type) {
        boolean string = type.family.equals("str");
        if ((type == Type.INTEGER || string) && random.nextInt(WIDENED_EVERY) == 0) {
            return string ? PADDED_STRINGS[random.nextInt(PADDED_STRINGS.length)] : INT_EXTREMES[random.nextInt(INT_EXTREMES.length)];
        }
        return value(random, type);
    }

    static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof String s) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (value instanceof Double d) {
            return "CAST(" + BigDecimal.valueOf(d).toPlainString() + " AS DOUBLE)";
        }
        return value.toString();
    }

    /** The statements that create and fill this database in one engine. */
    List<String> statements(boolean starling) {
        List<String> out = new ArrayList<>();
        for (Table table : tables) {
            if (table.isView()) {
                out.add("CREATE VIEW " + table.name() + " AS " + table.viewQuery());
                continue;
            }
            List<String> defs = new ArrayList<>();
            for (Column c : table.columns()) {
                defs.add(c.name() + " " + (starling ? c.type().starling : c.type().h2)
                        + (table.primaryKey().contains(c.name()) ? " NOT NULL" : ""));
            }
            if (!table.primaryKey().isEmpty()) {
                defs.add("PRIMARY KEY (" + String.join(", ", table.primaryKey()) + ")");
            }
            out.add("CREATE TABLE " + table.name() + " (" + String.join(", ", defs) + ")");
            for (Index index : table.indexes()) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < index.columns().size(); i++) {
                    parts.add(index.columns().get(i) + (index.descending().get(i) ? " DESC" : ""));
                }
                out.add("CREATE INDEX " + index.name() + " ON " + table.name() + " (" + String.join(", ", parts) + ")");
            }
            if (!table.rows().isEmpty()) {
                List<String> tuples = new ArrayList<>();
                for (List<Object> row : table.rows()) {
                    List<String> values = new ArrayList<>();
                    for (Object v : row) {
                        values.add(literal(v));
                    }
                    tuples.add("(" + String.join(", ", values) + ")");
                }
                out.add("INSERT INTO " + table.name() + " VALUES " + String.join(", ", tuples));
            }
        }
        return out;
    }

    /** The statements that remove this database (views first). */
    List<String> dropStatements() {
        List<String> out = new ArrayList<>();
        for (int i = tables.size() - 1; i >= 0; i--) {
            Table t = tables.get(i);
            out.add((t.isView() ? "DROP VIEW " : "DROP TABLE ") + t.name());
        }
        return out;
    }
}
