package io.starlingdb.sql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.starlingdb.sql.parser.impl.StarlingSqlParserImpl;

import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.ddl.SqlColumnDeclaration;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.ddl.SqlDropTable;
import org.apache.calcite.sql.ddl.SqlKeyConstraint;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.Litmus;
import org.junit.jupiter.api.Test;

class StarlingSqlParserTest {

    static SqlParser.Config config() {
        return SqlParser.config().withParserFactory(StarlingSqlParserImpl.FACTORY);
    }

    static SqlNode parse(String sql) throws SqlParseException {
        return SqlParser.create(sql, config()).parseStmt();
    }

    static String unparse(SqlNode node) {
        return node.toSqlString(CalciteSqlDialect.DEFAULT).getSql();
    }

    /** Unparses, parses the result again, and checks the second unparse is identical. */
    static String roundTrip(SqlNode node) throws SqlParseException {
        String sql = unparse(node);
        SqlNode again = parse(sql);
        assertEquals(sql, unparse(again), "round trip of " + sql);
        assertTrue(node.equalsDeep(again, Litmus.IGNORE), "deep equality after round trip of " + sql);
        return sql;
    }

    static SqlParseException parseError(String sql) {
        return assertThrows(SqlParseException.class, () -> parse(sql), sql);
    }

    static List<SqlColumnDeclaration> columns(SqlCreateTable t) {
        List<SqlColumnDeclaration> out = new ArrayList<>();
        for (SqlNode n : t.columnList) {
            if (n instanceof SqlColumnDeclaration) {
                out.add((SqlColumnDeclaration) n);
            }
        }
        return out;
    }

    static List<SqlKeyConstraint> keys(SqlCreateTable t, SqlKind kind) {
        List<SqlKeyConstraint> out = new ArrayList<>();
        for (SqlNode n : t.columnList) {
            if (n instanceof SqlKeyConstraint && n.getKind() == kind) {
                out.add((SqlKeyConstraint) n);
            }
        }
        return out;
    }

    static List<String> keyColumns(SqlKeyConstraint k) {
        List<String> out = new ArrayList<>();
        for (SqlNode id : (SqlNodeList) k.getOperandList().get(1)) {
            out.add(((SqlIdentifier) id).getSimple());
        }
        return out;
    }

    // ---- CREATE TABLE

    @Test
    void createTableWithColumnLevelPrimaryKey() throws Exception {
        SqlNode node = parse("create table t (id int primary key, name varchar(20) not null default 'x', v double)");
        SqlCreateTable t = assertInstanceOf(SqlCreateTable.class, node);
        assertEquals("T", t.name.getSimple());
        assertFalse(t.ifNotExists);
        assertFalse(t.getReplace());
        assertNull(t.query);
        // Columns in declaration order, then the column-level key as a table-level constraint.
        assertEquals(4, t.columnList.size());
        assertInstanceOf(SqlColumnDeclaration.class, t.columnList.get(0));
        assertInstanceOf(SqlColumnDeclaration.class, t.columnList.get(1));
        assertInstanceOf(SqlColumnDeclaration.class, t.columnList.get(2));
        SqlKeyConstraint pk = assertInstanceOf(SqlKeyConstraint.class, t.columnList.get(3));
        assertEquals(SqlKind.PRIMARY_KEY, pk.getKind());
        assertNull(pk.getOperandList().get(0), "no constraint name");
        assertEquals(List.of("ID"), keyColumns(pk));

        List<SqlColumnDeclaration> cols = columns(t);
        SqlColumnDeclaration id = cols.get(0);
        assertEquals("ID", id.name.getSimple());
        assertEquals("INTEGER", id.dataType.getTypeName().getSimple());
        assertEquals(Boolean.TRUE, id.dataType.getNullable(), "PRIMARY KEY leaves the declaration as written");
        assertEquals(ColumnStrategy.NULLABLE, id.strategy);
        assertNull(id.expression);

        SqlColumnDeclaration name = cols.get(1);
        assertEquals("VARCHAR", name.dataType.getTypeName().getSimple());
        assertEquals(20, ((SqlBasicTypeNameSpec) name.dataType.getTypeNameSpec()).getPrecision());
        assertEquals(Boolean.FALSE, name.dataType.getNullable());
        assertEquals(ColumnStrategy.DEFAULT, name.strategy);
        assertEquals("'x'", unparse(name.expression));

        SqlColumnDeclaration v = cols.get(2);
        assertEquals("DOUBLE", v.dataType.getTypeName().getSimple());
        assertEquals(ColumnStrategy.NULLABLE, v.strategy);

        roundTrip(node);
    }

