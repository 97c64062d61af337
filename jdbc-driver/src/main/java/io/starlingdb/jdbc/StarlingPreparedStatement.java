package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ParameterMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * A statement planned once on the server (prepare at creation) and executed with parameters.
 * Batches send all parameter sets in one request. A statement id belongs to one node's
 * session: after the connection moved to another node, the statement is prepared there again
 * before it runs.
 */
public final class StarlingPreparedStatement extends UnsupportedPreparedStatement {

    private static final Object UNSET = new Object();

    private final String sql;
    /** READ when the statement returns rows (a query), else WRITE: what a lost node allows (LostConnectionPolicy). */
    private final RequestKind kind;
    /** The wire the statement is prepared on, and its id there. */
    private Wire preparedOn;
    private int statementId;
    private final List<ColumnInfo> parameterInfo;
    private final List<ColumnInfo> columnInfo;
    /** The result columns the Prepared answer on preparedOn named: what a RowsHeader without columns means. */
    private List<ColumnInfo> preparedColumns;
    private final Object[] parameters;
    private final List<List<Object>> batch = new ArrayList<>();

    StarlingPreparedStatement(StarlingConnection connection, String sql) throws SQLException {
        super(connection);
        this.sql = sql;
        Response response = connection.expect(RequestKind.SESSION, w -> new Request.Prepare(sql));
        if (!(response instanceof Response.Prepared prepared)) {
            throw new SQLException("unexpected response to prepare", "08P01");
        }
        this.preparedOn = connection.currentWire();
        this.statementId = prepared.statementId();
        this.kind = prepared.columns().isEmpty() ? RequestKind.WRITE : RequestKind.READ;
        this.parameterInfo = prepared.parameters();
        this.columnInfo = prepared.columns();
        this.preparedColumns = prepared.columns();
        this.parameters = new Object[parameterInfo.size()];
        Arrays.fill(parameters, UNSET);
    }

    private void set(int index, Object value) throws SQLException {
        checkOpen();
        if (index < 1 || index > parameters.length) {
            throw new SQLException("parameter index " + index + " is outside 1.." + parameters.length, "07009");
        }
        parameters[index - 1] = Conversions.toWire(value);
    }

    private List<Object> boundParameters() throws SQLException {
        List<Object> out = new ArrayList<>(parameters.length);
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] == UNSET) {
                throw new SQLException("parameter " + (i + 1) + " is not set", "07001");
            }
            out.add(parameters[i]);
        }
        return out;
    }

    @Override
    public boolean execute() throws SQLException {
        checkOpen();
        List<Object> bound = boundParameters();
        return accept(send(kind, w -> new Request.ExecutePrepared(idOn(w), bound, fetchSize())));
    }

    /** The statement's id on {@code wire}'s node, preparing it there first if the connection moved. */
    private int idOn(Wire wire) throws SQLException {
        if (wire != preparedOn) {
            Response response = wire.call(new Request.Prepare(sql));
            if (response instanceof Response.Error e) {
                throw Errors.toException(e);
            }
            if (!(response instanceof Response.Prepared prepared)) {
                throw new SQLException("unexpected response to prepare", "08P01");
            }
            preparedOn = wire;
            statementId = prepared.statementId();
            preparedColumns = prepared.columns();
        }
        return statementId;
    }

    @Override
    List<ColumnInfo> preparedColumns() {
        return preparedColumns;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (!execute()) {
            throw new SQLException("the statement returned an update count, not rows: " + abbreviate(sql), "02000");
        }
        return getResultSet();
    }

    @Override
    public int executeUpdate() throws SQLException {
        return Math.toIntExact(executeLargeUpdate());
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        if (execute()) {
            getMoreResults();
            throw new SQLException("the statement returned rows, not an update count: " + abbreviate(sql), "21000");
        }
        return getLargeUpdateCount();
    }

    @Override
    public void addBatch() throws SQLException {
        checkOpen();
        batch.add(boundParameters());
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch.clear();
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        getMoreResults();
        List<List<Object>> sets = List.copyOf(batch);
        batch.clear();
        return runBatch(new Request.Batch(sql, List.of(), sets));
    }

    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        Arrays.fill(parameters, UNSET);
    }

    @Override
    public void close() throws SQLException {
        if (!isClosed()) {
            super.close();
            connection.release(preparedOn, new Request.CloseStatement(statementId));
        }
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return columnInfo.isEmpty() ? null : new StarlingResultSetMetaData(columnInfo);
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        checkOpen();
        return new StarlingParameterMetaData(parameterInfo);
    }

    @Override
    public void setNull(int index, int sqlType) throws SQLException {
        set(index, null);
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        set(index, null);
    }

    @Override
    public void setBoolean(int index, boolean x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setByte(int index, byte x) throws SQLException {
        set(index, (int) x);
    }

    @Override
    public void setShort(int index, short x) throws SQLException {
        set(index, (int) x);
    }

    @Override
    public void setInt(int index, int x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setLong(int index, long x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setFloat(int index, float x) throws SQLException {
        set(index, (double) x);
    }

    @Override
    public void setDouble(int index, double x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setBigDecimal(int index, BigDecimal x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setNString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setDate(int index, Date x) throws SQLException {
        set(index, x);
    }

    /** The day the instant x falls on in the calendar's zone. */
    @Override
    public void setDate(int index, Date x, Calendar cal) throws SQLException {
        if (x == null || cal == null) {
            set(index, x);
            return;
        }
        set(index, java.time.Instant.ofEpochMilli(x.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalDate());
    }

    @Override
    public void setTimestamp(int index, Timestamp x) throws SQLException {
        set(index, x);
    }

    /** The wall-clock time of the instant x in the calendar's zone. */
    @Override
    public void setTimestamp(int index, Timestamp x, Calendar cal) throws SQLException {
        if (x == null || cal == null) {
            set(index, x);
            return;
        }
        set(index, java.time.LocalDateTime.ofInstant(x.toInstant(), cal.getTimeZone().toZoneId()));
    }

    @Override
    public void setObject(int index, Object x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        set(index, x);
    }
}
