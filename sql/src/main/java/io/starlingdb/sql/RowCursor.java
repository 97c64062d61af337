package io.starlingdb.sql;

import java.util.List;

/**
 * Rows of a query, fetched in batches so that large results stream. Close it to release
 * the snapshot it reads from. Not thread-safe.
 */
public interface RowCursor extends AutoCloseable {
    List<ColumnMeta> columns();

    /** Up to maxRows rows (each an Object[] in column order); empty when exhausted. */
    List<Object[]> fetch(int maxRows) throws SqlException;

    @Override
    void close();
}
