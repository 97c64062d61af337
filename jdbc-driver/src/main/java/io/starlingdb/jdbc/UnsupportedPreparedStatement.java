package io.starlingdb.jdbc;

/**
 * Answers every {@link java.sql.PreparedStatement} method Starling does not implement with a
 * SQLFeatureNotSupportedException naming it; subclasses override what is supported.
 */
abstract class UnsupportedPreparedStatement extends StarlingStatement implements java.sql.PreparedStatement {

    UnsupportedPreparedStatement(StarlingConnection connection) {
        super(connection);
    }

    @Override
    public void addBatch() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.addBatch is not supported by Starling");
    }

    @Override
    public void clearParameters() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.clearParameters is not supported by Starling");
    }

    @Override
    public boolean execute() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.execute is not supported by Starling");
    }

    @Override
    public java.sql.ResultSet executeQuery() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.executeQuery is not supported by Starling");
    }

    @Override
    public int executeUpdate() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.executeUpdate is not supported by Starling");
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.getMetaData is not supported by Starling");
    }

    @Override
    public java.sql.ParameterMetaData getParameterMetaData() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.getParameterMetaData is not supported by Starling");
    }

    @Override
    public void setArray(int arg0, java.sql.Array arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setArray is not supported by Starling");
    }

    @Override
    public void setAsciiStream(int arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setAsciiStream is not supported by Starling");
    }

    @Override
    public void setAsciiStream(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setAsciiStream is not supported by Starling");
    }

    @Override
    public void setAsciiStream(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setAsciiStream is not supported by Starling");
    }

    @Override
    public void setBigDecimal(int arg0, java.math.BigDecimal arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBigDecimal is not supported by Starling");
    }

    @Override
    public void setBinaryStream(int arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBinaryStream is not supported by Starling");
    }

    @Override
    public void setBinaryStream(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBinaryStream is not supported by Starling");
    }

    @Override
    public void setBinaryStream(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBinaryStream is not supported by Starling");
    }

    @Override
    public void setBlob(int arg0, java.io.InputStream arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBlob is not supported by Starling");
    }

    @Override
    public void setBlob(int arg0, java.io.InputStream arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBlob is not supported by Starling");
    }

    @Override
    public void setBlob(int arg0, java.sql.Blob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBlob is not supported by Starling");
    }

    @Override
    public void setBoolean(int arg0, boolean arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBoolean is not supported by Starling");
    }

    @Override
    public void setByte(int arg0, byte arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setByte is not supported by Starling");
    }

    @Override
    public void setBytes(int arg0, byte[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setBytes is not supported by Starling");
    }

    @Override
    public void setCharacterStream(int arg0, java.io.Reader arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setCharacterStream is not supported by Starling");
    }

    @Override
    public void setCharacterStream(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setCharacterStream is not supported by Starling");
    }

    @Override
    public void setCharacterStream(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setCharacterStream is not supported by Starling");
    }

    @Override
    public void setClob(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setClob is not supported by Starling");
    }

    @Override
    public void setClob(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setClob is not supported by Starling");
    }

    @Override
    public void setClob(int arg0, java.sql.Clob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setClob is not supported by Starling");
    }

    @Override
    public void setDate(int arg0, java.sql.Date arg1, java.util.Calendar arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setDate is not supported by Starling");
    }

    @Override
    public void setDate(int arg0, java.sql.Date arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setDate is not supported by Starling");
    }

    @Override
    public void setDouble(int arg0, double arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setDouble is not supported by Starling");
    }

    @Override
    public void setFloat(int arg0, float arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setFloat is not supported by Starling");
    }

    @Override
    public void setInt(int arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setInt is not supported by Starling");
    }

    @Override
    public void setLong(int arg0, long arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setLong is not supported by Starling");
    }

    @Override
    public void setNCharacterStream(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNCharacterStream is not supported by Starling");
    }

    @Override
    public void setNCharacterStream(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNCharacterStream is not supported by Starling");
    }

    @Override
    public void setNClob(int arg0, java.io.Reader arg1, long arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNClob is not supported by Starling");
    }

    @Override
    public void setNClob(int arg0, java.io.Reader arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNClob is not supported by Starling");
    }

    @Override
    public void setNClob(int arg0, java.sql.NClob arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNClob is not supported by Starling");
    }

    @Override
    public void setNString(int arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNString is not supported by Starling");
    }

    @Override
    public void setNull(int arg0, int arg1, java.lang.String arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNull is not supported by Starling");
    }

    @Override
    public void setNull(int arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setNull is not supported by Starling");
    }

    @Override
    public void setObject(int arg0, java.lang.Object arg1, int arg2, int arg3) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setObject is not supported by Starling");
    }

    @Override
    public void setObject(int arg0, java.lang.Object arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setObject is not supported by Starling");
    }

    @Override
    public void setObject(int arg0, java.lang.Object arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setObject is not supported by Starling");
    }

    @Override
    public void setRef(int arg0, java.sql.Ref arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setRef is not supported by Starling");
    }

    @Override
    public void setRowId(int arg0, java.sql.RowId arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setRowId is not supported by Starling");
    }

    @Override
    public void setSQLXML(int arg0, java.sql.SQLXML arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setSQLXML is not supported by Starling");
    }

    @Override
    public void setShort(int arg0, short arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setShort is not supported by Starling");
    }

    @Override
    public void setString(int arg0, java.lang.String arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setString is not supported by Starling");
    }

    @Override
    public void setTime(int arg0, java.sql.Time arg1, java.util.Calendar arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setTime is not supported by Starling");
    }

    @Override
    public void setTime(int arg0, java.sql.Time arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setTime is not supported by Starling");
    }

    @Override
    public void setTimestamp(int arg0, java.sql.Timestamp arg1, java.util.Calendar arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setTimestamp is not supported by Starling");
    }

    @Override
    public void setTimestamp(int arg0, java.sql.Timestamp arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setTimestamp is not supported by Starling");
    }

    @Override
    public void setURL(int arg0, java.net.URL arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setURL is not supported by Starling");
    }

    @Override
    public void setUnicodeStream(int arg0, java.io.InputStream arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("PreparedStatement.setUnicodeStream is not supported by Starling");
    }
}
