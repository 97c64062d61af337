package io.starlingdb.jdbc.protocol;

import java.util.List;

/**
 * Messages from client to server. Every request but {@link Cancel} gets exactly one
 * {@link Response}.
 */
public sealed interface Request {

    /** First frame of a connection. */
    record Hello(int magic, int version, String clientName, String user) implements Request {
    }

    /** Runs SQL text with parameters; answers RowsHeader, UpdateCount or Error. */
    record Execute(String sql, List<Object> params, int fetchSize) implements Request {
    }

    /** Plans a statement once; answers Prepared or Error. */
    record Prepare(String sql) implements Request {
    }

    record ExecutePrepared(int statementId, List<Object> params, int fetchSize) implements Request {
    }

    /** Runs one statement with many parameter sets, or many statements (params empty); answers UpdateCounts. */
    record Batch(String sql, List<String> statements, List<List<Object>> paramSets) implements Request {
    }

    /** Next rows of an open cursor; answers Rows. */
    record Fetch(int cursorId, int maxRows) implements Request {
    }

    record CloseCursor(int cursorId) implements Request {
    }

    record CloseStatement(int statementId) implements Request {
    }

    record SetAutoCommit(boolean autoCommit) implements Request {
    }

    record Commit() implements Request {
    }

    record Rollback() implements Request {
    }

    /** The catalog for DatabaseMetaData; answers Catalog. */
    record Metadata() implements Request {
    }

    record Ping() implements Request {
    }

    /** The client is going away; answers Ok, then the server closes the connection. */
    record Close() implements Request {
    }

    /**
     * Stops the statement the client is waiting for; sent while that request is outstanding and
     * never answered itself: the stopped statement answers Error 57014 instead of its result.
     *
     * @param queryTimeoutSeconds 0 when the application cancelled ({@code Statement.cancel()});
     *                            else the query timeout, in seconds, that expired
     */
    record Cancel(int queryTimeoutSeconds) implements Request {
    }
}
