package io.starlingdb.sql.catalog;

/**
 * A secondary index of a table: its id within the table (1 and up; 0 is the primary index),
 * its name (unique in the schema), the indexed columns (positions in the table, in index order)
 * and whether two rows may share the indexed values (NULLs never conflict, as in PostgreSQL).
 */
public record IndexDef(int id, String name, int[] columns, boolean unique) {
}
