package io.starlingdb.sql.schema;

import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.TableDef;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/** The PUBLIC schema as Calcite sees it: one table per catalog table, at one catalog version. */
public final class StarlingSchema extends AbstractSchema {

    private final Map<String, Table> tables;

    public StarlingSchema(Catalog.Snapshot catalog) {
        Map<String, Table> map = new LinkedHashMap<>();
        for (TableDef table : catalog.tables().values()) {
            map.put(table.name(), new StarlingTable(table));
        }
        this.tables = map;
    }

    @Override
    protected Map<String, Table> getTableMap() {
        return tables;
    }
}
