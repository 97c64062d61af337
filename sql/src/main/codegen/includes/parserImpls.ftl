<#--
  Starling's additions to Calcite's grammar (Parser.jj). FMPP includes this file into the
  generated javacc/Parser.jj; see ../config.fmpp for where each production is hooked in.

  CREATE TABLE and DROP TABLE produce Calcite's own DDL nodes (SqlCreateTable,
  SqlColumnDeclaration, SqlKeyConstraint, SqlDropTable through SqlDdlNodes), the same ones
  calcite-server's parser produces; CREATE INDEX and DROP INDEX produce
  io.starlingdb.sql.parser.SqlCreateIndex and SqlDropIndex.

  Semantic errors found while parsing (two primary keys, ...) are thrown
  through StarlingParserSupport.error, which the parser turns into a SqlParseException that
  carries our message and the position of the offending clause.
-->

/** IF NOT EXISTS, or nothing. IF is non-reserved, so "CREATE TABLE if (...)" still works. */
boolean StarlingIfNotExists() :
{
}
{
    LOOKAHEAD(3)
    <IF> <NOT> <EXISTS> { return true; }
|
    { return false; }
}

/** IF EXISTS, or nothing. */
boolean StarlingIfExists() :
{
}
{
    LOOKAHEAD(2)
    <IF> <EXISTS> { return true; }
|
    { return false; }
}

/** TEXT and STRING: VARCHAR without a length. */
SqlTypeNameSpec StarlingStringTypeName() :
{
}
{
    ( <TEXT> | <STRING> )
    {
        return new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, getPos());
    }
}

/**
 * CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name [(element, ...)] [AS query]
 * (the Span s starts at CREATE).
 */
SqlCreate StarlingCreateTable(Span s, boolean replace) :
{
    final boolean ifNotExists;
    final SqlIdentifier id;
    SqlNodeList elements = null;
    SqlNode query = null;
}
{
    <TABLE> ifNotExists = StarlingIfNotExists() id = CompoundIdentifier()
    [ elements = StarlingTableElementList() ]
    [ <AS> query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY) ]
    {
        return SqlDdlNodes.createTable(s.end(this), replace, ifNotExists, id,
            elements, query);
    }
}

/**
 * (element [, element]*) where an element is a column definition or a table constraint.
 * Constraints declared on a column (PRIMARY KEY, UNIQUE) are appended after all the
 * elements, as the table-level constraint over that one column; at most one primary key.
 */
SqlNodeList StarlingTableElementList() :
{
    final Span s;
    final List<SqlNode> list = new ArrayList<SqlNode>();
    final List<SqlNode> columnConstraints = new ArrayList<SqlNode>();
}
{
    <LPAREN> { s = span(); }
    StarlingTableElement(list, columnConstraints)
    (
        <COMMA> StarlingTableElement(list, columnConstraints)
    )*
    <RPAREN>
    {
        list.addAll(columnConstraints);
        StarlingParserSupport.checkSinglePrimaryKey(list);
        return new SqlNodeList(list, s.end(this));
    }
}

void StarlingTableElement(List<SqlNode> list, List<SqlNode> columnConstraints) :
{
}
{
    StarlingColumnDefinition(list, columnConstraints)
|
    StarlingTableConstraint(list)
}

/**
 * name type [NOT NULL | NULL] [DEFAULT expr] [PRIMARY KEY] [UNIQUE], the clauses after the
 * type in any order, each at most once.
 */
void StarlingColumnDefinition(List<SqlNode> list, List<SqlNode> columnConstraints) :
{
    final SqlIdentifier id;
    final SqlDataTypeSpec type;
    Boolean nullable = null;
    SqlNode e = null;
    SqlParserPos primaryPos = null;
    SqlParserPos uniquePos = null;
    Span c;
}
{
    id = SimpleIdentifier()
    type = DataType()
    (
        <NOT> { c = span(); } <NULL> {
            nullable = StarlingParserSupport.nullability(id, nullable, false, c.end(this));
        }
    |
        <NULL> {
            nullable = StarlingParserSupport.nullability(id, nullable, true, getPos());
        }
    |
        <DEFAULT_> {
            if (e != null) {
                throw StarlingParserSupport.error(getPos(),
                    "column " + id + " has more than one DEFAULT");
            }
        }
        e = Expression(ExprContext.ACCEPT_SUB_QUERY)
    |
        <PRIMARY> { c = span(); } <KEY> {
            if (primaryPos != null) {
                throw StarlingParserSupport.error(c.end(this),
                    "column " + id + " declares PRIMARY KEY twice");
            }
            primaryPos = c.end(this);
        }
    |
        <UNIQUE> {
            if (uniquePos != null) {
                throw StarlingParserSupport.error(getPos(),
                    "column " + id + " declares UNIQUE twice");
            }
            uniquePos = getPos();
        }
    )*
    {
        list.add(
            StarlingParserSupport.column(Span.of(id).end(this), id, type,
                nullable, e, primaryPos));
        if (primaryPos != null) {
            columnConstraints.add(
                SqlDdlNodes.primary(primaryPos, null,
                    new SqlNodeList(java.util.Collections.singletonList(id), id.getParserPosition())));
        }
        if (uniquePos != null) {
            columnConstraints.add(
                SqlDdlNodes.unique(uniquePos, null,
                    new SqlNodeList(java.util.Collections.singletonList(id), id.getParserPosition())));
        }
    }
}

