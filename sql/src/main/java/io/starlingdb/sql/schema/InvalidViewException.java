package io.starlingdb.sql.schema;

import io.starlingdb.sql.SqlException;

/**
 * A view that cannot be read as it is stored (its table was dropped, its query no longer
 * returns the columns it names, it refers to itself), thrown from inside Calcite's validator,
 * which only passes unchecked exceptions; the statement answers {@link #error()}.
 */
public final class InvalidViewException extends RuntimeException {

    private final SqlException error;

    public InvalidViewException(SqlException error) {
        super(error.getMessage(), error);
        this.error = error;
    }

    public SqlException error() {
        return error;
    }
}
