package io.starlingdb.sql;

/** A statement failed; sqlState is the five-character SQLState the client sees. */
public class SqlException extends Exception {
    private final String sqlState;

    public SqlException(String sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    public SqlException(String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }
}