    @Test
    void columnLevelAndTableLevelPrimaryKeysProduceTheSameKey() throws Exception {
        SqlCreateTable a = (SqlCreateTable) parse("CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)");
        SqlCreateTable b = (SqlCreateTable) parse("CREATE TABLE t (id BIGINT, v INT, PRIMARY KEY (id))");
        assertEquals(unparse(b), unparse(a));
    }

    @Test
    void createTableWithCompositePrimaryKeyAndIfNotExists() throws Exception {
        SqlCreateTable t = (SqlCreateTable) parse(
                "CREATE TABLE IF NOT EXISTS s.orders (a INT NOT NULL, b VARCHAR(10) NOT NULL, c DECIMAL(10, 2), "
                        + "PRIMARY KEY (a, b))");
        assertTrue(t.ifNotExists);
        assertEquals(List.of("S", "ORDERS"), t.name.names);
        List<SqlKeyConstraint> pks = keys(t, SqlKind.PRIMARY_KEY);
        assertEquals(1, pks.size());
        assertEquals(List.of("A", "B"), keyColumns(pks.get(0)));
        SqlDataTypeSpec c = columns(t).get(2).dataType;
        SqlBasicTypeNameSpec dec = (SqlBasicTypeNameSpec) c.getTypeNameSpec();
        assertEquals("DECIMAL", c.getTypeName().getSimple());
        assertEquals(10, dec.getPrecision());
        assertEquals(2, dec.getScale());
        String sql = roundTrip(t);
        assertTrue(sql.contains("IF NOT EXISTS"), sql);
    }

    @Test
    void columnClausesInAnyOrder() throws Exception {
        SqlCreateTable t = (SqlCreateTable) parse(
                "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT DEFAULT 0 NOT NULL, b INT DEFAULT 1 + 2 UNIQUE, "
                        + "c INT NULL)");
        List<SqlColumnDeclaration> cols = columns(t);
        assertEquals(Boolean.FALSE, cols.get(0).dataType.getNullable());
        assertEquals(Boolean.FALSE, cols.get(1).dataType.getNullable());
        assertEquals(ColumnStrategy.DEFAULT, cols.get(1).strategy);
        assertEquals("0", unparse(cols.get(1).expression));
        assertEquals("1 + 2", unparse(cols.get(2).expression));
        assertEquals(Boolean.TRUE, cols.get(3).dataType.getNullable());
        assertEquals(List.of("ID"), keyColumns(keys(t, SqlKind.PRIMARY_KEY).get(0)));
        assertEquals(List.of("B"), keyColumns(keys(t, SqlKind.UNIQUE).get(0)));
        roundTrip(t);
    }

    @Test
    void tableConstraintsWithNames() throws Exception {
        SqlCreateTable t = (SqlCreateTable) parse(
                "CREATE TABLE t (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a), CONSTRAINT u UNIQUE (b), CHECK (a > 0))");
        assertEquals(5, t.columnList.size());
        SqlKeyConstraint pk = keys(t, SqlKind.PRIMARY_KEY).get(0);
        assertEquals("PK", ((SqlIdentifier) pk.getOperandList().get(0)).getSimple());
        assertEquals(SqlKind.CHECK, t.columnList.get(4).getKind());
        roundTrip(t);
    }

    @Test
    void createTableAsQueryAndOrReplace() throws Exception {
        SqlCreateTable t = (SqlCreateTable) parse("CREATE OR REPLACE TABLE t AS SELECT 1 AS x");
        assertTrue(t.getReplace());
        assertNull(t.columnList);
        assertNotNull(t.query);
    }

    @Test
    void identifiersNamedLikeNewKeywords() throws Exception {
        // IF, INDEX, TEXT and STRING are non-reserved: still usable as names.
        SqlCreateTable t = (SqlCreateTable) parse("CREATE TABLE if (text TEXT, string STRING, index INT)");
        assertEquals("IF", t.name.getSimple());
        assertEquals(List.of("TEXT", "STRING", "INDEX"),
                columns(t).stream().map(c -> c.name.getSimple()).toList());
        parse("SELECT text, string, index, if FROM if WHERE text = 'a'");
        SqlDropTable d = (SqlDropTable) parse("DROP TABLE if");
        assertFalse(d.ifExists);
    }

    // ---- types

