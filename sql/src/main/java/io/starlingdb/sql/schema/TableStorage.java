package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.KeyDecoder;
import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a table's rows sit in the key-value store: key = table id | index id 0 (primary) |
 * primary-key columns in key order (or the hidden row id), value = the row encoded with
 * column ids. Shared by scans and DML.
 */
public final class TableStorage {

    /** Index id of the primary index in every row key. */
    public static final int PRIMARY_INDEX_ID = 0;

    /**
     * Row ids one reservation takes: a table without a primary key persists the end of its
     * reserved ids ({@link #rowIdCounterKey}), so a restart continues from there without reading
     * the table, skipping at most this many unused ids.
     */
    public static final int ROW_ID_RESERVATION = 1_000;

    /**
     * The index id under which a table without a primary key keeps its row id counter: no
     * index has it (index ids count up from 1), and it lies in the table's key span, so DROP
     * TABLE deletes it with the rows.
     */
    static final int ROW_ID_COUNTER_INDEX_ID = Integer.MAX_VALUE;

    private final TransactionalStore store;
    /** Reserved row ids per table, handed out in order. */
    private final Map<Integer, RowIds> rowIds = new ConcurrentHashMap<>();

    /** The next row id and the end of the reserved ones, of one table; guarded by itself. */
    private static final class RowIds {
        long next;
        long reservedEnd;
    }

    public TableStorage(TransactionalStore store) {
        this.store = store;
    }

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

