package io.starlingdb.sql.exec;

import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.catalog.ViewDef;
import io.starlingdb.sql.ColumnMeta;
import io.starlingdb.sql.parser.SqlCreateIndex;
import io.starlingdb.sql.parser.SqlDropIndex;
import io.starlingdb.sql.schema.TableStorage;
import java.util.Arrays;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.ddl.SqlColumnDeclaration;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.ddl.SqlCreateView;
import org.apache.calcite.sql.ddl.SqlDropTable;
import org.apache.calcite.sql.ddl.SqlDropView;
import org.apache.calcite.sql.ddl.SqlKeyConstraint;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;

/**
 * CREATE and DROP of tables, indexes and views: checked, then written to the catalog in the
 * given transaction. Tables and views share one name space.
 */
public final class Ddl {

    /** Longest VARCHAR declared without a length (TEXT, STRING, VARCHAR), in characters. */
    public static final int DEFAULT_VARCHAR_LENGTH = 65_535;
    /** Longest VARCHAR(n) accepted, in characters (a row is also bounded by Limits.maxRowBytes). */
    public static final int MAX_VARCHAR_LENGTH = 1_048_576;
    /** Largest DECIMAL precision accepted. */
    public static final int MAX_DECIMAL_PRECISION = 1000;
    /** Most TIMESTAMP fraction digits kept: microseconds. */
    public static final int MAX_TIMESTAMP_PRECISION = 6;
    /** Most columns in one table. */
    public static final int MAX_COLUMNS = 1000;
    /** Columns of one secondary index. */
    public static final int MAX_INDEX_COLUMNS = 16;

    private Ddl() {
    }

    static String name(SqlIdentifier id) throws SqlException {
        if (id.names.size() > 2 || (id.names.size() == 2 && !id.names.get(0).equals("PUBLIC"))) {
            throw new SqlException("3F000", "schema " + id.names.get(0) + " does not exist; tables live in PUBLIC");
        }
        return id.names.get(id.names.size() - 1);
    }

    /** Stages a new table; returns the catalog snapshot to publish after commit, or null if nothing changed. */
    public static Catalog.Snapshot createTable(SqlCreateTable create, Catalog catalog, Catalog.Snapshot base, Transaction txn)
            throws SqlException {
        String table = name(create.name);
        if (base.table(table) != null || base.view(table) != null) {
            if (create.ifNotExists) {
                return null;
            }
            throw new SqlException("42S01", (base.view(table) != null ? "a view named " : "table ") + table + " already exists");
        }
        if (create.query != null) {
            throw new SqlException("0A000", "CREATE TABLE ... AS SELECT is not supported; create the table, then INSERT ... SELECT");
        }
        if (create.columnList == null || create.columnList.isEmpty()) {
            throw new SqlException("42000", "table " + table + " needs at least one column");
        }
        List<ColumnDef> columns = new ArrayList<>();
        List<String> primaryKey = null;
        Set<String> names = new HashSet<>();
        for (SqlNode node : create.columnList) {
            if (node instanceof SqlColumnDeclaration c) {
                String column = c.name.getSimple();
                if (!names.add(column)) {
                    throw new SqlException("42S21", "column " + column + " is declared twice in table " + table);
                }
                columns.add(column(columns.size() + 1, column, c, table));
            } else if (node instanceof SqlKeyConstraint k && k.getOperator().getKind() == SqlKind.PRIMARY_KEY) {
                if (primaryKey != null) {
                    throw new SqlException("42000", "table " + table + " declares more than one primary key");
                }
                primaryKey = new ArrayList<>();
                for (SqlNode id : (SqlNodeList) k.getOperandList().get(1)) {
                    primaryKey.add(((SqlIdentifier) id).getSimple());
                }
            } else {
                throw new SqlException("0A000", "unsupported table element: " + node.toSqlString(CalciteSqlDialect.DEFAULT).getSql());
            }
        }
        if (columns.size() > MAX_COLUMNS) {
            throw new SqlException("54011", "table " + table + " has " + columns.size() + " columns; the limit is " + MAX_COLUMNS);
        }
        int[] pk = new int[primaryKey == null ? 0 : primaryKey.size()];
        for (int i = 0; i < pk.length; i++) {
            String column = primaryKey.get(i);
            int index = -1;
            for (int j = 0; j < columns.size(); j++) {
                if (columns.get(j).name().equals(column)) {
                    index = j;
                }
            }
            if (index < 0) {
                throw new SqlException("42S22", "primary key column " + column + " is not a column of table " + table);
            }
            pk[i] = index;
            ColumnDef c = columns.get(index);
            columns.set(index, new ColumnDef(c.id(), c.name(), c.type(), c.precision(), c.scale(), false, c.defaultSql(), c.defaultValue()));
        }
        TableDef def = new TableDef(base.nextTableId(), table, List.copyOf(columns), pk);
        return catalog.stage(txn, base, table, def);
    }

