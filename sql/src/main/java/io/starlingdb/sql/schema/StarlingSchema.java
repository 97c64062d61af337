package io.starlingdb.sql.schema;

import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.catalog.ViewDef;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * The PUBLIC schema as Calcite sees it: one table per catalog table and one view per catalog
 * view, at one catalog version.
 * Its {@link #rowIds} form holds the tables without a primary key with their hidden row id as
 * a last column ({@link StarlingTable#ROW_ID_COLUMN}), as SQLite shows {@code rowid} only to
 * who names it: UPDATE and DELETE of such a table read their rows from there.
 */
public final class StarlingSchema extends AbstractSchema {

    /** Name of the schema of key-less tables with their row ids. */
    public static final String ROW_IDS = "STARLING_ROWID";

    private final Map<String, Table> tables;

    /** @param views works out the row type of a view's query (views are expanded from their text) */
    public StarlingSchema(Catalog.Snapshot catalog, ViewQueryTyper views) {
        this(catalog, false, views);
    }

    private StarlingSchema(Catalog.Snapshot catalog, boolean rowIds, ViewQueryTyper views) {
        Map<String, Table> map = new LinkedHashMap<>();
        for (TableDef table : catalog.tables().values()) {
            if (!rowIds || table.hasRowId()) {
                map.put(table.name(), new StarlingTable(table, rowIds));
            }
        }
        if (!rowIds) {
            for (ViewDef view : catalog.views().values()) {
                map.put(view.name(), StarlingViewTable.of(view, views));
            }
        }
        this.tables = map;
    }

    /** The tables without a primary key, each with its row id as a last column. */
    public static StarlingSchema rowIds(Catalog.Snapshot catalog) {
        return new StarlingSchema(catalog, true, null);
    }

    @Override
    protected Map<String, Table> getTableMap() {
        return tables;
    }
}
