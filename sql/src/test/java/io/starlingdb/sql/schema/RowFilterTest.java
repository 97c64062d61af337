package io.starlingdb.sql.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.sql.catalog.TableDef;
import java.math.BigDecimal;
import java.util.List;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

class RowFilterTest {

    private final RelDataTypeFactory types = new JavaTypeFactoryImpl();
    private final RexBuilder rex = new RexBuilder(types);
    /** Column ids deliberately differ from positions, as after ALTER TABLE. */
    private final TableDef table = new TableDef(7, "T", List.of(
            new ColumnDef(1, "ID", ValueType.BIGINT, 0, 0, false, null, null),
            new ColumnDef(5, "K", ValueType.INTEGER, 0, 0, true, null, null),
            new ColumnDef(3, "V", ValueType.VARCHAR, 20, 0, true, null, null),
            new ColumnDef(4, "X", ValueType.DOUBLE, 0, 0, true, null, null),
            new ColumnDef(9, "D", ValueType.DECIMAL, 10, 2, true, null, null)), new int[] {0});

    private RexNode column(int index) {
        RelDataType type = StarlingTable.sqlType(types, table.columns().get(index));
        return rex.makeInputRef(types.createTypeWithNullability(type, true), index);
    }

    private RexNode call(SqlOperator op, RexNode left, RexNode right) {
        return rex.makeCall(op, left, right);
    }

    private RexNode param(int index) {
        return rex.makeDynamicParam(types.createSqlType(SqlTypeName.INTEGER), index);
    }

    private RexNode number(String value) {
        return rex.makeExactLiteral(new BigDecimal(value));
    }

    private byte[] row(Long id, Integer k, String v, Double x, BigDecimal d) {
        return TableStorage.encodeRow(table, new Object[] {id, k, v, x, d});
    }

    /** Resolves literals and parameters as a scan does for these column types; parameter ?i is params[i]. */
    private static AccessPath.ValueResolver resolver(Object... params) {
        return (node, type) -> {
            if (type == ValueType.VARCHAR) {
                return node instanceof RexDynamicParam p ? params[p.getIndex()] : ((RexLiteral) node).getValueAs(String.class);
            }
            Object raw = node instanceof RexDynamicParam p ? params[p.getIndex()] : ((RexLiteral) node).getValueAs(BigDecimal.class);
            if (raw == null) {
                return null;
            }
            if (type == ValueType.DOUBLE) {
                return raw instanceof Double d ? d : value(raw).doubleValue();
            }
            BigDecimal value = value(raw);
            try {
                return switch (type) {
                    case INTEGER -> value.intValueExact();
                    case BIGINT -> value.longValueExact();
                    case DECIMAL -> value;
                    default -> throw new AssertionError("not resolved in this test: " + type);
                };
            } catch (ArithmeticException e) {
                return null;
            }
        };
    }

    private static BigDecimal value(Object raw) {
        return new BigDecimal(raw.toString());
    }

    @Test
    void collectsColumnComparisonsEitherWayRoundInsideAnd() {
        RexNode filter = rex.makeCall(SqlStdOperatorTable.AND,
                call(SqlStdOperatorTable.GREATER_THAN, param(0), column(1)),
                call(SqlStdOperatorTable.NOT_EQUALS, column(4), number("2.5")),
                call(SqlStdOperatorTable.LESS_THAN, column(3), rex.makeApproxLiteral(BigDecimal.ONE)),
                call(SqlStdOperatorTable.GREATER_THAN, column(3), number("1.1")),
                call(SqlStdOperatorTable.EQUALS, column(2), rex.makeLiteral("a")),
                call(SqlStdOperatorTable.PLUS, column(1), number("1")));
        RowFilter f = RowFilter.of(table, List.of(filter));
        assertEquals(List.of(new RowFilter.Comparison(1, SqlKind.LESS_THAN, param(0)),
                new RowFilter.Comparison(4, SqlKind.NOT_EQUALS, number("2.5")),
                new RowFilter.Comparison(3, SqlKind.LESS_THAN, rex.makeApproxLiteral(BigDecimal.ONE)),
                new RowFilter.Comparison(2, SqlKind.EQUALS, rex.makeLiteral("a"))), f.comparisons(),
                "a parameter > K is K < parameter; a DOUBLE against an exact value (compared in decimal, maybe) and "
                        + "non-comparisons are left to the filter");
    }

    @Test
    void stringsCompareAsJavaStringsAndDoublesAsPrimitivesWithNaNLeftToTheFilter() {
        RowFilter f = RowFilter.of(table, List.of(
                call(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, column(2), rex.makeLiteral("b")),
                call(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, column(3), rex.makeApproxLiteral(BigDecimal.ZERO))));
        RowPredicate check = f.bind(resolver());
        BigDecimal d = BigDecimal.ONE;
        assertTrue(check.test(row(1L, 1, "b", 0.0, d)));
        assertTrue(check.test(row(1L, 1, "ba", -0.0, d)), "-0.0 <= 0.0");
        assertTrue(check.test(row(1L, 1, "c", Double.NaN, d)), "NaN: the filter decides");
        assertFalse(check.test(row(1L, 1, "B", -1.0, d)), "'B' < 'b' in Java's order, as in the filter");
        assertFalse(check.test(row(1L, 1, "b", 0.5, d)));
        assertFalse(check.test(row(1L, 1, null, -1.0, d)), "NULL V never satisfies a comparison");
    }

    @Test
    void rejectsOnlyRowsWhoseComparedColumnsFailOrAreNull() {
        RowFilter f = RowFilter.of(table, List.of(
                call(SqlStdOperatorTable.GREATER_THAN, column(1), number("10")),
                call(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, column(1), param(0)),
                call(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, column(4), number("-1.5"))));
        RowPredicate check = f.bind(resolver(20));
        BigDecimal d = new BigDecimal("0.00");
        assertTrue(check.test(row(1L, 11, "x", 1.0, d)));
        assertTrue(check.test(row(1L, 20, null, null, new BigDecimal("-1.5"))));
        assertFalse(check.test(row(1L, 10, "x", 1.0, d)), "K > 10 fails");
        assertFalse(check.test(row(1L, 21, "x", 1.0, d)), "K <= 20 fails");
        assertFalse(check.test(row(1L, 15, "x", 1.0, new BigDecimal("-1.51"))), "D >= -1.5 fails");
        assertFalse(check.test(row(1L, null, "x", 1.0, d)), "NULL K never satisfies a comparison");
        assertFalse(check.test(row(1L, 15, "x", 1.0, null)), "NULL D never satisfies a comparison");
    }

    @Test
    void valuesThatDoNotFitTheColumnTypeDropTheirComparison() {
        RowFilter f = RowFilter.of(table, List.of(
                call(SqlStdOperatorTable.LESS_THAN, column(1), param(0)),
                call(SqlStdOperatorTable.EQUALS, column(0), param(1))));
        assertNull(f.bind(resolver(5_000_000_000L, null)), "nothing left to check");
        RowPredicate onlyId = f.bind(resolver(5_000_000_000L, 3));
        assertTrue(onlyId.test(row(3L, 999, null, null, null)));
        assertFalse(onlyId.test(row(4L, 1, null, null, null)));
        assertNull(RowFilter.of(table, List.of()).bind(resolver()));
    }
}
