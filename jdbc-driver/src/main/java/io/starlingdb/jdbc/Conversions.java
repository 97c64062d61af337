package io.starlingdb.jdbc;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Conversions between wire values (Boolean, Integer, Long, Double, BigDecimal, String,
 * LocalDate, LocalDateTime) and what JDBC getters and setters take. A value that does not
 * convert raises SQLState 22018 naming both types.
 */
final class Conversions {

    private Conversions() {
    }

    static SQLException cannot(Object value, String target) {
        return new SQLDataException("cannot convert " + value.getClass().getSimpleName() + " value '" + value + "' to " + target, "22018");
    }

    static String toStringValue(Object v) {
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof LocalDateTime t) {
            return Timestamp.valueOf(t).toString();
        }
        return v.toString();
    }

    static boolean toBoolean(Object v) throws SQLException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            String t = s.trim();
            if (t.equalsIgnoreCase("true") || t.equals("1")) {
                return true;
            }
            if (t.equalsIgnoreCase("false") || t.equals("0")) {
                return false;
            }
        }
        throw cannot(v, "BOOLEAN");
    }

    static long toLong(Object v, long min, long max, String target) throws SQLException {
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof Double d) {
            if (d.isNaN() || d < min || d > max) {
                throw new SQLDataException("value " + d + " is out of range for " + target, "22003");
            }
            n = d.longValue();
        } else if (v instanceof BigDecimal d) {
            try {
                n = d.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            } catch (ArithmeticException e) {
                throw new SQLDataException("value " + d + " is out of range for " + target, "22003");
            }
        } else if (v instanceof Boolean b) {
            n = b ? 1 : 0;
        } else if (v instanceof String s) {
            try {
                n = new BigDecimal(s.trim()).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw cannot(v, target);
            }
        } else {
            throw cannot(v, target);
        }
        if (n < min || n > max) {
            throw new SQLDataException("value " + n + " is out of range for " + target, "22003");
        }
        return n;
    }

    static double toDouble(Object v) throws SQLException {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw cannot(v, "DOUBLE");
            }
        }
        throw cannot(v, "DOUBLE");
    }

    static BigDecimal toBigDecimal(Object v) throws SQLException {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Integer || v instanceof Long) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw cannot(v, "DECIMAL");
            }
        }
        throw cannot(v, "DECIMAL");
    }

    static LocalDate toLocalDate(Object v) throws SQLException {
        if (v instanceof LocalDate d) {
            return d;
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate();
        }
        if (v instanceof String s) {
            try {
                return LocalDate.parse(s.trim());
            } catch (DateTimeParseException e) {
                throw cannot(v, "DATE");
            }
        }
        throw cannot(v, "DATE");
    }

    static LocalDateTime toLocalDateTime(Object v) throws SQLException {
        if (v instanceof LocalDateTime t) {
            return t;
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay();
        }
        if (v instanceof String s) {
            try {
                return Timestamp.valueOf(s.trim()).toLocalDateTime();
            } catch (IllegalArgumentException e) {
                throw cannot(v, "TIMESTAMP");
            }
        }
        throw cannot(v, "TIMESTAMP");
    }

    /** A Java value an application passed to setObject, as a wire value. */
    static Object toWire(Object v) throws SQLException {
        if (v == null || v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Double
                || v instanceof BigDecimal || v instanceof String || v instanceof LocalDate || v instanceof LocalDateTime) {
            return v;
        }
        if (v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return new BigDecimal(b);
        }
        if (v instanceof Date d) {
            return d.toLocalDate();
        }
        if (v instanceof Timestamp t) {
            return t.toLocalDateTime();
        }
        if (v instanceof Time t) {
            throw new SQLDataException("TIME values are not supported; use TIMESTAMP", "0A000");
        }
        if (v instanceof java.util.Date d) {
            return new Timestamp(d.getTime()).toLocalDateTime();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toLocalDateTime();
        }
        if (v instanceof LocalTime) {
            throw new SQLDataException("TIME values are not supported; use TIMESTAMP", "0A000");
        }
        if (v instanceof Character c) {
            return c.toString();
        }
        throw new SQLDataException("values of type " + v.getClass().getName() + " cannot be sent to Starling", "22023");
    }

    /** Converts a wire value to the class an application asked getObject for. */
    static <T> T toClass(Object v, Class<T> type) throws SQLException {
        Object out;
        if (type.isInstance(v)) {
            out = v;
        } else if (type == String.class) {
            out = toStringValue(v);
        } else if (type == Integer.class) {
            out = (int) toLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "INTEGER");
        } else if (type == Long.class) {
            out = toLong(v, Long.MIN_VALUE, Long.MAX_VALUE, "BIGINT");
        } else if (type == Short.class) {
            out = (short) toLong(v, Short.MIN_VALUE, Short.MAX_VALUE, "SMALLINT");
        } else if (type == Double.class) {
            out = toDouble(v);
        } else if (type == Float.class) {
            out = (float) toDouble(v);
        } else if (type == BigDecimal.class) {
            out = toBigDecimal(v);
        } else if (type == Boolean.class) {
            out = toBoolean(v);
        } else if (type == LocalDate.class) {
            out = toLocalDate(v);
        } else if (type == LocalDateTime.class) {
            out = toLocalDateTime(v);
        } else if (type == Date.class) {
            out = Date.valueOf(toLocalDate(v));
        } else if (type == Timestamp.class) {
            out = Timestamp.valueOf(toLocalDateTime(v));
        } else {
            throw cannot(v, type.getName());
        }
        return type.cast(out);
    }
}
