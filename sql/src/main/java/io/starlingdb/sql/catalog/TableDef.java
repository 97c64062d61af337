package io.starlingdb.sql.catalog;

import io.starlingdb.engine.encoding.ValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table: its id (the first part of every key of its rows), columns and primary key.
 * A table declared without a primary key has a hidden row id as its key.
 *
 * <p>Immutable. The column ids and types that every row encode and decode needs are computed
 * once here, not per row.
 */
public final class TableDef {

    private final int id;
    private final String name;
    private final List<ColumnDef> columns;
    private final int[] primaryKey;
    private final List<IndexDef> indexes;
    private final int[] columnIds;
    private final ValueType[] types;

    /**
     * @param primaryKey indexes into columns, in key order; empty for a hidden row id
     */
    public TableDef(int id, String name, List<ColumnDef> columns, int[] primaryKey, List<IndexDef> indexes) {
        this.id = id;
        this.name = name;
        this.columns = List.copyOf(columns);
        this.primaryKey = primaryKey.clone();
        this.indexes = List.copyOf(indexes);
        this.columnIds = new int[this.columns.size()];
        this.types = new ValueType[this.columns.size()];
        for (int i = 0; i < columnIds.length; i++) {
            columnIds[i] = this.columns.get(i).id();
            types[i] = this.columns.get(i).type();
        }
    }

    public TableDef(int id, String name, List<ColumnDef> columns, int[] primaryKey) {
        this(id, name, columns, primaryKey, List.of());
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public List<ColumnDef> columns() {
        return columns;
    }

    /** Indexes into {@link #columns()}, in key order; empty for a hidden row id. Do not modify. */
    public int[] primaryKey() {
        return primaryKey;
    }

    public List<IndexDef> indexes() {
        return indexes;
    }

    /** This table with one more index. */
    public TableDef withIndex(IndexDef added) {
        List<IndexDef> out = new java.util.ArrayList<>(indexes);
        out.add(added);
        return new TableDef(id, name, columns, primaryKey, out);
    }

    /** This table without the index of that name. */
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

    /** The id of each column, in table order. Shared: do not modify. */
    public int[] columnIds() {
        return columnIds;
    }

    /** The type of each column, in table order. Shared: do not modify. */
    public ValueType[] types() {
        return types;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableDef t && id == t.id && name.equals(t.name) && columns.equals(t.columns)
                && Arrays.equals(primaryKey, t.primaryKey) && indexes.equals(t.indexes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, columns, Arrays.hashCode(primaryKey), indexes);
    }

    @Override
    public String toString() {
        return "TableDef[id=" + id + ", name=" + name + ", columns=" + columns + ", primaryKey="
                + Arrays.toString(primaryKey) + ", indexes=" + indexes + "]";
    }
}
