package io.starlingdb.sql.schema;

import io.starlingdb.sql.catalog.ColumnDef;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;

/** The Calcite type of a catalog column, outside of planning (catalog views, metadata). */
public final class StarlingTableTypes {

    private static final RelDataTypeFactory TYPE_FACTORY = new JavaTypeFactoryImpl();

    private StarlingTableTypes() {
    }

    public static RelDataType relType(ColumnDef column) {
        return TYPE_FACTORY.createTypeWithNullability(StarlingTable.sqlType(TYPE_FACTORY, column), column.nullable());
    }
}
