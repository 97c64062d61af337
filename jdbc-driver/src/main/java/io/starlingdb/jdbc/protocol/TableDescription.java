package io.starlingdb.jdbc.protocol;

import java.util.List;

/** One table of the catalog as DatabaseMetaData reports it. */
public record TableDescription(String schema, String name, List<Column> columns, List<String> primaryKey,
                               List<Index> indexes) {

    /** @param defaultValue SQL text of the DEFAULT, or null */
    public record Column(String name, int jdbcType, String typeName, int precision, int scale, boolean nullable,
                         String defaultValue) {
    }

    public record Index(String name, boolean unique, List<String> columns) {
    }
}
