package io.starlingdb.sql.exec;

import java.lang.reflect.Method;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;

/**
 * The value of a TIMESTAMP with microseconds (a column of precision 6, a {@code TIMESTAMP(6)}
 * expression): epoch microseconds in a {@code long}, where Calcite's runtime keeps epoch
 * milliseconds. These are the conversions {@link TimestampUnits} puts into a plan where the two
 * meet; generated code calls them by name, so they are public and static, and each answers
 * null for null.
 */
public final class MicroTimestamps {

    public static final long MICROS_PER_MILLI = 1_000L;

    /** {@code yyyy-MM-dd HH:mm:ss} and then as many fraction digits as the value needs (none, 3 or 6). */
    private static final DateTimeFormatter TEXT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).optionalEnd()
            .toFormatter();

    static final SqlUserDefinedFunction OF_MICROS = function("OF_MICROS", SqlTypeName.TIMESTAMP);
    static final SqlUserDefinedFunction FROM_MILLIS = function("FROM_MILLIS", SqlTypeName.TIMESTAMP);
    static final SqlUserDefinedFunction TO_MILLIS = function("TO_MILLIS", SqlTypeName.TIMESTAMP);
    static final SqlUserDefinedFunction PARSE = function("PARSE", SqlTypeName.TIMESTAMP);
    static final SqlUserDefinedFunction FORMAT = function("FORMAT", SqlTypeName.VARCHAR);

    private MicroTimestamps() {
    }

    /** Epoch microseconds as a microsecond timestamp: how a literal's value enters a plan. */
    public static Long ofMicros(Long micros) {
        return micros;
    }

    /** A millisecond timestamp as microseconds: exact. */
    public static Long fromMillis(Long millis) {
        return millis == null ? null : Math.multiplyExact(millis, MICROS_PER_MILLI);
    }

    /** A microsecond timestamp as milliseconds, the microseconds below dropped (towards the past). */
    public static Long toMillis(Long micros) {
        return micros == null ? null : Math.floorDiv(micros, MICROS_PER_MILLI);
    }

    /** A text {@code yyyy-MM-dd[ HH:mm:ss[.fraction]]} as microseconds, digits below the microsecond dropped. */
    public static Long parse(String text) {
        return text == null ? null : ofLocal(parseLocal(text));
    }

    /** Microseconds as {@code yyyy-MM-dd HH:mm:ss[.ffffff]} (trailing fraction zeros left out). */
    public static String format(Long micros) {
        return micros == null ? null : TEXT.format(toLocal(micros));
    }

    /** A wall-clock time (no zone; UTC as every TIMESTAMP) as microseconds, digits below the microsecond dropped. */
    public static long ofLocal(LocalDateTime t) {
        return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000L), t.getNano() / 1_000);
    }

    /** Microseconds as a wall-clock time. */
    public static LocalDateTime toLocal(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1_000,
                ZoneOffset.UTC);
    }

    /**
     * A text as a wall-clock time: a date alone, or a date and time with a space or 'T' between,
     * seconds optional, up to nine fraction digits (the formats {@code java.sql.Timestamp.valueOf}
     * and Calcite accept).
     */
    public static LocalDateTime parseLocal(String text) {
        String s = text.trim();
        if (s.length() == 10) {
            return java.time.LocalDate.parse(s).atStartOfDay();
        }
        return LocalDateTime.parse(s.replace(' ', 'T'));
    }

    private static SqlUserDefinedFunction function(String name, SqlTypeName returns) {
        String method = switch (name) {
            case "OF_MICROS" -> "ofMicros";
            case "FROM_MILLIS" -> "fromMillis";
            case "TO_MILLIS" -> "toMillis";
            case "PARSE" -> "parse";
            default -> "format";
        };
        Method m = null;
        for (Method candidate : MicroTimestamps.class.getMethods()) {
            if (candidate.getName().equals(method)) {
                m = candidate;
            }
        }
        // Calls are built with their types given (TimestampUnits), so the inferences below are never asked.
        return new MicroFunction(new SqlIdentifier("STARLING_MICRO_TIMESTAMP_" + name, SqlParserPos.ZERO),
                SqlKind.OTHER_FUNCTION, ReturnTypes.explicit(returns), InferTypes.RETURN_TYPE,
                OperandTypes.operandMetadata(List.of(SqlTypeFamily.ANY), types -> List.of(), i -> "value", i -> false),
                ScalarFunctionImpl.create(m));
    }

    /**
     * Declared non-deterministic so that no planner rule folds a call over constants into a
     * TIMESTAMP literal: Calcite would read the folded value as milliseconds (and its literals
     * cannot hold epoch microseconds as milliseconds: years past 9999).
     */
    static final class MicroFunction extends SqlUserDefinedFunction {
        MicroFunction(SqlIdentifier name, SqlKind kind, org.apache.calcite.sql.type.SqlReturnTypeInference returns,
                      org.apache.calcite.sql.type.SqlOperandTypeInference operands,
                      org.apache.calcite.sql.type.SqlOperandMetadata metadata, org.apache.calcite.schema.Function function) {
            super(name, kind, returns, operands, metadata, function);
        }

        @Override
        public boolean isDeterministic() {
            return false;
        }
    }
}
