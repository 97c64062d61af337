package io.starlingdb.sql;

import java.util.List;

/** A consistent, read-only picture of the catalog at one version. */
public interface CatalogView {
    long version();

    List<TableInfo> tables();

    /**
     * @param columns in declaration order
     * @param primaryKey column names of the primary key in key order; empty when the table has a hidden row id
     */
    record TableInfo(String schema, String name, List<ColumnInfo> columns, List<String> primaryKey,
                     List<IndexInfo> indexes) {
    }

    /** @param defaultValue the DEFAULT expression as SQL text, or null */
    record ColumnInfo(String name, int jdbcType, String typeName, int precision, int scale,
                      boolean nullable, String defaultValue) {
    }

    record IndexInfo(String name, boolean unique, List<String> columns) {
    }
}
