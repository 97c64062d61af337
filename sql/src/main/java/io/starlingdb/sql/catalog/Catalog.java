package io.starlingdb.sql.catalog;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables of the database, persisted in the store itself under table id 0 so that they
 * survive restarts and, later, replicate with the data. Readers take an immutable
 * {@link Snapshot}; DDL commits a transaction and then publishes a new snapshot with a
 * higher version, which invalidates cached plans.
 */
public final class Catalog {

    /** Table id of the catalog's own keys; user tables start at 1. */
    static final int CATALOG_TABLE_ID = 0;
    private static final int TABLES_SECTION = 1;
    private static final int COUNTERS_SECTION = 2;
    /** Views, keyed by name; a catalog written before views existed simply has none. */
    private static final int VIEWS_SECTION = 3;
    /** Format of a view entry. */
    private static final int VIEW_FORMAT_VERSION = 1;
    /**
     * Version 2 added secondary indexes, version 3 the direction of each index column, version 4
     * whether an index is write-only (being built); entries of versions 1 (no indexes), 2
     * (ascending index columns) and 3 (public indexes) are still read.
     */
    private static final int FORMAT_VERSION = 4;

    /**
     * An immutable picture of the catalog at one version. Tables and views share one name
     * space: no view has the name of a table.
     */
    public record Snapshot(long version, Map<String, TableDef> tables, Map<String, ViewDef> views, int nextTableId) {
        public TableDef table(String name) {
            return tables.get(name);
        }

        public ViewDef view(String name) {
            return views.get(name);
        }

        /** The table that has an index of this name, or null. */
        public TableDef tableOfIndex(String indexName) {
            for (TableDef t : tables.values()) {
                if (t.index(indexName) != null) {
                    return t;
                }
            }
            return null;
        }
    }

    private final TransactionalStore store;
    private volatile Snapshot current;
    /**
     * System.nanoTime() at the start of the last read that found the stored version equal to
     * the current one (or published it): the catalog was current at least until then.
     */
    private volatile long confirmedNanos = System.nanoTime();

    public Catalog(TransactionalStore store) {
        this.store = store;
        this.current = load();
    }

    private Catalog(TransactionalStore store, Snapshot initial) {
        this.store = store;
        this.current = initial;
    }

    /**
     * A catalog that has not read the store yet (a node joining a cluster whose ranges may not
     * answer yet): empty, at version -1, until {@link #refresh} reads it. A DDL statement meanwhile
     * is refused (40001), since its base would be stale.
     */
    public static Catalog unloaded(TransactionalStore store) {
        return new Catalog(store, new Snapshot(-1, Map.of(), Map.of(), 1));
    }

    /** Whether the catalog has been read from the store at least once. */
    public boolean loaded() {
        return current.version() >= 0;
    }

    public Snapshot snapshot() {
        return current;
    }