/** [CONSTRAINT name] { PRIMARY KEY (c, ...) | UNIQUE (c, ...) | CHECK (expr) } */
void StarlingTableConstraint(List<SqlNode> list) :
{
    SqlIdentifier name = null;
    final SqlNodeList columns;
    final SqlNode e;
    final Span s = Span.of();
}
{
    [ <CONSTRAINT> { s.add(this); } name = SimpleIdentifier() ]
    (
        <PRIMARY> { s.add(this); } <KEY>
        columns = ParenthesizedSimpleIdentifierList() {
            list.add(SqlDdlNodes.primary(s.end(columns), name, columns));
        }
    |
        <UNIQUE> { s.add(this); }
        columns = ParenthesizedSimpleIdentifierList() {
            list.add(SqlDdlNodes.unique(s.end(columns), name, columns));
        }
    |
        <CHECK> { s.add(this); } <LPAREN>
        e = Expression(ExprContext.ACCEPT_SUB_QUERY) <RPAREN> {
            list.add(SqlDdlNodes.check(s.end(this), name, e));
        }
    )
}

/** DROP TABLE [IF EXISTS] name */
SqlDrop StarlingDropTable(Span s, boolean replace) :
{
    final boolean ifExists;
    final SqlIdentifier id;
}
{
    <TABLE> ifExists = StarlingIfExists() id = CompoundIdentifier() {
        return SqlDdlNodes.dropTable(s.end(this), ifExists, id);
    }
}

/** CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [ASC | DESC], ...) */
SqlCreate StarlingCreateIndex(Span s, boolean replace) :
{
    boolean unique = false;
    final boolean ifNotExists;
    final SqlIdentifier name;
    final SqlIdentifier table;
    final SqlNodeList columns;
}
{
    [ <UNIQUE> { unique = true; } ]
    <INDEX> {
        if (replace) {
            throw StarlingParserSupport.error(s.end(this),
                "CREATE OR REPLACE INDEX is not supported");
        }
    }
    ifNotExists = StarlingIfNotExists()
    name = CompoundIdentifier()
    <ON> table = CompoundIdentifier()
    columns = StarlingIndexColumnList()
    {
        return new SqlCreateIndex(s.end(this), name, table, columns, unique,
            ifNotExists);
    }
}

SqlNodeList StarlingIndexColumnList() :
{
    final Span s;
    final List<SqlNode> list = new ArrayList<SqlNode>();
}
{
    <LPAREN> { s = span(); }
    StarlingIndexColumn(list)
    (
        <COMMA> StarlingIndexColumn(list)
    )*
    <RPAREN> {
        return new SqlNodeList(list, s.end(this));
    }
}

/** column [ASC | DESC]: a descending column is the identifier wrapped in DESC. */
void StarlingIndexColumn(List<SqlNode> list) :
{
    final SqlIdentifier id;
    boolean descending = false;
}
{
    id = SimpleIdentifier()
    [
        <ASC>
    |
        <DESC> { descending = true; }
    ]
    {
        list.add(descending ? SqlStdOperatorTable.DESC.createCall(id.getParserPosition(), id) : id);
    }
}

/** DROP INDEX [IF EXISTS] name */
SqlDrop StarlingDropIndex(Span s, boolean replace) :
{
    final boolean ifExists;
    final SqlIdentifier name;
}
{
    <INDEX> ifExists = StarlingIfExists() name = CompoundIdentifier() {
        return new SqlDropIndex(s.end(this), name, ifExists);
    }
}

/**
 * CREATE [OR REPLACE] VIEW name [(column, ...)] AS query: Calcite's own SqlCreateView, as
 * calcite-server's parser produces it.
 */
SqlCreate StarlingCreateView(Span s, boolean replace) :
{
    final SqlIdentifier id;
    SqlNodeList columns = null;
    final SqlNode query;
}
{
    <VIEW> id = CompoundIdentifier()
    [ columns = ParenthesizedSimpleIdentifierList() ]
    <AS> query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY) {
        return SqlDdlNodes.createView(s.end(this), replace, id, columns, query);
    }
}

/** DROP VIEW [IF EXISTS] name */
SqlDrop StarlingDropView(Span s, boolean replace) :
{
    final boolean ifExists;
    final SqlIdentifier id;
}
{
    <VIEW> ifExists = StarlingIfExists() id = CompoundIdentifier() {
        return SqlDdlNodes.dropView(s.end(this), ifExists, id);
    }
}
