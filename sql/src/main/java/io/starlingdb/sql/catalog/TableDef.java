package io.starlingdb.sql.catalog;

import io.starlingdb.engine.encoding.ValueType;
import java.util.List;

/**
 * A table: its id (the first part of every key of its rows), columns and primary key.
 * A table declared without a primary key has a hidden row id as its key.
 *
 * @param primaryKey indexes into columns, in key order; empty for a hidden row id
 */
public record TableDef(int id, String name, List<ColumnDef> columns, int[] primaryKey, List<IndexDef> indexes) {

    public TableDef(int id, String name, List<ColumnDef> columns, int[] primaryKey) {
        this(id, name, columns, primaryKey, List.of());
    }

    /** This table with one more index (or one less, when {@code remove} is its name). */
    public TableDef withIndex(IndexDef added) {
        List<IndexDef> out = new java.util.ArrayList<>(indexes);
        out.add(added);
        return new TableDef(id, name, columns, primaryKey, List.copyOf(out));
    }

    public TableDef withoutIndex(String indexName) {
        return new TableDef(id, name, columns, primaryKey,
                indexes.stream().filter(i -> !i.name().equals(indexName)).toList());
    }

    public IndexDef index(String indexName) {
        for (IndexDef i : indexes) {
            if (i.name().equals(indexName)) {
                return i;
            }
        }
        return null;
    }

    public boolean hasRowId() {
        return primaryKey.length == 0;
    }

    public int columnIndex(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public int[] columnIds() {
        return columns.stream().mapToInt(ColumnDef::id).toArray();
    }

    public ValueType[] types() {
        return columns.stream().map(ColumnDef::type).toArray(ValueType[]::new);
    }
}
