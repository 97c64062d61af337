package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.util.List;

/** Types of a prepared statement's parameters, as the server's planner inferred them. */
final class StarlingParameterMetaData extends UnsupportedParameterMetaData {

    private final List<ColumnInfo> parameters;

    StarlingParameterMetaData(List<ColumnInfo> parameters) {
        this.parameters = parameters;
    }

    private ColumnInfo parameter(int index) throws SQLException {
        if (index < 1 || index > parameters.size()) {
            throw new SQLException("parameter index " + index + " is outside 1.." + parameters.size(), "07009");
        }
        return parameters.get(index - 1);
    }

    @Override
    public int getParameterCount() {
        return parameters.size();
    }

    @Override
    public int isNullable(int index) throws SQLException {
        parameter(index);
        return ParameterMetaData.parameterNullableUnknown;
    }

    @Override
    public boolean isSigned(int index) throws SQLException {
        return new StarlingResultSetMetaData(parameters).isSigned(index);
    }

    @Override
    public int getPrecision(int index) throws SQLException {
        return parameter(index).precision();
    }

    @Override
    public int getScale(int index) throws SQLException {
        return parameter(index).scale();
    }

    @Override
    public int getParameterType(int index) throws SQLException {
        return parameter(index).jdbcType();
    }

    @Override
    public String getParameterTypeName(int index) throws SQLException {
        return parameter(index).typeName();
    }

    @Override
    public String getParameterClassName(int index) throws SQLException {
        return TypeInfo.className(parameter(index).jdbcType());
    }

    @Override
    public int getParameterMode(int index) throws SQLException {
        parameter(index);
        return ParameterMetaData.parameterModeIn;
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
