package io.starlingdb.sql.exec;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.engine.txn.WriteConflictException;
import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.parser.SqlCreateIndex;
import io.starlingdb.sql.schema.TableStorage;
import java.util.Arrays;

/**
 * Builds an index created on a cluster (F1's schema change, docs/cluster.md "Schema changes").
 * The index was committed write-only and every node adopted it, so every write committed from
 * then on maintains its entries; this writes the entries of the rows already there, in batches of
 * {@link #BATCH_ROWS} rows, each batch one transaction that reads its rows and writes their
 * entries. A batch that meets a concurrent write to one of those entries (the row changed after
 * the batch read it) fails its commit on the write-write conflict and runs again on a newer
 * snapshot, so no entry of a changed row survives. The caller then makes the index public.
 */
public final class IndexBackfill {

    /** Rows one backfill transaction covers. */
    public static final int BATCH_ROWS = 1_000;
    /** Times one batch is tried against concurrent writes before the statement fails with 40001. */
    public static final int MAX_ATTEMPTS_PER_BATCH = 20;

    private IndexBackfill() {
    }

    /** The table and index names of a CREATE INDEX statement, as the catalog spells them. */
    public record Target(String table, String index) {
        public static Target of(SqlCreateIndex node) throws SqlException {
            return new Target(Ddl.name(node.table), Ddl.name(node.name));
        }
    }

    /**
     * Writes the entries of every row of the target's write-only index; returns the rows covered.
     * A unique index that meets two rows with one value fails with 23505; the caller then
     * removes the index ({@link #stageRemoval}).
     */
    public static long run(TransactionalStore store, Catalog catalog, Target target, CancelSignal cancel) throws SqlException {
        byte[] from = null;
        long rows = 0;
        while (true) {
            Batch batch = null;
            for (int attempt = 1; batch == null; attempt++) {
                cancel.check();
                try (Transaction txn = store.begin()) {
                    batch = batch(txn, catalog, target, from);
                    txn.commit();
                } catch (WriteConflictException e) {
                    batch = null;
                    if (attempt >= MAX_ATTEMPTS_PER_BATCH) {
                        throw new SqlException("40001", "building index " + target.index() + " met concurrent writes to the same rows "
                                + attempt + " times in a row; the index was removed, create it again");
                    }
                }
            }
            rows += batch.rows();
            if (batch.next() == null) {
                return rows;
            }
            from = batch.next();
        }
    }

    /** Rows covered by one batch, and the key the next batch starts at (null: the table is done). */
    private record Batch(long rows, byte[] next) {
    }

    private static Batch batch(Transaction txn, Catalog catalog, Target target, byte[] from) throws SqlException {
        TableDef table = catalog.snapshot().table(target.table());
        IndexDef index = table == null ? null : table.index(target.index());
        if (index == null || !index.writeOnly()) {
            throw new SqlException("40001", "index " + target.index() + " on " + target.table()
                    + " was changed by another schema change while it was being built; create it again");
        }
        byte[] prefix = TableStorage.tablePrefix(table);
        long rows = 0;
        try (KvCursor cursor = txn.scan(from == null ? prefix : from, KeyEncoder.prefixEnd(prefix))) {
            while (cursor.next()) {
                if (rows == BATCH_ROWS) {
                    return new Batch(rows, cursor.key().clone());
                }
                byte[] key = cursor.key().clone();
                Object[] row = TableStorage.decodeRow(table, cursor.value());
                byte[] entry = TableStorage.indexEntry(table, index, row, key);
                if (index.unique()) {
                    Object[] values = TableStorage.indexValues(index, row);
                    if (!Arrays.asList(values).contains(null)) {
                        byte[] valuePrefix = TableStorage.indexPrefix(table, index, values);
                        try (KvCursor same = txn.scan(valuePrefix, KeyEncoder.prefixEnd(valuePrefix))) {
                            while (same.next()) {
                                if (!Arrays.equals(same.key(), entry)) {
                                    throw new SqlException("23505", "cannot create unique index " + index.name() + ": table "
                                            + table.name() + " has two rows with " + Arrays.toString(values));
                                }
                            }
                        }
                        txn.delete(valuePrefix); // the claim Dml makes too: a concurrent insert of the value conflicts
                    }
                }
                txn.put(entry, key);
                rows++;
            }
        }
        return new Batch(rows, null);
    }

    /** Stages the index as public (readable by queries), once its backfill is done. */
    public static Catalog.Snapshot stagePublic(Catalog catalog, Catalog.Snapshot base, Transaction txn, Target target)
            throws SqlException {
        TableDef table = base.table(target.table());
        IndexDef index = table == null ? null : table.index(target.index());
        if (index == null || !index.writeOnly()) {
            throw new SqlException("40001", "index " + target.index() + " was changed by another schema change while it was"
                    + " being built; create it again");
        }
        return catalog.stage(txn, base, table.name(), table.withoutIndex(index.name()).withIndex(index.asPublic()));
    }

    /** Stages the removal of a write-only index whose build failed, with the entries written so far. */
    public static Catalog.Snapshot stageRemoval(Catalog catalog, Catalog.Snapshot base, Transaction txn, Target target) {
        TableDef table = base.table(target.table());
        IndexDef index = table == null ? null : table.index(target.index());
        if (index == null) {
            return null;
        }
        byte[] prefix = TableStorage.indexPrefix(table, index, new Object[0]);
        try (KvCursor cursor = txn.scan(prefix, KeyEncoder.prefixEnd(prefix))) {
            while (cursor.next()) {
                txn.delete(cursor.key().clone());
            }
        }
        return catalog.stage(txn, base, table.name(), table.withoutIndex(index.name()));
    }
}
