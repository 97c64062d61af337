package io.starlingdb.sql.system;

import io.starlingdb.engine.encoding.KeyDecoder;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.util.HashMap;
import java.util.Map;

/**
 * A key of the replicated key space as a person reads it: {@code /min} and {@code /max} for
 * the ends, {@code /system/...} for the meta range's keys, {@code /sql/ORDERS/primary/42} for
 * SQL's (table and index by name, primary-key values decoded), {@code /sql/catalog} for the
 * catalog, and {@code /kv/...} for keys written through the key-value API (printable bytes as
 * they are, others as {@code \xNN}).
 */
final class KeyText {

    /** The first byte of the meta range's keys. */
    private static final byte systemByte = 0x00;
    /** Bytes of a table id or an index id in a SQL key. */
    private static final int idBytes = 4;
    /** Printable ASCII shown as itself in a key. */
    private static final int firstPrintable = 0x20;
    private static final int lastPrintable = 0x7e;

    private final Map<Integer, TableDef> tables = new HashMap<>();

    KeyText(Iterable<TableDef> tables) {
        for (TableDef t : tables) {
            this.tables.put(t.id(), t);
        }
    }

    /** The start key of a range or span ({@code /min} for the empty key). */
    String start(byte[] key) {
        return key.length == 0 ? "/min" : of(key);
    }

    /** The end key of a range ({@code /max} for null: no end). */
    String end(byte[] key) {
        return key == null ? "/max" : of(key);
    }

    String of(byte[] key) {
        if (key.length == 0) {
            return "/min";
        }
        if (key[0] == systemByte) {
            return "/system/" + bytes(key, 1);
        }
        if (key[0] != ClusterTransactionalStore.sqlKeyPrefix) {
            return "/kv/" + bytes(key, 0);
        }
        if (key.length < 1 + idBytes) {
            return "/sql/" + bytes(key, 1);
        }
        KeyDecoder decoder = new KeyDecoder(key, 1);
        int tableId = decoder.readTableId();
        if (tableId == catalogTableId) {
            return "/sql/catalog" + (key.length > 1 + idBytes ? "/" + bytes(key, 1 + idBytes) : "");
        }
        TableDef table = tables.get(tableId);
        StringBuilder out = new StringBuilder("/sql/").append(table == null ? "table-" + tableId : table.name());
        if (key.length < 1 + 2 * idBytes) {
            return key.length == 1 + idBytes ? out.toString() : out.append('/').append(bytes(key, 1 + idBytes)).toString();
        }
        int indexId = decoder.readTableId();
        out.append('/').append(indexName(table, indexId));
        if (decoder.hasMore()) {
            out.append('/').append(values(key, decoder.position(), table, indexId));
        }
        return out.toString();
    }

    /** The catalog's table id (Catalog keeps its tables, views and counters under it). */
    private static final int catalogTableId = 0;

    /** Where a table without a primary key keeps its row id counter (TableStorage's counter index id). */
    private static final int rowIdCounterIndexId = Integer.MAX_VALUE;

    private static String indexName(TableDef table, int indexId) {
        if (indexId == TableStorage.PRIMARY_INDEX_ID) {
            return "primary";
        }
        if (indexId == rowIdCounterIndexId) {
            return "rowid-counter";
        }
        if (table != null) {
            for (IndexDef index : table.indexes()) {
                if (index.id() == indexId) {
                    return index.name();
                }
            }
        }
        return "index-" + indexId;
    }

    /** The primary-key values of a row key, decoded by the table's key types; raw bytes where that fails. */
    private static String values(byte[] key, int from, TableDef table, int indexId) {
        if (table == null || indexId != TableStorage.PRIMARY_INDEX_ID) {
            return bytes(key, from);
        }
        try {
            KeyDecoder decoder = new KeyDecoder(key, from);
            StringBuilder out = new StringBuilder();
            if (table.hasRowId()) {
                out.append("rowid=").append(decoder.read(io.starlingdb.engine.encoding.ValueType.BIGINT, false));
            } else {
                for (int k : table.primaryKey()) {
                    if (!decoder.hasMore()) {
                        break;
                    }
                    if (out.length() > 0) {
                        out.append('/');
                    }
                    Object v = decoder.read(table.columns().get(k).type(), false);
                    out.append(v instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(v));
                }
            }
            return decoder.hasMore() ? out + "/" + bytes(key, decoder.position()) : out.toString();
        } catch (IllegalArgumentException e) {
            // Not a row key of this table's shape (a split key may cut a value): the bytes say what it is.
            return bytes(key, from);
        }
    }

    /** Bytes from offset: printable ASCII as is (backslash doubled), others as \xNN. */
    static String bytes(byte[] key, int from) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < key.length; i++) {
            int b = key[i] & 0xff;
            if (b == '\\') {
                out.append("\\\\");
            } else if (b >= firstPrintable && b <= lastPrintable) {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        return out.toString();
    }
}