    private static ColumnDef column(int id, String name, SqlColumnDeclaration c, String table) throws SqlException {
        SqlDataTypeSpec spec = c.dataType;
        String typeName = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
        int precision = -1;
        int scale = -1;
        if (spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic) {
            precision = basic.getPrecision();
            scale = basic.getScale();
        }
        ValueType type;
        switch (typeName) {
            case "BOOLEAN" -> type = ValueType.BOOLEAN;
            case "INTEGER", "INT", "SMALLINT", "TINYINT" -> type = ValueType.INTEGER;
            case "BIGINT" -> type = ValueType.BIGINT;
            case "DOUBLE", "FLOAT", "REAL" -> type = ValueType.DOUBLE;
            case "DECIMAL", "NUMERIC", "DEC" -> type = ValueType.DECIMAL;
            case "VARCHAR", "CHAR", "TEXT", "STRING" -> type = ValueType.VARCHAR;
            case "DATE" -> type = ValueType.DATE;
            case "TIMESTAMP" -> type = ValueType.TIMESTAMP;
            default -> throw new SqlException("42704", "unsupported type " + typeName + " for column " + name
                    + "; supported: BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR(n), DATE, TIMESTAMP");
        }
        if (type == ValueType.VARCHAR) {
            precision = precision > 0 ? precision : DEFAULT_VARCHAR_LENGTH;
            scale = 0;
            if (precision > MAX_VARCHAR_LENGTH) {
                throw new SqlException("22023", "VARCHAR(" + precision + ") for column " + name + ": the length must be 1.."
                        + MAX_VARCHAR_LENGTH);
            }
        } else if (type == ValueType.DECIMAL) {
            precision = precision > 0 ? precision : 19;
            scale = Math.max(scale, 0);
            if (precision > MAX_DECIMAL_PRECISION || scale > precision) {
                throw new SqlException("22023", "DECIMAL(" + precision + "," + scale + ") for column " + name
                        + ": precision must be 1.." + MAX_DECIMAL_PRECISION + " and scale 0..precision");
            }
        } else if (type == ValueType.TIMESTAMP) {
            if (precision > MAX_TIMESTAMP_PRECISION) {
                throw new SqlException("22023", "TIMESTAMP(" + precision + ") for column " + name
                        + ": the precision must be 0.." + MAX_TIMESTAMP_PRECISION);
            }
            // TIMESTAMP keeps microseconds, as in PostgreSQL; TIMESTAMP(0..3) milliseconds.
            precision = precision < 0 || precision > 3 ? ColumnDef.TIMESTAMP_MICROS : 3;
            scale = 0;
        } else {
            precision = 0;
            scale = 0;
        }
        boolean nullable = spec.getNullable() == null || spec.getNullable();
        ColumnDef partial = new ColumnDef(id, name, type, precision, scale, true, null, null);
        String defaultSql = null;
        Object defaultValue = null;
        if (c.expression != null) {
            defaultSql = c.expression.toSqlString(CalciteSqlDialect.DEFAULT).getSql();
            defaultValue = Values.toColumn(literal(c.expression, name), partial, table);
        }
        return new ColumnDef(id, name, type, precision, scale, nullable, defaultSql, defaultValue);
    }

    /** The value of a literal DEFAULT (optionally negated); other expressions are not supported. */
    private static Object literal(SqlNode node, String column) throws SqlException {
        if (node instanceof SqlCall call && call.getKind() == SqlKind.MINUS_PREFIX) {
            Object inner = literal(call.operand(0), column);
            if (inner instanceof BigDecimal d) {
                return d.negate();
            }
        } else if (node instanceof SqlLiteral literal) {
            Object value = literal.getValue();
            if (value == null) {
                return null;
            }
            if (value instanceof DateString d) {
                return d.getDaysSinceEpoch();
            }
            if (value instanceof TimestampString t) {
                return MicroTimestamps.parseLocal(t.toString()); // exact; the column's unit is chosen by Values
            }
            if (value instanceof BigDecimal || value instanceof Boolean) {
                return value;
            }
            return literal.getValueAs(String.class);
        }
        throw new SqlException("0A000", "DEFAULT for column " + column + " must be a literal value");
    }

