package io.starlingdb.sql;

import java.util.List;

/**
 * One client's conversation with the SQL layer. Values crossing this interface use these
 * Java types: Boolean, Integer, Long, Double, java.math.BigDecimal, String,
 * java.time.LocalDate (DATE), java.time.LocalDateTime (TIMESTAMP), or null.
 * Every failure is a {@link SqlException} carrying a SQLState.
 */
public interface SqlSession extends AutoCloseable {
    /** Parses, validates and plans once; the plan is cached. */
    PreparedSql prepare(String sql) throws SqlException;

    /** Runs a statement with positional parameters (may be empty). */
    StatementResult execute(String sql, List<Object> params) throws SqlException;

    StatementResult execute(PreparedSql statement, List<Object> params) throws SqlException;

    /**
     * Runs a statement at once on the calling thread if it is a point read that this session
     * answers without waiting for anything (for a thread that must never block, such as a client
     * connection's event loop); null if it is not, and then nothing happened: run it with
     * {@link #execute(PreparedSql, List)}. An answer is the one execute would give. A session
     * without such a path answers null.
     */
    default StatementResult executeNow(PreparedSql statement, List<Object> params) {
        return null;
    }

    /**
     * Starts a prepared statement on the calling thread if it is a point write that this session
     * can start without waiting for anything (for a thread that must never block, such as a client
     * connection's event loop), and answers its outcome's future, which fails with a
     * {@link SqlException} (in a {@link java.util.concurrent.CompletionException}); null if it is
     * not, and then nothing happened: run it with {@link #execute(PreparedSql, List)}. The session
     * must not be used until the future completes. A session without such a path answers null.
     */
    default java.util.concurrent.CompletableFuture<StatementResult> writeNow(PreparedSql statement, List<Object> params) {
        return null;
    }

    /** As {@link #executeNow(PreparedSql, List)} for a statement's text: null too if it is not planned already. */
    default StatementResult executeNow(String sql, List<Object> params) {
        return null;
    }

    /**
     * Runs a prepared statement once per parameter set, as one batch in the open transaction (not
     * in auto-commit mode: the caller opens the transaction the batch joins), where the session
     * can do so as one statement: the update count of each execution, in order. Null if it
     * cannot, and then nothing happened: run the executions one by one with
     * {@link #execute(PreparedSql, List)}. The batch's effect is that of running them in order;
     * when one of them fails, the session leaves nothing of any of them and answers null, so that
     * running them one by one tells which fails. A session without such a path answers null.
     */
    default long[] executeBatch(PreparedSql statement, List<List<Object>> paramSets) throws SqlException {
        return null;
    }

    /** In auto-commit mode (the default) every statement commits on its own, atomically. */
    void setAutoCommit(boolean autoCommit) throws SqlException;

    boolean autoCommit();

    void commit() throws SqlException;

    void rollback() throws SqlException;

    /**
     * Stops this session's running statement from another thread: a client's cancel, a closed
     * connection. The statement answers SQLState 57014; the session stays usable.
     */
    CancelSignal cancelSignal();

    /** Tables, columns, keys and indexes, for DatabaseMetaData and the shell. */
    CatalogView catalog();

    /** Rolls back any open transaction and releases resources. */
    @Override
    void close();
}
