package io.starlingdb.sql;

/**
 * The outcome of one statement: a row cursor (queries, EXPLAIN) or an update count
 * (DML: rows affected; DDL: 0).
 */
public sealed interface StatementResult permits StatementResult.Rows, StatementResult.UpdateCount {

    record Rows(RowCursor cursor) implements StatementResult {
    }

    record UpdateCount(long count) implements StatementResult {
    }
}
