package io.starlingdb.jdbc.protocol;

/**
 * A result column or statement parameter on the wire.
 *
 * @param jdbcType a java.sql.Types constant
 */
public record ColumnInfo(String name, String label, int jdbcType, String typeName, int precision, int scale,
                         boolean nullable, String table) {
}
