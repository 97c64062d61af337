package io.starlingdb.sql.catalog;

import io.starlingdb.engine.encoding.ValueType;

/**
 * A table column. Column ids are assigned once and never reused, so rows encoded with ids
 * survive added and dropped columns.
 *
 * @param precision VARCHAR length, DECIMAL digits, TIMESTAMP fraction digits ({@link #TIMESTAMP_MICROS}: values
 *     are epoch microseconds; 3, or 0 in catalogs written before microseconds: epoch milliseconds); 0 where not
 *     applicable
 * @param defaultSql the DEFAULT as SQL text, or null
 * @param defaultValue the DEFAULT's value in engine form, or null
 */
public record ColumnDef(int id, String name, ValueType type, int precision, int scale, boolean nullable,
                        String defaultSql, Object defaultValue) {

    /** The precision of a TIMESTAMP column that keeps microseconds. */
    public static final int TIMESTAMP_MICROS = 6;

    /** Whether this is a TIMESTAMP column whose values are epoch microseconds (else epoch milliseconds). */
    public boolean microseconds() {
        return type == ValueType.TIMESTAMP && precision == TIMESTAMP_MICROS;
    }
}
