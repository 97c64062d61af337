package io.starlingdb.sql.schema;

import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.ViewDef;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Validates a view's stored query against the schema it is read in and answers its row type
 * (with the query's own field names); the planner that owns the schema supplies it.
 */
@FunctionalInterface
public interface ViewQueryTyper {
    RelDataType rowType(ViewDef view) throws SqlException;
}
