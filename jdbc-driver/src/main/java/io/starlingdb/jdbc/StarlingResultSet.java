package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A forward-only, read-only result that streams: it holds one batch of rows and fetches the
 * next from the server's cursor when it runs out. Also used, without a cursor, for metadata
 * results built in the driver.
 */
public final class StarlingResultSet extends UnsupportedResultSet {

    private final StarlingStatement statement;
    private final Wire wire;
    private final int cursorId;
    private final List<ColumnInfo> columns;
    private final int maxRows;
    private List<Object[]> batch;
    private int index = -1;
    private boolean hasMore;
    private long rowNumber;
    private Object[] row;
    private boolean wasNull;
    private boolean closed;

    StarlingResultSet(StarlingStatement statement, Wire wire, int cursorId, List<ColumnInfo> columns, List<Object[]> rows,
                      boolean hasMore, int maxRows) {
        this.statement = statement;
        this.wire = wire;
        this.cursorId = cursorId;
        this.columns = columns;
        this.batch = rows;
        this.hasMore = hasMore;
        this.maxRows = maxRows;
    }

    /** A result with all its rows in hand (metadata). */
    static StarlingResultSet ofRows(List<ColumnInfo> columns, List<Object[]> rows) {
        return new StarlingResultSet(null, null, -1, columns, rows, false, 0);
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the result set is closed", "24000");
        }
    }

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        if (maxRows > 0 && rowNumber >= maxRows) {
            row = null;
            return false;
        }
        index++;
        while (index >= batch.size()) {
            if (!hasMore) {
                row = null;
                return false;
            }
            Response response = statement.connection.fetch(wire, new Request.Fetch(cursorId, statement.fetchSize()));
            if (response instanceof Response.Error e) {
                throw Errors.toException(e);
            }
            if (!(response instanceof Response.Rows rows)) {
                throw new SQLException("unexpected response to a fetch", "08P01");
            }
            batch = rows.rows();
            hasMore = rows.hasMore();
            index = 0;
        }
        row = batch.get(index);
        rowNumber++;
        return true;
    }

    void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        batch = List.of();
        if (hasMore && wire != null) {
            statement.connection.release(wire, new Request.CloseCursor(cursorId));
        }
        hasMore = false;
    }

    @Override
    public void close() throws SQLException {
        if (!closed) {
            closeQuietly();
            if (statement != null) {
                statement.resultClosed(this);
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private Object value(int column) throws SQLException {
        checkOpen();
        if (row == null) {
            throw new SQLException("no current row: call next() first", "24000");
        }
        if (column < 1 || column > columns.size()) {
            throw new SQLException("column index " + column + " is outside 1.." + columns.size(), "07009");
        }
        Object v = row[column - 1];
        wasNull = v == null;
        return v;
    }

    @Override
    public boolean wasNull() throws SQLException {
        checkOpen();
        return wasNull;
    }

    @Override
    public int findColumn(String label) throws SQLException {
        checkOpen();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).label().equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        throw new SQLException("no column labelled '" + label + "' in this result", "42S22");
    }

    @Override
    public String getString(int column) throws SQLException {
        Object v = value(column);
        return v == null ? null : Conversions.toStringValue(v);
    }

    @Override
    public boolean getBoolean(int column) throws SQLException {
        Object v = value(column);
        return v != null && Conversions.toBoolean(v);
    }

    @Override
    public byte getByte(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : (byte) Conversions.toLong(v, Byte.MIN_VALUE, Byte.MAX_VALUE, "TINYINT");
    }

    @Override
    public short getShort(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : (short) Conversions.toLong(v, Short.MIN_VALUE, Short.MAX_VALUE, "SMALLINT");
    }

    @Override
    public int getInt(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : (int) Conversions.toLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "INTEGER");
    }

    @Override
    public long getLong(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : Conversions.toLong(v, Long.MIN_VALUE, Long.MAX_VALUE, "BIGINT");
    }

    @Override
    public float getFloat(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : (float) Conversions.toDouble(v);
    }

    @Override
    public double getDouble(int column) throws SQLException {
        Object v = value(column);
        return v == null ? 0 : Conversions.toDouble(v);
    }

    @Override
    public BigDecimal getBigDecimal(int column) throws SQLException {
        Object v = value(column);
        return v == null ? null : Conversions.toBigDecimal(v);
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int column, int scale) throws SQLException {
        BigDecimal d = getBigDecimal(column);
        return d == null ? null : d.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public Date getDate(int column) throws SQLException {
        Object v = value(column);
        return v == null ? null : Date.valueOf(Conversions.toLocalDate(v));
    }

    /** The stored day as midnight in the calendar's zone (JDBC: the calendar gives the zone of the value). */
    @Override
    public Date getDate(int column, Calendar cal) throws SQLException {
        Object v = value(column);
        if (v == null || cal == null) {
            return v == null ? null : Date.valueOf(Conversions.toLocalDate(v));
        }
        return new Date(Conversions.toLocalDate(v).atStartOfDay(cal.getTimeZone().toZoneId()).toInstant().toEpochMilli());
    }

    @Override
    public Timestamp getTimestamp(int column) throws SQLException {
        Object v = value(column);
        return v == null ? null : Timestamp.valueOf(Conversions.toLocalDateTime(v));
    }

    /** The stored wall-clock time read as a time in the calendar's zone. */
    @Override
    public Timestamp getTimestamp(int column, Calendar cal) throws SQLException {
        Object v = value(column);
        if (v == null || cal == null) {
            return v == null ? null : Timestamp.valueOf(Conversions.toLocalDateTime(v));
        }
        return Timestamp.from(Conversions.toLocalDateTime(v).atZone(cal.getTimeZone().toZoneId()).toInstant());
    }

    @Override
    public Date getDate(String label, Calendar cal) throws SQLException {
        return getDate(findColumn(label), cal);
    }

    @Override
    public Timestamp getTimestamp(String label, Calendar cal) throws SQLException {
        return getTimestamp(findColumn(label), cal);
    }

    @Override
    public Object getObject(int column) throws SQLException {
        Object v = value(column);
        if (v instanceof java.time.LocalDate d) {
            return Date.valueOf(d);
        }
        if (v instanceof java.time.LocalDateTime t) {
            return Timestamp.valueOf(t);
        }
        return v;
    }

    @Override
    public <T> T getObject(int column, Class<T> type) throws SQLException {
        Object v = value(column);
        return v == null ? null : Conversions.toClass(v, type);
    }

    @Override
    public Object getObject(int column, Map<String, Class<?>> map) throws SQLException {
        return getObject(column);
    }

    @Override
    public String getString(String label) throws SQLException {
        return getString(findColumn(label));
    }

    @Override
    public boolean getBoolean(String label) throws SQLException {
        return getBoolean(findColumn(label));
    }

    @Override
    public byte getByte(String label) throws SQLException {
        return getByte(findColumn(label));
    }

    @Override
    public short getShort(String label) throws SQLException {
        return getShort(findColumn(label));
    }

    @Override
    public int getInt(String label) throws SQLException {
        return getInt(findColumn(label));
    }

    @Override
    public long getLong(String label) throws SQLException {
        return getLong(findColumn(label));
    }

    @Override
    public float getFloat(String label) throws SQLException {
        return getFloat(findColumn(label));
    }

    @Override
    public double getDouble(String label) throws SQLException {
        return getDouble(findColumn(label));
    }

    @Override
    public BigDecimal getBigDecimal(String label) throws SQLException {
        return getBigDecimal(findColumn(label));
    }

    @Override
    public Date getDate(String label) throws SQLException {
        return getDate(findColumn(label));
    }

    @Override
    public Timestamp getTimestamp(String label) throws SQLException {
        return getTimestamp(findColumn(label));
    }

    @Override
    public Object getObject(String label) throws SQLException {
        return getObject(findColumn(label));
    }

    @Override
    public <T> T getObject(String label, Class<T> type) throws SQLException {
        return getObject(findColumn(label), type);
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return new StarlingResultSetMetaData(columns);
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public int getRow() throws SQLException {
        checkOpen();
        return row == null ? 0 : (int) Math.min(rowNumber, Integer.MAX_VALUE);
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkOpen();
        return rowNumber == 0 && (!batch.isEmpty() || hasMore);
    }

    @Override
    public int getType() throws SQLException {
        checkOpen();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD) {
            throw new SQLFeatureNotSupportedException("result sets are forward-only");
        }
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return statement == null ? batch.size() : statement.fetchSize();
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
    public String getCursorName() throws SQLException {
        throw new SQLFeatureNotSupportedException("named cursors are not supported");
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

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "StarlingResultSet[%d columns, row %d]", columns.size(), rowNumber);
    }
}