    private Snapshot load() {
        Map<String, TableDef> tables = new TreeMap<>();
        Map<String, ViewDef> views = new TreeMap<>();
        long version = 0;
        int nextTableId = 1;
        try (Transaction txn = store.begin()) {
            byte[] counters = txn.get(countersKey());
            if (counters != null) {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(counters));
                version = in.readLong();
                nextTableId = in.readInt();
            }
            byte[] from = new KeyEncoder().writeTableId(CATALOG_TABLE_ID).writeTableId(TABLES_SECTION).toBytes();
            try (KvCursor cursor = txn.scan(from, KeyEncoder.prefixEnd(from))) {
                while (cursor.next()) {
                    TableDef table = decode(cursor.value());
                    tables.put(table.name(), table);
                }
            }
            byte[] viewsFrom = new KeyEncoder().writeTableId(CATALOG_TABLE_ID).writeTableId(VIEWS_SECTION).toBytes();
            try (KvCursor cursor = txn.scan(viewsFrom, KeyEncoder.prefixEnd(viewsFrom))) {
                while (cursor.next()) {
                    ViewDef view = decodeView(cursor.value());
                    views.put(view.name(), view);
                }
            }
            txn.rollback();
        } catch (IOException e) {
            throw new UncheckedIOException("the stored catalog is unreadable", e);
        }
        return new Snapshot(version, Collections.unmodifiableMap(tables), Collections.unmodifiableMap(views), nextTableId);
    }

    /**
     * Writes a new or changed table (or removes one, when table is null) in the given
     * transaction; call {@link #publish} after the transaction commits.
     */
    public Snapshot stage(Transaction txn, Snapshot base, String name, TableDef table) {
        Map<String, TableDef> tables = new TreeMap<>(base.tables());
        int nextTableId = base.nextTableId();
        if (table == null) {
            tables.remove(name);
            txn.delete(tableKey(name));
        } else {
            tables.put(name, table);
            nextTableId = Math.max(nextTableId, table.id() + 1);
            txn.put(tableKey(name), encode(table));
        }
        long version = stageCounters(txn, base, nextTableId);
        return new Snapshot(version, Collections.unmodifiableMap(tables), base.views(), nextTableId);
    }

    /**
     * Writes a new or replaced view (or removes one, when view is null) in the given
     * transaction; call {@link #publish} after the transaction commits.
     */
    public Snapshot stageView(Transaction txn, Snapshot base, String name, ViewDef view) {
        Map<String, ViewDef> views = new TreeMap<>(base.views());
        if (view == null) {
            views.remove(name);
            txn.delete(viewKey(name));
        } else {
            views.put(name, view);
            txn.put(viewKey(name), encodeView(view));
        }
        long version = stageCounters(txn, base, base.nextTableId());
        return new Snapshot(version, base.tables(), Collections.unmodifiableMap(views), base.nextTableId());
    }

    private static long stageCounters(Transaction txn, Snapshot base, int nextTableId) {
        long stored = storedVersion(txn);
        if (stored != base.version()) {
            // Another node changed the catalog since this one last read it (a cluster): the
            // change would be based on a stale catalog. Nothing is written; the next statement
            // sees the new catalog.
            throw new io.starlingdb.engine.txn.WriteConflictException("the catalog changed (version " + stored
                    + ", this node had " + base.version() + "); retry the statement");
        }
        long version = base.version() + 1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(version);
            out.writeInt(nextTableId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        txn.put(countersKey(), bytes.toByteArray());
        return version;
    }

    private static long storedVersion(Transaction txn) {
        byte[] counters = txn.get(countersKey());
        return counters == null ? 0 : java.nio.ByteBuffer.wrap(counters).getLong();
    }

    /**
     * Adopts the newest committed catalog if another node changed it since (SQL on a cluster,
     * where every node keeps its own picture); true if it did.
     */
    public boolean refresh() {
        long started = System.nanoTime();
        Snapshot newer = readIfNewer();
        if (newer != null) {
            publish(newer);
        }
        confirm(started);
        return newer != null;
    }

    /**
     * The stored catalog if it is newer than the current one, else null: one read of its version,
     * and the whole catalog only when it changed. The caller publishes it.
     */
    public Snapshot readIfNewer() {
        long stored;
        try (Transaction txn = store.begin()) {
            stored = storedVersion(txn);
            txn.rollback();
        }
        return stored <= current.version() ? null : load();
    }

    /**
     * Records that a read started at {@code startedNanos} (System.nanoTime()) found the current
     * version, or a newer one that has been published since.
     */
    public void confirm(long startedNanos) {
        if (startedNanos - confirmedNanos > 0) {
            confirmedNanos = startedNanos;
        }
    }

    /** System.nanoTime() when the catalog was last known to be current (see {@link #confirm}). */
    public long confirmedNanos() {
        return confirmedNanos;
    }

    /** Makes a staged snapshot current once its transaction has committed. */
    public synchronized void publish(Snapshot committed) {
        if (committed.version() > current.version()) {
            current = committed;
        }
    }

    private static byte[] countersKey() {
        return new KeyEncoder().writeTableId(CATALOG_TABLE_ID).writeTableId(COUNTERS_SECTION).toBytes();
    }

    private static byte[] tableKey(String name) {
        return new KeyEncoder().writeTableId(CATALOG_TABLE_ID).writeTableId(TABLES_SECTION)
                .write(ValueType.VARCHAR, name, false).toBytes();
    }

    private static byte[] viewKey(String name) {
        return new KeyEncoder().writeTableId(CATALOG_TABLE_ID).writeTableId(VIEWS_SECTION)
                .write(ValueType.VARCHAR, name, false).toBytes();
    }

    private static byte[] encodeView(ViewDef view) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VIEW_FORMAT_VERSION);
            out.writeUTF(view.name());
            // writeUTF stops at 64 KiB; a view's text may be longer.
            byte[] sql = view.sql().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(sql.length);
            out.write(sql);
            out.writeInt(view.columns().size());
            for (String column : view.columns()) {
                out.writeUTF(column);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static ViewDef decodeView(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int format = in.readInt();
        if (format != VIEW_FORMAT_VERSION) {
            throw new IOException("catalog view entry format " + format + " is not supported by this version");
        }
        String name = in.readUTF();
        byte[] sql = new byte[in.readInt()];
        in.readFully(sql);
        int n = in.readInt();
        List<String> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            columns.add(in.readUTF());
        }
        return new ViewDef(name, new String(sql, java.nio.charset.StandardCharsets.UTF_8), columns);
    }

    private static byte[] encode(TableDef table) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeInt(table.id());
            out.writeUTF(table.name());
            out.writeInt(table.columns().size());
            for (ColumnDef c : table.columns()) {
                out.writeInt(c.id());
                out.writeUTF(c.name());
                out.writeUTF(c.type().name());
                out.writeInt(c.precision());
                out.writeInt(c.scale());
                out.writeBoolean(c.nullable());
                out.writeBoolean(c.defaultSql() != null);
                if (c.defaultSql() != null) {
                    out.writeUTF(c.defaultSql());
                    byte[] value = RowCodec.encode(new int[] {0}, new ValueType[] {c.type()}, new Object[] {c.defaultValue()});
                    out.writeInt(value.length);
                    out.write(value);
                }
            }
            out.writeInt(table.primaryKey().length);
            for (int k : table.primaryKey()) {
                out.writeInt(k);
            }
            out.writeInt(table.indexes().size());
            for (IndexDef index : table.indexes()) {
                out.writeInt(index.id());
                out.writeUTF(index.name());
                out.writeBoolean(index.unique());
                out.writeInt(index.columns().length);
                for (int c : index.columns()) {
                    out.writeInt(c);
                }
                for (boolean descending : index.descending()) {
                    out.writeBoolean(descending);
                }
                out.writeBoolean(index.writeOnly());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static TableDef decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int format = in.readInt();
        if (format < 1 || format > FORMAT_VERSION) {
            throw new IOException("catalog entry format " + format + " is not supported by this version");
        }
        int id = in.readInt();
        String name = in.readUTF();
        int n = in.readInt();
        List<ColumnDef> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int columnId = in.readInt();
            String columnName = in.readUTF();
            ValueType type = ValueType.valueOf(in.readUTF());
            int precision = in.readInt();
            int scale = in.readInt();
            boolean nullable = in.readBoolean();
            String defaultSql = null;
            Object defaultValue = null;
            if (in.readBoolean()) {
                defaultSql = in.readUTF();
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                defaultValue = RowCodec.decode(value, new int[] {0}, new ValueType[] {type})[0];
            }
            columns.add(new ColumnDef(columnId, columnName, type, precision, scale, nullable, defaultSql, defaultValue));
        }
        int[] pk = new int[in.readInt()];
        for (int i = 0; i < pk.length; i++) {
            pk[i] = in.readInt();
        }
        List<IndexDef> indexes = new ArrayList<>();
        if (format >= 2) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                int indexId = in.readInt();
                String indexName = in.readUTF();
                boolean unique = in.readBoolean();
                int[] indexColumns = new int[in.readInt()];
                for (int c = 0; c < indexColumns.length; c++) {
                    indexColumns[c] = in.readInt();
                }
                boolean[] descending = new boolean[indexColumns.length];
                if (format >= 3) {
                    for (int c = 0; c < descending.length; c++) {
                        descending[c] = in.readBoolean();
                    }
                }
                boolean writeOnly = format >= 4 && in.readBoolean();
                indexes.add(new IndexDef(indexId, indexName, indexColumns, descending, unique, writeOnly));
            }
        }
        return new TableDef(id, name, List.copyOf(columns), pk, List.copyOf(indexes));
    }
}
