package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** Column descriptions of a result, as the server sent them. */
final class StarlingResultSetMetaData extends UnsupportedResultSetMetaData {

    private final List<ColumnInfo> columns;

    StarlingResultSetMetaData(List<ColumnInfo> columns) {
        this.columns = columns;
    }

    private ColumnInfo column(int column) throws SQLException {
        if (column < 1 || column > columns.size()) {
            throw new SQLException("column index " + column + " is outside 1.." + columns.size(), "07009");
        }
        return columns.get(column - 1);
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return column(column).name();
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return column(column).label();
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        return column(column).jdbcType();
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        return column(column).typeName();
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        return TypeInfo.className(column(column).jdbcType());
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return column(column).precision();
    }

    @Override
    public int getScale(int column) throws SQLException {
        return column(column).scale();
    }

    @Override
    public int isNullable(int column) throws SQLException {
        return column(column).nullable() ? ResultSetMetaData.columnNullable : ResultSetMetaData.columnNoNulls;
    }

    @Override
    public String getTableName(int column) throws SQLException {
        return column(column).table();
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        column(column);
        return "PUBLIC";
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        column(column);
        return "";
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        ColumnInfo c = column(column);
        return switch (c.jdbcType()) {
            case Types.VARCHAR, Types.CHAR -> c.precision() > 0 ? c.precision() : 255;
            case Types.BOOLEAN -> 5;
            case Types.INTEGER -> 11;
            case Types.BIGINT -> 20;
            case Types.DOUBLE -> 24;
            case Types.DECIMAL -> c.precision() + 2;
            case Types.DATE -> 10;
            case Types.TIMESTAMP -> c.precision() > 3 ? 26 : 23; // yyyy-mm-dd hh:mm:ss.ffffff or .fff
            default -> 32;
        };
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        column(column);
        return false;
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return column(column).jdbcType() == Types.VARCHAR;
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        column(column);
        return true;
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        column(column);
        return false;
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        int t = column(column).jdbcType();
        return t == Types.INTEGER || t == Types.BIGINT || t == Types.DOUBLE || t == Types.DECIMAL || t == Types.SMALLINT
                || t == Types.TINYINT || t == Types.REAL || t == Types.FLOAT;
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        column(column);
        return true;
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        column(column);
        return false;
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        column(column);
        return false;
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
