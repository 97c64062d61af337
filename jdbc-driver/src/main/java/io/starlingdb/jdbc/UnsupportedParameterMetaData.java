package io.starlingdb.jdbc;

/**
 * Answers every {@link java.sql.ParameterMetaData} method Starling does not implement with a
 * SQLFeatureNotSupportedException naming it; subclasses override what is supported.
 */
abstract class UnsupportedParameterMetaData implements java.sql.ParameterMetaData {

    @Override
    public java.lang.String getParameterClassName(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getParameterClassName is not supported by Starling");
    }

    @Override
    public int getParameterCount() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getParameterCount is not supported by Starling");
    }

    @Override
    public int getParameterMode(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getParameterMode is not supported by Starling");
    }

    @Override
    public int getParameterType(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getParameterType is not supported by Starling");
    }

    @Override
    public java.lang.String getParameterTypeName(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getParameterTypeName is not supported by Starling");
    }

    @Override
    public int getPrecision(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getPrecision is not supported by Starling");
    }

    @Override
    public int getScale(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.getScale is not supported by Starling");
    }

    @Override
    public int isNullable(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.isNullable is not supported by Starling");
    }

    @Override
    public boolean isSigned(int arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.isSigned is not supported by Starling");
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.isWrapperFor is not supported by Starling");
    }

    @Override
    public <T> T unwrap(java.lang.Class<T> arg0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ParameterMetaData.unwrap is not supported by Starling");
    }
}
