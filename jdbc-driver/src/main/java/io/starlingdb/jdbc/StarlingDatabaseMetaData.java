package io.starlingdb.jdbc;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import io.starlingdb.jdbc.protocol.TableDescription;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Catalog questions answered from one catalog snapshot the server sends per call, with the
 * result-set columns the JDBC specification names for each method; every capability question
 * is answered here, as decided for Starling (tools such as ORMs and SQL editors read them), and
 * what is not implemented throws SQLFeatureNotSupportedException where it is declared.
 */
final class StarlingDatabaseMetaData implements DatabaseMetaData {

    /** Columns per index (the server's Ddl.MAX_INDEX_COLUMNS, docs/sql.md "Limits"). */
    static final int MAX_INDEX_COLUMNS = 16;
    /** Bytes of an encoded index or primary key (the engine's Limits.maxKeyBytes, docs/sql.md "Limits"). */
    static final int MAX_KEY_BYTES = 4096;

    private final StarlingConnection connection;

    StarlingDatabaseMetaData(StarlingConnection connection) {
        this.connection = connection;
    }

    private List<TableDescription> tables() throws SQLException {
        Response response = connection.expect(RequestKind.SESSION, w -> new Request.Metadata());
        if (!(response instanceof Response.Catalog catalog)) {
            throw new SQLException("unexpected response to a metadata request", "08P01");
        }
        return catalog.tables();
    }

