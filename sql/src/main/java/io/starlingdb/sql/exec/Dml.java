package io.starlingdb.sql.exec;

import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.sql.schema.StarlingSchema;
import io.starlingdb.sql.schema.StarlingTable;
import io.starlingdb.sql.schema.TableStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * INSERT, UPDATE and DELETE. Each is planned as a query that produces the affected rows
 * (the INSERT's source; the matched rows with their new values; the matched rows), whose
 * results are then checked against the table's constraints and written into the statement's
 * transaction. Nothing reaches the store unless every row passes.
 */
public final class Dml {

    /**
     * What a planned DML statement does to which table. {@code sourceReadsTables}: whether its
     * source rows come from reading tables (false only for an INSERT whose rows are a VALUES list
     * without a subquery: its rows do not depend on what the transaction wrote, so the rows of
     * many executions may be computed first and written as one statement, {@link #sourceReadsNoTable}).
     */
    public record Plan(Kind kind, TableDef table, int[] targetColumns, QueryCompiler.Compiled source, boolean sourceReadsTables) {
    }

    public enum Kind { INSERT, UPDATE, DELETE }

    private Dml() {
    }

    private static TableDef table(SqlNode target, QueryCompiler compiler) throws SqlException {
        if (!(target instanceof SqlIdentifier id)) {
            throw new SqlException("0A000", "DML target must be a table name");
        }
        String name = Ddl.name(id);
        TableDef table = compiler.catalog().table(name);
        if (table == null && compiler.catalog().view(name) != null) {
            throw new SqlException("42809", name + " is a view; views cannot be written: INSERT, UPDATE and DELETE name a table");
        }
        if (table == null) {
            throw new SqlException("42S02", "table " + name + " does not exist");
        }
        return table;
    }

    private static int columnIndex(TableDef table, SqlNode column) throws SqlException {
        String name = ((SqlIdentifier) column).names.get(((SqlIdentifier) column).names.size() - 1);
        int index = table.columnIndex(name);
        if (index < 0) {
            throw new SqlException("42S22", "column " + name + " does not exist in table " + table.name());
        }
        return index;
    }

    public static Plan planInsert(SqlInsert insert, QueryCompiler compiler) throws SqlException {
        return planInsert(insert, compiler, PlannerPath.choose());
    }

    /** As {@link #planInsert(SqlInsert, QueryCompiler)}, its rows planned on a forced path (tests compare the paths). */
    public static Plan planInsert(SqlInsert insert, QueryCompiler compiler, PlannerPath path) throws SqlException {
        TableDef table = table(insert.getTargetTable(), compiler);
        int[] targets;
        if (insert.getTargetColumnList() == null) {
            targets = new int[table.columns().size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = i;
            }
        } else {
            SqlNodeList list = insert.getTargetColumnList();
            targets = new int[list.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = columnIndex(table, list.get(i));
                for (int j = 0; j < i; j++) {
                    if (targets[j] == targets[i]) {
                        throw new SqlException("42701", "column " + table.columns().get(targets[i]).name() + " is named twice");
                    }
                }
            }
        }
        QueryCompiler.Compiled source = compiler.compile(typedParameters(insert.getSource(), table, targets), path);
        if (source.columns().size() != targets.length) {
            throw new SqlException("21S01", "INSERT into " + table.name() + " has " + targets.length + " target columns but "
                    + source.columns().size() + " values per row");
        }
        return new Plan(Kind.INSERT, table, targets, source, !sourceReadsNoTable(insert.getSource()));
    }

    /**
     * Whether an INSERT's source is a VALUES list in which no query reads a table: a VALUES
     * whose items hold no SELECT (nor UNION, or other query but VALUES) at any depth.
     */
    static boolean sourceReadsNoTable(SqlNode source) {
        if (source == null || source.getKind() != SqlKind.VALUES) {
            return false;
        }
        return !containsQuery(source);
    }

    private static boolean containsQuery(SqlNode node) {
        if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                if (containsQuery(item)) {
                    return true;
                }
            }
            return false;
        }
        if (!(node instanceof SqlCall call)) {
            return false;
        }
        if (node.getKind().belongsTo(SqlKind.QUERY) && node.getKind() != SqlKind.VALUES) {
            return true;
        }
        for (SqlNode operand : call.getOperandList()) {
            if (operand != null && containsQuery(operand)) {
                return true;
            }
        }
        return false;
    }

    public static Plan planUpdate(SqlUpdate update, QueryCompiler compiler) throws SqlException {
        return planUpdate(update, compiler, PlannerPath.choose());
    }

    /** As {@link #planUpdate(SqlUpdate, QueryCompiler)}, its rows planned on a forced path. */
    public static Plan planUpdate(SqlUpdate update, QueryCompiler compiler, PlannerPath path) throws SqlException {
        TableDef table = table(update.getTargetTable(), compiler);
        SqlNodeList targets = update.getTargetColumnList();
        int[] indexes = new int[targets.size()];
        SqlNodeList select = new SqlNodeList(SqlParserPos.ZERO);
        for (ColumnDef c : table.columns()) {
            select.add(new SqlIdentifier(List.of(table.name(), c.name()), SqlParserPos.ZERO));
        }
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = columnIndex(table, targets.get(i));
            select.add(typed(update.getSourceExpressionList().get(i), table.columns().get(indexes[i])));
        }
        addRowId(table, select);
        return new Plan(Kind.UPDATE, table, indexes, compiler.compile(selectFrom(table, select, update.getCondition()), path), true);
    }

    public static Plan planDelete(SqlDelete delete, QueryCompiler compiler) throws SqlException {
        return planDelete(delete, compiler, PlannerPath.choose());
    }

    /** As {@link #planDelete(SqlDelete, QueryCompiler)}, its rows planned on a forced path. */
    public static Plan planDelete(SqlDelete delete, QueryCompiler compiler, PlannerPath path) throws SqlException {
        TableDef table = table(delete.getTargetTable(), compiler);
        SqlNodeList select = new SqlNodeList(SqlParserPos.ZERO);
        for (ColumnDef c : table.columns()) {
            select.add(new SqlIdentifier(List.of(table.name(), c.name()), SqlParserPos.ZERO));
        }
        addRowId(table, select);
        return new Plan(Kind.DELETE, table, new int[0], compiler.compile(selectFrom(table, select, delete.getCondition()), path), true);
    }

    /**
     * A bare ? that supplies a column's value gets the column's type (CAST(? AS type)), as the
     * statement is planned as a stand-alone query where Calcite could not infer it. Strings are
     * cast to the widest VARCHAR, so a too-long value fails the column check with 22001 rather
     * than being truncated.
     */
    private static SqlNode typedParameters(SqlNode source, TableDef table, int[] targets) {
        if (source.getKind() == SqlKind.VALUES) {
            for (SqlNode rowNode : ((SqlCall) source).getOperandList()) {
                if (rowNode instanceof SqlCall row && row.getKind() == SqlKind.ROW) {
                    for (int i = 0; i < row.operandCount() && i < targets.length; i++) {
                        row.setOperand(i, typed(row.operand(i), table.columns().get(targets[i])));
                    }
                }
            }
        } else if (source instanceof SqlSelect select && select.getSelectList() != null) {
            SqlNodeList list = select.getSelectList();
            for (int i = 0; i < list.size() && i < targets.length; i++) {
                list.set(i, typed(list.get(i), table.columns().get(targets[i])));
            }
        }
        return source;
    }

    private static SqlNode typed(SqlNode value, ColumnDef column) {
        if (!(value instanceof SqlDynamicParam)) {
            return value;
        }
        SqlTypeName name = switch (column.type()) {
            case BOOLEAN -> SqlTypeName.BOOLEAN;
            case INTEGER -> SqlTypeName.INTEGER;
            case BIGINT -> SqlTypeName.BIGINT;
            case DOUBLE -> SqlTypeName.DOUBLE;
            case DECIMAL -> SqlTypeName.DECIMAL;
            case VARCHAR -> SqlTypeName.VARCHAR;
            case DATE -> SqlTypeName.DATE;
            case TIMESTAMP -> SqlTypeName.TIMESTAMP;
        };
        SqlParserPos pos = value.getParserPosition();
        SqlBasicTypeNameSpec spec = switch (column.type()) {
            case DECIMAL -> new SqlBasicTypeNameSpec(name, column.precision(), column.scale(), pos);
            // Wider than any column, so the column check (22001) sees the whole value, never a truncated one.
            case VARCHAR -> new SqlBasicTypeNameSpec(name, QueryCompiler.TYPE_SYSTEM.getMaxPrecision(SqlTypeName.VARCHAR), pos);
            case TIMESTAMP -> new SqlBasicTypeNameSpec(name, column.microseconds() ? ColumnDef.TIMESTAMP_MICROS : 3, pos);
            default -> new SqlBasicTypeNameSpec(name, pos);
        };
        return SqlStdOperatorTable.CAST.createCall(pos, value, new SqlDataTypeSpec(spec, pos));
    }

    /**
     * A table without a primary key: its rows are matched with their row ids, the last source
     * column, so that UPDATE and DELETE address each row by its key, duplicates included.
     */
    private static void addRowId(TableDef table, SqlNodeList select) {
        if (table.hasRowId()) {
            select.add(new SqlIdentifier(List.of(table.name(), StarlingTable.ROW_ID_COLUMN), SqlParserPos.ZERO));
        }
    }

    /** The matched rows of UPDATE or DELETE: from the table's row id form when it has no primary key. */
    private static SqlSelect selectFrom(TableDef table, SqlNodeList select, SqlNode where) {
        String schema = table.hasRowId() ? StarlingSchema.ROW_IDS : "PUBLIC";
        SqlNode from = new SqlIdentifier(List.of(schema, table.name()), SqlParserPos.ZERO);
        from = new SqlBasicCall(SqlStdOperatorTable.AS, List.of(from, new SqlIdentifier(table.name(), SqlParserPos.ZERO)),
                SqlParserPos.ZERO);
        return new SqlSelect(SqlParserPos.ZERO, null, select, from, where, null, null, null, null, null, null, null);
    }

    /**
     * Applies the plan's effect for the rows its source query produced; returns the rows
     * affected. Writes are staged and reach the transaction only when every row has passed
     * its checks, so a failing statement leaves even an open transaction untouched.
     */
    public static long execute(Plan plan, List<Object[]> sourceRows, Transaction transaction, TableStorage storage)
            throws SqlException {
        TableDef table = plan.table();
        StatementWrites txn = new StatementWrites(transaction);
        long affected = switch (plan.kind()) {
            case INSERT -> insert(plan, table, sourceRows, txn, storage);
            case UPDATE -> update(plan, table, sourceRows, txn);
            case DELETE -> delete(table, sourceRows, txn);
        };
        txn.applyTo(transaction);
        return affected;
    }

    /**
     * Keys whose stored values one request reads at most when a statement reads ahead (on the
     * cluster: one request per range per chunk, ranges in parallel).
     */
    static final int PREFETCH_CHUNK_KEYS = 1_000;

    /** A statement's writes, staged over its transaction; reads see the staged writes first. */
    private static final class StatementWrites {
        private static final byte[] DELETED = new byte[0];
        /** Marks a key read ahead and found absent; compared by identity. */
        private static final byte[] ABSENT = new byte[0];
        private final Transaction txn;
        private final java.util.TreeMap<byte[], byte[]> writes = new java.util.TreeMap<>(Arrays::compareUnsigned);
        /** Stored values read ahead by {@link #prefetch}, so per-row checks cost no round trip each. */
        private final java.util.TreeMap<byte[], byte[]> prefetched = new java.util.TreeMap<>(Arrays::compareUnsigned);
        /** Per UNIQUE index value prefix read ahead by {@link #prefetchUnique}: its first stored entry's key, or ABSENT. */
        private final java.util.TreeMap<byte[], byte[]> firstEntries = new java.util.TreeMap<>(Arrays::compareUnsigned);

        StatementWrites(Transaction txn) {
            this.txn = txn;
        }

        byte[] get(byte[] key) {
            byte[] staged = writes.get(key);
            if (staged != null) {
                return staged == DELETED ? null : staged;
            }
            byte[] read = prefetched.get(key);
            if (read != null) {
                return read == ABSENT ? null : read;
            }
            return txn.get(key);
        }

        /** Reads the stored values of keys ahead, in chunks of {@link #PREFETCH_CHUNK_KEYS}. */
        void prefetch(List<byte[]> keys) {
            for (int from = 0; from < keys.size(); from += PREFETCH_CHUNK_KEYS) {
                List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + PREFETCH_CHUNK_KEYS));
                List<byte[]> values = txn.getAll(chunk);
                for (int i = 0; i < chunk.size(); i++) {
                    prefetched.put(chunk.get(i), values.get(i) == null ? ABSENT : values.get(i));
                }
            }
        }

        void put(byte[] key, byte[] value) {
            writes.put(key, value);
        }

        void delete(byte[] key) {
            writes.put(key, DELETED);
        }

        /** Writes a row and its index entries; oldRow (or null) is the row this key held before. */
        void putRow(TableDef table, byte[] key, Object[] oldRow, Object[] row) throws SqlException {
            for (IndexDef index : table.indexes()) {
                byte[] entry = TableStorage.indexEntry(table, index, row, key);
                if (oldRow != null) {
                    byte[] old = TableStorage.indexEntry(table, index, oldRow, key);
                    if (Arrays.equals(old, entry)) {
                        continue;
                    }
                    delete(old);
                }
                if (index.unique()) {
                    Object[] values = TableStorage.indexValues(index, row);
                    if (!Arrays.asList(values).contains(null)) {
                        byte[] prefix = TableStorage.indexPrefix(table, index, values);
                        if (exists(prefix, KeyEncoder.prefixEnd(prefix))) {
                            throw duplicateIndexValue(table, index, values);
                        }
                        // Claim the value: its bare prefix is no index entry's key (each ends with
                        // its row's key), and deleting it writes nothing a reader sees, but two
                        // transactions claiming one value write the same key, so they conflict
                        // (40001) instead of both committing a duplicate each checked alone.
                        delete(prefix);
                    }
                }
                put(entry, key);
            }
            put(key, TableStorage.encodeRow(table, row));
        }

        /** Deletes a row and its index entries. */
        void deleteRow(TableDef table, byte[] key, Object[] row) {
            for (IndexDef index : table.indexes()) {
                delete(TableStorage.indexEntry(table, index, row, key));
            }
            delete(key);
        }

        /**
         * Reads ahead, for every UNIQUE index of table and each of rows with no NULL in it, the
         * first stored entry with the row's value (one request per range on the cluster, not one
         * per row), so that {@link #putRow}'s checks cost no round trip each.
         */
        void prefetchUnique(TableDef table, List<Object[]> rows) {
            List<byte[]> froms = new ArrayList<>();
            List<byte[]> tos = new ArrayList<>();
            for (IndexDef index : table.indexes()) {
                if (!index.unique()) {
                    continue;
                }
                for (Object[] row : rows) {
                    Object[] values = TableStorage.indexValues(index, row);
                    if (!Arrays.asList(values).contains(null)) {
                        byte[] prefix = TableStorage.indexPrefix(table, index, values);
                        froms.add(prefix);
                        tos.add(KeyEncoder.prefixEnd(prefix));
                    }
                }
            }
            for (int from = 0; from < froms.size(); from += PREFETCH_CHUNK_KEYS) {
                int to = Math.min(froms.size(), from + PREFETCH_CHUNK_KEYS);
                List<byte[]> first = txn.firstKeys(froms.subList(from, to), tos.subList(from, to));
                for (int i = from; i < to; i++) {
                    firstEntries.put(froms.get(i), first.get(i - from) == null ? ABSENT : first.get(i - from));
                }
            }
        }

        /** Whether any key in [from, to) exists, counting this statement's staged writes. */
        private boolean exists(byte[] from, byte[] to) {
            for (byte[] value : writes.subMap(from, to).values()) {
                if (value != DELETED) {
                    return true;
                }
            }
            byte[] first = firstEntries.get(from);
            if (first == ABSENT) {
                // Nothing stored there when the statement read ahead, and only its own staged
                // writes (checked above) change what its transaction sees.
                return false;
            }
            if (first != null && writes.get(first) == null) {
                return true;
            }
            try (KvCursor cursor = txn.scan(from, to)) {
                while (cursor.next()) {
                    if (writes.get(cursor.key()) == null) {
                        return true;
                    }
                }
            }
            return false;
        }

        Transaction transaction() {
            return txn;
        }

        void applyTo(Transaction target) {
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                if (w.getValue() == DELETED) {
                    target.delete(w.getKey());
                } else {
                    target.put(w.getKey(), w.getValue());
                }
            }
        }
    }

    private static long insert(Plan plan, TableDef table, List<Object[]> sourceRows, StatementWrites txn, TableStorage storage)
            throws SqlException {
        List<ColumnDef> columns = table.columns();
        List<Object[]> rows = new ArrayList<>(sourceRows.size());
        List<byte[]> keys = new ArrayList<>(sourceRows.size());
        for (Object[] source : sourceRows) {
            Object[] row = new Object[columns.size()];
            boolean[] given = new boolean[columns.size()];
            for (int i = 0; i < plan.targetColumns().length; i++) {
                int c = plan.targetColumns()[i];
                row[c] = Values.fromPlan(source[i], plan.source().columnTypes().get(i));
                given[c] = true;
            }
            for (int c = 0; c < row.length; c++) {
                ColumnDef column = columns.get(c);
                row[c] = Values.toColumn(given[c] ? row[c] : column.defaultValue(), column, table.name());
            }
            rows.add(row);
            keys.add(table.hasRowId() ? TableStorage.rowIdKey(table, storage.nextRowId(table)) : TableStorage.primaryKey(table, row));
        }
        if (!table.hasRowId() && keys.size() > 1) {
            // Whether each key is taken: read together, not one round trip per row.
            txn.prefetch(keys);
        }
        if (rows.size() > 1) {
            txn.prefetchUnique(table, rows);
        }
        for (int i = 0; i < rows.size(); i++) {
            if (!table.hasRowId() && txn.get(keys.get(i)) != null) {
                throw duplicateKey(table, rows.get(i));
            }
            txn.putRow(table, keys.get(i), null, rows.get(i));
        }
        return sourceRows.size();
    }

    private static SqlException duplicateIndexValue(TableDef table, IndexDef index, Object[] values) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            key.append(i == 0 ? "" : ", ").append(table.columns().get(index.columns()[i]).name()).append('=').append(values[i]);
        }
        return new SqlException("23505", "duplicate value (" + key + ") for unique index " + index.name() + " of table "
                + table.name());
    }

    private static SqlException duplicateKey(TableDef table, Object[] row) {
        StringBuilder key = new StringBuilder();
        for (int k : table.primaryKey()) {
            key.append(key.length() == 0 ? "" : ", ").append(table.columns().get(k).name()).append('=').append(row[k]);
        }
        return new SqlException("23505", "duplicate primary key (" + key + ") in table " + table.name());
    }

    private static long update(Plan plan, TableDef table, List<Object[]> matched, StatementWrites txn) throws SqlException {
        int width = table.columns().size();
        if (table.hasRowId()) {
            // Row ids never change: each matched row is rewritten under its own key.
            List<Object[]> rewritten = new ArrayList<>(matched.size());
            for (Object[] m : matched) {
                rewritten.add(newRow(plan, table, m));
            }
            if (rewritten.size() > 1) {
                txn.prefetchUnique(table, rewritten);
            }
            for (int i = 0; i < matched.size(); i++) {
                Object[] m = matched.get(i);
                byte[] key = TableStorage.rowIdKey(table, (Long) m[m.length - 1]);
                txn.putRow(table, key, Arrays.copyOf(m, width), rewritten.get(i));
            }
            return matched.size();
        }
        List<byte[]> oldKeys = new ArrayList<>();
        List<Object[]> oldRows = new ArrayList<>();
        List<Object[]> newRows = new ArrayList<>();
        for (Object[] m : matched) {
            oldKeys.add(TableStorage.primaryKey(table, m));
            oldRows.add(Arrays.copyOf(m, width));
            newRows.add(newRow(plan, table, m));
        }
        // Deletes first, so that rows may swap keys within one statement.
        List<byte[]> moved = new ArrayList<>();
        List<byte[]> movedKeys = new ArrayList<>();
        for (int i = 0; i < newRows.size(); i++) {
            byte[] newKey = TableStorage.primaryKey(table, newRows.get(i));
            if (!Arrays.equals(newKey, oldKeys.get(i))) {
                txn.deleteRow(table, oldKeys.get(i), oldRows.get(i));
                moved.add(newKey);
                movedKeys.add(newKey);
            } else {
                moved.add(null);
            }
        }
        if (movedKeys.size() > 1) {
            txn.prefetch(movedKeys);
        }
        if (newRows.size() > 1) {
            txn.prefetchUnique(table, newRows);
        }
        for (int i = 0; i < newRows.size(); i++) {
            byte[] key = moved.get(i) != null ? moved.get(i) : oldKeys.get(i);
            if (moved.get(i) != null && txn.get(key) != null) {
                throw duplicateKey(table, newRows.get(i));
            }
            txn.putRow(table, key, moved.get(i) != null ? null : oldRows.get(i), newRows.get(i));
        }
        return matched.size();
    }

    private static Object[] newRow(Plan plan, TableDef table, Object[] matched) throws SqlException {
        int width = table.columns().size();
        Object[] row = Arrays.copyOf(matched, width);
        for (int i = 0; i < plan.targetColumns().length; i++) {
            int c = plan.targetColumns()[i];
            Object value = Values.fromPlan(matched[width + i], plan.source().columnTypes().get(width + i));
            row[c] = Values.toColumn(value, table.columns().get(c), table.name());
        }
        return row;
    }

    private static long delete(TableDef table, List<Object[]> matched, StatementWrites txn) {
        int width = table.columns().size();
        if (table.hasRowId()) {
            for (Object[] m : matched) {
                txn.deleteRow(table, TableStorage.rowIdKey(table, (Long) m[m.length - 1]), Arrays.copyOf(m, width));
            }
            return matched.size();
        }
        for (Object[] m : matched) {
            txn.deleteRow(table, TableStorage.primaryKey(table, m), Arrays.copyOf(m, width));
        }
        return matched.size();
    }
}
