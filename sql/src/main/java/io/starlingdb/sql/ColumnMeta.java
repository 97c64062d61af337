package io.starlingdb.sql;

/**
 * A result column or parameter.
 * @param jdbcType a java.sql.Types constant
 * @param typeName the SQL type name, e.g. VARCHAR, DECIMAL
 * @param precision length for VARCHAR, digits for DECIMAL, fraction digits for TIMESTAMP (6: microseconds, 3:
 *     milliseconds), 0 where not applicable
 * @param scale digits after the point for DECIMAL, else 0
 * @param table the table the column comes from, or "" for computed columns
 */
public record ColumnMeta(String name, String label, int jdbcType, String typeName,
                         int precision, int scale, boolean nullable, String table) {
}
