package io.starlingdb.sql.exec;

import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.ColumnDef;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Conversions between the session's values (LocalDate, LocalDateTime, ...), Calcite's
 * internal values (DATE as epoch days, TIMESTAMP as epoch millis, TIMESTAMP(6) as epoch micros:
 * {@link TimestampUnits}) and the engine's column
 * types, with the checks a column enforces: length, precision, range, NOT NULL.
 */
public final class Values {

    private Values() {
    }

    /** A value as stored in a column, checked against the column's type and constraints. */
    public static Object toColumn(Object v, ColumnDef c, String table) throws SqlException {
        if (v == null) {
            if (!c.nullable()) {
                throw new SqlException("23502", "NULL value in column " + c.name() + " of table " + table + " violates NOT NULL");
            }
            return null;
        }
        try {
            return switch (c.type()) {
                case BOOLEAN -> toBoolean(v, c);
                case INTEGER -> (int) integral(v, c, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case BIGINT -> integral(v, c, Long.MIN_VALUE, Long.MAX_VALUE);
                case DOUBLE -> toDouble(v, c);
                case DECIMAL -> toDecimal(v, c);
                case VARCHAR -> toVarchar(v, c);
                case DATE -> toDate(v, c);
                case TIMESTAMP -> toTimestamp(v, c);
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw mismatch(v, c);
        }
    }

    private static SqlException mismatch(Object v, ColumnDef c) {
        return new SqlException("22018", "cannot convert " + describe(v) + " to " + typeName(c) + " for column " + c.name());
    }

    private static String describe(Object v) {
        String s = String.valueOf(v);
        return "'" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "'";
    }

    static String typeName(ColumnDef c) {
        return switch (c.type()) {
            case VARCHAR -> "VARCHAR(" + c.precision() + ")";
            case DECIMAL -> "DECIMAL(" + c.precision() + "," + c.scale() + ")";
            default -> c.type().name();
        };
    }

    private static Boolean toBoolean(Object v, ColumnDef c) throws SqlException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw mismatch(v, c);
    }

    private static long integral(Object v, ColumnDef c, long min, long max) throws SqlException {
        BigDecimal d;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            if (n < min || n > max) {
                throw outOfRange(v, c);
            }
            return n;
        } else if (v instanceof BigDecimal b) {
            d = b;
        } else if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw outOfRange(v, c);
            }
            d = BigDecimal.valueOf(x);
        } else if (v instanceof String s) {
            d = new BigDecimal(s.trim());
        } else {
            throw mismatch(v, c);
        }
        // A DOUBLE rounds half to even (PostgreSQL's float8 to integer is rint), a DECIMAL half away from zero.
        BigDecimal rounded = d.setScale(0, v instanceof Double || v instanceof Float ? RoundingMode.HALF_EVEN : RoundingMode.HALF_UP);
        if (rounded.compareTo(BigDecimal.valueOf(min)) < 0 || rounded.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw outOfRange(v, c);
        }
        return rounded.longValue();
    }

    private static SqlException outOfRange(Object v, ColumnDef c) {
        return new SqlException("22003", "value " + describe(v) + " is out of range for " + typeName(c) + " column " + c.name());
    }

    private static Double toDouble(Object v, ColumnDef c) throws SqlException {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            return Double.parseDouble(s.trim());
        }
        throw mismatch(v, c);
    }

    private static BigDecimal toDecimal(Object v, ColumnDef c) throws SqlException {
        BigDecimal d;
        if (v instanceof BigDecimal b) {
            d = b;
        } else if (v instanceof Integer || v instanceof Long) {
            d = BigDecimal.valueOf(((Number) v).longValue());
        } else if (v instanceof Number n) {
            d = new BigDecimal(n.toString());
        } else if (v instanceof String s) {
            d = new BigDecimal(s.trim());
        } else {
            throw mismatch(v, c);
        }
        BigDecimal scaled = d.setScale(c.scale(), RoundingMode.HALF_UP);
        if (scaled.precision() - scaled.scale() > c.precision() - c.scale()) {
            throw outOfRange(v, c);
        }
        return scaled;
    }

    private static String toVarchar(Object v, ColumnDef c) throws SqlException {
        String s;
        if (v instanceof String str) {
            s = str;
        } else if (v instanceof BigDecimal d) {
            s = d.toPlainString();
        } else if (v instanceof Number || v instanceof Boolean) {
            s = v.toString();
        } else {
            throw mismatch(v, c);
        }
        if (s.codePointCount(0, s.length()) > c.precision()) {
            throw new SqlException("22001", "value too long for " + typeName(c) + " column " + c.name() + " ("
                    + s.codePointCount(0, s.length()) + " characters)");
        }
        return s;
    }

    private static Integer toDate(Object v, ColumnDef c) throws SqlException {
        if (v instanceof Integer days) {
            return days;
        }
        if (v instanceof LocalDate d) {
            return Math.toIntExact(d.toEpochDay());
        }
        if (v instanceof String s) {
            return Math.toIntExact(LocalDate.parse(s.trim()).toEpochDay());
        }
        throw mismatch(v, c);
    }

    /**
     * A TIMESTAMP in the column's unit: epoch microseconds or milliseconds (a microsecond column,
     * or one of before microseconds; digits below the unit are dropped). A Long is already in the
     * column's unit (a DEFAULT, a row's own value); values from a plan arrive as LocalDateTime
     * ({@link #fromPlan}).
     */
    private static Long toTimestamp(Object v, ColumnDef c) throws SqlException {
        if (v instanceof Long stored) {
            return stored;
        }
        LocalDateTime t;
        if (v instanceof LocalDateTime local) {
            t = local;
        } else if (v instanceof Integer days) {
            t = LocalDate.ofEpochDay(days).atStartOfDay();
        } else if (v instanceof LocalDate date) {
            t = date.atStartOfDay();
        } else if (v instanceof String s) {
            t = MicroTimestamps.parseLocal(s);
        } else {
            throw mismatch(v, c);
        }
        long micros = MicroTimestamps.ofLocal(t);
        return c.microseconds() ? micros : Math.floorDiv(micros, MicroTimestamps.MICROS_PER_MILLI);
    }

    /**
     * A value a plan produced, in a form {@link #toColumn} reads whatever the plan's type: a
     * TIMESTAMP (epoch micro- or milliseconds by its type) as a LocalDateTime; anything else as it is.
     */
    public static Object fromPlan(Object v, RelDataType type) {
        return v instanceof Long && type.getSqlTypeName() == org.apache.calcite.sql.type.SqlTypeName.TIMESTAMP ? toSession(v, type) : v;
    }

    /** A session parameter in the form Calcite's generated code expects for the inferred type. */
    public static Object parameter(Object v, RelDataType type, int index) throws SqlException {
        if (v == null) {
            return null;
        }
        Object internal = v;
        if (v instanceof LocalDate d) {
            internal = Math.toIntExact(d.toEpochDay());
        } else if (v instanceof LocalDateTime t) {
            internal = type != null && TimestampUnits.isMicros(type) ? MicroTimestamps.ofLocal(t) : t.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (type == null) {
            return internal;
        }
        try {
            return switch (type.getSqlTypeName()) {
                case INTEGER -> internal instanceof Number n ? (Object) Math.toIntExact(exactLong(n)) : Integer.valueOf(internal.toString().trim());
                case BIGINT -> internal instanceof Number n ? (Object) exactLong(n) : Long.valueOf(internal.toString().trim());
                case SMALLINT -> internal instanceof Number n ? (Object) (short) exactLong(n) : Short.valueOf(internal.toString().trim());
                case TINYINT -> internal instanceof Number n ? (Object) (byte) exactLong(n) : Byte.valueOf(internal.toString().trim());
                case DOUBLE, FLOAT -> internal instanceof Number n ? (Object) n.doubleValue() : Double.valueOf(internal.toString().trim());
                case REAL -> internal instanceof Number n ? (Object) n.floatValue() : Float.valueOf(internal.toString().trim());
                case DECIMAL -> internal instanceof BigDecimal ? internal : new BigDecimal(internal.toString().trim());
                case CHAR, VARCHAR -> internal instanceof String ? internal : internal.toString();
                case BOOLEAN -> internal instanceof Boolean ? internal : booleanOf(internal.toString().trim());
                case DATE -> internal instanceof String str ? (Object) Math.toIntExact(LocalDate.parse(str.trim()).toEpochDay()) : internal;
                case TIMESTAMP -> internal instanceof String str ? (Object) (TimestampUnits.isMicros(type)
                        ? MicroTimestamps.ofLocal(MicroTimestamps.parseLocal(str))
                        : MicroTimestamps.parseLocal(str).toInstant(ZoneOffset.UTC).toEpochMilli()) : internal;
                default -> internal;
            };
        } catch (NumberFormatException | ArithmeticException | java.time.format.DateTimeParseException e) {
            throw new SqlException("22018", "parameter " + (index + 1) + ": cannot convert " + describe(v) + " to " + type.getSqlTypeName());
        }
    }

    private static Boolean booleanOf(String s) {
        if (s.equalsIgnoreCase("true") || s.equals("1")) {
            return true;
        }
        if (s.equalsIgnoreCase("false") || s.equals("0")) {
            return false;
        }
        throw new NumberFormatException("not a boolean: " + s);
    }

    private static long exactLong(Number n) {
        if (n instanceof BigDecimal d) {
            return d.longValueExact();
        }
        if (n instanceof Double || n instanceof Float) {
            double x = n.doubleValue();
            if (x != Math.rint(x)) {
                throw new ArithmeticException("not an integer: " + x);
            }
            return (long) x;
        }
        return n.longValue();
    }

    /** A value Calcite produced, in the session's form for the column type. */
    public static Object toSession(Object v, RelDataType type) {
        if (v == null) {
            return null;
        }
        return switch (type.getSqlTypeName()) {
            case DATE -> v instanceof Integer days ? LocalDate.ofEpochDay(days) : v;
            case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> !(v instanceof Long value) ? v
                    : TimestampUnits.isMicros(type) ? MicroTimestamps.toLocal(value)
                    : LocalDateTime.ofEpochSecond(Math.floorDiv(value, 1000), (int) Math.floorMod(value, 1000) * 1_000_000, ZoneOffset.UTC);
            case TINYINT, SMALLINT -> ((Number) v).intValue();
            case FLOAT, REAL -> ((Number) v).doubleValue();
            case CHAR -> v.toString();
            default -> v;
        };
    }
}
