package io.starlingdb.sql.catalog;

import java.util.List;

/**
 * A view: a named query, stored as SQL text and expanded into every query that names it, so it
 * always reads the tables as they are now (a view whose table was dropped fails when queried).
 *
 * @param sql the query, as Calcite prints the parsed tree (identifiers quoted, so it parses back
 *            to the same tree)
 * @param columns the names given in {@code CREATE VIEW v (a, b)}, or empty: the query's own labels
 */
public record ViewDef(String name, String sql, List<String> columns) {

    public ViewDef {
        columns = List.copyOf(columns);
    }
}
