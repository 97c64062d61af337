package io.starlingdb.jdbc;

/**
 * Answers every {@link java.sql.Connection} method Starling does not implement with a
 * SQLFeatureNotSupportedException naming it; subclasses override what is supported.
 */
abstract class UnsupportedConnection implements java.sql.Connection {

    @Override
    public void abort(java.util.concurrent.Executor arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.abort is not supported by Starling");
    }

    @Override
    public void clearWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.clearWarnings is not supported by Starling");
    }

    @Override
    public void close() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.close is not supported by Starling");
    }

    @Override
    public void commit() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.commit is not supported by Starling");
    }

    @Override
    public java.sql.Array createArrayOf(java.lang.String arg0, java.lang.Object[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createArrayOf is not supported by Starling");
    }

    @Override
    public java.sql.Blob createBlob() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createBlob is not supported by Starling");
    }

    @Override
    public java.sql.Clob createClob() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createClob is not supported by Starling");
    }

    @Override
    public java.sql.NClob createNClob() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createNClob is not supported by Starling");
    }

    @Override
    public java.sql.SQLXML createSQLXML() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createSQLXML is not supported by Starling");
    }

    @Override
    public java.sql.Statement createStatement() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createStatement is not supported by Starling");
    }

    @Override
    public java.sql.Statement createStatement(int arg0, int arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createStatement is not supported by Starling");
    }

    @Override
    public java.sql.Statement createStatement(int arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createStatement is not supported by Starling");
    }

    @Override
    public java.sql.Struct createStruct(java.lang.String arg0, java.lang.Object[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.createStruct is not supported by Starling");
    }

    @Override
    public boolean getAutoCommit() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getAutoCommit is not supported by Starling");
    }

    @Override
    public java.lang.String getCatalog() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getCatalog is not supported by Starling");
    }

    @Override
    public java.util.Properties getClientInfo() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getClientInfo is not supported by Starling");
    }

    @Override
    public java.lang.String getClientInfo(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getClientInfo is not supported by Starling");
    }

    @Override
    public int getHoldability() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getHoldability is not supported by Starling");
    }

    @Override
    public java.sql.DatabaseMetaData getMetaData() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getMetaData is not supported by Starling");
    }

    @Override
    public int getNetworkTimeout() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getNetworkTimeout is not supported by Starling");
    }

    @Override
    public java.lang.String getSchema() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getSchema is not supported by Starling");
    }

    @Override
    public int getTransactionIsolation() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getTransactionIsolation is not supported by Starling");
    }

    @Override
    public java.util.Map<java.lang.String, java.lang.Class<?>> getTypeMap() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getTypeMap is not supported by Starling");
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.getWarnings is not supported by Starling");
    }

    @Override
    public boolean isClosed() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.isClosed is not supported by Starling");
    }

    @Override
    public boolean isReadOnly() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.isReadOnly is not supported by Starling");
    }

    @Override
    public boolean isValid(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.isValid is not supported by Starling");
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.isWrapperFor is not supported by Starling");
    }

    @Override
    public java.lang.String nativeSQL(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.nativeSQL is not supported by Starling");
    }

    @Override
    public java.sql.CallableStatement prepareCall(java.lang.String arg0, int arg1, int arg2, int arg3) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareCall is not supported by Starling");
    }

    @Override
    public java.sql.CallableStatement prepareCall(java.lang.String arg0, int arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareCall is not supported by Starling");
    }

    @Override
    public java.sql.CallableStatement prepareCall(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareCall is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0, int[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0, java.lang.String[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0, int arg1, int arg2, int arg3) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0, int arg1, int arg2) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public java.sql.PreparedStatement prepareStatement(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.prepareStatement is not supported by Starling");
    }

    @Override
    public void releaseSavepoint(java.sql.Savepoint arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.releaseSavepoint is not supported by Starling");
    }

    @Override
    public void rollback() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.rollback is not supported by Starling");
    }

    @Override
    public void rollback(java.sql.Savepoint arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.rollback is not supported by Starling");
    }

    @Override
    public void setAutoCommit(boolean arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setAutoCommit is not supported by Starling");
    }

    @Override
    public void setCatalog(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setCatalog is not supported by Starling");
    }

    @Override
    public void setClientInfo(java.lang.String arg0, java.lang.String arg1) throws java.sql.SQLClientInfoException {
        throw new java.sql.SQLClientInfoException("client info is not supported by Starling", java.util.Map.of());
    }

    @Override
    public void setClientInfo(java.util.Properties arg0) throws java.sql.SQLClientInfoException {
        throw new java.sql.SQLClientInfoException("client info is not supported by Starling", java.util.Map.of());
    }

    @Override
    public void setHoldability(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setHoldability is not supported by Starling");
    }

    @Override
    public void setNetworkTimeout(java.util.concurrent.Executor arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setNetworkTimeout is not supported by Starling");
    }

    @Override
    public void setReadOnly(boolean arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setReadOnly is not supported by Starling");
    }

    @Override
    public java.sql.Savepoint setSavepoint() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setSavepoint is not supported by Starling");
    }

    @Override
    public java.sql.Savepoint setSavepoint(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setSavepoint is not supported by Starling");
    }

    @Override
    public void setSchema(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setSchema is not supported by Starling");
    }

    @Override
    public void setTransactionIsolation(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setTransactionIsolation is not supported by Starling");
    }

    @Override
    public void setTypeMap(java.util.Map<java.lang.String, java.lang.Class<?>> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.setTypeMap is not supported by Starling");
    }

    @Override
    public <T> T unwrap(java.lang.Class<T> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Connection.unwrap is not supported by Starling");
    }
}