    /** Stages removal of a table and all its rows. */
    public static Catalog.Snapshot dropTable(SqlDropTable drop, Catalog catalog, Catalog.Snapshot base, Transaction txn,
                                             TableStorage storage) throws SqlException {
        String table = name(drop.name);
        TableDef def = base.table(table);
        if (def == null && base.view(table) != null) {
            throw new SqlException("42809", table + " is a view, not a table; drop it with DROP VIEW");
        }
        if (def == null) {
            if (drop.ifExists) {
                return null;
            }
            throw new SqlException("42S02", "table " + table + " does not exist");
        }
        // Only the catalog entry goes in this transaction, so the table disappears atomically
        // whatever its size; its rows and index entries are deleted after the commit
        // (TableStorage.deleteAll), in transactions bounded far below the write limit.
        storage.forget(def);
        return catalog.stage(txn, base, table, null);
    }

    private record IndexSpec(String name, String table, List<String> columns, boolean unique, boolean ifNotExists) {
    }

    /** Stages a new index and writes its entries for the rows the table already has. */
    public static Catalog.Snapshot createIndex(SqlCreateIndex node, Catalog catalog, Catalog.Snapshot base, Transaction txn)
            throws SqlException {
        return createIndex(node, catalog, base, txn, false);
    }

    /**
     * Stages a new index. {@code writeOnly}: as F1's write-only state, without its entries (a
     * cluster's {@link IndexBackfill} writes them once every node maintains the index); else
     * public, with an entry for every row, written in {@code txn}.
     */
    public static Catalog.Snapshot createIndex(SqlCreateIndex node, Catalog catalog, Catalog.Snapshot base, Transaction txn,
                                               boolean writeOnly) throws SqlException {
        List<String> columnNames = new ArrayList<>();
        boolean[] descending = new boolean[node.columns.size()];
        for (SqlNode column : node.columns) {
            if (column.getKind() == SqlKind.DESCENDING) {
                descending[columnNames.size()] = true;
                column = ((SqlCall) column).operand(0);
            }
            columnNames.add(name((SqlIdentifier) column));
        }
        IndexSpec create = new IndexSpec(name(node.name), name(node.table), columnNames, node.unique, node.ifNotExists);
        TableDef table = base.table(create.table());
        if (table == null && base.view(create.table()) != null) {
            throw new SqlException("42809", create.table() + " is a view; indexes are built on tables");
        }
        if (table == null) {
            throw new SqlException("42S02", "table " + create.table() + " does not exist");
        }
        TableDef owner = base.tableOfIndex(create.name());
        if (owner != null) {
            if (create.ifNotExists()) {
                return null;
            }
            throw new SqlException("42S11", "index " + create.name() + " already exists (on table " + owner.name() + ")");
        }
        int[] columns = new int[create.columns().size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = table.columnIndex(create.columns().get(i));
            if (columns[i] < 0) {
                throw new SqlException("42S22", "column " + create.columns().get(i) + " does not exist in table " + table.name());
            }
            for (int j = 0; j < i; j++) {
                if (columns[j] == columns[i]) {
                    throw new SqlException("42701", "column " + create.columns().get(i) + " is named twice in index " + create.name());
                }
            }
        }
        if (columns.length > MAX_INDEX_COLUMNS) {
            throw new SqlException("54011", "an index has at most " + MAX_INDEX_COLUMNS + " columns");
        }
        // The catalog version this statement commits: versions only grow, so an index id is never
        // used twice, and entries a node without the new catalog wrote for a dropped index (SQL on
        // a cluster, docs/cluster.md "Schema changes") can never show up in a later index.
        int id = Math.toIntExact(base.version() + 1);
        for (IndexDef existing : table.indexes()) {
            id = Math.max(id, existing.id() + 1);
        }
        IndexDef index = new IndexDef(id, create.name(), columns, descending, create.unique(), writeOnly);
        if (writeOnly) {
            return catalog.stage(txn, base, table.name(), table.withIndex(index));
        }
        Set<List<Object>> seen = new HashSet<>();
        try (KvCursor cursor = TableStorage.scan(txn, table)) {
            while (cursor.next()) {
                Object[] row = TableStorage.decodeRow(table, cursor.value());
                if (index.unique()) {
                    List<Object> values = Arrays.asList(TableStorage.indexValues(index, row));
                    if (!values.contains(null) && !seen.add(values)) {
                        throw new SqlException("23505", "cannot create unique index " + index.name() + ": table " + table.name()
                                + " has two rows with " + create.columns() + " = " + values);
                    }
                }
                byte[] key = cursor.key().clone();
                txn.put(TableStorage.indexEntry(table, index, row, key), key);
            }
        }
        return catalog.stage(txn, base, table.name(), table.withIndex(index));
    }

    /** Stages removal of an index and its entries. */
    public static Catalog.Snapshot dropIndex(SqlDropIndex node, Catalog catalog, Catalog.Snapshot base, Transaction txn)
            throws SqlException {
        return dropIndex(node, catalog, base, txn, false);
    }

