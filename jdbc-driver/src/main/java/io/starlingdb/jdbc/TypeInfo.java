package io.starlingdb.jdbc;

import java.sql.Types;

/** The SQL types Starling stores, with the Java class each reads back as. */
final class TypeInfo {

    /** Type name, java.sql.Types code, maximum precision, literal prefix/suffix, for getTypeInfo. */
    record SqlType(String name, int jdbcType, int precision, String quote) {
    }

    static final SqlType[] TYPES = {
        new SqlType("BOOLEAN", Types.BOOLEAN, 1, null),
        new SqlType("INTEGER", Types.INTEGER, 10, null),
        new SqlType("BIGINT", Types.BIGINT, 19, null),
        new SqlType("DECIMAL", Types.DECIMAL, 1000, null),
        new SqlType("DOUBLE", Types.DOUBLE, 15, null),
        new SqlType("VARCHAR", Types.VARCHAR, 1 << 20, "'"),
        new SqlType("DATE", Types.DATE, 10, "'"),
        new SqlType("TIMESTAMP", Types.TIMESTAMP, 23, "'"),
    };

    private TypeInfo() {
    }

    static String className(int jdbcType) {
        return switch (jdbcType) {
            case Types.BOOLEAN -> Boolean.class.getName();
            case Types.INTEGER, Types.SMALLINT, Types.TINYINT -> Integer.class.getName();
            case Types.BIGINT -> Long.class.getName();
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> Double.class.getName();
            case Types.DECIMAL, Types.NUMERIC -> java.math.BigDecimal.class.getName();
            case Types.DATE -> java.sql.Date.class.getName();
            case Types.TIMESTAMP -> java.sql.Timestamp.class.getName();
            default -> String.class.getName();
        };
    }
}
