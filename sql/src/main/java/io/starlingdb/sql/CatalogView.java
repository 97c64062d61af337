package io.starlingdb.sql;

import java.util.List;

/** A consistent, read-only picture of the catalog at one version. */
public interface CatalogView {
    long version();

    List<TableInfo> tables();

    /**
     * @param type {@link #TABLE} or {@link #VIEW}
     * @param columns in declaration order
     * @param primaryKey column names of the primary key in key order; empty when the table has a hidden row id
     */
    record TableInfo(String schema, String name, String type, List<ColumnInfo> columns, List<String> primaryKey,
                     List<IndexInfo> indexes) {
        /** {@link #type()} of a table, as JDBC's {@code getTables} names it. */
        public static final String TABLE = "TABLE";
        /** {@link #type()} of a view (no primary key, no indexes). */
        public static final String VIEW = "VIEW";
    }

    /** @param defaultValue the DEFAULT expression as SQL text, or null */
    record ColumnInfo(String name, int jdbcType, String typeName, int precision, int scale,
                      boolean nullable, String defaultValue) {
    }

    /** @param descending per column: whether the index stores it in descending order */
    record IndexInfo(String name, boolean unique, List<String> columns, List<Boolean> descending) {
    }
}