    /** The stored form of a row; a DOUBLE {@code -0.0} is stored as {@code 0.0} (see {@link #positiveZeros}). */
    public static byte[] encodeRow(TableDef table, Object[] row) {
        ValueType[] types = table.types();
        Object[] stored = row;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == ValueType.DOUBLE && isNegativeZero(row[i])) {
                if (stored == row) {
                    stored = row.clone();
                }
                stored[i] = POSITIVE_ZERO;
            }
        }
        return RowCodec.encode(table.columnIds(), types, stored);
    }

    public static Object[] decodeRow(TableDef table, byte[] value) {
        return positiveZeros(table.types(), RowCodec.decode(value, table.columnIds(), table.types()));
    }

    /** Some columns of a stored row (engine ids and types), in that order; absent ones NULL. */
    static Object[] decodeColumns(byte[] value, int[] columnIds, ValueType[] types) {
        return positiveZeros(types, RowCodec.decode(value, columnIds, types));
    }

    private static final Double POSITIVE_ZERO = 0.0;

    /**
     * SQL has one zero ({@code -0.0 = 0.0}), but the boxed {@code Double}s that hash joins,
     * grouping and DISTINCT compare tell them apart, so no {@code -0.0} leaves a table: rows
     * written before it was normalised on writing read back with {@code 0.0} too. Operators
     * that compute a DOUBLE normalise what they compute ({@code NumericForms}).
     */
    private static Object[] positiveZeros(ValueType[] types, Object[] row) {
        for (int i = 0; i < types.length; i++) {
            if (types[i] == ValueType.DOUBLE && isNegativeZero(row[i])) {
                row[i] = POSITIVE_ZERO;
            }
        }
        return row;
    }

    private static boolean isNegativeZero(Object value) {
        return value instanceof Double d && Double.doubleToRawLongBits(d) == Long.MIN_VALUE;
    }

    /** A decoded row of a table without a primary key, followed by its row id (read from its key). */
    static Object[] withRowId(Object[] row, byte[] key) {
        Object[] withId = Arrays.copyOf(row, row.length + 1);
        withId[row.length] = rowIdOf(key);
        return withId;
    }

    /** The row id in the key of a row of a table without a primary key. */
    static long rowIdOf(byte[] key) {
        KeyDecoder decoder = new KeyDecoder(key, 0);
        decoder.readTableId();
        decoder.readTableId();
        return (Long) decoder.read(ValueType.BIGINT, false);
    }

    /**
     * The prefix of an index's entries whose leading indexed columns have these values. An
     * entry's key is this prefix over all indexed columns followed by the row's key; its value
     * is the row's key, so a lookup reads the row with one more get.
     */
    public static byte[] indexPrefix(TableDef table, IndexDef index, Object[] values) {
        KeyEncoder key = new KeyEncoder().writeTableId(table.id()).writeTableId(index.id());
        for (int i = 0; i < values.length; i++) {
            key.write(table.columns().get(index.columns()[i]).type(), values[i], index.descending()[i]);
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

    /**
     * Most keys one transaction of {@link #deleteAll} deletes: far below the engine's limit on a
     * transaction's writes (1,000,000), and small enough that each commit stays short.
     */
    public static final int DELETE_BATCH_KEYS = 10_000;

    /**
     * Deletes every key of a table that has left the catalog (its rows and index entries), in
     * transactions of at most {@code batchKeys} deletes, each resuming after the last key the
     * previous one deleted. Table ids are never reused, so nothing new appears in the span
     * meanwhile; version GC reclaims the space. Returns the keys deleted.
     */
    public static long deleteAll(TransactionalStore store, TableDef table, int batchKeys) {
        byte[] prefix = new KeyEncoder().writeTableId(table.id()).toBytes();
        return deleteSpan(store, prefix, KeyEncoder.prefixEnd(prefix), batchKeys);
    }

    /**
     * Deletes every key in [from, to), in transactions of at most {@code batchKeys} deletes, each
     * resuming after the last key the previous one deleted; for a span nothing writes to any more
     * (a dropped table's, a dropped index's). Returns the keys deleted.
     */
    public static long deleteSpan(TransactionalStore store, byte[] from, byte[] to, int batchKeys) {
        long deleted = 0;
        while (true) {
            try (Transaction txn = store.begin()) {
                int batch = 0;
                byte[] last = null;
                try (KvCursor cursor = txn.scan(from, to)) {
                    while (batch < batchKeys && cursor.next()) {
                        last = cursor.key().clone();
                        txn.delete(last);
                        batch++;
                    }
                }
                if (batch == 0) {
                    txn.rollback();
                    return deleted;
                }
                txn.commit();
                deleted += batch;
                // The smallest key after last: last followed by a zero byte.
                from = Arrays.copyOf(last, last.length + 1);
            }
        }
    }

    public static KvCursor scan(Transaction txn, TableDef table) {
        return scan(txn, table, null);
    }

    /** The table's rows; those filter rejects may be left out ({@link Transaction#scan(byte[], byte[], RowPredicate)}). */
    public static KvCursor scan(Transaction txn, TableDef table, RowPredicate filter) {
        byte[] prefix = tablePrefix(table);
        return txn.scan(prefix, KeyEncoder.prefixEnd(prefix), filter);
    }

    /**
     * A fresh hidden row id for a table without a primary key. Ids come from reservations of
     * {@link #ROW_ID_RESERVATION}, each committed in a transaction of its own before its ids are
     * used, so an id is never handed out twice, across restarts too, whatever the transactions
     * using them do.
     */
    public long nextRowId(TableDef table) {
        RowIds ids = rowIds.computeIfAbsent(table.id(), id -> new RowIds());
        synchronized (ids) {
            if (ids.next >= ids.reservedEnd) {
                reserve(table, ids);
            }
            return ids.next++;
        }
    }

    /** Times a row-id reservation is tried again when another node reserved at the same moment. */
    static final int reservationAttempts = 20;

    private void reserve(TableDef table, RowIds ids) {
        for (int attempt = 1; ; attempt++) {
            try {
                reserveOnce(table, ids);
                return;
            } catch (io.starlingdb.engine.txn.WriteConflictException e) {
                // Another node took the next block at the same moment (a cluster): take the one after it.
                if (attempt >= reservationAttempts) {
                    throw e;
                }
            }
        }
    }

    private void reserveOnce(TableDef table, RowIds ids) {
        byte[] key = rowIdCounterKey(table);
        try (Transaction txn = store.begin()) {
            byte[] stored = txn.get(key);
            // A table written before counters were kept has none: its highest id, read once.
            long from = stored != null ? ByteBuffer.wrap(stored).getLong() : highestRowId(txn, table) + 1;
            from = Math.max(from, ids.next);
            long end = from + ROW_ID_RESERVATION;
            txn.put(key, ByteBuffer.allocate(Long.BYTES).putLong(end).array());
            txn.commit();
            ids.next = from;
            ids.reservedEnd = end;
        }
    }

    /** The key of a table's row id counter: the end of the ids reserved so far. */
    static byte[] rowIdCounterKey(TableDef table) {
        return new KeyEncoder().writeTableId(table.id()).writeTableId(ROW_ID_COUNTER_INDEX_ID).toBytes();
    }

    /** Forgets a dropped table's counter. */
    public void forget(TableDef table) {
        rowIds.remove(table.id());
    }

    private static long highestRowId(Transaction txn, TableDef table) {
        long highest = 0;
        try (KvCursor cursor = scan(txn, table)) {
            while (cursor.next()) {
                highest = Math.max(highest, rowIdOf(cursor.key()));
            }
        }
        return highest;
    }
}
