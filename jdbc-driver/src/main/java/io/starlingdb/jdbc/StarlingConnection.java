package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A session with a Starling cluster, served by one node at a time. Not thread-safe, as JDBC
 * connections go, except that {@link #close()} and {@code Statement.cancel()} may come from
 * another thread while a statement runs: both return without waiting for it.
 *
 * <p>When the node is lost, the session moves to another node of the cluster
 * ({@link Connector}) at its next request, with its settings re-applied; what the application
 * sees of the loss is decided by {@link LostConnectionPolicy} (docs/cluster.md, "Connecting
 * applications").
 */
public final class StarlingConnection extends UnsupportedConnection {

    /** Tries of one request: the first, and sends to other nodes after losing the one it went to. */
    static final int MAX_ATTEMPTS = 3;

    /** Builds a request for the wire it goes out on (a prepared statement's id belongs to one wire). */
    interface RequestBuilder {
        Request build(Wire wire) throws SQLException;
    }

    private final Connector connector;
    private final String url;
    private final int defaultFetchSize;
    /** The wire to the node serving the session; volatile: close() and cancel() read it from other threads. */
    private volatile Wire wire;
    private boolean autoCommit = true;
    private boolean readOnly;
    private int isolation = Connection.TRANSACTION_REPEATABLE_READ;
    private String schema = "PUBLIC";
    /** Whether the node holds a transaction of this session (a statement ran since it began). */
    private boolean transactionOpen;
    /** BEGIN ran as SQL: a transaction is open, whatever the auto-commit mode, until COMMIT or ROLLBACK. */
    private boolean sqlTransaction;
    /** The open transaction was lost with its node: statements fail until the application ends it. */
    private boolean transactionLost;
    /** The application's network timeout (setNetworkTimeout) in ms, applied to every wire; -1 until set. */
    private volatile int networkTimeoutMillis = -1;
    /** SET statements that ran, by setting name, in order: run again on the next node after a move. */
    private final Map<String, String> settings = new LinkedHashMap<>();
    /** Volatile: close() may come from another thread than the one running a statement. */
    private volatile boolean closed;

    StarlingConnection(Connector connector, Wire wire, String url, int defaultFetchSize) {
        this.connector = connector;
        this.wire = wire;
        this.url = url;
        this.defaultFetchSize = defaultFetchSize;
    }

    /** The wire in use now (it is replaced when the session moves to another node). */
    Wire currentWire() {
        return wire;
    }

    String url() {
        return url;
    }

    int defaultFetchSize() {
        return defaultFetchSize;
    }

    Response.HelloOk serverHello() {
        return wire.hello();
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("the connection is closed", "08003");
        }
        if (wire.isProtocolBroken()) {
            throw new SQLNonTransientConnectionException("the node answered something undecodable earlier, so the connection"
                    + " was closed; open a new one", "08003");
        }
    }

    /**
     * Sends a request and returns its answer (an Error answer is returned, not thrown). If the
     * node is lost, moves to another one and sends again where {@link LostConnectionPolicy} allows,
     * else throws 08006 (the transaction or result was lost) or 40003 (the outcome is unknown).
     */
    Response call(RequestKind kind, int queryTimeoutSeconds, RequestBuilder builder) throws SQLException {
        checkOpen();
        if (transactionLost) {
            return afterLostTransaction(kind, builder);
        }
        for (int attempt = 1; ; attempt++) {
            Wire current = liveWire();
            Response response;
            try {
                Request request;
                try {
                    request = builder.build(current);
                } catch (ConnectionLostException e) {
                    throw e.beforeSending();
                }
                response = current.call(request, queryTimeoutSeconds, kind.checksDelivery());
            } catch (ConnectionLostException e) {
                connector.lost(e.address());
                LostConnectionPolicy.Outcome outcome = LostConnectionPolicy.decide(kind, e.requestSent(), transactionOpen, autoCommit);
                if (outcome == LostConnectionPolicy.Outcome.RESEND && attempt < MAX_ATTEMPTS) {
                    continue;
                }
                if (outcome == LostConnectionPolicy.Outcome.DONE) {
                    transactionOpen = false;
                    sqlTransaction = false;
                    return doneAnswer(builder, current);
                }
                throw reportLoss(kind, outcome, e);
            }
            answered(kind, response);
            return response;
        }
    }

    /** Like {@link #call}, but an Error answer becomes an SQLException. */
    Response expect(RequestKind kind, RequestBuilder builder) throws SQLException {
        Response response = call(kind, 0, builder);
        if (response instanceof Response.Error e) {
            throw Errors.toException(e);
        }
        return response;
    }

    /**
     * Fetches the next rows of a result read through {@code resultWire}: the cursor lives on that
     * node, so if the session has moved or the node is lost, the result is lost (08006).
     */
    Response fetch(Wire resultWire, Request.Fetch request) throws SQLException {
        checkOpen();
        if (resultWire != wire || resultWire.isBroken()) {
            endTransactionLost();
            throw new SQLNonTransientConnectionException("the node serving this result was lost; run the query again"
                    + (transactionLost ? " in a new transaction (roll this one back first)" : ""), "08006");
        }
        return call(RequestKind.FETCH, 0, w -> request);
    }

    /** Frees a cursor or statement on {@code on}'s node, if the session still uses it; the node frees it anyway when the wire goes. */
    void release(Wire on, Request request) {
        if (on == wire && !on.isBroken() && !closed) {
            try {
                on.call(request);
            } catch (SQLException ignored) {
                // The connection is going away; the node frees what it held with it.
            }
        }
    }

    /** The open transaction, if any, was lost: the application must end it before running statements. */
    private void endTransactionLost() {
        if (transactionOpen) {
            transactionLost = true;
        }
        transactionOpen = false;
        sqlTransaction = false;
    }

    /** Until the application ends the lost transaction, nothing else runs: it must not continue half of it elsewhere. */
    private Response afterLostTransaction(RequestKind kind, RequestBuilder builder) throws SQLException {
        switch (kind) {
            case ROLLBACK:
                transactionLost = false;
                return doneAnswer(builder, wire);
            case RELEASE:
                return doneAnswer(builder, wire);
            case COMMIT:
                transactionLost = false;
                throw new SQLNonTransientConnectionException("the transaction was lost with its node earlier and nothing of it"
                        + " was committed; run it again", "08006");
            default:
                throw new SQLNonTransientConnectionException("the transaction was lost with its node earlier; roll it back"
                        + " (rollback()) and run it again", "08006");
        }
    }

    /**
     * The answer to a request whose purpose the loss of its node fulfilled (a rollback, a release,
     * a commit of nothing): what the node would have answered. Built only to see its type.
     */
    private static Response doneAnswer(RequestBuilder builder, Wire on) throws SQLException {
        return builder.build(on) instanceof Request.Execute ? new Response.UpdateCount(0) : new Response.Ok();
    }

    /** The exception the application gets for a request lost with its node, and the session state after it. */
    private SQLException reportLoss(RequestKind kind, LostConnectionPolicy.Outcome outcome, ConnectionLostException e) {
        boolean inTransaction = transactionOpen;
        switch (outcome) {
            case UNKNOWN:
                transactionOpen = false;
                sqlTransaction = false;
                return new SQLTransactionRollbackException(e.getMessage() + (kind == RequestKind.COMMIT
                        ? "; the commit was in flight: the transaction may or may not have committed"
                        : "; the statement was in flight (auto-commit): it may or may not have taken effect"), "40003", e);
            case LOST:
                endTransactionLost();
                return new SQLNonTransientConnectionException(e.getMessage() + (inTransaction
                        ? "; the open transaction was rolled back: roll it back (rollback()) and run it again"
                        : kind == RequestKind.FETCH ? "; the result was lost: run the query again"
                        : "; nothing was committed: run it again"), "08006", e);
            default:
                // RESEND after the last attempt: every node tried was lost under the request.
                return e;
        }
    }

    /** Keeps track of the transaction the node holds, from the answer to a request. */
    private void answered(RequestKind kind, Response response) {
        boolean failed = response instanceof Response.Error;
        switch (kind) {
            case COMMIT:
            case ROLLBACK:
                transactionOpen = false;
                sqlTransaction = false;
                break;
            case BEGIN:
                if (!failed) {
                    sqlTransaction = true;
                    transactionOpen = true;
                }
                break;
            case READ:
            case WRITE:
            case FETCH:
                // A failed statement undoes itself only: the transaction stays open.
                if (!autoCommit || sqlTransaction) {
                    transactionOpen = true;
                }
                break;
            default:
                break;
        }
    }

    /**
     * The wire to send on: the current one, or, if its node was lost and no transaction was open
     * on it, a new one to another node with the session's settings applied.
     */
    private Wire liveWire() throws SQLException {
        Wire current = wire;
        if (!current.isBroken()) {
            return current;
        }
        if (transactionOpen) {
            endTransactionLost();
            throw new SQLNonTransientConnectionException("the connection to node " + current.hello().nodeId() + " at "
                    + current.address() + " was lost with a transaction open; roll it back (rollback()) and run it again", "08006");
        }
        Wire next = connector.open();
        try {
            applySession(next);
        } catch (SQLException e) {
            next.close();
            throw e;
        }
        wire = next;
        if (closed) {
            // close() ran meanwhile from another thread and closed the old wire.
            next.close();
            throw new SQLNonTransientConnectionException("the connection is closed", "08003");
        }
        return next;
    }

    /**
     * Re-applies the session's settings on a new node: the network timeout, the auto-commit mode,
     * the isolation level and read-only mode, and the SET statements that ran.
     */
    private void applySession(Wire next) throws SQLException {
        if (networkTimeoutMillis >= 0) {
            next.setSoTimeout(networkTimeoutMillis);
        }
        if (!autoCommit) {
            failOnError(next.call(new Request.SetAutoCommit(false)));
        }
        if (isolation != Connection.TRANSACTION_REPEATABLE_READ) {
            failOnError(next.call(sessionCharacteristic("ISOLATION LEVEL SERIALIZABLE")));
        }
        if (readOnly) {
            failOnError(next.call(sessionCharacteristic("READ ONLY")));
        }
        for (String set : settings.values()) {
            failOnError(next.call(new Request.Execute(set, List.of(), defaultFetchSize)));
        }
    }

    private static void failOnError(Response response) throws SQLException {
        if (response instanceof Response.Error e) {
            throw Errors.toException(e);
        }
    }

    /** Remembers a SET statement that ran, to run it again on the next node if the session moves. */
    void rememberSetting(String name, String sql) {
        settings.remove(name);
        settings.put(name, sql);
    }

    @Override
    public Statement createStatement() throws SQLException {
        checkOpen();
        return new StarlingStatement(this);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return createStatement();
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int holdability) throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return createStatement();
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        checkOpen();
        return new StarlingPreparedStatement(this, sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return prepareStatement(sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int holdability)
            throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return prepareStatement(sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        if (autoGeneratedKeys != Statement.NO_GENERATED_KEYS) {
            throw new SQLFeatureNotSupportedException("generated keys are not supported by Starling");
        }
        return prepareStatement(sql);
    }

    private static void checkResultSetKind(int type, int concurrency) throws SQLException {
        if (type != ResultSet.TYPE_FORWARD_ONLY || concurrency != ResultSet.CONCUR_READ_ONLY) {
            throw new SQLFeatureNotSupportedException("Starling result sets are forward-only and read-only");
        }
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        checkOpen();
        return sql;
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        if (autoCommit != this.autoCommit) {
            // Turning auto-commit on commits the open transaction.
            RequestKind kind = autoCommit && (transactionOpen || transactionLost) ? RequestKind.COMMIT : RequestKind.SESSION;
            try {
                expect(kind, w -> new Request.SetAutoCommit(autoCommit));
            } finally {
                if (kind == RequestKind.COMMIT) {
                    // Committed, refused or lost: either way the transaction is over and the mode changed.
                    this.autoCommit = true;
                }
            }
            this.autoCommit = autoCommit;
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("commit() called in auto-commit mode", "25000");
        }
        expect(RequestKind.COMMIT, w -> new Request.Commit());
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("rollback() called in auto-commit mode", "25000");
        }
        expect(RequestKind.ROLLBACK, w -> new Request.Rollback());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            wire.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed || wire.isProtocolBroken();
    }

    /**
     * Sends Ping with a timeout of {@code timeoutSeconds}. A connection whose node was lost
     * between transactions moves to another node first, so a pool keeps it; one that lost an
     * open transaction is not valid (the application has not ended it yet).
     */
    @Override
    public boolean isValid(int timeoutSeconds) throws SQLException {
        if (timeoutSeconds < 0) {
            throw new SQLException("timeout must not be negative", "22023");
        }
        if (isClosed() || transactionLost) {
            return false;
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Wire current;
            try {
                current = liveWire();
            } catch (SQLException e) {
                return false;
            }
            try {
                int previous = current.soTimeout();
                current.setSoTimeout(timeoutSeconds * 1000);
                try {
                    return current.call(new Request.Ping()) instanceof Response.Ok;
                } finally {
                    if (!current.isBroken()) {
                        current.setSoTimeout(previous);
                    }
                }
            } catch (ConnectionLostException e) {
                connector.lost(e.address());
                if (transactionOpen) {
                    return false; // reported at the next statement, which must not run outside its transaction
                }
            } catch (SQLException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        return new StarlingDatabaseMetaData(this);
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        if (readOnly != this.readOnly) {
            // The node enforces it (writes answer 25006), from the next transaction on.
            setSessionCharacteristic(readOnly ? "READ ONLY" : "READ WRITE");
            this.readOnly = readOnly;
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        this.schema = schema;
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return schema;
    }

    /**
     * SERIALIZABLE runs serializable; every other level runs as snapshot isolation, which JDBC
     * calls REPEATABLE_READ (READ_COMMITTED and READ_UNCOMMITTED get more than they ask for, as
     * JDBC allows). It applies from the next transaction on.
     */
    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        int effective = switch (level) {
            case Connection.TRANSACTION_SERIALIZABLE -> Connection.TRANSACTION_SERIALIZABLE;
            case Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_READ_COMMITTED,
                    Connection.TRANSACTION_READ_UNCOMMITTED -> Connection.TRANSACTION_REPEATABLE_READ;
            case Connection.TRANSACTION_NONE -> throw new SQLFeatureNotSupportedException("transactions cannot be turned off");
            default -> throw new SQLException("unknown transaction isolation level " + level, "22023");
        };
        if (effective != isolation) {
            setSessionCharacteristic(effective == Connection.TRANSACTION_SERIALIZABLE
                    ? "ISOLATION LEVEL SERIALIZABLE" : "ISOLATION LEVEL REPEATABLE READ");
            isolation = effective;
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return isolation;
    }

    private void setSessionCharacteristic(String mode) throws SQLException {
        Request request = sessionCharacteristic(mode);
        expect(RequestKind.SESSION, w -> request);
    }

    private static Request sessionCharacteristic(String mode) {
        return new Request.Execute("SET SESSION CHARACTERISTICS AS TRANSACTION " + mode, List.of(), 0);
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
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
            throw new SQLFeatureNotSupportedException("only CLOSE_CURSORS_AT_COMMIT is supported");
        }
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException("network timeout must not be negative", "22023");
        }
        networkTimeoutMillis = milliseconds;
        wire.setSoTimeout(milliseconds);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return wire.soTimeout();
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return Map.of();
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        return new Properties();
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        return null;
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
