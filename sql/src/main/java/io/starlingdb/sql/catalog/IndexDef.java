package io.starlingdb.sql.catalog;

/**
 * A secondary index of a table: its id within the table (1 and up; 0 is the primary index),
 * its name (unique in the schema), the indexed columns (positions in the table, in index order),
 * whether each is stored in descending order (its key bytes inverted, so the index's entries run
 * from the highest value down) and whether two rows may share the indexed values (NULLs never
 * conflict, as in PostgreSQL).
 */
public record IndexDef(int id, String name, int[] columns, boolean[] descending, boolean unique) {

    public IndexDef {
        if (descending.length != columns.length) {
            throw new IllegalArgumentException("index " + name + ": " + columns.length + " columns but " + descending.length
                    + " directions");
        }
    }

    /** An index whose columns are all ascending. */
    public IndexDef(int id, String name, int[] columns, boolean unique) {
        this(id, name, columns, new boolean[columns.length], unique);
    }
}
