package io.starlingdb.sql.exec;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.SetOp;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalValues;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.TimestampString;

/**
 * Gives a converted plan one consistent meaning for TIMESTAMP values of two units: a
 * {@code TIMESTAMP(p)} with p above 3 holds epoch microseconds (columns created with
 * microseconds, such literals and parameters), one of p up to 3 holds epoch milliseconds, as
 * Calcite's runtime does for every TIMESTAMP. Calcite types both as TIMESTAMP and generates the
 * same code for both, so wherever they meet this rewrites the plan (before any planner rule runs):
 * <ul>
 * <li>a literal with microseconds becomes {@link MicroTimestamps#ofMicros} of its exact value
 * (Calcite's literals and its generated code read a TIMESTAMP literal as milliseconds), in VALUES
 * too;
 * <li>comparisons, CASE, COALESCE and the like that see both units compare in microseconds: the
 * milliseconds operand is multiplied, exactly;
 * <li>a CAST to TIMESTAMP(6) of a string parses its microseconds, one to a string prints them, and
 * casts between the units convert;
 * <li>any other operator (EXTRACT, FLOOR, interval arithmetic, ...) is Calcite's and gets its
 * operand in milliseconds: the microseconds below are dropped (towards the past), and a
 * TIMESTAMP(6) result is multiplied back.
 * </ul>
 * Nothing else needs to know: sorting, grouping, MIN/MAX, joins and key lookups compare the
 * longs, and values enter and leave a plan through {@link Values}, which converts by the type.
 */
final class TimestampUnits {

    private TimestampUnits() {
    }

    /**
     * The parsed statement with each {@code CAST('text' AS TIMESTAMP(p))}, p above 3, written as
     * the literal {@code TIMESTAMP 'text'} of that precision: Calcite's converter folds such a
     * cast into a literal through milliseconds, which would drop the microseconds before
     * {@link #apply} could see them. A text that is not a timestamp is left to Calcite's error.
     */
    static SqlNode literalCasts(SqlNode statement) {
        return statement.accept(new SqlShuttle() {
            @Override
            public SqlNode visit(SqlCall call) {
                if (call.getKind() == SqlKind.CAST && call.operandCount() == 2
                        && call.operand(0) instanceof SqlCharStringLiteral text
                        && call.operand(1) instanceof SqlDataTypeSpec spec
                        && spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic
                        && basic.getTypeName().getSimple().equalsIgnoreCase("TIMESTAMP") && basic.getPrecision() > 3) {
                    try {
                        LocalDateTime t = MicroTimestamps.parseLocal(text.getValueAs(String.class));
                        TimestampString value = new TimestampString(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                                t.getMinute(), t.getSecond()).withNanos(t.getNano() / 1_000 * 1_000);
                        return SqlLiteral.createTimestamp(SqlTypeName.TIMESTAMP, value,
                                Math.min(basic.getPrecision(), Ddl.MAX_TIMESTAMP_PRECISION), call.getParserPosition());
                    } catch (RuntimeException e) {
                        return super.visit(call);
                    }
                }
                return super.visit(call);
            }
        });
    }

    /** Whether a type is a TIMESTAMP whose values are epoch microseconds. */
    static boolean isMicros(RelDataType type) {
        return type.getSqlTypeName() == SqlTypeName.TIMESTAMP && type.getPrecision() > 3;
    }

    private static boolean isMillis(RelDataType type) {
        return type.getSqlTypeName() == SqlTypeName.TIMESTAMP && type.getPrecision() <= 3;
    }

    /** The plan with every meeting of the two units made explicit; the plan itself when it has no microsecond value. */
    static RelNode apply(RelNode rel) {
        List<RelNode> inputs = rel.getInputs();
        List<RelNode> rewritten = new ArrayList<>(inputs.size());
        boolean changed = false;
        for (RelNode input : inputs) {
            RelNode r = apply(input);
            rewritten.add(r);
            changed |= r != input;
        }
        if (rel instanceof SetOp setOp) {
            rewritten = setOpInputs(setOp, rewritten);
            changed |= !rewritten.equals(inputs);
        }
        RelNode node = changed ? rel.copy(rel.getTraitSet(), rewritten) : rel;
        if (node instanceof LogicalValues values) {
            return values(values);
        }
        return node.accept(new Rewriter(rel.getCluster().getRexBuilder()));
    }