    /** The index a DROP INDEX statement names, as the catalog spells it. */
    public static String indexName(SqlDropIndex node) throws SqlException {
        return name(node.name);
    }

    /**
     * Stages the first step of dropping an index. {@code inSteps} (SQL on a cluster, F1): the
     * index becomes write-only, so no query reads it while nodes that have not adopted the drop
     * still maintain it; the caller removes it and its entries once every node has adopted that.
     * Otherwise the index and its entries go at once.
     */
    public static Catalog.Snapshot dropIndex(SqlDropIndex node, Catalog catalog, Catalog.Snapshot base, Transaction txn,
                                             boolean inSteps) throws SqlException {
        String indexName = name(node.name);
        TableDef table = base.tableOfIndex(indexName);
        if (table == null) {
            if (node.ifExists) {
                return null;
            }
            throw new SqlException("42S12", "index " + indexName + " does not exist");
        }
        IndexDef index = table.index(indexName);
        if (inSteps) {
            return catalog.stage(txn, base, table.name(), table.withoutIndex(indexName).withIndex(index.asWriteOnly()));
        }
        byte[] prefix = TableStorage.indexPrefix(table, index, new Object[0]);
        try (KvCursor cursor = txn.scan(prefix, KeyEncoder.prefixEnd(prefix))) {
            while (cursor.next()) {
                txn.delete(cursor.key().clone());
            }
        }
        return catalog.stage(txn, base, table.name(), table.withoutIndex(indexName));
    }

    /**
     * Stages a new or replaced view. Its query is planned now, against the tables as they are,
     * so a query that would not run is refused here; the view keeps the query's text and the
     * names of its columns (as given, or the query's labels), and is expanded from the text in
     * every query that reads it.
     */
    public static Catalog.Snapshot createView(SqlCreateView create, Catalog catalog, Catalog.Snapshot base, Transaction txn)
            throws SqlException {
        String view = name(create.name);
        if (base.table(view) != null) {
            if (create.getReplace()) {
                throw new SqlException("42809", view + " is a table, not a view");
            }
            throw new SqlException("42P07", "a table named " + view + " already exists");
        }
        if (base.view(view) != null && !create.getReplace()) {
            throw new SqlException("42P07", "view " + view + " already exists (CREATE OR REPLACE VIEW replaces it)");
        }
        if (QueryCompiler.countParameters(create.query) > 0) {
            throw new SqlException("42000", "the query of view " + view + " has parameters (?); a view's query cannot have any");
        }
        // Calcite prints the tree with every identifier quoted, so the text parses back to the same query.
        String sql = create.query.toSqlString(CalciteSqlDialect.DEFAULT).getSql();
        QueryCompiler.Compiled compiled = new QueryCompiler(base).compile(QueryCompiler.parse(sql));
        List<String> columns = new ArrayList<>();
        if (create.columnList != null) {
            for (SqlNode column : create.columnList) {
                columns.add(((SqlIdentifier) column).getSimple());
            }
            if (columns.size() != compiled.columns().size()) {
                throw new SqlException("42P16", "view " + view + " names " + columns.size() + " columns but its query returns "
                        + compiled.columns().size());
            }
        } else {
            for (ColumnMeta column : compiled.columns()) {
                columns.add(column.label());
            }
        }
        Set<String> seen = new HashSet<>();
        for (String column : columns) {
            if (!seen.add(column)) {
                throw new SqlException("42701", "column " + column + " appears twice in view " + view
                        + "; name the view's columns: CREATE VIEW " + view + " (c1, c2, ...) AS ...");
            }
        }
        Catalog.Snapshot staged = catalog.stageView(txn, base, view, new ViewDef(view, sql, columns));
        if (create.getReplace()) {
            // The new query may read a view that reads this one: such a view could never be read.
            new QueryCompiler(staged).compile(QueryCompiler.parse("SELECT * FROM \"" + view.replace("\"", "\"\"") + "\""));
        }
        return staged;
    }

    /** Stages removal of a view. Views reading it fail from then on, until it is created again. */
    public static Catalog.Snapshot dropView(SqlDropView drop, Catalog catalog, Catalog.Snapshot base, Transaction txn)
            throws SqlException {
        String view = name(drop.name);
        if (base.view(view) == null) {
            if (base.table(view) != null) {
                throw new SqlException("42809", view + " is a table, not a view; drop it with DROP TABLE");
            }
            if (drop.ifExists) {
                return null;
            }
            throw new SqlException("42P01", "view " + view + " does not exist");
        }
        return catalog.stageView(txn, base, view, null);
    }
}
