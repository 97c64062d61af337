package io.starlingdb.sql.schema;

import io.starlingdb.engine.encoding.KeyEncoder;
import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.exec.ExecutionContext;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.function.Function0;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;

/**
 * A Starling table for Calcite. Scans read the statement's transaction; when the filters pin
 * every primary-key column to a literal or parameter, the scan is a single key lookup and
 * those filters are consumed (EXPLAIN shows them among the scan's filters).
 */
public final class StarlingTable extends AbstractTable implements TranslatableTable {

    /**
     * The hidden row id of a table without a primary key, as the last column of the table's
     * form in the {@link StarlingSchema#ROW_IDS} schema: UPDATE and DELETE address rows by it.
     */
    public static final String ROW_ID_COLUMN = "$ROWID";

    private final TableDef table;
    /** Whether rows carry the hidden row id as a last column (only for tables that have one). */
    private final boolean withRowId;

    StarlingTable(TableDef table, boolean withRowId) {
        if (withRowId && !table.hasRowId()) {
            throw new IllegalArgumentException("table " + table.name() + " has a primary key, not a row id");
        }
        this.table = table;
        this.withRowId = withRowId;
    }

    public TableDef definition() {
        return table;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
        RelDataTypeFactory.Builder builder = typeFactory.builder();
        for (ColumnDef c : table.columns()) {
            builder.add(c.name(), typeFactory.createTypeWithNullability(sqlType(typeFactory, c), c.nullable()));
        }
        if (withRowId) {
            builder.add(ROW_ID_COLUMN, typeFactory.createSqlType(SqlTypeName.BIGINT));
        }
        return builder.build();
    }

    static RelDataType sqlType(RelDataTypeFactory f, ColumnDef c) {
        return switch (c.type()) {
            case BOOLEAN -> f.createSqlType(SqlTypeName.BOOLEAN);
            case INTEGER -> f.createSqlType(SqlTypeName.INTEGER);
            case BIGINT -> f.createSqlType(SqlTypeName.BIGINT);
            case DOUBLE -> f.createSqlType(SqlTypeName.DOUBLE);
            case DECIMAL -> f.createSqlType(SqlTypeName.DECIMAL, c.precision(), c.scale());
            case VARCHAR -> f.createSqlType(SqlTypeName.VARCHAR, c.precision());
            case DATE -> f.createSqlType(SqlTypeName.DATE);
            // Microsecond columns (precision 6) hold epoch microseconds; others, older ones too (0), milliseconds.
            case TIMESTAMP -> f.createSqlType(SqlTypeName.TIMESTAMP, c.precision() == ColumnDef.TIMESTAMP_MICROS ? 6 : 3);
        };
    }

