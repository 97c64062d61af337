package io.starlingdb.shell;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What the shell reads about tables through {@link DatabaseMetaData}: for \dt, \d and completion. */
final class Catalog implements SqlCompleter.NameSource {

    private static final String[] TABLE_TYPES = {"TABLE"};
    private static final String ANY = "%";

    record Table(String schema, String name) {
        String qualified() {
            return schema == null || schema.isEmpty() ? name : schema + "." + name;
        }
    }

    record Column(String name, String type, boolean nullable, String defaultValue) {
    }

    record Index(String name, boolean unique, List<String> columns) {
    }

    record TableDetail(Table table, List<Column> columns, List<String> primaryKey, String primaryKeyName,
            List<Index> indexes) {
    }

    private final DatabaseMetaData meta;

    Catalog(DatabaseMetaData meta) {
        this.meta = meta;
    }

    @Override
    public List<String> tableNames() throws SQLException {
        List<String> names = new ArrayList<>();
        for (Table t : tables()) {
            names.add(t.name());
        }
        return names;
    }

    List<Table> tables() throws SQLException {
        List<Table> tables = new ArrayList<>();
        try (ResultSet rs = meta.getTables(null, null, ANY, TABLE_TYPES)) {
            while (rs.next()) {
                tables.add(new Table(rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME")));
            }
        }
        return tables;
    }

    @Override
    public List<String> columnNames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = meta.getColumns(null, null, ANY, ANY)) {
            while (rs.next()) {
                names.add(rs.getString("COLUMN_NAME"));
            }
        }
        return names;
    }

    /**
     * The table a user means by {@code name}: as written, or with {@code schema.} in front, or
     * ignoring case when that picks exactly one (unquoted identifiers are stored upper-cased).
     */
    Table resolve(String name) throws SQLException {
        String wanted = unquote(name);
        List<Table> caseInsensitive = new ArrayList<>();
        for (Table t : tables()) {
            if (t.name().equals(wanted) || t.qualified().equals(wanted)) {
                return t;
            }
            if (t.name().equalsIgnoreCase(wanted) || t.qualified().equalsIgnoreCase(wanted)) {
                caseInsensitive.add(t);
            }
        }
        return caseInsensitive.size() == 1 ? caseInsensitive.get(0) : null;
    }

    TableDetail describe(Table table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (ResultSet rs = meta.getColumns(null, table.schema(), escape(table.name()), ANY)) {
            while (rs.next()) {
                if (!table.name().equals(rs.getString("TABLE_NAME"))) {
                    continue;
                }
                columns.add(new Column(rs.getString("COLUMN_NAME"),
                        typeText(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"), rs.getInt("COLUMN_SIZE"),
                                rs.getInt("DECIMAL_DIGITS")),
                        rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls, rs.getString("COLUMN_DEF")));
            }
        }
        Map<Integer, String> keyBySequence = new TreeMap<>();
        String keyName = null;
        try (ResultSet rs = meta.getPrimaryKeys(null, table.schema(), table.name())) {
            while (rs.next()) {
                keyBySequence.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                keyName = rs.getString("PK_NAME");
            }
        }
        Map<String, Index> indexes = new LinkedHashMap<>();
        try (ResultSet rs = meta.getIndexInfo(null, table.schema(), table.name(), false, true)) {
            while (rs.next()) {
                if (rs.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic) {
                    continue;
                }
                String indexName = rs.getString("INDEX_NAME");
                boolean unique = !rs.getBoolean("NON_UNIQUE");
                Index index = indexes.computeIfAbsent(indexName, n -> new Index(n, unique, new ArrayList<>()));
                index.columns().add(rs.getString("COLUMN_NAME"));
            }
        }
        return new TableDetail(table, columns, List.copyOf(keyBySequence.values()), keyName, List.copyOf(indexes.values()));
    }

    /** A type as users write it: {@code VARCHAR(20)}, {@code DECIMAL(10,2)}, {@code INTEGER}. */
    static String typeText(String typeName, int jdbcType, int size, int scale) {
        String name = typeName == null ? JdbcTypes.name(jdbcType) : typeName.toUpperCase(Locale.ROOT);
        if (name.indexOf('(') >= 0 || size <= 0) {
            return name;
        }
        switch (jdbcType) {
            case Types.CHAR:
            case Types.VARCHAR:
            case Types.NCHAR:
            case Types.NVARCHAR:
            case Types.BINARY:
            case Types.VARBINARY:
                return name + "(" + size + ")";
            case Types.DECIMAL:
            case Types.NUMERIC:
                return name + "(" + size + "," + scale + ")";
            default:
                return name;
        }
    }

    private static String unquote(String name) {
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        return name;
    }

    /** A literal name as a LIKE pattern: {@code _} and {@code %} in it match only themselves. */
    private String escape(String name) throws SQLException {
        String esc = meta.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }
}
