package io.starlingdb.sql.catalog;

/**
 * A secondary index of a table: its id within the table (1 and up; 0 is the primary index),
 * its name (unique in the schema), the indexed columns (positions in the table, in index order),
 * whether each is stored in descending order (its key bytes inverted, so the index's entries run
 * from the highest value down) and whether two rows may share the indexed values (NULLs never
 * conflict, as in PostgreSQL).
 */
public record IndexDef(int id, String name, int[] columns, boolean[] descending, boolean unique, boolean writeOnly) {

    public IndexDef {
        if (descending.length != columns.length) {
            throw new IllegalArgumentException("index " + name + ": " + columns.length + " columns but " + descending.length
                    + " directions");
        }
    }

    /**
     * A public index: writes maintain it and queries read it. {@code writeOnly} marks an index
     * being built on a cluster (F1's write-only state, docs/cluster.md "Schema changes"): every
     * write maintains its entries, but no query reads it until its backfill has finished.
     */
    public IndexDef(int id, String name, int[] columns, boolean[] descending, boolean unique) {
        this(id, name, columns, descending, unique, false);
    }

    /** This index, readable by queries. */
    public IndexDef asPublic() {
        return new IndexDef(id, name, columns, descending, unique, false);
    }

    /** This index, maintained by writes but read by no query (being built, or being dropped). */
    public IndexDef asWriteOnly() {
        return new IndexDef(id, name, columns, descending, unique, true);
    }

    /** An index whose columns are all ascending. */
    public IndexDef(int id, String name, int[] columns, boolean unique) {
        this(id, name, columns, new boolean[columns.length], unique);
    }
}
