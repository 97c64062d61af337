package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Response;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLNonTransientConnectionException;

/** Turns a server error into the SQLException subclass its SQLState class calls for. */
final class Errors {

    private Errors() {
    }

    static SQLException toException(Response.Error e) {
        String state = e.sqlState() == null ? "HY000" : e.sqlState();
        String cls = state.length() >= 2 ? state.substring(0, 2) : state;
        return switch (cls) {
            case "42" -> new SQLSyntaxErrorException(e.message(), state);
            case "22" -> new SQLDataException(e.message(), state);
            case "23" -> new SQLIntegrityConstraintViolationException(e.message(), state);
            case "40" -> new SQLTransactionRollbackException(e.message(), state);
            case "08" -> new SQLNonTransientConnectionException(e.message(), state);
            default -> new SQLException(e.message(), state);
        };
    }
}