    /**
     * The inputs of a UNION, INTERSECT or EXCEPT whose result column is TIMESTAMP(6), each
     * TIMESTAMP(3) column of an input converted to microseconds by a projection: the operator
     * passes and compares its inputs' values as they are.
     */
    private static List<RelNode> setOpInputs(SetOp setOp, List<RelNode> inputs) {
        List<RelDataTypeField> out = setOp.getRowType().getFieldList();
        List<RelNode> result = new ArrayList<>(inputs.size());
        for (RelNode input : inputs) {
            List<RelDataTypeField> fields = input.getRowType().getFieldList();
            boolean convert = false;
            for (int i = 0; i < fields.size(); i++) {
                convert |= isMicros(out.get(i).getType()) && isMillis(fields.get(i).getType());
            }
            if (!convert) {
                result.add(input);
                continue;
            }
            RexBuilder rex = input.getCluster().getRexBuilder();
            RelDataTypeFactory types = rex.getTypeFactory();
            List<RexNode> projects = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                RexNode ref = rex.makeInputRef(input, i);
                RelDataType type = fields.get(i).getType();
                projects.add(isMicros(out.get(i).getType()) && isMillis(type)
                        ? rex.makeCall(types.createTypeWithNullability(types.createSqlType(SqlTypeName.TIMESTAMP, 6), type.isNullable()),
                                MicroTimestamps.FROM_MILLIS, List.of(ref))
                        : ref);
            }
            result.add(LogicalProject.create(input, List.of(), projects, input.getRowType().getFieldNames(), java.util.Set.of()));
        }
        return result;
    }

    /**
     * VALUES whose TIMESTAMP(6) columns hold literals: the literals cannot carry microseconds,
     * so those columns are BIGINT microseconds in the VALUES and a projection above makes them
     * TIMESTAMP(6).
     */
    private static RelNode values(LogicalValues values) {
        List<RelDataTypeField> fields = values.getRowType().getFieldList();
        boolean any = false;
        for (RelDataTypeField f : fields) {
            any |= isMicros(f.getType());
        }
        if (!any) {
            return values;
        }
        RexBuilder rex = values.getCluster().getRexBuilder();
        RelDataTypeFactory types = rex.getTypeFactory();
        RelDataTypeFactory.Builder rowType = types.builder();
        for (RelDataTypeField f : fields) {
            rowType.add(f.getName(), isMicros(f.getType())
                    ? types.createTypeWithNullability(types.createSqlType(SqlTypeName.BIGINT), f.getType().isNullable()) : f.getType());
        }
        RelDataType carried = rowType.build();
        List<List<RexLiteral>> tuples = new ArrayList<>();
        for (List<RexLiteral> tuple : values.getTuples()) {
            List<RexLiteral> row = new ArrayList<>(tuple.size());
            for (int i = 0; i < tuple.size(); i++) {
                RexLiteral literal = tuple.get(i);
                if (isMicros(fields.get(i).getType())) {
                    RelDataType bigint = carried.getFieldList().get(i).getType();
                    row.add(literal.isNull() ? (RexLiteral) rex.makeNullLiteral(bigint)
                            : (RexLiteral) rex.makeLiteral(micros(literal), bigint, false));
                } else {
                    row.add(literal);
                }
            }
            tuples.add(row);
        }
        RelNode carrier = LogicalValues.create(values.getCluster(), carried, com.google.common.collect.ImmutableList.copyOf(
                tuples.stream().map(com.google.common.collect.ImmutableList::copyOf).toList()));
        List<RexNode> projects = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            RexNode ref = rex.makeInputRef(carrier, i);
            projects.add(isMicros(fields.get(i).getType()) ? rex.makeCall(fields.get(i).getType(), MicroTimestamps.OF_MICROS, List.of(ref))
                    : ref);
        }
        return LogicalProject.create(carrier, List.of(), projects, values.getRowType().getFieldNames(), java.util.Set.of());
    }

    /** The exact value of a TIMESTAMP literal in epoch microseconds. */
    private static long micros(RexLiteral literal) {
        TimestampString value = literal.getValueAs(TimestampString.class);
        return MicroTimestamps.ofLocal(MicroTimestamps.parseLocal(value.toString()));
    }

    private static final class Rewriter extends RexShuttle {
        private final RexBuilder rex;
        private final RelDataTypeFactory types;

        Rewriter(RexBuilder rex) {
            this.rex = rex;
            this.types = rex.getTypeFactory();
        }

        @Override
        public RexNode visitSubQuery(RexSubQuery subQuery) {
            RexSubQuery visited = (RexSubQuery) super.visitSubQuery(subQuery);
            RelNode rel = TimestampUnits.apply(visited.rel);
            return rel == visited.rel ? visited : visited.clone(rel);
        }

        @Override
        public RexNode visitLiteral(RexLiteral literal) {
            if (isMicros(literal.getType()) && !literal.isNull()) {
                RelDataType bigint = types.createSqlType(SqlTypeName.BIGINT);
                return rex.makeCall(literal.getType(), MicroTimestamps.OF_MICROS, List.of(rex.makeLiteral(micros(literal), bigint, false)));
            }
            return literal;
        }

        @Override
        public RexNode visitCall(RexCall original) {
            RexNode visited = super.visitCall(original);
            if (!(visited instanceof RexCall call)) {
                return visited;
            }
            if (call.getKind() == SqlKind.SEARCH && isMicros(call.getOperands().get(0).getType())) {
                // The range's bounds are literals read as milliseconds: written out as comparisons, they convert as above.
                return RexUtil.expandSearch(rex, null, call).accept(this);
            }
            boolean micros = isMicros(call.getType());
            boolean millis = isMillis(call.getType());
            for (RexNode operand : call.getOperands()) {
                micros |= isMicros(operand.getType());
                millis |= isMillis(operand.getType());
            }
            if (!micros || call.getOperator() instanceof MicroTimestamps.MicroFunction) {
                return call;
            }
            if (call.getKind() == SqlKind.CAST) {
                return cast(call.getType(), call.getOperands().get(0));
            }
            if (isUnitFree(call.getKind())) {
                if (!millis) {
                    return call;
                }
                List<RexNode> operands = new ArrayList<>();
                for (RexNode operand : call.getOperands()) {
                    operands.add(isMillis(operand.getType()) ? toMicros(operand) : operand);
                }
                return call.clone(call.getType(), operands);
            }
            // Calcite's own operator, on milliseconds.
            List<RexNode> operands = new ArrayList<>();
            for (RexNode operand : call.getOperands()) {
                operands.add(isMicros(operand.getType()) ? toMillis(operand) : operand);
            }
            if (isMicros(call.getType())) {
                return rex.makeCall(call.getType(), MicroTimestamps.FROM_MILLIS, List.of(call.clone(millisType(call.getType()), operands)));
            }
            return call.clone(call.getType(), operands);
        }

        private RexNode cast(RelDataType target, RexNode operand) {
            RelDataType from = operand.getType();
            if (isMicros(target)) {
                if (isMicros(from)) {
                    return rex.makeCall(target, MicroTimestamps.OF_MICROS, List.of(operand));
                }
                if (isMillis(from)) {
                    return rex.makeCall(target, MicroTimestamps.FROM_MILLIS, List.of(operand));
                }
                if (from.getFamily() == SqlTypeFamily.CHARACTER) {
                    return rex.makeCall(target, MicroTimestamps.PARSE, List.of(operand));
                }
                return rex.makeCall(target, MicroTimestamps.FROM_MILLIS,
                        List.of(rex.makeCast(millisType(target), operand, false, false)));
            }
            // From microseconds.
            if (isMillis(target)) {
                RexNode millis = toMillis(operand);
                return target.getPrecision() == 3 ? millis : rex.makeCast(target, millis, false, false);
            }
            if (target.getFamily() == SqlTypeFamily.CHARACTER) {
                RelDataType varchar = types.createTypeWithNullability(types.createSqlType(SqlTypeName.VARCHAR), from.isNullable());
                RexNode text = rex.makeCall(varchar, MicroTimestamps.FORMAT, List.of(operand));
                return rex.makeCast(target, text, false, false);
            }
            return rex.makeCast(target, toMillis(operand), false, false);
        }

        private RexNode toMicros(RexNode millis) {
            if (millis instanceof RexLiteral literal) {
                return literal.isNull() ? rex.makeNullLiteral(microsType(literal.getType())) : visitLiteralAsMicros(literal);
            }
            return rex.makeCall(microsType(millis.getType()), MicroTimestamps.FROM_MILLIS, List.of(millis));
        }

        private RexNode visitLiteralAsMicros(RexLiteral literal) {
            RelDataType bigint = types.createSqlType(SqlTypeName.BIGINT);
            return rex.makeCall(microsType(literal.getType()), MicroTimestamps.OF_MICROS,
                    List.of(rex.makeLiteral(micros(literal), bigint, false)));
        }

        private RexNode toMillis(RexNode micros) {
            return rex.makeCall(millisType(micros.getType()), MicroTimestamps.TO_MILLIS, List.of(micros));
        }

        private RelDataType microsType(RelDataType type) {
            return types.createTypeWithNullability(types.createSqlType(SqlTypeName.TIMESTAMP, 6), type.isNullable());
        }

        private RelDataType millisType(RelDataType type) {
            return types.createTypeWithNullability(types.createSqlType(SqlTypeName.TIMESTAMP, 3), type.isNullable());
        }
    }

    /** Operators that compare or pass TIMESTAMP values through without reading their unit. */
    private static boolean isUnitFree(SqlKind kind) {
        return switch (kind) {
            case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, IS_DISTINCT_FROM,
                    IS_NOT_DISTINCT_FROM, CASE, COALESCE, NULLIF, GREATEST, LEAST, IS_NULL, IS_NOT_NULL -> true;
            default -> false;
        };
    }
}
