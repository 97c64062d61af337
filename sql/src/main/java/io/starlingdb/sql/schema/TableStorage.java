package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.KeyDecoder;
import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a table's rows sit in the key-value store: key = table id | index id 0 (primary) |
 * primary-key columns in key order (or the hidden row id), value = the row encoded with
 * column ids. Shared by scans and DML.
 */
public final class TableStorage {

    /** Index id of the primary index in every row key. */
    public static final int PRIMARY_INDEX_ID = 0;

    /** Next hidden row id per table, found once per process from the highest stored id. */
    private final Map<Integer, AtomicLong> nextRowIds = new ConcurrentHashMap<>();

    public static byte[] tablePrefix(TableDef table) {
        return new KeyEncoder().writeTableId(table.id()).writeTableId(PRIMARY_INDEX_ID).toBytes();
    }

    /** The key of a row, from its full column values (in table order). */
    public static byte[] primaryKey(TableDef table, Object[] row) {
        KeyEncoder key = new KeyEncoder().writeTableId(table.id()).writeTableId(PRIMARY_INDEX_ID);
        for (int k : table.primaryKey()) {
            key.write(table.columns().get(k).type(), row[k], false);
        }
        return key.toBytes();
    }

    /** The key of a row from its primary-key values only, in key order. */
    public static byte[] primaryKeyOf(TableDef table, Object[] keyValues) {
        KeyEncoder key = new KeyEncoder().writeTableId(table.id()).writeTableId(PRIMARY_INDEX_ID);
        for (int i = 0; i < keyValues.length; i++) {
            key.write(table.columns().get(table.primaryKey()[i]).type(), keyValues[i], false);
        }
        return key.toBytes();
    }

    public static byte[] rowIdKey(TableDef table, long rowId) {
        return new KeyEncoder().writeTableId(table.id()).writeTableId(PRIMARY_INDEX_ID).write(ValueType.BIGINT, rowId, false).toBytes();
    }

    public static byte[] encodeRow(TableDef table, Object[] row) {
        return RowCodec.encode(table.columnIds(), table.types(), row);
    }

    public static Object[] decodeRow(TableDef table, byte[] value) {
        return RowCodec.decode(value, table.columnIds(), table.types());
    }

    /** Every key of a table: its rows and all its index entries. */
    public static KvCursor scanAll(Transaction txn, TableDef table) {
        byte[] prefix = new KeyEncoder().writeTableId(table.id()).toBytes();
        return txn.scan(prefix, KeyEncoder.prefixEnd(prefix));
    }

    /**
     * The prefix of an index's entries whose leading indexed columns have these values. An
     * entry's key is this prefix over all indexed columns followed by the row's key; its value
     * is the row's key, so a lookup reads the row with one more get.
     */
    public static byte[] indexPrefix(TableDef table, IndexDef index, Object[] values) {
        KeyEncoder key = new KeyEncoder().writeTableId(table.id()).writeTableId(index.id());
        for (int i = 0; i < values.length; i++) {
            key.write(table.columns().get(index.columns()[i]).type(), values[i], false);
        }
        return key.toBytes();
    }

    /** The values of a row's indexed columns, in index order. */
    public static Object[] indexValues(IndexDef index, Object[] row) {
        Object[] values = new Object[index.columns().length];
        for (int i = 0; i < values.length; i++) {
            values[i] = row[index.columns()[i]];
        }
        return values;
    }

    public static byte[] indexEntry(TableDef table, IndexDef index, Object[] row, byte[] rowKey) {
        byte[] prefix = indexPrefix(table, index, indexValues(index, row));
        return new KeyEncoder(prefix.length + rowKey.length).writeRaw(prefix).writeRaw(rowKey).toBytes();
    }

    public static KvCursor scan(Transaction txn, TableDef table) {
        byte[] prefix = tablePrefix(table);
        return txn.scan(prefix, KeyEncoder.prefixEnd(prefix));
    }

    /** A fresh hidden row id for a table without a primary key. */
    public long nextRowId(Transaction txn, TableDef table) {
        return nextRowIds.computeIfAbsent(table.id(), id -> new AtomicLong(highestRowId(txn, table) + 1)).getAndIncrement();
    }

    /** Forgets a dropped table's counter, so a table with a reused name starts afresh. */
    public void forget(TableDef table) {
        nextRowIds.remove(table.id());
    }

    private static long highestRowId(Transaction txn, TableDef table) {
        long highest = 0;
        try (KvCursor cursor = scan(txn, table)) {
            while (cursor.next()) {
                KeyDecoder key = new KeyDecoder(cursor.key(), 0);
                key.readTableId();
                key.readTableId();
                highest = Math.max(highest, (Long) key.read(ValueType.BIGINT, false));
            }
        }
        return highest;
    }
}