    @Test
    void typeNamesInColumnDefinitions() throws Exception {
        SqlCreateTable t = (SqlCreateTable) parse("CREATE TABLE t (a INT, b INTEGER, c BIGINT, d FLOAT, e REAL, "
                + "f DOUBLE, g BOOLEAN, h DECIMAL(12, 3), i VARCHAR(5), j CHAR(3), k DATE, l TIMESTAMP, "
                + "m TEXT, n STRING, o DOUBLE PRECISION)");
        List<String> names = new ArrayList<>();
        for (SqlColumnDeclaration c : columns(t)) {
            names.add(c.dataType.getTypeName().getSimple());
        }
        assertEquals(List.of("INTEGER", "INTEGER", "BIGINT", "FLOAT", "REAL", "DOUBLE", "BOOLEAN", "DECIMAL",
                "VARCHAR", "CHAR", "DATE", "TIMESTAMP", "VARCHAR", "VARCHAR", "DOUBLE"), names);
        SqlBasicTypeNameSpec text = (SqlBasicTypeNameSpec) columns(t).get(12).dataType.getTypeNameSpec();
        assertEquals(SqlTypeName.VARCHAR.getName(), text.getTypeName().getSimple());
        assertEquals(-1, text.getPrecision(), "TEXT has no length");
        assertEquals(5, ((SqlBasicTypeNameSpec) columns(t).get(8).dataType.getTypeNameSpec()).getPrecision());
        assertEquals(3, ((SqlBasicTypeNameSpec) columns(t).get(9).dataType.getTypeNameSpec()).getPrecision());
        roundTrip(t);
    }

    @Test
    void typeNamesInCast() throws Exception {
        for (String type : List.of("INT", "INTEGER", "BIGINT", "FLOAT", "REAL", "DOUBLE", "BOOLEAN",
                "DECIMAL(10, 2)", "VARCHAR(10)", "CHAR(2)", "DATE", "TIMESTAMP", "TEXT", "STRING")) {
            SqlNode node = parse("SELECT CAST(x AS " + type + ") FROM t");
            assertEquals(SqlKind.SELECT, node.getKind(), type);
            roundTrip(node);
        }
        SqlCall cast = (SqlCall) SqlParser.create("CAST(x AS text)", config()).parseExpression();
        SqlDataTypeSpec spec = (SqlDataTypeSpec) cast.getOperandList().get(1);
        assertEquals("VARCHAR", spec.getTypeName().getSimple());
        assertEquals("CAST(\"X\" AS VARCHAR)", unparse(cast));
    }

    // ---- DROP TABLE

    @Test
    void dropTable() throws Exception {
        SqlDropTable d = (SqlDropTable) parse("DROP TABLE IF EXISTS s.t");
        assertTrue(d.ifExists);
        assertEquals(List.of("S", "T"), d.name.names);
        assertEquals("DROP TABLE IF EXISTS \"S\".\"T\"", unparse(d));
        SqlDropTable e = (SqlDropTable) parse("drop table t");
        assertFalse(e.ifExists);
        assertEquals(SqlKind.DROP_TABLE, e.getKind());
    }

    // ---- CREATE INDEX / DROP INDEX

    @Test
    void createIndex() throws Exception {
        SqlCreateIndex i = assertInstanceOf(SqlCreateIndex.class, parse("CREATE INDEX idx ON t (b, a ASC)"));
        assertEquals("IDX", i.name.getSimple());
        assertEquals("T", i.table.getSimple());
        assertEquals(List.of("B", "A"), i.columns.stream().map(n -> ((SqlIdentifier) n).getSimple()).toList());
        assertFalse(i.unique);
        assertFalse(i.ifNotExists);
        assertEquals(SqlKind.CREATE_INDEX, i.getKind());
        assertEquals("CREATE INDEX \"IDX\" ON \"T\" (\"B\", \"A\")", unparse(i));
        roundTrip(i);
    }

    @Test
    void createUniqueIndexIfNotExists() throws Exception {
        SqlCreateIndex i = (SqlCreateIndex) parse("create unique index if not exists s.i1 on s.t (\"Mixed\")");
        assertTrue(i.unique);
        assertTrue(i.ifNotExists);
        assertEquals(List.of("S", "I1"), i.name.names);
        assertEquals(List.of("S", "T"), i.table.names);
        assertEquals("Mixed", ((SqlIdentifier) i.columns.get(0)).getSimple());
        assertEquals("CREATE UNIQUE INDEX IF NOT EXISTS \"S\".\"I1\" ON \"S\".\"T\" (\"Mixed\")", unparse(i));
        roundTrip(i);
    }

    @Test
    void dropIndex() throws Exception {
        SqlDropIndex d = assertInstanceOf(SqlDropIndex.class, parse("DROP INDEX IF EXISTS idx"));
        assertTrue(d.ifExists);
        assertEquals("IDX", d.name.getSimple());
        assertEquals(SqlKind.DROP_INDEX, d.getKind());
        assertEquals("DROP INDEX IF EXISTS \"IDX\"", unparse(d));
        roundTrip(d);
        SqlDropIndex e = (SqlDropIndex) parse("drop index s.idx");
        assertFalse(e.ifExists);
        assertEquals("DROP INDEX \"S\".\"IDX\"", unparse(e));
    }

    // ---- errors

