package io.starlingdb.engine.encoding;

/**
 * Column value types the storage layer encodes, with the Java type a value of each has
 * inside the engine. DATE and TIMESTAMP use Calcite's internal forms so rows reach the
 * executor without conversion: days since 1970-01-01, and milliseconds since
 * 1970-01-01T00:00 (zone-less).
 */
public enum ValueType {
    BOOLEAN(Boolean.class),
    INTEGER(Integer.class),
    BIGINT(Long.class),
    DOUBLE(Double.class),
    DECIMAL(java.math.BigDecimal.class),
    VARCHAR(String.class),
    DATE(Integer.class),
    TIMESTAMP(Long.class);

    private final Class<?> javaType;

    ValueType(Class<?> javaType) {
        this.javaType = javaType;
    }

    public Class<?> javaType() {
        return javaType;
    }
}