    @Override
    public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
        return new StarlingTableScan(context.getCluster(), context.getCluster().traitSetOf(Convention.NONE), relOptTable, this,
                List.of());
    }

    /**
     * Rows of the table along an access path, less rows the row filter proves the scan's filters
     * reject; called by the generated code of a plan.
     */
    public Enumerable<Object[]> scan(DataContext root, AccessPath path, RowFilter rowFilter) {
        Transaction txn = (Transaction) root.get(ExecutionContext.TRANSACTION);
        CancelSignal cancel = (CancelSignal) root.get(ExecutionContext.CANCEL);
        AccessPath.ValueResolver values = (node, type) -> constant(root, node, type);
        RowPredicate check = rowFilter.bind(values);
        if (path.kind() == AccessPath.Kind.POINT_LOOKUP) {
            Object[] key = path.equalityValues(values);
            if (key != null) {
                byte[] value = txn.get(TableStorage.primaryKeyOf(table, key));
                return value == null ? Linq4j.emptyEnumerable() : Linq4j.singletonEnumerable(rowFilter.decode(value));
            }
        }
        if (path.kind() == AccessPath.Kind.INDEX_LOOKUP) {
            byte[][] entries = path.indexRange(values);
            if (entries != null) {
                return new AbstractEnumerable<>() {
                    @Override
                    public Enumerator<Object[]> enumerator() {
                        return CursorEnumerator.indexed(txn.scan(entries[0], entries[1]), txn, rowFilter, withRowId, check, cancel);
                    }
                };
            }
        }
        byte[][] range = path.kind() == AccessPath.Kind.FULL_SCAN || path.kind() == AccessPath.Kind.INDEX_LOOKUP
                ? null : path.range(values);
        return new AbstractEnumerable<>() {
            @Override
            public Enumerator<Object[]> enumerator() {
                KvCursor cursor = range == null ? TableStorage.scan(txn, table, check) : txn.scan(range[0], range[1], check);
                return CursorEnumerator.rows(cursor, rowFilter, withRowId, check, cancel);
            }
        };
    }

    /**
     * The one row of an aggregate without grouping over this table's rows along an access path
     * that the row filter's comparisons, all of them bound, wholly decide
     * ({@link StarlingAggregateScan}): computed at each range's leaseholder, so that the rows never
     * travel; or, when the transaction cannot do that (a node's own store, its own writes in the
     * span, a comparison whose value could not be bound, a DOUBLE sum that came out infinite or NaN),
     * the row of the plan that reads the rows,
     * which {@code fallback} makes. Called by the generated code of a plan; the choice is made when
     * it runs.
     */
    public Enumerable<Object> aggregate(DataContext root, AccessPath path, RowFilter rowFilter, StarlingAggregateScan.Spec spec,
                                        Function0<Enumerable<Object>> fallback) {
        return new AbstractEnumerable<>() {
            @Override
            public Enumerator<Object> enumerator() {
                Object[] values = aggregateAtRanges(root, path, rowFilter, spec);
                if (values == null) {
                    return fallback.apply().enumerator();
                }
                return Linq4j.singletonEnumerator(spec.scalar() ? values[0] : values);
            }
        };
    }

    private Object[] aggregateAtRanges(DataContext root, AccessPath path, RowFilter rowFilter, StarlingAggregateScan.Spec spec) {
        Transaction txn = (Transaction) root.get(ExecutionContext.TRANSACTION);
        CancelSignal cancel = (CancelSignal) root.get(ExecutionContext.CANCEL);
        AccessPath.ValueResolver values = (node, type) -> constant(root, node, type);
        RowPredicate bound = rowFilter.bind(values);
        List<RowPredicate.Comparison> comparisons = bound == null ? List.of() : bound.comparisons();
        if (comparisons.size() != rowFilter.comparisons().size()) {
            return null; // a value could not be bound: the filter above the scan decides those rows
        }
        byte[][] range = path.kind() == AccessPath.Kind.FULL_SCAN ? null : path.range(values);
        byte[] from;
        byte[] to;
        if (range == null) {
            from = TableStorage.tablePrefix(table);
            to = KeyEncoder.prefixEnd(from);
        } else {
            from = range[0];
            to = range[1];
        }
        RowAggregate.Partial partial = txn.aggregate(from, to,
                RowPredicate.aggregating(comparisons, spec.aggregate()), cancel::check);
        if (partial == null) {
            return null;
        }
        Object[] out = partial.values();
        List<RowAggregate.Call> calls = spec.aggregate().calls();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof BigDecimal exact && calls.get(i).type() != ValueType.DECIMAL && calls.get(i).type() != ValueType.DOUBLE) {
                // An integer sum out of BIGINT's range, as the rows' own sum fails (CheckedSums).
                throw new ArithmeticException("BIGINT sum " + exact + " out of range");
            }
            if (out[i] instanceof Double sum && !Double.isFinite(sum)) {
                // Infinite or NaN: from an infinity or NaN in the rows, or from finite values past DOUBLE's range, which the
                // partial does not tell apart. The rows' own sum tells (CheckedSums: an overflow fails with 22003).
                return null;
            }
        }
        return out;
    }

    /** A literal's or parameter's value in the column's engine type, or null if it cannot be used as a key. */
    private static Object constant(DataContext root, RexNode node, ValueType type) {
        Object raw;
        if (node instanceof RexLiteral literal) {
            if (literal.isNull()) {
                return null;
            }
            raw = switch (type) {
                case VARCHAR -> literal.getValueAs(String.class);
                case BOOLEAN -> literal.getValueAs(Boolean.class);
                case DATE -> literal.getValue() instanceof java.util.Calendar ? literal.getValueAs(Integer.class)
                        : literal.getValueAs(DateString.class) == null ? null : literal.getValueAs(DateString.class).getDaysSinceEpoch();
                case TIMESTAMP -> literal.getValueAs(TimestampString.class) == null ? null
                        : literal.getValueAs(TimestampString.class).getMillisSinceEpoch();
                default -> literal.getValueAs(BigDecimal.class);
            };
        } else if (node instanceof RexDynamicParam param) {
            raw = root.get("?" + param.getIndex());
        } else {
            return null;
        }
        if (raw == null) {
            return null;
        }
        try {
            return switch (type) {
                case INTEGER -> raw instanceof Number n ? (Object) new BigDecimal(n.toString()).intValueExact() : null;
                case BIGINT -> raw instanceof Number n ? (Object) new BigDecimal(n.toString()).longValueExact() : null;
                case DOUBLE -> raw instanceof Number n ? (Object) n.doubleValue() : null;
                case DECIMAL -> raw instanceof Number n ? new BigDecimal(n.toString()) : null;
                case VARCHAR -> raw instanceof String ? raw : null;
                case BOOLEAN -> raw instanceof Boolean ? raw : null;
                case DATE -> raw instanceof Integer ? raw : null;
                case TIMESTAMP -> raw instanceof Long ? raw : null;
            };
        } catch (ArithmeticException | NumberFormatException e) {
            // Not representable in the key column's type (e.g. 1.5 for an INTEGER key): let the filter run.
            return null;
        }
    }

    /**
     * Streams decoded rows from a store cursor; closing it releases the cursor. The row of a
     * cursor entry is the entry's value (a table scan) or what it points at (an index scan:
     * the value is the row's key; a row gone meanwhile is skipped). It checks the statement's
     * cancel signal at every entry, rejected ones included, so that a cancelled or timed-out
     * statement stops within one entry of every scan it runs (the nested loops of a join, too).
     */
    private static final class CursorEnumerator implements Enumerator<Object[]> {
        private final KvCursor cursor;
        /** Decodes the columns the scan reads. */
        private final RowFilter columns;
        private final Function<KvCursor, byte[]> rowOf;
        /** The row's key of a cursor entry, when rows carry their row id; else null. */
        private final Function<KvCursor, byte[]> keyOf;
        private final RowPredicate check;
        private final CancelSignal cancel;
        private Object[] current;

        static CursorEnumerator rows(KvCursor cursor, RowFilter columns, boolean withRowId, RowPredicate check,
                                     CancelSignal cancel) {
            return new CursorEnumerator(cursor, columns, KvCursor::value, withRowId ? KvCursor::key : null, check, cancel);
        }

        static CursorEnumerator indexed(KvCursor entries, Transaction txn, RowFilter columns, boolean withRowId,
                                        RowPredicate check, CancelSignal cancel) {
            return new CursorEnumerator(entries, columns, entry -> txn.get(entry.value()), withRowId ? KvCursor::value : null, check,
                    cancel);
        }

        /** @param check rows it rejects are skipped undecoded; null keeps every row */
        private CursorEnumerator(KvCursor cursor, RowFilter columns, Function<KvCursor, byte[]> rowOf,
                                 Function<KvCursor, byte[]> keyOf, RowPredicate check, CancelSignal cancel) {
            this.cursor = cursor;
            this.columns = columns;
            this.rowOf = rowOf;
            this.keyOf = keyOf;
            this.check = check;
            this.cancel = cancel;
        }

        @Override
        public Object[] current() {
            return current;
        }

        @Override
        public boolean moveNext() {
            while (cursor.next()) {
                cancel.check();
                byte[] row = rowOf.apply(cursor);
                if (row != null && (check == null || check.test(row))) {
                    current = keyOf == null ? columns.decode(row) : TableStorage.withRowId(columns.decode(row), keyOf.apply(cursor));
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() {
            throw new UnsupportedOperationException("store cursors are forward-only");
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
