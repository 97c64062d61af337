package io.starlingdb.sql.system;

import java.util.List;
import java.util.function.Supplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * One table of the {@code SYS} schema: fixed columns, and rows computed when a statement reads
 * it (never cached: each read answers what is true then). Read-only.
 */
final class SysTable extends AbstractTable implements ScannableTable {

    /** A column: its name, its type (BIGINT, INTEGER, VARCHAR or BOOLEAN) and whether it may be NULL. */
    record Column(String name, SqlTypeName type, boolean nullable) {
        static Column of(String name, SqlTypeName type) {
            return new Column(name, type, false);
        }

        static Column nullable(String name, SqlTypeName type) {
            return new Column(name, type, true);
        }
    }

    private final List<Column> columns;
    private final Supplier<List<Object[]>> rows;

    SysTable(List<Column> columns, Supplier<List<Object[]>> rows) {
        this.columns = List.copyOf(columns);
        this.rows = rows;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
        RelDataTypeFactory.Builder builder = typeFactory.builder();
        for (Column c : columns) {
            RelDataType type = c.type() == SqlTypeName.VARCHAR ? typeFactory.createSqlType(c.type(),
                    typeFactory.getTypeSystem().getMaxPrecision(SqlTypeName.VARCHAR))
                    : typeFactory.createSqlType(c.type());
            builder.add(c.name(), typeFactory.createTypeWithNullability(type, c.nullable()));
        }
        return builder.build();
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root) {
        List<Object[]> out = rows.get();
        for (Object[] row : out) {
            if (row.length != columns.size()) {
                throw new IllegalStateException("a SYS row has " + row.length + " values for " + columns.size() + " columns");
            }
        }
        return Linq4j.asEnumerable(out);
    }
}
