package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableWindow;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Calc;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.rex.RexWindowBounds;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * {@code RANGE} frames with an offset ({@code ORDER BY k RANGE BETWEEN n PRECEDING AND m
 * FOLLOWING}) that answer as PostgreSQL does. Calcite's {@link EnumerableWindow} finds each
 * row's frame by a binary search of its partition for the value {@code k - n} (a {@code PRECEDING}
 * bound) or {@code k + n} (a {@code FOLLOWING} one), computed in the key's Java type. That
 * answered wrong frames in three ways (and a DATE key failed: its days and the interval's
 * milliseconds are different Java types):
 *
 * <ul>
 *   <li>The sum wraps: for an INTEGER or BIGINT key within the offset of its type's lowest or
 *       highest value ({@code ORDER BY b RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING} with b
 *       9223372036854775800 searched for a negative value and counted 0 rows instead of 1); an
 *       INTEGER key with a BIGINT offset failed.</li>
 *   <li>The sign ignores the direction: with {@code ORDER BY k DESC} the rows preceding a row have
 *       larger keys, yet Calcite searched for {@code k - n} as with {@code ASC} (wrong frames for
 *       every key type).</li>
 *   <li>The unit: a {@code TIMESTAMP(6)} key holds microseconds ({@link TimestampUnits}) and an
 *       interval offset is milliseconds, so {@code INTERVAL '1' SECOND} reached one millisecond.
 *       A year-month interval offset ({@code INTERVAL '1' MONTH}) was taken as that many
 *       milliseconds.</li>
 * </ul>
 *
 * <p>What it is now, in the finished physical plan (applied by {@link CheckedWindows}): a bound's
 * offset is an expression Calcite's generated code evaluates for each row, with the current row
 * as its input, so each offset bound of a group whose key is a TINYINT, SMALLINT, INTEGER,
 * BIGINT, DATE or TIMESTAMP gets an offset expression of the row's key chosen so that the value
 * searched for is the exact bound, clamped to the key type's range:
 *
 * <ul>
 *   <li>The exact bound is {@code k - n} for {@code n PRECEDING} and {@code k + n} for
 *       {@code n FOLLOWING} with {@code ASC}, the other way round with {@code DESC}: the same
 *       frame as PostgreSQL's.</li>
 *   <li>A bound past the end of the type's range on the side away from the current row (the start
 *       of {@code n PRECEDING}, the end of {@code n FOLLOWING}) is clamped to the type's lowest or
 *       highest value: it reaches the same rows, since no key lies beyond.</li>
 *   <li>A bound past the end on the other side (a start {@code n FOLLOWING}, an end
 *       {@code n PRECEDING}) means the row's frame is empty: both bounds then search for values
 *       that give an empty frame (the start for the last value in the order, the end for the
 *       first), and a group with such a bound has its {@code UNBOUNDED} and {@code CURRENT ROW}
 *       bounds written as offsets too (the offsets that search for the first or last value, or
 *       for the key itself), so that they can take part.</li>
 *   <li>The expression computes in the key's integer type (INTEGER for TINYINT, SMALLINT and
 *       DATE; BIGINT for TIMESTAMP) with Java's wrapping arithmetic: the offset is the key minus
 *       the value to search for (or the value minus the key), and Calcite's {@code k - offset}
 *       gives that value back exactly, modulo 2^32 or 2^64, the value being in the type's
 *       range.</li>
 *   <li>A DATE key's interval offset in days, as PostgreSQL compares the dates as timestamps
 *       (midnight): {@code INTERVAL '36' HOUR PRECEDING} starts the frame a day back, and ends it
 *       ({@code AND INTERVAL '36' HOUR PRECEDING}) two days back. A TIMESTAMP(6) key's offset in
 *       microseconds.</li>
 *   <li>DOUBLE, REAL and FLOAT keys: the offset becomes a literal of the key's type, negated with
 *       {@code DESC} (their arithmetic does not wrap: it reaches infinity, which sorts beyond every
 *       other value; a DECIMAL offset such as 1.5 failed to compile).</li>
 * </ul>
 *
 * <p>An offset is a constant: a literal, or a constant expression ({@code 2 + 3 PRECEDING})
 * that {@link ScalarInterpreter} evaluates while planning. Refused while planning: a negative
 * offset (22013, as PostgreSQL); a year-month interval offset, a DECIMAL key, an integer key with
 * a fractional offset (Calcite could not compile the last two) and an offset expression that
 * cannot be evaluated here, such as {@code INTERVAL '1' SECOND * 2} (0A000).
 *
 * <p>A key that may be NULL: Calcite reads each row's key as a primitive to search for its
 * bounds, so a NULL key failed the query with an internal error. PostgreSQL's frame: the NULL
 * keys are peers, sorted where NULLS FIRST or LAST puts them; a row with a NULL key has its NULL
 * peers for frame under an offset bound (and CURRENT ROW), and the partition's end on an UNBOUNDED
 * side; a row with a key has the offsets reach no NULL row (a start past every key lands where
 * the NULL rows begin, which matters with UNBOUNDED FOLLOWING), while UNBOUNDED reaches them. Such
 * a group orders by a column added to the window's input ({@link #keyColumns}):
 *
 * <ul>
 *   <li>TINYINT, SMALLINT, INTEGER and DATE keys: the key as a BIGINT, NULL as the BIGINT beyond
 *       every key where the NULL rows sort; every frame is PostgreSQL's
 *       ({@link #orderedByBigint}).</li>
 *   <li>BIGINT, TIMESTAMP, DOUBLE, REAL and FLOAT keys (no value is left beyond every key): the
 *       NULL rows in partitions of their own, which gives PostgreSQL's frame when neither bound is
 *       UNBOUNDED; with an UNBOUNDED bound a NULL key fails the statement with 0A000 when it is met
 *       ({@link #partitionedByNull}).</li>
 * </ul>
 */
public final class RangeFrames {

    /** A statement that cannot run, to be reported with this SQLState. */
    static final class Refused extends RuntimeException {
        final String sqlState;

        Refused(String sqlState, String message) {
            super(message, null, false, false);
            this.sqlState = sqlState;
        }
    }

    private static final BigInteger DAY_MILLIS = BigInteger.valueOf(86_400_000L);

    /**
     * The largest offset of a TINYINT, SMALLINT, INTEGER or DATE key whose partition orders by
     * {@link #keyColumns}' BIGINT (2^33, in the key's units): any larger one reaches as far (past
     * every such key, from any such key), and with it the value searched for stays far from the
     * NULL rows' {@code Long.MIN_VALUE} or {@code Long.MAX_VALUE}.
     */
    private static final long KEY_COLUMN_OFFSET_LIMIT = 1L << 33;

    /** Fails the statement when a row's key is NULL, in a frame that cannot hold NULL keys (a call in generated code). */
    private static final MicroTimestamps.MicroFunction NULL_KEY = new MicroTimestamps.MicroFunction(
            new SqlIdentifier("STARLING_RANGE_FRAME_NULL_KEY", SqlParserPos.ZERO), SqlKind.OTHER_FUNCTION,
            ReturnTypes.explicit(SqlTypeName.BIGINT), InferTypes.RETURN_TYPE, OperandTypes.operandMetadata(List.of(),
                    types -> List.of(), i -> "none", i -> false), ScalarFunctionImpl.create(RangeFrames.class, "nullKey"));

    private RangeFrames() {
    }

    /** What a NULL key fails with in a frame that cannot hold one (see the class comment); generated code calls it. */
    public static long nullKey() {
        throw new Refused("0A000", "a RANGE frame with an offset and UNBOUNDED PRECEDING or FOLLOWING is not supported when the"
                + " ORDER BY key, a BIGINT, TIMESTAMP or DOUBLE, is NULL; use CURRENT ROW or an offset on both ends, or COALESCE the key");
    }

    /**
     * The columns to add to the window's input for a RANGE group with an offset whose ORDER BY key
     * may be NULL (Calcite's search reads the key as a primitive); empty for any other group. A
     * TINYINT, SMALLINT, INTEGER or DATE key gets one column: the key as a BIGINT, and for a NULL
     * key {@code Long.MAX_VALUE} or {@code Long.MIN_VALUE}, where the NULL rows come in the order
     * (after every key with NULLS LAST). A BIGINT, TIMESTAMP, DOUBLE, REAL or FLOAT key gets two:
     * whether it is NULL, and the key with 0 for NULL. {@link #rewrite} then orders the group by
     * the last of them.
     */
    static List<RexNode> keyColumns(Window.Group group, RelNode input, RexBuilder rex) {
        if (group.isRows || group.orderKeys.getFieldCollations().size() != 1 || !hasOffset(group.lowerBound) && !hasOffset(group.upperBound)) {
            return List.of();
        }
        RelFieldCollation order = group.orderKeys.getFieldCollations().get(0);
        RelDataType keyType = input.getRowType().getFieldList().get(order.getFieldIndex()).getType();
        if (!keyType.isNullable()) {
            return List.of();
        }
        RexNode key = new RexInputRef(order.getFieldIndex(), keyType);
        RexNode isNull = rex.makeCall(SqlStdOperatorTable.IS_NULL, key);
        RelDataTypeFactory types = rex.getTypeFactory();
        switch (keyType.getSqlTypeName()) {
            case TINYINT, SMALLINT, INTEGER, DATE -> {
                RelDataType bigint = types.createSqlType(SqlTypeName.BIGINT);
                RexNode value = keyType.getSqlTypeName() != SqlTypeName.DATE ? key
                        : rex.makeReinterpretCast(types.createTypeWithNullability(types.createSqlType(SqlTypeName.INTEGER), true), key,
                                rex.makeLiteral(false));
                RelFieldCollation.NullDirection nulls = order.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
                        ? order.getDirection().defaultNullDirection() : order.nullDirection;
                // The NULL rows after every key: the largest value in ascending order, the smallest in descending order.
                boolean largest = (nulls == RelFieldCollation.NullDirection.LAST) != order.getDirection().isDescending();
                RexNode nullValue = rex.makeExactLiteral(BigDecimal.valueOf(largest ? Long.MAX_VALUE : Long.MIN_VALUE), bigint);
                // The cast is nullable so that its code reads no NULL as a primitive, wherever it is placed.
                RexNode cast = rex.makeCast(types.createTypeWithNullability(bigint, true), value);
                return List.of(rex.makeCall(bigint, SqlStdOperatorTable.CASE, List.of(isNull, nullValue, cast)));
            }
            case BIGINT, TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE, DOUBLE, REAL, FLOAT -> {
                RelDataType nonNull = types.createTypeWithNullability(keyType, false);
                return List.of(isNull, rex.makeCall(nonNull, SqlStdOperatorTable.CASE, List.of(isNull, rex.makeZeroLiteral(nonNull), key)));
            }
            default -> {
                return List.of();
            }
        }
    }

    private static boolean hasOffset(RexWindowBound bound) {
        return !bound.isUnbounded() && !bound.isCurrentRow();
    }

    /**
     * The group with its RANGE offset bounds rewritten as above; the group itself if it is a ROWS
     * group or has no offset bound, or if its key is of a type not listed above. Fails
     * ({@link Refused}) where the class comment says. {@code keyColumns} is the input column where
     * the group's {@link #keyColumns} start, or -1 if it has none.
     */
    static Window.Group rewrite(Window.Group group, RelNode input, List<RexLiteral> constants, RexBuilder rex, int keyColumns) {
        if (group.isRows || group.orderKeys.getFieldCollations().size() != 1) {
            return group;
        }
        RelDataType inputRowType = input.getRowType();
        RexLiteral lowerOffset = offset(group.lowerBound, input, constants, rex);
        RexLiteral upperOffset = offset(group.upperBound, input, constants, rex);
        if (lowerOffset == null && upperOffset == null) {
            return group;
        }
        int keyIndex = group.orderKeys.getFieldCollations().get(0).getFieldIndex();
        RelDataType keyType = inputRowType.getFieldList().get(keyIndex).getType();
        RexNode key = new RexInputRef(keyIndex, keyType);
        if (keyColumns >= 0) {
            if (inputRowType.getFieldList().get(keyColumns).getType().getSqlTypeName() == SqlTypeName.BIGINT) {
                return orderedByBigint(group, keyColumns, keyType, lowerOffset, upperOffset, rex.makeCall(SqlStdOperatorTable.IS_NULL, key),
                        rex);
            }
            key = new RexInputRef(keyColumns + 1, inputRowType.getFieldList().get(keyColumns + 1).getType());
            return partitionedByNull(rewrite(group, key, lowerOffset, upperOffset, rex), group, keyColumns, rex);
        }
        return rewrite(group, key, lowerOffset, upperOffset, rex);
    }

    /** The group with its bounds rewritten for the key (a column of the input, the group's own key or one in its place). */
    private static Window.Group rewrite(Window.Group group, RexNode key, RexLiteral lowerOffset, RexLiteral upperOffset, RexBuilder rex) {
        boolean descending = group.orderKeys.getFieldCollations().get(0).getDirection().isDescending();
        RelDataType keyType = key.getType();
        RelDataTypeFactory types = rex.getTypeFactory();
        Frame frame;
        switch (keyType.getSqlTypeName()) {
            case TINYINT, SMALLINT, INTEGER, BIGINT -> {
                SqlTypeName name = keyType.getSqlTypeName();
                SqlTypeName arithmetic = name == SqlTypeName.BIGINT ? SqlTypeName.BIGINT : SqlTypeName.INTEGER;
                RelDataType w = types.createTypeWithNullability(types.createSqlType(arithmetic), keyType.isNullable());
                RexNode k = name == arithmetic ? key : rex.makeCast(w, key);
                long[] range = switch (name) {
                    case TINYINT -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
                    case SMALLINT -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
                    case INTEGER -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
                    default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
                };
                frame = new Frame(rex, k, w, range[0], range[1], descending);
                frame.lowerN = integral(lowerOffset, keyType);
                frame.upperN = integral(upperOffset, keyType);
            }
            case DATE -> {
                RelDataType w = types.createTypeWithNullability(types.createSqlType(SqlTypeName.INTEGER), keyType.isNullable());
                frame = new Frame(rex, rex.makeReinterpretCast(w, key, rex.makeLiteral(false)), w, Integer.MIN_VALUE,
                        Integer.MAX_VALUE, descending);
                // The dates compare as timestamps (midnight): a start PRECEDING or an end FOLLOWING reaches the whole
                // days within the interval, a start FOLLOWING or an end PRECEDING the first whole day past it.
                frame.lowerN = days(lowerOffset, group.lowerBound.isFollowing());
                frame.upperN = days(upperOffset, group.upperBound.isPreceding());
            }
            case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> {
                RelDataType w = types.createTypeWithNullability(types.createSqlType(SqlTypeName.BIGINT), keyType.isNullable());
                frame = new Frame(rex, rex.makeReinterpretCast(w, key, rex.makeLiteral(false)), w, Long.MIN_VALUE, Long.MAX_VALUE,
                        descending);
                BigInteger unit = BigInteger.valueOf(TimestampUnits.isMicros(keyType) ? 1_000 : 1);
                BigInteger lowerMillis = millis(lowerOffset);
                BigInteger upperMillis = millis(upperOffset);
                frame.lowerN = lowerMillis == null ? null : lowerMillis.multiply(unit);
                frame.upperN = upperMillis == null ? null : upperMillis.multiply(unit);
            }
            case DOUBLE, REAL, FLOAT -> {
                return new Window.Group(group.keys, group.isRows, approximate(group.lowerBound, lowerOffset, keyType, descending, rex),
                        approximate(group.upperBound, upperOffset, keyType, descending, rex), group.exclude, group.orderKeys,
                        group.aggCalls);
            }
            case DECIMAL -> throw new Refused("0A000", "a RANGE frame with an offset is not supported for an ORDER BY key of type"
                    + " DECIMAL; order by a CAST to DOUBLE or BIGINT, or use ROWS");
            default -> {
                return group;
            }
        }
        return frame.rewrite(group);
    }

    /** The bound's offset, if it has one; null for UNBOUNDED and CURRENT ROW. Fails if it is not a constant or negative. */
    private static RexLiteral offset(RexWindowBound bound, RelNode input, List<RexLiteral> constants, RexBuilder rex) {
        if (bound.isUnbounded() || bound.isCurrentRow()) {
            return null;
        }
        RexLiteral literal = constant(bound.getOffset(), input, constants, rex);
        if (literal == null) {
            throw new Refused("0A000", "a RANGE frame offset must be a constant");
        }
        return literal;
    }

    /**
     * The value of a window bound's offset: a literal, one of the window's constants, or a column
     * that the Calc below computes from constants ({@code 1 + 1 PRECEDING}), evaluated now by
     * {@link ScalarInterpreter} (an overflow fails with 22003, as it would when run); null if it
     * is none of these or cannot be evaluated here. Fails with 22013 if it is negative or NULL.
     */
    static RexLiteral constant(RexNode offset, RelNode input, List<RexLiteral> constants, RexBuilder rex) {
        int inputFields = input.getRowType().getFieldCount();
        RexLiteral literal = null;
        if (offset instanceof RexLiteral l) {
            literal = l;
        } else if (offset instanceof RexInputRef ref && ref.getIndex() >= inputFields) {
            literal = constants.get(ref.getIndex() - inputFields);
        } else if (offset instanceof RexInputRef ref && input instanceof Calc calc) {
            RexProgram program = calc.getProgram();
            RexLocalRef projected = program.getProjectList().get(ref.getIndex());
            ScalarInterpreter.Scalar scalar = RexUtil.isConstant(program.expandLocalRef(projected))
                    ? ScalarInterpreter.of(projected, program.getExprList()) : null;
            if (scalar != null) {
                Object value = scalar.eval(new Object[0], null);
                literal = value == null ? rex.makeNullLiteral(offset.getType()) : rex.makeLiteral(value, offset.getType());
            }
        }
        if (literal == null) {
            return null;
        }
        BigDecimal value = literal.getValueAs(BigDecimal.class);
        if (value == null || value.signum() < 0) {
            throw new Refused("22013", "invalid preceding or following size in window function: " + value);
        }
        return literal;
    }

    /** The offset of an integer key in its units; null without one. */
    private static BigInteger integral(RexLiteral offset, RelDataType keyType) {
        if (offset == null) {
            return null;
        }
        BigDecimal value = offset.getValueAs(BigDecimal.class);
        try {
            return value.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new Refused("0A000", "a RANGE frame offset of an ORDER BY key of type " + keyType.getSqlTypeName()
                    + " must be a whole number, not " + value.toPlainString());
        }
    }

    /** A day-time interval offset in milliseconds (Calcite's value of such a literal); null without one. */
    private static BigInteger millis(RexLiteral offset) {
        if (offset == null) {
            return null;
        }
        if (offset.getType().getSqlTypeName().getFamily() != SqlTypeFamily.INTERVAL_DAY_TIME) {
            throw new Refused("0A000", "a RANGE frame offset of a date or timestamp must be a day-time interval (DAY to SECOND), not "
                    + offset.getType().getSqlTypeName());
        }
        return offset.getValueAs(BigDecimal.class).toBigInteger();
    }

    /** A DATE key's interval offset in whole days, rounded up or down; null without one. */
    private static BigInteger days(RexLiteral offset, boolean up) {
        BigInteger millis = millis(offset);
        if (millis == null) {
            return null;
        }
        return new BigDecimal(millis).divide(new BigDecimal(DAY_MILLIS), 0, up ? RoundingMode.CEILING : RoundingMode.FLOOR)
                .toBigInteger();
    }

    /**
     * A group whose TINYINT, SMALLINT, INTEGER or DATE key may be NULL, ordered by its
     * {@link #keyColumns} BIGINT instead: an offset becomes 0 for a row whose key is NULL (its frame
     * reaches its NULL peers, which are where that BIGINT puts them, beyond every key), else the
     * offset in the key's units (at most {@link #KEY_COLUMN_OFFSET_LIMIT}), negated with DESC.
     * Computed in BIGINT, which holds every such key plus or minus such an offset, the value searched
     * for is the exact bound and never reaches the NULL rows: PostgreSQL's frame, whatever the bounds.
     */
    private static Window.Group orderedByBigint(Window.Group group, int column, RelDataType keyType, RexLiteral lowerOffset,
            RexLiteral upperOffset, RexNode isNull, RexBuilder rex) {
        RelFieldCollation order = group.orderKeys.getFieldCollations().get(0);
        boolean date = keyType.getSqlTypeName() == SqlTypeName.DATE;
        BigInteger lowerN = date ? days(lowerOffset, group.lowerBound.isFollowing()) : integral(lowerOffset, keyType);
        BigInteger upperN = date ? days(upperOffset, group.upperBound.isPreceding()) : integral(upperOffset, keyType);
        boolean descending = order.getDirection().isDescending();
        return new Window.Group(group.keys, false, bigintBound(group.lowerBound, lowerN, descending, isNull, rex),
                bigintBound(group.upperBound, upperN, descending, isNull, rex), group.exclude, RelCollations.of(order.withFieldIndex(column)),
                group.aggCalls);
    }

    private static RexWindowBound bigintBound(RexWindowBound bound, BigInteger n, boolean descending, RexNode isNull, RexBuilder rex) {
        if (n == null) {
            return bound;
        }
        long offset = n.min(BigInteger.valueOf(KEY_COLUMN_OFFSET_LIMIT)).longValueExact();
        RelDataType bigint = rex.getTypeFactory().createSqlType(SqlTypeName.BIGINT);
        RexNode value = rex.makeCall(bigint, SqlStdOperatorTable.CASE, List.of(isNull, rex.makeZeroLiteral(bigint),
                rex.makeExactLiteral(BigDecimal.valueOf(descending ? -offset : offset), bigint)));
        return bound.isPreceding() ? RexWindowBounds.preceding(value) : RexWindowBounds.following(value);
    }

    /**
     * A group whose BIGINT, TIMESTAMP or approximate key may be NULL ({@code rewritten}: its bounds
     * rewritten for the key with 0 for NULL), with the rows whose key is NULL in partitions of their
     * own and each offset 0 for them: their frame is then their NULL peers, PostgreSQL's frame when
     * no bound is UNBOUNDED, and the other rows' frames hold no NULL row, as in PostgreSQL. With an
     * UNBOUNDED bound the frames would differ (UNBOUNDED PRECEDING starts at the partition's first
     * row, NULL or not), so a NULL key fails the statement with 0A000 instead ({@link #nullKey}).
     */
    private static Window.Group partitionedByNull(Window.Group rewritten, Window.Group group, int column, RexBuilder rex) {
        RexNode isNull = new RexInputRef(column, rex.getTypeFactory().createSqlType(SqlTypeName.BOOLEAN));
        boolean unbounded = group.lowerBound.isUnbounded() || group.upperBound.isUnbounded();
        RelFieldCollation order = group.orderKeys.getFieldCollations().get(0).withFieldIndex(column + 1);
        return new Window.Group(rewritten.keys.union(ImmutableBitSet.of(column)), false, nullOffset(rewritten.lowerBound, isNull, unbounded, rex),
                nullOffset(rewritten.upperBound, isNull, unbounded, rex), rewritten.exclude, RelCollations.of(order), rewritten.aggCalls);
    }

    private static RexWindowBound nullOffset(RexWindowBound bound, RexNode isNull, boolean refuse, RexBuilder rex) {
        if (!hasOffset(bound)) {
            return bound;
        }
        RelDataType type = rex.getTypeFactory().createTypeWithNullability(bound.getOffset().getType(), false);
        RexNode forNull = refuse ? rex.makeCast(type, rex.makeCall(NULL_KEY, List.of())) : rex.makeZeroLiteral(type);
        RexNode value = rex.makeCall(type, SqlStdOperatorTable.CASE, List.of(isNull, forNull, bound.getOffset()));
        return bound.isPreceding() ? RexWindowBounds.preceding(value) : RexWindowBounds.following(value);
    }

    /** A DOUBLE, REAL or FLOAT key's bound: its offset a literal of the key's type, negated with DESC. */
    private static RexWindowBound approximate(RexWindowBound bound, RexLiteral offset, RelDataType keyType, boolean descending,
            RexBuilder rex) {
        if (offset == null) {
            return bound;
        }
        double value = offset.getValueAs(Double.class); // not through a BigDecimal, which may round the largest double up to infinity
        RexNode literal = rex.makeApproxLiteral(descending ? -value : value, rex.getTypeFactory().createTypeWithNullability(keyType, false));
        return bound.isPreceding() ? RexWindowBounds.preceding(literal) : RexWindowBounds.following(literal);
    }

    /**
     * A condition on the row's key: never (null node, not always), always, or the node. The
     * conditions here compare the key with a constant.
     */
    private record Condition(boolean always, RexNode node) {
        static final Condition NEVER = new Condition(false, null);
        static final Condition ALWAYS = new Condition(true, null);

        boolean never() {
            return !always && node == null;
        }
    }

    /** The frame of one group with an integer key (or a date or timestamp as its integer), rewritten. */
    private static final class Frame {
        final RexBuilder rex;
        /** The key in the arithmetic type. */
        final RexNode k;
        /** The arithmetic type: INTEGER or BIGINT, nullable as the key. */
        final RelDataType w;
        final BigInteger lo;
        final BigInteger hi;
        final boolean descending;
        /** The offsets in the key's units, null for UNBOUNDED and CURRENT ROW. */
        BigInteger lowerN;
        BigInteger upperN;

        Frame(RexBuilder rex, RexNode k, RelDataType w, long lo, long hi, boolean descending) {
            this.rex = rex;
            this.k = k;
            this.w = w;
            this.lo = BigInteger.valueOf(lo);
            this.hi = BigInteger.valueOf(hi);
            this.descending = descending;
        }

        /** The first value of the type in the order, where UNBOUNDED PRECEDING starts. */
        BigInteger first() {
            return descending ? hi : lo;
        }

        /** The last value of the type in the order, where UNBOUNDED FOLLOWING ends. */
        BigInteger last() {
            return descending ? lo : hi;
        }

        /** +1 if the bound is the key plus its offset, -1 if minus. */
        int sign(RexWindowBound bound) {
            return bound.isFollowing() != descending ? 1 : -1;
        }

        /** Whether k ± n (by the bound's sign) is out of the type's range (past hi if +, past lo if -). */
        Condition outOfRange(RexWindowBound bound, BigInteger n) {
            if (n.signum() == 0) {
                return Condition.NEVER;
            }
            if (sign(bound) > 0) {
                BigInteger threshold = hi.subtract(n); // k + n > hi iff k > hi - n
                return threshold.compareTo(lo) < 0 ? Condition.ALWAYS
                        : new Condition(false, rex.makeCall(SqlStdOperatorTable.GREATER_THAN, k, literal(threshold)));
            }
            BigInteger threshold = lo.add(n); // k - n < lo iff k < lo + n
            return threshold.compareTo(hi) > 0 ? Condition.ALWAYS
                    : new Condition(false, rex.makeCall(SqlStdOperatorTable.LESS_THAN, k, literal(threshold)));
        }

        /** A literal of the arithmetic type with the value's low 32 or 64 bits (two's complement). */
        RexNode literal(BigInteger value) {
            long bits = w.getSqlTypeName() == SqlTypeName.INTEGER ? value.intValue() : value.longValue();
            return rex.makeExactLiteral(BigDecimal.valueOf(bits), rex.getTypeFactory().createTypeWithNullability(w, false));
        }

        Window.Group rewrite(Window.Group group) {
            RexWindowBound lower = group.lowerBound;
            RexWindowBound upper = group.upperBound;
            // The row's frame is empty if a start FOLLOWING or an end PRECEDING passes the end of the type's range.
            List<Condition> empty = new ArrayList<>();
            if (lowerN != null && lower.isFollowing()) {
                empty.add(outOfRange(lower, lowerN));
            }
            if (upperN != null && upper.isPreceding()) {
                empty.add(outOfRange(upper, upperN));
            }
            Condition anyEmpty = or(empty);
            RexWindowBound newLower = bound(lower, lowerN, true, anyEmpty);
            RexWindowBound newUpper = bound(upper, upperN, false, anyEmpty);
            return new Window.Group(group.keys, group.isRows, newLower, newUpper, group.exclude, group.orderKeys, group.aggCalls);
        }

        Condition or(List<Condition> conditions) {
            List<RexNode> nodes = new ArrayList<>();
            for (Condition c : conditions) {
                if (c.always()) {
                    return Condition.ALWAYS;
                }
                if (!c.never()) {
                    nodes.add(c.node());
                }
            }
            return nodes.isEmpty() ? Condition.NEVER
                    : new Condition(false, nodes.size() == 1 ? nodes.get(0) : rex.makeCall(SqlStdOperatorTable.OR, nodes));
        }

        /**
         * The bound as an offset whose value searched for is, in this order: the value that empties
         * the frame (the last value for a start, the first for an end) if the row's frame is
         * empty; the type's extreme if the bound passes it away from the row; else the exact bound.
         * UNBOUNDED and CURRENT ROW bounds are kept unless the frame can be empty.
         */
        RexWindowBound bound(RexWindowBound bound, BigInteger n, boolean start, Condition empty) {
            if (n == null && empty.never()) {
                return bound;
            }
            // Calcite searches for k - offset (PRECEDING) or k + offset (FOLLOWING).
            boolean preceding = n != null ? bound.isPreceding() : start;
            List<RexNode> caseOperands = new ArrayList<>();
            RexNode otherwise = null;
            BigInteger emptyValue = start ? last() : first();
            if (empty.always()) {
                otherwise = offsetTo(emptyValue, preceding);
            } else if (!empty.never()) {
                caseOperands.add(empty.node());
                caseOperands.add(offsetTo(emptyValue, preceding));
            }
            if (otherwise == null && n != null && bound.isPreceding() == start) {
                // Away from the row: past the range, the type's extreme on that side reaches the same rows.
                Condition beyond = outOfRange(bound, n);
                BigInteger extreme = sign(bound) > 0 ? hi : lo;
                if (beyond.always()) {
                    otherwise = offsetTo(extreme, preceding);
                } else if (!beyond.never()) {
                    caseOperands.add(beyond.node());
                    caseOperands.add(offsetTo(extreme, preceding));
                }
            }
            if (otherwise == null) {
                if (n != null) {
                    // k ± n exactly: the offset is the constant n (its sign flipped with DESC), within the range whenever reached.
                    BigInteger signed = sign(bound) > 0 ? n : n.negate();
                    otherwise = literal(preceding ? signed.negate() : signed);
                } else if (bound.isCurrentRow()) {
                    otherwise = literal(BigInteger.ZERO);
                } else {
                    otherwise = offsetTo(bound.isPreceding() ? first() : last(), preceding);
                }
            }
            RexNode offset;
            if (caseOperands.isEmpty()) {
                offset = otherwise;
            } else {
                caseOperands.add(otherwise);
                offset = rex.makeCall(w, SqlStdOperatorTable.CASE, caseOperands);
            }
            return preceding ? RexWindowBounds.preceding(offset) : RexWindowBounds.following(offset);
        }

        /** The offset by which Calcite's k - offset (or k + offset) is the value: k - value (or value - k), wrapping. */
        RexNode offsetTo(BigInteger value, boolean preceding) {
            RexNode v = literal(value);
            return preceding ? rex.makeCall(w, SqlStdOperatorTable.MINUS, List.of(k, v)) : rex.makeCall(w, SqlStdOperatorTable.MINUS,
                    List.of(v, k));
        }
    }
}
