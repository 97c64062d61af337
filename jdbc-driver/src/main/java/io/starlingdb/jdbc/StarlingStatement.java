package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A plain statement; also the base of {@link StarlingPreparedStatement}. */
public class StarlingStatement extends UnsupportedStatement {

    final StarlingConnection connection;
    private final List<String> batch = new ArrayList<>();
    private StarlingResultSet currentResult;
    private long updateCount = -1;
    private int fetchSize;
    private int maxRows;
    private int queryTimeoutSeconds;
    private boolean closeOnCompletion;
    private boolean closed;
    /** Whether a request of this statement awaits its answer, for cancel() from another thread. */
    private volatile boolean executing;

    StarlingStatement(StarlingConnection connection) {
        this.connection = connection;
        this.fetchSize = connection.defaultFetchSize();
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the statement is closed", "HY010");
        }
        connection.checkOpen();
    }

    /** Makes the response of an execute request this statement's current result. */
    boolean accept(Response response) throws SQLException {
        closeCurrentResult();
        if (response instanceof Response.Error e) {
            throw Errors.toException(e);
        }
        if (response instanceof Response.UpdateCount u) {
            updateCount = u.count();
            return false;
        }
        if (response instanceof Response.RowsHeader h) {
            List<ColumnInfo> columns = h.columnsAsPrepared() ? preparedColumns() : h.columns();
            if (columns == null) {
                throw new SQLException("the node answered a statement that was not prepared with a prepared statement's"
                        + " result", "08P01");
            }
            for (Object[] row : h.rows()) {
                if (row.length != columns.size()) {
                    throw new SQLException("a row of " + row.length + " values in a result of " + columns.size() + " columns",
                            "08P01");
                }
            }
            currentResult = new StarlingResultSet(this, connection.currentWire(), h.cursorId(), columns, h.rows(), h.hasMore(),
                    maxRows);
            return true;
        }
        throw new SQLException("unexpected response " + response.getClass().getSimpleName(), "08P01");
    }

    /**
     * The result columns the node named when it prepared this statement on the current wire, which
     * a RowsHeader leaves out when they still hold; null for a statement that is not prepared.
     */
    List<ColumnInfo> preparedColumns() {
        return null;
    }

    private void closeCurrentResult() throws SQLException {
        updateCount = -1;
        if (currentResult != null) {
            StarlingResultSet r = currentResult;
            currentResult = null;
            r.closeQuietly();
        }
    }

    /** Called by a result set when it closes, for closeOnCompletion. */
    void resultClosed(StarlingResultSet result) throws SQLException {
        if (closeOnCompletion && result == currentResult) {
            currentResult = null;
            close();
        }
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        checkOpen();
        Request.Execute request = new Request.Execute(sql, List.of(), fetchSize);
        Response response = send(StatementText.kind(sql), w -> request);
        String setting = StatementText.sessionSetting(sql);
        if (setting != null && !(response instanceof Response.Error)) {
            connection.rememberSetting(setting, sql);
        }
        return accept(response);
    }

    /**
     * Sends one of this statement's requests, under its query timeout; cancel() may stop it. A
     * request stopped by its query timeout fails with {@link SQLTimeoutException} (SQLState
     * 57014), as JDBC asks of {@code setQueryTimeout}.
     */
    Response send(RequestKind kind, StarlingConnection.RequestBuilder request) throws SQLException {
        executing = true;
        Response response;
        try {
            response = connection.call(kind, queryTimeoutSeconds, request);
        } finally {
            executing = false;
        }
        if (response instanceof Response.Error e && QUERY_CANCELED.equals(e.sqlState())
                && connection.currentWire().lastCallTimedOut()) {
            closeCurrentResult();
            throw new SQLTimeoutException(e.message(), e.sqlState());
        }
        return response;
    }

    /** SQLState of a statement stopped by a cancel or a timeout. */
    private static final String QUERY_CANCELED = "57014";

    /**
     * Stops this statement's running request, from any thread: the server stops it and the
     * executing thread gets SQLState 57014; the connection stays usable. Does nothing when the
     * statement is not running.
     */
    @Override
    public void cancel() throws SQLException {
        if (closed) {
            throw new SQLException("the statement is closed", "HY010");
        }
        if (executing) {
            connection.currentWire().cancel();
        }
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        if (!execute(sql)) {
            throw new SQLException("the statement returned an update count, not rows: " + abbreviate(sql), "02000");
        }
        return currentResult;
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return Math.toIntExact(executeLargeUpdate(sql));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        if (execute(sql)) {
            closeCurrentResult();
            throw new SQLException("the statement returned rows, not an update count: " + abbreviate(sql), "21000");
        }
        return updateCount;
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        requireNoGeneratedKeys(autoGeneratedKeys);
        return execute(sql);
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        requireNoGeneratedKeys(autoGeneratedKeys);
        return executeUpdate(sql);
    }

    static void requireNoGeneratedKeys(int autoGeneratedKeys) throws SQLException {
        if (autoGeneratedKeys != Statement.NO_GENERATED_KEYS) {
            throw new SQLFeatureNotSupportedException("generated keys are not supported by Starling");
        }
    }

    static String abbreviate(String sql) {
        return sql.length() <= 80 ? sql : sql.substring(0, 77) + "...";
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return currentResult;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        checkOpen();
        return (int) Math.min(updateCount, Integer.MAX_VALUE);
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        checkOpen();
        closeCurrentResult();
        return false;
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return getMoreResults();
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch.clear();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] counts = executeLargeBatch();
        int[] out = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = (int) Math.min(counts[i], Integer.MAX_VALUE);
        }
        return out;
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        closeCurrentResult();
        List<String> statements = List.copyOf(batch);
        batch.clear();
        return runBatch(new Request.Batch(null, statements, List.of()));
    }

    /** A batch is a write: in auto-commit mode one transaction of all its elements. */
    long[] runBatch(Request.Batch request) throws SQLException {
        Response response = send(RequestKind.WRITE, w -> request);
        if (response instanceof Response.Error e) {
            SQLException cause = Errors.toException(e);
            throw new BatchUpdateException(cause.getMessage(), cause.getSQLState(), 0, new long[0], cause);
        }
        if (!(response instanceof Response.UpdateCounts counts)) {
            throw new SQLException("unexpected response to a batch", "08P01");
        }
        return counts.counts().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void close() throws SQLException {
        if (!closed) {
            closed = true;
            closeCurrentResult();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return connection;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("fetch size must not be negative", "22023");
        }
        fetchSize = rows == 0 ? connection.defaultFetchSize() : rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    int fetchSize() {
        return fetchSize;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD) {
            throw new SQLFeatureNotSupportedException("result sets are forward-only");
        }
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        checkOpen();
        if (max < 0) {
            throw new SQLException("max rows must not be negative", "22023");
        }
        maxRows = max;
    }

    @Override
    public int getMaxRows() throws SQLException {
        checkOpen();
        return maxRows;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        setMaxRows((int) Math.min(max, Integer.MAX_VALUE));
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        return getMaxRows();
    }

    /**
     * Bounds each execution of this statement: when no answer came within {@code seconds}, the
     * driver sends a Cancel and the statement fails with SQLState 57014 (0: no limit beyond the
     * node's {@code statement.timeout}).
     */
    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        checkOpen();
        if (seconds < 0) {
            throw new SQLException("query timeout must not be negative", "22023");
        }
        queryTimeoutSeconds = seconds;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return queryTimeoutSeconds;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        checkOpen();
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return 0;
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return closeOnCompletion;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
