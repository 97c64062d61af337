package io.starlingdb.sql.catalog;

import io.starlingdb.engine.encoding.ValueType;

/**
 * A table column. Column ids are assigned once and never reused, so rows encoded with ids
 * survive added and dropped columns.
 *
 * @param precision VARCHAR length or DECIMAL digits; 0 where not applicable
 * @param defaultSql the DEFAULT as SQL text, or null
 * @param defaultValue the DEFAULT's value in engine form, or null
 */
public record ColumnDef(int id, String name, ValueType type, int precision, int scale, boolean nullable,
                        String defaultSql, Object defaultValue) {
}