    @Test
    void twoPrimaryKeys() {
        SqlParseException e = parseError("CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)");
        assertTrue(e.getMessage().contains("only one PRIMARY KEY"), e.getMessage());
        assertNotNull(e.getPos());
        assertEquals(1, e.getPos().getLineNum());
        assertEquals(42, e.getPos().getColumnNum(), "points at the second PRIMARY KEY");
        e = parseError("CREATE TABLE t (a INT PRIMARY KEY, b INT, PRIMARY KEY (b))");
        assertTrue(e.getMessage().contains("only one PRIMARY KEY"), e.getMessage());
        e = parseError("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a), PRIMARY KEY (b))");
        assertTrue(e.getMessage().contains("only one PRIMARY KEY"), e.getMessage());
    }

    @Test
    void descendingIndexColumn() throws SqlParseException {
        SqlCreateIndex create = (SqlCreateIndex) parse("CREATE INDEX i ON t (a, b DESC, c ASC)");
        assertInstanceOf(SqlIdentifier.class, create.columns.get(0));
        assertEquals(SqlKind.DESCENDING, create.columns.get(1).getKind());
        assertEquals("B", ((SqlIdentifier) ((SqlCall) create.columns.get(1)).operand(0)).getSimple());
        assertInstanceOf(SqlIdentifier.class, create.columns.get(2));
        assertEquals("CREATE INDEX \"I\" ON \"T\" (\"A\", \"B\" DESC, \"C\")", unparse(create));
        roundTrip(create);
    }

    @Test
    void missingParentheses() {
        parseError("CREATE TABLE t (a INT, b INT");
        parseError("CREATE TABLE t a INT)");
        parseError("CREATE INDEX i ON t (a");
        parseError("CREATE INDEX i ON t a");
        parseError("CREATE TABLE t (a DECIMAL(10, 2)");
    }

    @Test
    void otherErrors() {
        assertTrue(parseError("CREATE TABLE t (a INT NULL NOT NULL)").getMessage().contains("both NULL and NOT NULL"));
        assertTrue(parseError("CREATE TABLE t (a INT DEFAULT 1 DEFAULT 2)").getMessage().contains("more than one DEFAULT"));
        assertTrue(parseError("CREATE TABLE t (a INT NULL PRIMARY KEY)").getMessage().contains("PRIMARY KEY"));
        assertTrue(parseError("CREATE OR REPLACE INDEX i ON t (a)").getMessage().contains("OR REPLACE"));
        parseError("CREATE INDEX i ON t ()");
        parseError("CREATE TABLE t ()");
        parseError("DROP INDEX");
        parseError("CREATE TABLE t (a INT PRIMARY)");
    }

    // ---- Calcite's core grammar still parses

    @Test
    void coreStatementsStillParse() throws Exception {
        String[] statements = {
            "SELECT a, COUNT(*) FROM t WHERE b > 1 GROUP BY a HAVING COUNT(*) > 2 ORDER BY 2 DESC LIMIT 10",
            "SELECT * FROM t1 JOIN t2 ON t1.id = t2.id LEFT JOIN t3 USING (k)",
            "WITH c AS (SELECT 1 AS x) SELECT x FROM c UNION ALL SELECT 2",
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)",
            "INSERT INTO t SELECT * FROM u",
            "UPDATE t SET a = a + 1 WHERE id = ?",
            "DELETE FROM t WHERE id IN (SELECT id FROM u)",
            "EXPLAIN PLAN FOR SELECT * FROM t",
            "VALUES (1, 2)",
            "SELECT CASE WHEN a IS NULL THEN 0 ELSE a END, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c) FROM t",
            "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', INTERVAL '1' DAY FROM t",
            "SELECT * FROM t WHERE a NOT IN (1, 2) AND b NOT LIKE 'x%' AND c NOT BETWEEN 1 AND 2",
            "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a",
        };
        for (String sql : statements) {
            SqlNode node = parse(sql);
            assertNotNull(node, sql);
            SqlNode again = parse(unparse(node));
            assertEquals(unparse(node), unparse(again), sql);
        }
        // A statement list, as the session splits scripts.
        SqlNodeList list = SqlParser.create("CREATE TABLE t (a INT PRIMARY KEY); CREATE INDEX i ON t (a); "
                + "INSERT INTO t VALUES (1); DROP INDEX i; DROP TABLE t", config()).parseStmtList();
        assertEquals(5, list.size());
        assertInstanceOf(SqlCreateIndex.class, list.get(1));
        assertInstanceOf(SqlDropIndex.class, list.get(3));
    }

    @Test
    void sameResultAsCoreParserForQueries() throws Exception {
        String sql = "SELECT a.x, SUM(b.y) FROM a, b WHERE a.k = b.k AND a.z LIKE 'q%' GROUP BY a.x";
        SqlNode core = SqlParser.create(sql, SqlParser.config()).parseQuery();
        assertEquals(unparse(core), unparse(parse(sql)));
    }
}