    /** JDBC LIKE patterns: % any run, _ one character, \ escapes; null matches everything. */
    private static Pattern like(String pattern) {
        if (pattern == null) {
            return Pattern.compile(".*", Pattern.DOTALL);
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    private static boolean matches(Pattern p, String s) {
        return p.matcher(s == null ? "" : s).matches();
    }

    private static ColumnInfo col(String name, int type) {
        String typeName = switch (type) {
            case Types.INTEGER -> "INTEGER";
            case Types.SMALLINT -> "SMALLINT";
            case Types.BOOLEAN -> "BOOLEAN";
            case Types.BIGINT -> "BIGINT";
            default -> "VARCHAR";
        };
        return new ColumnInfo(name, name, type, typeName, 0, 0, true, "");
    }

    private static List<ColumnInfo> cols(Object... nameTypePairs) {
        List<ColumnInfo> out = new ArrayList<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            out.add(col((String) nameTypePairs[i], (Integer) nameTypePairs[i + 1]));
        }
        return out;
    }

    private static final int S = Types.VARCHAR;
    private static final int I = Types.INTEGER;
    private static final int SH = Types.SMALLINT;
    private static final int B = Types.BOOLEAN;

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types) throws SQLException {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        if (types != null) {
            for (String t : types) {
                wanted.add(t == null ? null : t.toUpperCase(java.util.Locale.ROOT));
            }
        }
        List<Object[]> rows = new ArrayList<>();
        Pattern schema = like(schemaPattern);
        Pattern table = like(tableNamePattern);
        for (TableDescription t : tables()) {
            if ((types == null || wanted.contains(t.type())) && matches(schema, t.schema()) && matches(table, t.name())) {
                rows.add(new Object[] {null, t.schema(), t.name(), t.type(), null, null, null, null, null, null});
            }
        }
        // JDBC orders by TABLE_TYPE, TABLE_CAT, TABLE_SCHEM and TABLE_NAME.
        rows.sort(java.util.Comparator.comparing((Object[] r) -> (String) r[3]).thenComparing(r -> (String) r[1])
                .thenComparing(r -> (String) r[2]));
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "TABLE_TYPE", S, "REMARKS", S,
                "TYPE_CAT", S, "TYPE_SCHEM", S, "TYPE_NAME", S, "SELF_REFERENCING_COL_NAME", S, "REF_GENERATION", S), rows);
    }

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        Pattern schema = like(schemaPattern);
        Pattern table = like(tableNamePattern);
        Pattern column = like(columnNamePattern);
        List<Object[]> rows = new ArrayList<>();
        for (TableDescription t : tables()) {
            if (!matches(schema, t.schema()) || !matches(table, t.name())) {
                continue;
            }
            int position = 0;
            for (TableDescription.Column c : t.columns()) {
                position++;
                if (!matches(column, c.name())) {
                    continue;
                }
                rows.add(new Object[] {null, t.schema(), t.name(), c.name(), c.jdbcType(), c.typeName(), columnSize(c), null,
                        c.scale(), 10, c.nullable() ? columnNullable : columnNoNulls, null, c.defaultValue(), null, null,
                        c.jdbcType() == Types.VARCHAR ? c.precision() : null, position, c.nullable() ? "YES" : "NO", null, null,
                        null, null, "NO", "NO"});
            }
        }
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "COLUMN_NAME", S, "DATA_TYPE", I,
                "TYPE_NAME", S, "COLUMN_SIZE", I, "BUFFER_LENGTH", I, "DECIMAL_DIGITS", I, "NUM_PREC_RADIX", I, "NULLABLE", I,
                "REMARKS", S, "COLUMN_DEF", S, "SQL_DATA_TYPE", I, "SQL_DATETIME_SUB", I, "CHAR_OCTET_LENGTH", I,
                "ORDINAL_POSITION", I, "IS_NULLABLE", S, "SCOPE_CATALOG", S, "SCOPE_SCHEMA", S, "SCOPE_TABLE", S,
                "SOURCE_DATA_TYPE", SH, "IS_AUTOINCREMENT", S, "IS_GENERATEDCOLUMN", S), rows);
    }

    /** COLUMN_SIZE: the declared precision or length, else the type's own (10 for INTEGER, as JDBC tools expect). */
    private static int columnSize(TableDescription.Column c) {
        if (c.precision() > 0) {
            return c.precision();
        }
        for (TypeInfo.SqlType t : TypeInfo.TYPES) {
            if (t.jdbcType() == c.jdbcType()) {
                return t.precision();
            }
        }
        return 0;
    }

    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (TableDescription t : tables()) {
            if ((schema == null || schema.equalsIgnoreCase(t.schema())) && t.name().equalsIgnoreCase(table)) {
                for (int i = 0; i < t.primaryKey().size(); i++) {
                    rows.add(new Object[] {null, t.schema(), t.name(), t.primaryKey().get(i), i + 1, "PK_" + t.name()});
                }
            }
        }
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "COLUMN_NAME", S, "KEY_SEQ", SH,
                "PK_NAME", S), rows);
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (TableDescription t : tables()) {
            if ((schema != null && !schema.equalsIgnoreCase(t.schema())) || !t.name().equalsIgnoreCase(table)) {
                continue;
            }
            for (int i = 0; i < t.primaryKey().size(); i++) {
                rows.add(new Object[] {null, t.schema(), t.name(), false, null, "PK_" + t.name(), (int) tableIndexOther, i + 1,
                        t.primaryKey().get(i), "A", null, null, null});
            }
            for (TableDescription.Index index : t.indexes()) {
                if (unique && !index.unique()) {
                    continue;
                }
                for (int i = 0; i < index.columns().size(); i++) {
                    rows.add(new Object[] {null, t.schema(), t.name(), !index.unique(), null, index.name(), (int) tableIndexOther,
                            i + 1, index.columns().get(i), index.descending().get(i) ? "D" : "A", null, null, null});
                }
            }
        }
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "NON_UNIQUE", B,
                "INDEX_QUALIFIER", S, "INDEX_NAME", S, "TYPE", SH, "ORDINAL_POSITION", SH, "COLUMN_NAME", S, "ASC_OR_DESC", S,
                "CARDINALITY", Types.BIGINT, "PAGES", Types.BIGINT, "FILTER_CONDITION", S), rows);
    }

    @Override
    public ResultSet getTypeInfo() {
        List<Object[]> rows = new ArrayList<>();
        for (TypeInfo.SqlType t : TypeInfo.TYPES) {
            boolean numeric = t.quote() == null && t.jdbcType() != Types.BOOLEAN;
            rows.add(new Object[] {t.name(), t.jdbcType(), t.precision(), t.quote(), t.quote(),
                    t.jdbcType() == Types.VARCHAR ? "length" : t.jdbcType() == Types.DECIMAL ? "precision,scale" : null,
                    (int) typeNullable, t.jdbcType() == Types.VARCHAR, (int) typeSearchable, !numeric, false, false, t.name(),
                    0, t.jdbcType() == Types.DECIMAL ? 1000 : 0, null, null, 10});
        }
        return StarlingResultSet.ofRows(cols("TYPE_NAME", S, "DATA_TYPE", I, "PRECISION", I, "LITERAL_PREFIX", S,
                "LITERAL_SUFFIX", S, "CREATE_PARAMS", S, "NULLABLE", SH, "CASE_SENSITIVE", B, "SEARCHABLE", SH,
                "UNSIGNED_ATTRIBUTE", B, "FIXED_PREC_SCALE", B, "AUTO_INCREMENT", B, "LOCAL_TYPE_NAME", S, "MINIMUM_SCALE", SH,
                "MAXIMUM_SCALE", SH, "SQL_DATA_TYPE", I, "SQL_DATETIME_SUB", I, "NUM_PREC_RADIX", I), rows);
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        return getSchemas(null, null);
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) {
        List<Object[]> rows = new ArrayList<>();
        if (matches(like(schemaPattern), "PUBLIC")) {
            rows.add(new Object[] {"PUBLIC", null});
        }
        return StarlingResultSet.ofRows(cols("TABLE_SCHEM", S, "TABLE_CATALOG", S), rows);
    }

    @Override
    public ResultSet getCatalogs() {
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S), List.of());
    }

    @Override
    public ResultSet getTableTypes() {
        return StarlingResultSet.ofRows(cols("TABLE_TYPE", S), List.<Object[]>of(new Object[] {"TABLE"}, new Object[] {"VIEW"}));
    }

    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) {
        return StarlingResultSet.ofRows(cols("PKTABLE_CAT", S, "PKTABLE_SCHEM", S, "PKTABLE_NAME", S, "PKCOLUMN_NAME", S,
                "FKTABLE_CAT", S, "FKTABLE_SCHEM", S, "FKTABLE_NAME", S, "FKCOLUMN_NAME", S, "KEY_SEQ", SH, "UPDATE_RULE", SH,
                "DELETE_RULE", SH, "FK_NAME", S, "PK_NAME", S, "DEFERRABILITY", SH), List.of());
    }

    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) {
        return getImportedKeys(catalog, schema, table);
    }

    @Override
    public ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable, String foreignCatalog,
                                       String foreignSchema, String foreignTable) {
        return getImportedKeys(foreignCatalog, foreignSchema, foreignTable);
    }

    /** The primary key identifies a row best; a table without one has only its hidden row id, which SQL cannot name. */
    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (TableDescription t : tables()) {
            if ((schema == null || schema.equalsIgnoreCase(t.schema())) && t.name().equalsIgnoreCase(table)) {
                for (String key : t.primaryKey()) {
                    for (TableDescription.Column c : t.columns()) {
                        if (c.name().equals(key)) {
                            rows.add(new Object[] {(int) bestRowSession, c.name(), c.jdbcType(), c.typeName(), columnSize(c), null,
                                c.scale(), (int) bestRowNotPseudo});
                        }
                    }
                }
            }
        }
        return StarlingResultSet.ofRows(cols("SCOPE", SH, "COLUMN_NAME", S, "DATA_TYPE", I, "TYPE_NAME", S, "COLUMN_SIZE", I,
                "BUFFER_LENGTH", I, "DECIMAL_DIGITS", SH, "PSEUDO_COLUMN", SH), rows);
    }

    // Starling has no procedures, functions, user-defined types, privileges, row versions or
    // pseudo columns: the answers are empty results with the columns JDBC names, which SQL tools
    // expect rather than an exception.

    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) {
        return StarlingResultSet.ofRows(cols("SCOPE", SH, "COLUMN_NAME", S, "DATA_TYPE", I, "TYPE_NAME", S, "COLUMN_SIZE", I,
                "BUFFER_LENGTH", I, "DECIMAL_DIGITS", SH, "PSEUDO_COLUMN", SH), List.of());
    }

    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern) {
        return StarlingResultSet.ofRows(cols("PROCEDURE_CAT", S, "PROCEDURE_SCHEM", S, "PROCEDURE_NAME", S, "RESERVED1", S,
                "RESERVED2", S, "RESERVED3", S, "REMARKS", S, "PROCEDURE_TYPE", SH, "SPECIFIC_NAME", S), List.of());
    }

    @Override
    public ResultSet getProcedureColumns(String catalog, String schemaPattern, String procedureNamePattern,
                                         String columnNamePattern) {
        return StarlingResultSet.ofRows(cols("PROCEDURE_CAT", S, "PROCEDURE_SCHEM", S, "PROCEDURE_NAME", S, "COLUMN_NAME", S,
                "COLUMN_TYPE", SH, "DATA_TYPE", I, "TYPE_NAME", S, "PRECISION", I, "LENGTH", I, "SCALE", SH, "RADIX", SH,
                "NULLABLE", SH, "REMARKS", S, "COLUMN_DEF", S, "SQL_DATA_TYPE", I, "SQL_DATETIME_SUB", I, "CHAR_OCTET_LENGTH", I,
                "ORDINAL_POSITION", I, "IS_NULLABLE", S, "SPECIFIC_NAME", S), List.of());
    }

    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern) {
        return StarlingResultSet.ofRows(cols("FUNCTION_CAT", S, "FUNCTION_SCHEM", S, "FUNCTION_NAME", S, "REMARKS", S,
                "FUNCTION_TYPE", SH, "SPECIFIC_NAME", S), List.of());
    }

    @Override
    public ResultSet getFunctionColumns(String catalog, String schemaPattern, String functionNamePattern,
                                        String columnNamePattern) {
        return StarlingResultSet.ofRows(cols("FUNCTION_CAT", S, "FUNCTION_SCHEM", S, "FUNCTION_NAME", S, "COLUMN_NAME", S,
                "COLUMN_TYPE", SH, "DATA_TYPE", I, "TYPE_NAME", S, "PRECISION", I, "LENGTH", I, "SCALE", SH, "RADIX", SH,
                "NULLABLE", SH, "REMARKS", S, "CHAR_OCTET_LENGTH", I, "ORDINAL_POSITION", I, "IS_NULLABLE", S,
                "SPECIFIC_NAME", S), List.of());
    }

    @Override
    public ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern) {
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "GRANTOR", S, "GRANTEE", S,
                "PRIVILEGE", S, "IS_GRANTABLE", S), List.of());
    }

    @Override
    public ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern) {
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "COLUMN_NAME", S, "GRANTOR", S,
                "GRANTEE", S, "PRIVILEGE", S, "IS_GRANTABLE", S), List.of());
    }

    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types) {
        return StarlingResultSet.ofRows(cols("TYPE_CAT", S, "TYPE_SCHEM", S, "TYPE_NAME", S, "CLASS_NAME", S, "DATA_TYPE", I,
                "REMARKS", S, "BASE_TYPE", SH), List.of());
    }

    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) {
        return StarlingResultSet.ofRows(cols("TYPE_CAT", S, "TYPE_SCHEM", S, "TYPE_NAME", S, "SUPERTYPE_CAT", S,
                "SUPERTYPE_SCHEM", S, "SUPERTYPE_NAME", S), List.of());
    }

    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) {
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "SUPERTABLE_NAME", S), List.of());
    }

    @Override
    public ResultSet getPseudoColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern) {
        return StarlingResultSet.ofRows(cols("TABLE_CAT", S, "TABLE_SCHEM", S, "TABLE_NAME", S, "COLUMN_NAME", S, "DATA_TYPE", I,
                "COLUMN_SIZE", I, "DECIMAL_DIGITS", I, "NUM_PREC_RADIX", I, "COLUMN_USAGE", S, "REMARKS", S,
                "CHAR_OCTET_LENGTH", I, "IS_NULLABLE", S), List.of());
    }

    @Override
    public ResultSet getClientInfoProperties() {
        return StarlingResultSet.ofRows(cols("NAME", S, "MAX_LEN", I, "DEFAULT_VALUE", S, "DESCRIPTION", S), List.of());
    }

    @Override
    public String getDatabaseProductName() {
        return connection.serverHello().product();
    }

    @Override
    public String getDatabaseProductVersion() {
        return connection.serverHello().productVersion();
    }

    @Override
    public int getDatabaseMajorVersion() {
        return versionPart(0);
    }

    @Override
    public int getDatabaseMinorVersion() {
        return versionPart(1);
    }

    private int versionPart(int i) {
        String[] parts = connection.serverHello().productVersion().split("\\.");
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String getDriverName() {
        return "Starling JDBC driver";
    }

    @Override
    public String getDriverVersion() {
        return StarlingDriver.MAJOR_VERSION + "." + StarlingDriver.MINOR_VERSION;
    }

    @Override
    public int getDriverMajorVersion() {
        return StarlingDriver.MAJOR_VERSION;
    }

    @Override
    public int getDriverMinorVersion() {
        return StarlingDriver.MINOR_VERSION;
    }

    @Override
    public int getJDBCMajorVersion() {
        return 4;
    }

    @Override
    public int getJDBCMinorVersion() {
        return 2;
    }

    @Override
    public String getURL() {
        return connection.url();
    }

    @Override
    public String getUserName() {
        return "";
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public String getIdentifierQuoteString() {
        return "\"";
    }

    @Override
    public String getSearchStringEscape() {
        return "\\";
    }

    @Override
    public String getExtraNameCharacters() {
        return "";
    }

    @Override
    public String getSQLKeywords() {
        return "LIMIT,OFFSET,EXPLAIN,INDEX";
    }

    @Override
    public String getNumericFunctions() {
        return "ABS,CEIL,FLOOR,MOD,POWER,ROUND,SQRT,EXP,LN,LOG10,SIGN";
    }

    @Override
    public String getStringFunctions() {
        return "CHAR_LENGTH,CHARACTER_LENGTH,LOWER,UPPER,SUBSTRING,TRIM,POSITION,OVERLAY,CONCAT";
    }

    @Override
    public String getSystemFunctions() {
        return "";
    }

    @Override
    public String getTimeDateFunctions() {
        return "CURRENT_DATE,CURRENT_TIMESTAMP,EXTRACT";
    }

    @Override
    public String getSchemaTerm() {
        return "schema";
    }

    @Override
    public String getProcedureTerm() {
        return "procedure";
    }

    @Override
    public String getCatalogTerm() {
        return "catalog";
    }

    @Override
    public String getCatalogSeparator() {
        return ".";
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    @Override
    public int getDefaultTransactionIsolation() {
        return Connection.TRANSACTION_REPEATABLE_READ;
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int level) {
        return level == Connection.TRANSACTION_REPEATABLE_READ;
    }

    @Override
    public boolean supportsResultSetType(int type) {
        return type == ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return type == ResultSet.TYPE_FORWARD_ONLY && concurrency == ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public boolean supportsResultSetHoldability(int holdability) {
        return holdability == ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public int getResultSetHoldability() {
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public boolean supportsBatchUpdates() {
        return true;
    }

    @Override
    public boolean supportsColumnAliasing() {
        return true;
    }

    @Override
    public boolean supportsGroupBy() {
        return true;
    }

    @Override
    public boolean supportsOrderByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsLikeEscapeClause() {
        return true;
    }

    @Override
    public boolean supportsOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsFullOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsLimitedOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInComparisons() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInExists() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInIns() {
        return true;
    }

    @Override
    public boolean supportsUnion() {
        return true;
    }

    @Override
    public boolean supportsUnionAll() {
        return true;
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() {
        return true;
    }

    @Override
    public boolean storesUpperCaseIdentifiers() {
        return true;
    }

    @Override
    public boolean supportsSchemasInDataManipulation() {
        return true;
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() {
        return true;
    }

    @Override
    public boolean supportsMinimumSQLGrammar() {
        return true;
    }

    @Override
    public boolean nullsAreSortedLow() {
        return false; // NULL is the highest value: last ascending, first descending (docs/sql.md)
    }

    @Override
    public boolean supportsNonNullableColumns() {
        return true;
    }

    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() {
        return false; // DDL inside an open transaction is refused with 25001
    }

    @Override
    public int getMaxColumnsInTable() {
        return io.starlingdb.jdbc.protocol.Limits.MAX_COLUMNS;
    }

    @Override
    public RowIdLifetime getRowIdLifetime() {
        return RowIdLifetime.ROWID_UNSUPPORTED;
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() {
        return false;
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() {
        return false;
    }

    @Override
    public boolean generatedKeyAlwaysReturned() {
        return false;
    }

    // Capability questions not answered above, each decided here (0 for a limit means none or unknown).

    @Override
    public boolean allProceduresAreCallable() {
        return true;
    }

    @Override
    public boolean allTablesAreSelectable() {
        return true;
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() {
        return false;
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() {
        return false;
    }

    @Override
    public boolean deletesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() {
        return false;
    }

    @Override
    public int getMaxBinaryLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxCatalogNameLength() {
        return 0;
    }

    @Override
    public int getMaxCharLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxColumnNameLength() {
        return 0;
    }

    @Override
    public int getMaxColumnsInGroupBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInIndex() {
        return MAX_INDEX_COLUMNS;
    }

    @Override
    public int getMaxColumnsInOrderBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInSelect() {
        return 0;
    }

    @Override
    public int getMaxConnections() {
        return 0;
    }

    @Override
    public int getMaxCursorNameLength() {
        return 0;
    }

    @Override
    public int getMaxIndexLength() {
        return MAX_KEY_BYTES;
    }

    @Override
    public int getMaxProcedureNameLength() {
        return 0;
    }

    @Override
    public int getMaxRowSize() {
        return 0;
    }

    @Override
    public int getMaxSchemaNameLength() {
        return 0;
    }

    @Override
    public int getMaxStatementLength() {
        return 0;
    }

    @Override
    public int getMaxStatements() {
        return 0;
    }

    @Override
    public int getMaxTableNameLength() {
        return 0;
    }

    @Override
    public int getMaxTablesInSelect() {
        return 0;
    }

    @Override
    public int getMaxUserNameLength() {
        return 0;
    }

    @Override
    public int getSQLStateType() {
        return sqlStateSQL;
    }

    @Override
    public boolean insertsAreDetected(int type) {
        return false;
    }

    @Override
    public boolean isCatalogAtStart() {
        return false;
    }

    @Override
    public boolean locatorsUpdateCopy() {
        return false;
    }

    @Override
    public boolean nullPlusNonNullIsNull() {
        return true;
    }

    @Override
    public boolean nullsAreSortedAtEnd() {
        return false;
    }

    @Override
    public boolean nullsAreSortedAtStart() {
        return false;
    }

    @Override
    public boolean nullsAreSortedHigh() {
        return true;
    }

    @Override
    public boolean othersDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean storesLowerCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesMixedCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() {
        return true;
    }

    @Override
    public boolean supportsANSI92FullSQL() {
        return false;
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() {
        return false;
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() {
        return false;
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() {
        return false;
    }

    @Override
    public boolean supportsConvert() {
        return false;
    }

    @Override
    public boolean supportsConvert(int fromType, int toType) {
        return false;
    }

    @Override
    public boolean supportsCoreSQLGrammar() {
        return false;
    }

    @Override
    public boolean supportsCorrelatedSubqueries() {
        return true;
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() {
        return true;
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() {
        return false;
    }

    @Override
    public boolean supportsExpressionsInOrderBy() {
        return true;
    }

    @Override
    public boolean supportsExtendedSQLGrammar() {
        return false;
    }

    @Override
    public boolean supportsGetGeneratedKeys() {
        return false;
    }

    @Override
    public boolean supportsGroupByBeyondSelect() {
        return true;
    }

    @Override
    public boolean supportsGroupByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() {
        return false;
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean supportsMultipleOpenResults() {
        return false;
    }

    @Override
    public boolean supportsMultipleResultSets() {
        return false;
    }

    @Override
    public boolean supportsMultipleTransactions() {
        return true;
    }

    @Override
    public boolean supportsNamedParameters() {
        return false;
    }

    @Override
    public boolean supportsOpenCursorsAcrossCommit() {
        return false;
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() {
        return false;
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() {
        return true;
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() {
        return true;
    }

    @Override
    public boolean supportsPositionedDelete() {
        return false;
    }

    @Override
    public boolean supportsPositionedUpdate() {
        return false;
    }

    @Override
    public boolean supportsSavepoints() {
        return false;
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() {
        return false;
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() {
        return false;
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() {
        return false;
    }

    @Override
    public boolean supportsSelectForUpdate() {
        return false;
    }

    @Override
    public boolean supportsStatementPooling() {
        return false;
    }

    @Override
    public boolean supportsStoredProcedures() {
        return false;
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() {
        return true;
    }

    @Override
    public boolean supportsTableCorrelationNames() {
        return true;
    }

    @Override
    public boolean updatesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean usesLocalFilePerTable() {
        return false;
    }

    @Override
    public boolean usesLocalFiles() {
        return false;
    }

    @Override
    public ResultSet getAttributes(String catalog, String schemaPattern, String typeNamePattern, String attributeNamePattern)
            throws SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("DatabaseMetaData.getAttributes is not supported by Starling: there are no user-defined types");
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
