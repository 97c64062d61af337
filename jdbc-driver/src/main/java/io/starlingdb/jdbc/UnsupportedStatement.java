package io.starlingdb.jdbc;

/**
 * Answers every {@link java.sql.Statement} method Starling does not implement with a
 * SQLFeatureNotSupportedException naming it; subclasses override what is supported.
 */
abstract class UnsupportedStatement implements java.sql.Statement {

    @Override
    public void addBatch(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.addBatch is not supported by Starling");
    }

    @Override
    public void cancel() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.cancel is not supported by Starling");
    }

    @Override
    public void clearBatch() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.clearBatch is not supported by Starling");
    }

    @Override
    public void clearWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.clearWarnings is not supported by Starling");
    }

    @Override
    public void close() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.close is not supported by Starling");
    }

    @Override
    public void closeOnCompletion() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.closeOnCompletion is not supported by Starling");
    }

    @Override
    public boolean execute(java.lang.String arg0, int[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.execute is not supported by Starling");
    }

    @Override
    public boolean execute(java.lang.String arg0, java.lang.String[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.execute is not supported by Starling");
    }

    @Override
    public boolean execute(java.lang.String arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.execute is not supported by Starling");
    }

    @Override
    public boolean execute(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.execute is not supported by Starling");
    }

    @Override
    public int[] executeBatch() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeBatch is not supported by Starling");
    }

    @Override
    public java.sql.ResultSet executeQuery(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeQuery is not supported by Starling");
    }

    @Override
    public int executeUpdate(java.lang.String arg0, int[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeUpdate is not supported by Starling");
    }

    @Override
    public int executeUpdate(java.lang.String arg0, java.lang.String[] arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeUpdate is not supported by Starling");
    }

    @Override
    public int executeUpdate(java.lang.String arg0, int arg1) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeUpdate is not supported by Starling");
    }

    @Override
    public int executeUpdate(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.executeUpdate is not supported by Starling");
    }

    @Override
    public java.sql.Connection getConnection() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getConnection is not supported by Starling");
    }

    @Override
    public int getFetchDirection() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getFetchDirection is not supported by Starling");
    }

    @Override
    public int getFetchSize() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getFetchSize is not supported by Starling");
    }

    @Override
    public java.sql.ResultSet getGeneratedKeys() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getGeneratedKeys is not supported by Starling");
    }

    @Override
    public int getMaxFieldSize() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getMaxFieldSize is not supported by Starling");
    }

    @Override
    public int getMaxRows() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getMaxRows is not supported by Starling");
    }

    @Override
    public boolean getMoreResults() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getMoreResults is not supported by Starling");
    }

    @Override
    public boolean getMoreResults(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getMoreResults is not supported by Starling");
    }

    @Override
    public int getQueryTimeout() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getQueryTimeout is not supported by Starling");
    }

    @Override
    public java.sql.ResultSet getResultSet() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getResultSet is not supported by Starling");
    }

    @Override
    public int getResultSetConcurrency() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getResultSetConcurrency is not supported by Starling");
    }

    @Override
    public int getResultSetHoldability() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getResultSetHoldability is not supported by Starling");
    }

    @Override
    public int getResultSetType() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getResultSetType is not supported by Starling");
    }

    @Override
    public int getUpdateCount() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getUpdateCount is not supported by Starling");
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.getWarnings is not supported by Starling");
    }

    @Override
    public boolean isCloseOnCompletion() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.isCloseOnCompletion is not supported by Starling");
    }

    @Override
    public boolean isClosed() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.isClosed is not supported by Starling");
    }

    @Override
    public boolean isPoolable() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.isPoolable is not supported by Starling");
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.isWrapperFor is not supported by Starling");
    }

    @Override
    public void setCursorName(java.lang.String arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setCursorName is not supported by Starling");
    }

    @Override
    public void setEscapeProcessing(boolean arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setEscapeProcessing is not supported by Starling");
    }

    @Override
    public void setFetchDirection(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setFetchDirection is not supported by Starling");
    }

    @Override
    public void setFetchSize(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setFetchSize is not supported by Starling");
    }

    @Override
    public void setMaxFieldSize(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setMaxFieldSize is not supported by Starling");
    }

    @Override
    public void setMaxRows(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setMaxRows is not supported by Starling");
    }

    @Override
    public void setPoolable(boolean arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setPoolable is not supported by Starling");
    }

    @Override
    public void setQueryTimeout(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.setQueryTimeout is not supported by Starling");
    }

    @Override
    public <T> T unwrap(java.lang.Class<T> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("Statement.unwrap is not supported by Starling");
    }
}
