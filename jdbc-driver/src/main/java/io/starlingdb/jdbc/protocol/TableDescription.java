package io.starlingdb.jdbc.protocol;

import java.util.List;

/**
 * One table or view of the catalog as DatabaseMetaData reports it.
 *
 * @param type {@code "TABLE"} or {@code "VIEW"} (a view has no primary key and no indexes)
 */
public record TableDescription(String schema, String name, String type, List<Column> columns, List<String> primaryKey,
                               List<Index> indexes) {

    /** @param defaultValue SQL text of the DEFAULT, or null */
    public record Column(String name, int jdbcType, String typeName, int precision, int scale, boolean nullable,
                         String defaultValue) {
    }

    /** @param descending per column (same order as columns): whether the index stores it in descending order */
    public record Index(String name, boolean unique, List<String> columns, List<Boolean> descending) {
        public Index {
            if (descending.size() != columns.size()) {
                throw new IllegalArgumentException("index " + name + ": " + columns.size() + " columns but "
                        + descending.size() + " directions");
            }
        }
    }
}
