package io.starlingdb.jdbc;

/**
 * Answers every {@link java.sql.ResultSet} method Starling does not implement with a
 * SQLFeatureNotSupportedException naming it; subclasses override what is supported.
 */
abstract class UnsupportedResultSet implements java.sql.ResultSet {

    @Override
    public boolean absolute(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.absolute is not supported by Starling");
    }

    @Override
    public void afterLast() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.afterLast is not supported by Starling");
    }

    @Override
    public void beforeFirst() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.beforeFirst is not supported by Starling");
    }

    @Override
    public void cancelRowUpdates() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.cancelRowUpdates is not supported by Starling");
    }

    @Override
    public void clearWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.clearWarnings is not supported by Starling");
    }

    @Override
    public void close() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.close is not supported by Starling");
    }

    @Override
    public void deleteRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.deleteRow is not supported by Starling");
    }

    @Override
    public int findColumn(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.findColumn is not supported by Starling");
    }

    @Override
    public boolean first() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.first is not supported by Starling");
    }

    @Override
    public java.sql.Array getArray(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getArray is not supported by Starling");
    }

    @Override
    public java.sql.Array getArray(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getArray is not supported by Starling");
    }

    @Override
    public java.io.InputStream getAsciiStream(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getAsciiStream is not supported by Starling");
    }

    @Override
    public java.io.InputStream getAsciiStream(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getAsciiStream is not supported by Starling");
    }

    @Override
    public java.math.BigDecimal getBigDecimal(java.lang.String arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBigDecimal is not supported by Starling");
    }

    @Override
    public java.math.BigDecimal getBigDecimal(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBigDecimal is not supported by Starling");
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBigDecimal is not supported by Starling");
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBigDecimal is not supported by Starling");
    }

    @Override
    public java.io.InputStream getBinaryStream(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBinaryStream is not supported by Starling");
    }

    @Override
    public java.io.InputStream getBinaryStream(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBinaryStream is not supported by Starling");
    }

    @Override
    public java.sql.Blob getBlob(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBlob is not supported by Starling");
    }

    @Override
    public java.sql.Blob getBlob(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBlob is not supported by Starling");
    }

    @Override
    public boolean getBoolean(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBoolean is not supported by Starling");
    }

    @Override
    public boolean getBoolean(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBoolean is not supported by Starling");
    }

    @Override
    public byte getByte(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getByte is not supported by Starling");
    }

    @Override
    public byte getByte(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getByte is not supported by Starling");
    }

    @Override
    public byte[] getBytes(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBytes is not supported by Starling");
    }

    @Override
    public byte[] getBytes(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getBytes is not supported by Starling");
    }

    @Override
    public java.io.Reader getCharacterStream(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getCharacterStream is not supported by Starling");
    }

    @Override
    public java.io.Reader getCharacterStream(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getCharacterStream is not supported by Starling");
    }

    @Override
    public java.sql.Clob getClob(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getClob is not supported by Starling");
    }

    @Override
    public java.sql.Clob getClob(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getClob is not supported by Starling");
    }

    @Override
    public int getConcurrency() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getConcurrency is not supported by Starling");
    }

    @Override
    public java.lang.String getCursorName() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getCursorName is not supported by Starling");
    }

    @Override
    public java.sql.Date getDate(java.lang.String arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDate is not supported by Starling");
    }

    @Override
    public java.sql.Date getDate(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDate is not supported by Starling");
    }

    @Override
    public java.sql.Date getDate(int arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDate is not supported by Starling");
    }

    @Override
    public java.sql.Date getDate(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDate is not supported by Starling");
    }

    @Override
    public double getDouble(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDouble is not supported by Starling");
    }

    @Override
    public double getDouble(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getDouble is not supported by Starling");
    }

    @Override
    public int getFetchDirection() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getFetchDirection is not supported by Starling");
    }

    @Override
    public int getFetchSize() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getFetchSize is not supported by Starling");
    }

    @Override
    public float getFloat(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getFloat is not supported by Starling");
    }

    @Override
    public float getFloat(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getFloat is not supported by Starling");
    }

    @Override
    public int getHoldability() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getHoldability is not supported by Starling");
    }

    @Override
    public int getInt(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getInt is not supported by Starling");
    }

    @Override
    public int getInt(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getInt is not supported by Starling");
    }

    @Override
    public long getLong(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getLong is not supported by Starling");
    }

    @Override
    public long getLong(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getLong is not supported by Starling");
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getMetaData is not supported by Starling");
    }

    @Override
    public java.io.Reader getNCharacterStream(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNCharacterStream is not supported by Starling");
    }

    @Override
    public java.io.Reader getNCharacterStream(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNCharacterStream is not supported by Starling");
    }

    @Override
    public java.sql.NClob getNClob(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNClob is not supported by Starling");
    }

    @Override
    public java.sql.NClob getNClob(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNClob is not supported by Starling");
    }

    @Override
    public java.lang.String getNString(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNString is not supported by Starling");
    }

    @Override
    public java.lang.String getNString(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getNString is not supported by Starling");
    }

    @Override
    public <T> T getObject(java.lang.String arg0, java.lang.Class<T> arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public java.lang.Object getObject(java.lang.String arg0, java.util.Map<java.lang.String, java.lang.Class<?>> arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public java.lang.Object getObject(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public <T> T getObject(int arg0, java.lang.Class<T> arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public java.lang.Object getObject(int arg0, java.util.Map<java.lang.String, java.lang.Class<?>> arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public java.lang.Object getObject(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getObject is not supported by Starling");
    }

    @Override
    public java.sql.Ref getRef(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getRef is not supported by Starling");
    }

    @Override
    public java.sql.Ref getRef(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getRef is not supported by Starling");
    }

    @Override
    public int getRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getRow is not supported by Starling");
    }

    @Override
    public java.sql.RowId getRowId(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getRowId is not supported by Starling");
    }

    @Override
    public java.sql.RowId getRowId(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getRowId is not supported by Starling");
    }

    @Override
    public java.sql.SQLXML getSQLXML(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getSQLXML is not supported by Starling");
    }

    @Override
    public java.sql.SQLXML getSQLXML(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getSQLXML is not supported by Starling");
    }

    @Override
    public short getShort(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getShort is not supported by Starling");
    }

    @Override
    public short getShort(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getShort is not supported by Starling");
    }

    @Override
    public java.sql.Statement getStatement() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getStatement is not supported by Starling");
    }

    @Override
    public java.lang.String getString(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getString is not supported by Starling");
    }

    @Override
    public java.lang.String getString(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getString is not supported by Starling");
    }

    @Override
    public java.sql.Time getTime(java.lang.String arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTime is not supported by Starling");
    }

    @Override
    public java.sql.Time getTime(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTime is not supported by Starling");
    }

    @Override
    public java.sql.Time getTime(int arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTime is not supported by Starling");
    }

    @Override
    public java.sql.Time getTime(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTime is not supported by Starling");
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTimestamp is not supported by Starling");
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTimestamp is not supported by Starling");
    }

    @Override
    public java.sql.Timestamp getTimestamp(int arg0, java.util.Calendar arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTimestamp is not supported by Starling");
    }

    @Override
    public java.sql.Timestamp getTimestamp(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getTimestamp is not supported by Starling");
    }

    @Override
    public int getType() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getType is not supported by Starling");
    }

    @Override
    public java.net.URL getURL(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getURL is not supported by Starling");
    }

    @Override
    public java.net.URL getURL(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getURL is not supported by Starling");
    }

    @Override
    public java.io.InputStream getUnicodeStream(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getUnicodeStream is not supported by Starling");
    }

    @Override
    public java.io.InputStream getUnicodeStream(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getUnicodeStream is not supported by Starling");
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.getWarnings is not supported by Starling");
    }

    @Override
    public void insertRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.insertRow is not supported by Starling");
    }

    @Override
    public boolean isAfterLast() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isAfterLast is not supported by Starling");
    }

    @Override
    public boolean isBeforeFirst() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isBeforeFirst is not supported by Starling");
    }

    @Override
    public boolean isClosed() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isClosed is not supported by Starling");
    }

    @Override
    public boolean isFirst() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isFirst is not supported by Starling");
    }

    @Override
    public boolean isLast() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isLast is not supported by Starling");
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.isWrapperFor is not supported by Starling");
    }

    @Override
    public boolean last() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.last is not supported by Starling");
    }

    @Override
    public void moveToCurrentRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.moveToCurrentRow is not supported by Starling");
    }

    @Override
    public void moveToInsertRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.moveToInsertRow is not supported by Starling");
    }

    @Override
    public boolean next() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.next is not supported by Starling");
    }

    @Override
    public boolean previous() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.previous is not supported by Starling");
    }

    @Override
    public void refreshRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.refreshRow is not supported by Starling");
    }

    @Override
    public boolean relative(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.relative is not supported by Starling");
    }

    @Override
    public boolean rowDeleted() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.rowDeleted is not supported by Starling");
    }

    @Override
    public boolean rowInserted() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.rowInserted is not supported by Starling");
    }

    @Override
    public boolean rowUpdated() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.rowUpdated is not supported by Starling");
    }

    @Override
    public void setFetchDirection(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.setFetchDirection is not supported by Starling");
    }

    @Override
    public void setFetchSize(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.setFetchSize is not supported by Starling");
    }

    @Override
    public <T> T unwrap(java.lang.Class<T> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.unwrap is not supported by Starling");
    }

    @Override
    public void updateArray(java.lang.String arg0, java.sql.Array arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateArray is not supported by Starling");
    }

    @Override
    public void updateArray(int arg0, java.sql.Array arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateArray is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(java.lang.String arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(java.lang.String arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(java.lang.String arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(int arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateAsciiStream(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateAsciiStream is not supported by Starling");
    }

    @Override
    public void updateBigDecimal(java.lang.String arg0, java.math.BigDecimal arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBigDecimal is not supported by Starling");
    }

    @Override
    public void updateBigDecimal(int arg0, java.math.BigDecimal arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBigDecimal is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(java.lang.String arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(java.lang.String arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(java.lang.String arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(int arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBinaryStream(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBinaryStream is not supported by Starling");
    }

    @Override
    public void updateBlob(java.lang.String arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBlob(java.lang.String arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBlob(java.lang.String arg0, java.sql.Blob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBlob(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBlob(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBlob(int arg0, java.sql.Blob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBlob is not supported by Starling");
    }

    @Override
    public void updateBoolean(java.lang.String arg0, boolean arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBoolean is not supported by Starling");
    }

    @Override
    public void updateBoolean(int arg0, boolean arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBoolean is not supported by Starling");
    }

    @Override
    public void updateByte(java.lang.String arg0, byte arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateByte is not supported by Starling");
    }

    @Override
    public void updateByte(int arg0, byte arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateByte is not supported by Starling");
    }

    @Override
    public void updateBytes(java.lang.String arg0, byte[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBytes is not supported by Starling");
    }

    @Override
    public void updateBytes(int arg0, byte[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateBytes is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(java.lang.String arg0, java.io.Reader arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(java.lang.String arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(java.lang.String arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(int arg0, java.io.Reader arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateCharacterStream(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateCharacterStream is not supported by Starling");
    }

    @Override
    public void updateClob(java.lang.String arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateClob(java.lang.String arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateClob(java.lang.String arg0, java.sql.Clob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateClob(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateClob(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateClob(int arg0, java.sql.Clob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateClob is not supported by Starling");
    }

    @Override
    public void updateDate(java.lang.String arg0, java.sql.Date arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateDate is not supported by Starling");
    }

    @Override
    public void updateDate(int arg0, java.sql.Date arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateDate is not supported by Starling");
    }

    @Override
    public void updateDouble(java.lang.String arg0, double arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateDouble is not supported by Starling");
    }

    @Override
    public void updateDouble(int arg0, double arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateDouble is not supported by Starling");
    }

    @Override
    public void updateFloat(java.lang.String arg0, float arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateFloat is not supported by Starling");
    }

    @Override
    public void updateFloat(int arg0, float arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateFloat is not supported by Starling");
    }

    @Override
    public void updateInt(java.lang.String arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateInt is not supported by Starling");
    }

    @Override
    public void updateInt(int arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateInt is not supported by Starling");
    }

    @Override
    public void updateLong(java.lang.String arg0, long arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateLong is not supported by Starling");
    }

    @Override
    public void updateLong(int arg0, long arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateLong is not supported by Starling");
    }

    @Override
    public void updateNCharacterStream(java.lang.String arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNCharacterStream is not supported by Starling");
    }

    @Override
    public void updateNCharacterStream(java.lang.String arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNCharacterStream is not supported by Starling");
    }

    @Override
    public void updateNCharacterStream(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNCharacterStream is not supported by Starling");
    }

    @Override
    public void updateNCharacterStream(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNCharacterStream is not supported by Starling");
    }

    @Override
    public void updateNClob(java.lang.String arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNClob(java.lang.String arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNClob(java.lang.String arg0, java.sql.NClob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNClob(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNClob(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNClob(int arg0, java.sql.NClob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNClob is not supported by Starling");
    }

    @Override
    public void updateNString(java.lang.String arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNString is not supported by Starling");
    }

    @Override
    public void updateNString(int arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNString is not supported by Starling");
    }

    @Override
    public void updateNull(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNull is not supported by Starling");
    }

    @Override
    public void updateNull(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateNull is not supported by Starling");
    }

    @Override
    public void updateObject(java.lang.String arg0, java.lang.Object arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateObject is not supported by Starling");
    }

    @Override
    public void updateObject(java.lang.String arg0, java.lang.Object arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateObject is not supported by Starling");
    }

    @Override
    public void updateObject(int arg0, java.lang.Object arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateObject is not supported by Starling");
    }

    @Override
    public void updateObject(int arg0, java.lang.Object arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateObject is not supported by Starling");
    }

    @Override
    public void updateRef(java.lang.String arg0, java.sql.Ref arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateRef is not supported by Starling");
    }

    @Override
    public void updateRef(int arg0, java.sql.Ref arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateRef is not supported by Starling");
    }

    @Override
    public void updateRow() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateRow is not supported by Starling");
    }

    @Override
    public void updateRowId(java.lang.String arg0, java.sql.RowId arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateRowId is not supported by Starling");
    }

    @Override
    public void updateRowId(int arg0, java.sql.RowId arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateRowId is not supported by Starling");
    }

    @Override
    public void updateSQLXML(java.lang.String arg0, java.sql.SQLXML arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateSQLXML is not supported by Starling");
    }

    @Override
    public void updateSQLXML(int arg0, java.sql.SQLXML arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateSQLXML is not supported by Starling");
    }

    @Override
    public void updateShort(java.lang.String arg0, short arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateShort is not supported by Starling");
    }

    @Override
    public void updateShort(int arg0, short arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateShort is not supported by Starling");
    }

    @Override
    public void updateString(java.lang.String arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateString is not supported by Starling");
    }

    @Override
    public void updateString(int arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateString is not supported by Starling");
    }

    @Override
    public void updateTime(java.lang.String arg0, java.sql.Time arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateTime is not supported by Starling");
    }

    @Override
    public void updateTime(int arg0, java.sql.Time arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateTime is not supported by Starling");
    }

    @Override
    public void updateTimestamp(java.lang.String arg0, java.sql.Timestamp arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateTimestamp is not supported by Starling");
    }

    @Override
    public void updateTimestamp(int arg0, java.sql.Timestamp arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.updateTimestamp is not supported by Starling");
    }

    @Override
    public boolean wasNull() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSet.wasNull is not supported by Starling");
    }
}
