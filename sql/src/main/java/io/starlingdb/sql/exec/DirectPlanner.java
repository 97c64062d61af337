package io.starlingdb.sql.exec;

import io.starlingdb.sql.schema.StarlingSchema;
import io.starlingdb.sql.schema.StarlingTableScan;
import com.google.common.collect.ImmutableList;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableLimit;
import org.apache.calcite.adapter.enumerable.EnumerableSort;
import org.apache.calcite.adapter.enumerable.EnumerableUnion;
import org.apache.calcite.adapter.enumerable.EnumerableValues;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUtil;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Plans the simplest one-table queries straight from the parsed tree to an executable plan,
 * without Calcite's validator, SQL-to-relational converter or any planner: together those cost
 * milliseconds per statement never seen before, where the plan of such a query is obvious.
 *
 * <p>The recognised shape, after {@link AutoParameters} (so literals of conditions are
 * {@code CAST(? AS type)}): {@code SELECT} of {@code *}, columns and {@code column op integer}
 * ({@code +, -, *}), or of {@code COUNT(*)}, {@code COUNT(column)}, {@code MIN/MAX(column)}
 * (each perhaps {@code op integer}) without GROUP BY, each perhaps with an alias; {@code FROM}
 * one table, perhaps with an alias; {@code WHERE} AND, OR and NOT over comparisons of a column
 * with a column of its type or with a parameter of a type whose conversion is listed in
 * {@link #comparison}, {@code [NOT] BETWEEN}, {@code [NOT] IN} lists of integers, {@code LIKE}
 * and {@code IS [NOT] NULL}; {@code ORDER BY} columns, {@code LIMIT} and {@code OFFSET}.
 *
 * <p>The plan built is the one Calcite's validator, converter and the simple planner path make
 * for such a query: the same expressions with the same types and implicit casts, the same
 * operators (the Starling scan, with the conditions for its access path, a Calc, an Aggregate,
 * a Sort, a Limit), and so the same rows, NULLs, column labels and errors. Anything outside the
 * shape, or any doubt (a name that does not resolve, two result columns of one name, a type
 * pairing not listed), answers null and the query takes Calcite's path: this planner never
 * guesses and never reports an error of its own. {@code DirectPlannerTest} checks it against
 * Calcite's path statement by statement.
 */
final class DirectPlanner {

    /** Thrown while recognising: the query is not of the shape planned here. */
    private static final class NotDirect extends Exception {
        NotDirect() {
            super(null, null, false, false);
        }
    }

    private static final NotDirect NOT_DIRECT = new NotDirect();

    /** What this planner reads of the catalog version it plans at, shared by all statements of that version. */
    private final DirectCatalog catalog;
    private final JavaTypeFactory typeFactory;
    private final RexBuilder rex;
    private final String tableName;
    private final String alias;
    private final RelDataType rowType;

    private DirectPlanner(DirectCatalog catalog, String tableName, String alias, RelDataType rowType) {
        this.catalog = catalog;
        this.typeFactory = catalog.typeFactory();
        this.rex = catalog.rexBuilder();
        this.tableName = tableName;
        this.alias = alias;
        this.rowType = rowType;
    }

    /**
     * The executable plan of {@code query} and its result columns' names as the validator
     * names them, or null if the query is not of the shape planned here. The tree is not changed.
     */
    static Planned plan(DirectCatalog catalog, SqlNode query) {
        try {
            return recognise(catalog, query);
        } catch (NotDirect e) {
            return null;
        }
    }

    /**
     * A directly planned query: its executable plan, its result columns' names as the validator
     * gives them, and per result column the table it is a column of, or "" for a computed one (as
     * Calcite's column-origin metadata answers for the validated plan).
     */
    record Planned(RelNode plan, List<String> names, List<String> origins) {
    }

    private static Planned recognise(DirectCatalog catalog, SqlNode query) throws NotDirect {
        SqlNodeList orderList = null;
        SqlNode offset = null;
        SqlNode fetch = null;
        SqlNode node = query;
        if (node instanceof SqlOrderBy orderBy) {
            orderList = orderBy.orderList;
            offset = orderBy.offset;
            fetch = orderBy.fetch;
            node = orderBy.query;
        }
        if (node.getKind() == SqlKind.VALUES && orderList == null) {
            return new DirectPlanner(catalog, null, null, null).values((SqlCall) node);
        }
        if (!(node instanceof SqlSelect select) || select.isDistinct() || select.getModifierNode(
                org.apache.calcite.sql.SqlSelectKeyword.STREAM) != null || select.getGroup() != null || select.getHaving() != null
                || select.getWindowList() != null && !select.getWindowList().isEmpty() || select.getQualify() != null
                || select.hasHints() || select.getOrderList() != null && !select.getOrderList().isEmpty()
                || select.getOffset() != null || select.getFetch() != null) {
            throw NOT_DIRECT;
        }
        SqlNode from = select.getFrom();
        String alias = null;
        if (from instanceof SqlCall as && as.getKind() == SqlKind.AS) {
            if (as.operandCount() != 2 || !(as.operand(1) instanceof SqlIdentifier name) || !name.isSimple()) {
                throw NOT_DIRECT;
            }
            alias = name.getSimple();
            from = as.operand(0);
        }
        // A table alone, or qualified by the default schema (as Dml writes the rows UPDATE and DELETE match), or a
        // table without a primary key in its row id form (as Dml reads the rows it matches: StarlingSchema.ROW_IDS).
        if (!(from instanceof SqlIdentifier table) || !table.isSimple() && !(table.names.size() == 2
                && (table.names.get(0).equals(catalog.defaultSchema().getName()) || table.names.get(0).equals(StarlingSchema.ROW_IDS)))) {
            throw NOT_DIRECT;
        }
        String tableName = table.names.get(table.names.size() - 1);
        boolean rowIds = !table.isSimple() && table.names.get(0).equals(StarlingSchema.ROW_IDS);
        // Only a Starling table: views and system tables take Calcite's path.
        DirectCatalog.Table starling = catalog.table(rowIds, tableName);
        if (starling == null) {
            throw NOT_DIRECT;
        }
        DirectPlanner planner = new DirectPlanner(catalog, tableName, alias, starling.rowType());
        return planner.assemble(starling.relTable(), select, orderList, offset, fetch);
    }

    private Planned assemble(RelOptTable relTable, SqlSelect select, SqlNodeList orderList, SqlNode offset, SqlNode fetch)
            throws NotDirect {
        RelOptCluster cluster = RelOptCluster.create(catalog.planner(), rex);
        RexNode condition = select.getWhere() == null ? null : condition(select.getWhere());
        List<RexNode> filters = condition == null ? List.of() : RelOptUtil.conjunctions(condition);
        RelNode scan = StarlingTableScan.executable(cluster, relTable, filters);
        boolean aggregate = false;
        for (SqlNode item : select.getSelectList()) {
            aggregate |= containsAggregate(item);
        }
        Planned planned = aggregate ? aggregateQuery(scan, condition, select, orderList, offset, fetch)
                : rowQuery(scan, condition, select, orderList, offset, fetch);
        Set<String> seen = new HashSet<>();
        for (String name : planned.names()) {
            // The validator renames duplicate result names (A, A0); such queries take its path.
            if (!seen.add(name.toUpperCase(Locale.ROOT))) {
                throw NOT_DIRECT;
            }
        }
        return planned;
    }

    // ---- queries over rows: SELECT columns and expressions, ORDER BY, LIMIT ----

    private Planned rowQuery(RelNode scan, RexNode condition, SqlSelect select, SqlNodeList orderList, SqlNode offset, SqlNode fetch)
            throws NotDirect {
        List<RexNode> projects = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> plainColumns = new ArrayList<>(); // per result column: the column it is, unaliased, or -1
        List<SqlNode> items = select.getSelectList().getList();
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            if (item instanceof SqlIdentifier id && id.isStar()) {
                if (items.size() != 1 || id.names.size() != 1) {
                    throw NOT_DIRECT;
                }
                for (RelDataTypeField field : rowType.getFieldList()) {
                    projects.add(rex.makeInputRef(field.getType(), field.getIndex()));
                    names.add(field.getName());
                    plainColumns.add(field.getIndex());
                }
                continue;
            }
            String name = null;
            SqlNode expression = item;
            if (item instanceof SqlCall as && as.getKind() == SqlKind.AS) {
                if (as.operandCount() != 2 || !(as.operand(1) instanceof SqlIdentifier aliasId) || !aliasId.isSimple()) {
                    throw NOT_DIRECT;
                }
                name = aliasId.getSimple();
                expression = as.operand(0);
            }
            if (expression instanceof SqlIdentifier id) {
                RexInputRef ref = column(id);
                projects.add(ref);
                names.add(name != null ? name : rowType.getFieldList().get(ref.getIndex()).getName());
                plainColumns.add(name == null ? ref.getIndex() : -1);
            } else {
                projects.add(value(expression));
                names.add(name != null ? name : "EXPR$" + i);
                plainColumns.add(-1);
            }
        }
        int visible = projects.size();
        List<RelFieldCollation> collations = new ArrayList<>();
        if (orderList != null) {
            Set<Integer> sorted = new HashSet<>();
            for (SqlNode key : orderList) {
                RelFieldCollation.Direction direction = RelFieldCollation.Direction.ASCENDING;
                RelFieldCollation.NullDirection nulls = null;
                SqlNode k = key;
                if (k instanceof SqlCall call && (call.getKind() == SqlKind.NULLS_FIRST || call.getKind() == SqlKind.NULLS_LAST)) {
                    nulls = call.getKind() == SqlKind.NULLS_FIRST ? RelFieldCollation.NullDirection.FIRST
                            : RelFieldCollation.NullDirection.LAST;
                    k = call.operand(0);
                }
                if (k instanceof SqlCall call && call.getKind() == SqlKind.DESCENDING) {
                    direction = RelFieldCollation.Direction.DESCENDING;
                    k = call.operand(0);
                }
                if (!(k instanceof SqlIdentifier id) || id.isStar()) {
                    throw NOT_DIRECT;
                }
                // An ORDER BY name may mean a result column's alias; such queries take the validator's path.
                int column = column(id).getIndex();
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).equalsIgnoreCase(id.names.get(id.names.size() - 1)) && plainColumns.get(i) != column) {
                        throw NOT_DIRECT;
                    }
                }
                int ordinal = plainColumns.indexOf(column);
                if (ordinal < 0) {
                    RexInputRef ref = rex.makeInputRef(rowType.getFieldList().get(column).getType(), column);
                    projects.add(ref);
                    names.add(rowType.getFieldList().get(column).getName());
                    plainColumns.add(column);
                    ordinal = projects.size() - 1;
                }
                if (!sorted.add(ordinal)) {
                    throw NOT_DIRECT;
                }
                // NULLs sort high (Calcite's default): last ascending, first descending.
                if (nulls == null) {
                    nulls = direction == RelFieldCollation.Direction.DESCENDING ? RelFieldCollation.NullDirection.FIRST
                            : RelFieldCollation.NullDirection.LAST;
                }
                collations.add(new RelFieldCollation(ordinal, direction, nulls));
            }
        }
        RexNode offsetValue = rowCount(offset, true);
        RexNode fetchValue = rowCount(fetch, false);
        RelNode plan = calc(scan, projects, names, condition);
        if (!collations.isEmpty()) {
            plan = EnumerableSort.create(plan, RelCollations.of(collations), null, null);
        }
        if (offsetValue != null || fetchValue != null) {
            plan = EnumerableLimit.create(plan, offsetValue, fetchValue);
        }
        if (projects.size() > visible) {
            // Sort keys that are not result columns were carried for the sort only.
            List<RexNode> keep = new ArrayList<>();
            for (int i = 0; i < visible; i++) {
                keep.add(rex.makeInputRef(plan.getRowType().getFieldList().get(i).getType(), i));
            }
            plan = calc(plan, keep, names.subList(0, visible), null);
        }
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < visible; i++) {
            origins.add(projects.get(i) instanceof RexInputRef ? tableName : "");
        }
        return new Planned(plan, List.copyOf(names.subList(0, visible)), origins);
    }

    /** A LIMIT or OFFSET: a literal count (LIMIT 0 is left to the planner, which prunes it to no rows). */
    private RexNode rowCount(SqlNode node, boolean zeroAllowed) throws NotDirect {
        if (node == null) {
            return null;
        }
        if (!(node instanceof SqlNumericLiteral literal) || !literal.isExact() || literal.getScale() == null
                || literal.getScale() != 0) {
            throw NOT_DIRECT;
        }
        BigDecimal value = literal.getValueAs(BigDecimal.class);
        if (value.signum() < 0 || !zeroAllowed && value.signum() == 0 || value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw NOT_DIRECT;
        }
        return rex.makeExactLiteral(value);
    }

    /** A Calc of {@code projects} (and {@code condition}) over {@code input}; the input itself if it would do nothing. */
    private RelNode calc(RelNode input, List<RexNode> projects, List<String> names, RexNode condition) {
        RelDataType inputType = input.getRowType();
        boolean identity = condition == null && projects.size() == inputType.getFieldCount();
        for (int i = 0; identity && i < projects.size(); i++) {
            identity = projects.get(i) instanceof RexInputRef ref && ref.getIndex() == i;
        }
        if (identity) {
            return input;
        }
        return EnumerableCalc.create(input, program(inputType, projects, names, condition));
    }

    /**
     * The program of a Calc, its expressions flattened in order (every input field first, then
     * each call after its operands), as {@link org.apache.calcite.rex.RexProgramBuilder} would
     * list them but without its normalisation: that merges equal expressions by hashing them and
     * simplifies the condition, which cost a fifth of the CPU of a new statement (JFR, the bench's
     * distinct phase) for expressions this planner already writes in the converter's form.
     */
    private RexProgram program(RelDataType inputType, List<RexNode> projects, List<String> names, RexNode condition) {
        List<RelDataTypeField> fields = inputType.getFieldList();
        List<RexNode> exprs = new ArrayList<>(fields.size() + 4 * projects.size());
        for (RelDataTypeField field : fields) {
            exprs.add(new RexInputRef(field.getIndex(), field.getType()));
        }
        RexLocalRef conditionRef = condition == null ? null : local(condition, exprs);
        List<RexLocalRef> projectRefs = new ArrayList<>(projects.size());
        List<String> outputNames = new ArrayList<>(projects.size());
        for (int i = 0; i < projects.size(); i++) {
            projectRefs.add(local(projects.get(i), exprs));
            String name = names.get(i);
            outputNames.add(name == null ? "$" + i : name);
        }
        RelDataType outputType = RexUtil.createStructType(typeFactory, projectRefs, outputNames, null);
        return new RexProgram(inputType, exprs, projectRefs, conditionRef, outputType);
    }

    /** The local reference to {@code node} in {@code exprs}, appending it (after its operands) unless it is an input field. */
    private static RexLocalRef local(RexNode node, List<RexNode> exprs) {
        if (node instanceof RexInputRef ref) {
            return new RexLocalRef(ref.getIndex(), ref.getType());
        }
        if (node instanceof RexCall call) {
            // Indexed, not for-each: an ImmutableList's iterator is garbage per call (JFR allocation samples).
            List<RexNode> callOperands = call.getOperands();
            List<RexNode> operands = new ArrayList<>(callOperands.size());
            for (int i = 0; i < callOperands.size(); i++) {
                operands.add(local(callOperands.get(i), exprs));
            }
            node = call.clone(call.getType(), operands);
        }
        exprs.add(node);
        return new RexLocalRef(exprs.size() - 1, node.getType());
    }

    // ---- VALUES: the rows an INSERT writes ----

    /**
     * {@code VALUES (value | NULL, ...), ...} of the values {@link #value} plans without a table
     * (parameters, TRUE/FALSE, their negations and arithmetic), as the converter and the simple
     * path plan it: per row a Calc of its values over a one-row VALUES, the rows in a UNION ALL.
     * Each column takes its values' common type ({@link #columnType}), each value converted to it
     * ({@link #ofColumnType}).
     */
    private Planned values(SqlCall values) throws NotDirect {
        List<List<RexNode>> rows = new ArrayList<>();
        int width = -1;
        for (SqlNode rowNode : values.getOperandList()) {
            if (!(rowNode instanceof SqlCall row) || row.getKind() != SqlKind.ROW || width >= 0 && row.operandCount() != width
                    || row.operandCount() == 0) {
                throw NOT_DIRECT;
            }
            width = row.operandCount();
            List<RexNode> items = new ArrayList<>();
            for (SqlNode item : row.getOperandList()) {
                items.add(SqlUtil.isNullLiteral(item, false) ? null : value(item));
            }
            rows.add(items);
        }
        if (rows.isEmpty()) {
            throw NOT_DIRECT;
        }
        List<RelDataType> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            types.add(columnType(rows, c));
            names.add("EXPR$" + c);
        }
        RelOptCluster cluster = RelOptCluster.create(catalog.planner(), rex);
        List<RelNode> inputs = new ArrayList<>();
        for (List<RexNode> row : rows) {
            List<RexNode> projects = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                projects.add(ofColumnType(row.get(c), types.get(c)));
            }
            RelNode one = EnumerableValues.create(cluster, typeFactory.builder().build(), ImmutableList.of(ImmutableList.of()));
            inputs.add(calc(one, projects, names, null));
        }
        RelNode plan = inputs.size() == 1 ? inputs.get(0)
                : new EnumerableUnion(cluster, cluster.traitSetOf(EnumerableConvention.INSTANCE), inputs, true);
        return new Planned(plan, names, java.util.Collections.nCopies(width, ""));
    }

    /**
     * The type of a VALUES column, as the validator derives it: its values' least restrictive
     * type (CHAR of several lengths widen to VARCHAR, INTEGER to BIGINT, DECIMAL or DOUBLE,
     * DECIMALs to one with the most integer and fraction digits), nullable if a value is; a NULL
     * takes the others' type. Only values of one type, numbers, or strings are planned here: other
     * mixes (which the validator coerces or refuses) are left to it.
     */
    private RelDataType columnType(List<List<RexNode>> rows, int c) throws NotDirect {
        List<RelDataType> types = new ArrayList<>();
        boolean nullable = false;
        boolean numbers = true;
        boolean strings = true;
        for (List<RexNode> row : rows) {
            RexNode item = row.get(c);
            nullable |= item == null || item.getType().isNullable();
            if (item != null) {
                RelDataType t = typeFactory.createTypeWithNullability(item.getType(), true);
                types.add(t);
                SqlTypeName name = t.getSqlTypeName();
                numbers &= name == SqlTypeName.INTEGER || name == SqlTypeName.BIGINT || name == SqlTypeName.DECIMAL
                        || name == SqlTypeName.DOUBLE;
                strings &= name == SqlTypeName.CHAR || name == SqlTypeName.VARCHAR;
            }
        }
        if (types.isEmpty()) {
            return typeFactory.createSqlType(SqlTypeName.NULL);
        }
        boolean same = types.stream().distinct().count() == 1;
        RelDataType type = same ? types.get(0) : numbers || strings ? typeFactory.leastRestrictive(types) : null;
        if (type == null) {
            throw NOT_DIRECT;
        }
        return typeFactory.createTypeWithNullability(type, nullable);
    }

    /**
     * A VALUES item as the converter gives it its column's type: NULL typed; a parameter of a
     * type the column's widens retyped (the converter's cast, folded by
     * {@code QueryCompiler.widenParameterCasts}); any other value of another type cast.
     */
    private RexNode ofColumnType(RexNode item, RelDataType columnType) {
        if (item == null) {
            return rex.makeNullLiteral(columnType);
        }
        RelDataType target = typeFactory.createTypeWithNullability(columnType, item.getType().isNullable());
        if (target.equals(item.getType())) {
            return item;
        }
        if (item instanceof org.apache.calcite.rex.RexDynamicParam p && QueryCompiler.widens(p.getType(), columnType)) {
            return param(columnType, p.getIndex());
        }
        return rex.makeAbstractCast(target, item, false);
    }

    // ---- queries with aggregates and no GROUP BY ----

    private Planned aggregateQuery(RelNode scan, RexNode condition, SqlSelect select, SqlNodeList orderList, SqlNode offset,
                                 SqlNode fetch) throws NotDirect {
        if (orderList != null || offset != null || fetch != null) {
            throw NOT_DIRECT;
        }
        RelNode input = condition == null ? scan : calc(scan, identity(scan), scan.getRowType().getFieldNames(), condition);
        List<AggregateCall> calls = new ArrayList<>();
        List<SqlNode> callNodes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<SqlNode> expressions = new ArrayList<>();
        List<SqlNode> items = select.getSelectList().getList();
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            String name = "EXPR$" + i;
            if (item instanceof SqlCall as && as.getKind() == SqlKind.AS) {
                if (as.operandCount() != 2 || !(as.operand(1) instanceof SqlIdentifier aliasId) || !aliasId.isSimple()) {
                    throw NOT_DIRECT;
                }
                name = aliasId.getSimple();
                item = as.operand(0);
            }
            names.add(name);
            expressions.add(item);
        }
        // The aggregate calls, in the order they appear (as the converter gathers them).
        for (SqlNode expression : expressions) {
            SqlCall call = aggregateOf(expression);
            for (SqlNode other : callNodes) {
                if (other.equalsDeep(call, org.apache.calcite.util.Litmus.IGNORE)) {
                    throw NOT_DIRECT; // the converter shares one call between equal expressions
                }
            }
            callNodes.add(call);
            calls.add(aggregateCall(call, input, calls.size()));
        }
        RelNode aggregate;
        try {
            aggregate = new EnumerableAggregate(scan.getCluster(), scan.getCluster().traitSetOf(EnumerableConvention.INSTANCE), input,
                    ImmutableBitSet.of(), null, calls);
        } catch (InvalidRelException e) {
            throw NOT_DIRECT;
        }
        List<RexNode> projects = new ArrayList<>();
        for (int i = 0; i < expressions.size(); i++) {
            SqlNode call = callNodes.get(i);
            RexInputRef ref = rex.makeInputRef(aggregate.getRowType().getFieldList().get(i).getType(), i);
            projects.add(arithmetic(expressions.get(i), node -> {
                if (node != call) {
                    throw NOT_DIRECT;
                }
                return ref;
            }));
        }
        // Aggregates are derived columns: they have no source table.
        return new Planned(calc(aggregate, projects, names, null), names, java.util.Collections.nCopies(names.size(), ""));
    }

    private static List<RexNode> identity(RelNode input) {
        List<RexNode> refs = new ArrayList<>();
        for (RelDataTypeField field : input.getRowType().getFieldList()) {
            refs.add(new RexInputRef(field.getIndex(), field.getType()));
        }
        return refs;
    }

    /**
     * Whether a select item calls a function: the parser leaves functions unresolved, so an
     * aggregate is not known as one before validation; a query calling any function is taken for
     * an aggregate query, which accepts only COUNT, MIN and MAX by name.
     */
    private static boolean containsAggregate(SqlNode node) {
        if (node instanceof SqlCall call) {
            if (call.getKind() == SqlKind.CAST) {
                return false; // CAST(? AS type), a value of a row (rowQuery)
            }
            if (isFunction(call)) {
                return true;
            }
            for (SqlNode operand : call.getOperandList()) {
                if (containsAggregate(operand)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isFunction(SqlCall call) {
        return call.getOperator() instanceof org.apache.calcite.sql.SqlFunction || call.getOperator().isAggregator();
    }

    /** The aggregate call of {@code aggregate} or {@code aggregate op integer}. */
    private static SqlCall aggregateOf(SqlNode expression) throws NotDirect {
        if (expression instanceof SqlCall call && isFunction(call)) {
            return call;
        }
        if (expression instanceof SqlCall call && isArithmetic(call.getKind()) && call.operandCount() == 2) {
            if (call.operand(0) instanceof SqlCall a && isFunction(a) && integer(call.operand(1)) != null) {
                return a;
            }
            if (call.operand(1) instanceof SqlCall b && isFunction(b) && integer(call.operand(0)) != null) {
                return b;
            }
        }
        throw NOT_DIRECT;
    }

    private AggregateCall aggregateCall(SqlCall call, RelNode input, int index) throws NotDirect {
        if (call.getFunctionQuantifier() != null || call.operandCount() != 1) {
            throw NOT_DIRECT;
        }
        SqlAggFunction function;
        List<Integer> args;
        SqlNode operand = call.operand(0);
        // Unresolved by the parser: known by its name, as the validator looks it up.
        String name = call.getOperator().getName();
        if (name.equals("COUNT")) {
            function = SqlStdOperatorTable.COUNT;
            args = operand instanceof SqlIdentifier id && id.isStar() && id.names.size() == 1 ? List.of()
                    : List.of(column(operand).getIndex());
        } else if (name.equals("MIN") || name.equals("MAX")) {
            function = name.equals("MIN") ? SqlStdOperatorTable.MIN : SqlStdOperatorTable.MAX;
            args = List.of(column(operand).getIndex());
        } else {
            throw NOT_DIRECT;
        }
        return AggregateCall.create(function, false, false, false, List.of(), args, -1, null, RelCollations.EMPTY, 0, input, null,
                "EXPR$" + index);
    }

    // ---- expressions ----

    /** Turns a leaf of an arithmetic expression into its row expression. */
    @FunctionalInterface
    private interface Leaf {
        RexNode of(SqlNode node) throws NotDirect;
    }

    private RexNode columnOperand(SqlNode node) throws NotDirect {
        return column(node);
    }

    /**
     * A leaf, or {@code leaf op integer} / {@code integer op leaf} for +, - and * over an
     * INTEGER, BIGINT or DOUBLE leaf, as the converter makes it: {@code x + 0}, {@code x - 0}
     * and {@code x * 1} are simplified to {@code x} (the converter's projection simplifies them).
     */
    private RexNode arithmetic(SqlNode node, Leaf leaf) throws NotDirect {
        if (!(node instanceof SqlCall call) || !isArithmetic(call.getKind())) {
            return leaf.of(node);
        }
        if (call.operandCount() != 2) {
            throw NOT_DIRECT;
        }
        BigDecimal left = integer(call.operand(0));
        BigDecimal right = integer(call.operand(1));
        if ((left == null) == (right == null)) {
            throw NOT_DIRECT;
        }
        RexNode operand = leaf.of(left == null ? call.operand(0) : call.operand(1));
        SqlTypeName type = operand.getType().getSqlTypeName();
        if (type != SqlTypeName.INTEGER && type != SqlTypeName.BIGINT && type != SqlTypeName.DOUBLE) {
            throw NOT_DIRECT;
        }
        BigDecimal value = left != null ? left : right;
        SqlKind kind = call.getKind();
        boolean neutral = kind == SqlKind.PLUS && value.signum() == 0 || kind == SqlKind.MINUS && right != null && value.signum() == 0
                || kind == SqlKind.TIMES && value.compareTo(BigDecimal.ONE) == 0;
        if (neutral) {
            return operand;
        }
        RexNode literal = rex.makeExactLiteral(value, typeFactory.createSqlType(SqlTypeName.INTEGER));
        SqlOperator op = switch (kind) {
            case PLUS -> SqlStdOperatorTable.PLUS;
            case MINUS -> SqlStdOperatorTable.MINUS;
            default -> SqlStdOperatorTable.MULTIPLY;
        };
        return left != null ? rex.makeCall(op, literal, operand) : rex.makeCall(op, operand, literal);
    }

    private static boolean isArithmetic(SqlKind kind) {
        return kind == SqlKind.PLUS || kind == SqlKind.MINUS || kind == SqlKind.TIMES;
    }

    /** The value of an unsigned integer literal within INTEGER's range, or null if the node is not one. */
    private static BigDecimal integer(SqlNode node) {
        if (node instanceof SqlNumericLiteral literal && literal.isExact() && literal.getScale() != null && literal.getScale() == 0) {
            BigDecimal value = literal.getValueAs(BigDecimal.class);
            if (value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0 && value.signum() >= 0) {
                return value;
            }
        }
        return null;
    }

    /**
     * A computed value of a row (a select item, an UPDATE's SET value, an INSERT's VALUES item),
     * as the converter makes it: a column; {@code CAST(? AS type)} (AutoParameters' literal or
     * Dml's typed parameter); TRUE or FALSE; {@code -value} over INTEGER, BIGINT, DOUBLE or
     * DECIMAL; {@code value op integer literal} (see {@link #arithmetic}); or {@code value op value}
     * for +, - and * over INTEGER, BIGINT and DOUBLE, a bare {@code ?} there taking the other
     * operand's type as the validator infers it ({@code SET n = n + 1}, {@code SET c = c * ?}).
     * Operands keep their types: the converter adds no casts to arithmetic, whose result type is
     * the operator's own inference ({@link RexBuilder#makeCall}), as the validator's is.
     */
    private RexNode value(SqlNode node) throws NotDirect {
        return value(node, true);
    }

    /**
     * As {@link #value(SqlNode)}; {@code outermost} tells whether the node is the whole value: only
     * there does the validator infer a bare {@code ?}'s type from its arithmetic's other operand
     * (in {@code (b + ?) * n} it refuses to, with 42804).
     */
    private RexNode value(SqlNode node, boolean outermost) throws NotDirect {
        if (node instanceof SqlIdentifier) {
            return column(node);
        }
        if (node.getKind() == SqlKind.CAST) {
            return parameter(node);
        }
        if (node instanceof SqlLiteral literal && literal.getTypeName() == SqlTypeName.BOOLEAN && literal.getValue() != null) {
            return rex.makeLiteral(literal.booleanValue());
        }
        if (!(node instanceof SqlCall call)) {
            throw NOT_DIRECT;
        }
        if (call.getKind() == SqlKind.MINUS_PREFIX && call.operandCount() == 1) {
            RexNode operand = value(call.operand(0), false);
            SqlTypeName type = operand.getType().getSqlTypeName();
            if (type != SqlTypeName.INTEGER && type != SqlTypeName.BIGINT && type != SqlTypeName.DOUBLE
                    && type != SqlTypeName.DECIMAL) {
                throw NOT_DIRECT;
            }
            return rex.makeCall(SqlStdOperatorTable.UNARY_MINUS, operand);
        }
        if (!isArithmetic(call.getKind()) || call.operandCount() != 2) {
            throw NOT_DIRECT;
        }
        if (integer(call.operand(0)) != null || integer(call.operand(1)) != null) {
            return arithmetic(call, operand -> value(operand, false));
        }
        boolean leftBare = call.operand(0) instanceof SqlDynamicParam;
        boolean rightBare = call.operand(1) instanceof SqlDynamicParam;
        if (leftBare && rightBare || (leftBare || rightBare) && !outermost) {
            throw NOT_DIRECT;
        }
        RexNode left = leftBare ? null : value(call.operand(0), false);
        RexNode right = rightBare ? null : value(call.operand(1), false);
        if (leftBare) {
            left = param(right.getType(), ((SqlDynamicParam) call.operand(0)).getIndex());
        }
        if (rightBare) {
            right = param(left.getType(), ((SqlDynamicParam) call.operand(1)).getIndex());
        }
        if (!isPlainNumber(left.getType()) || !isPlainNumber(right.getType())) {
            throw NOT_DIRECT;
        }
        SqlOperator op = switch (call.getKind()) {
            case PLUS -> SqlStdOperatorTable.PLUS;
            case MINUS -> SqlStdOperatorTable.MINUS;
            default -> SqlStdOperatorTable.MULTIPLY;
        };
        return rex.makeCall(op, left, right);
    }

    /** INTEGER, BIGINT or DOUBLE: the types whose +, - and * the interpreter computes as the generated code does. */
    private static boolean isPlainNumber(RelDataType type) {
        SqlTypeName name = type.getSqlTypeName();
        return name == SqlTypeName.INTEGER || name == SqlTypeName.BIGINT || name == SqlTypeName.DOUBLE;
    }

    /** A column of the table, named alone or qualified by the table's name (or its alias, if it has one). */
    private RexInputRef column(SqlNode node) throws NotDirect {
        if (rowType == null || !(node instanceof SqlIdentifier id) || id.isStar() || id.names.size() > 2) {
            throw NOT_DIRECT;
        }
        if (id.names.size() == 2 && !id.names.get(0).equals(alias != null ? alias : tableName)) {
            throw NOT_DIRECT;
        }
        RelDataTypeField field = rowType.getField(id.names.get(id.names.size() - 1), true, false);
        if (field == null) {
            throw NOT_DIRECT;
        }
        return rex.makeInputRef(field.getType(), field.getIndex());
    }

    /** A WHERE condition. */
    private RexNode condition(SqlNode node) throws NotDirect {
        if (!(node instanceof SqlCall call)) {
            throw NOT_DIRECT;
        }
        switch (call.getKind()) {
            case AND:
            case OR: {
                List<RexNode> operands = new ArrayList<>();
                for (SqlNode operand : call.getOperandList()) {
                    RexNode converted = condition(operand);
                    // The converter flattens nested ANDs (and ORs) into one call.
                    if (converted.getKind() == call.getKind()) {
                        operands.addAll(((RexCall) converted).getOperands());
                    } else {
                        operands.add(converted);
                    }
                }
                return rex.makeCall(call.getKind() == SqlKind.AND ? SqlStdOperatorTable.AND : SqlStdOperatorTable.OR, operands);
            }
            case NOT:
                return rex.makeCall(SqlStdOperatorTable.NOT, condition(call.operand(0)));
            case EQUALS:
            case NOT_EQUALS:
            case LESS_THAN:
            case LESS_THAN_OR_EQUAL:
            case GREATER_THAN:
            case GREATER_THAN_OR_EQUAL:
                return comparison(call.getKind(), call.operand(0), call.operand(1));
            case BETWEEN: {
                if (!(call.getOperator() instanceof SqlBetweenOperator between)
                        || between.flag != SqlBetweenOperator.Flag.ASYMMETRIC) {
                    throw NOT_DIRECT;
                }
                RexNode range = rex.makeCall(SqlStdOperatorTable.AND,
                        comparison(SqlKind.GREATER_THAN_OR_EQUAL, call.operand(0), call.operand(1)),
                        comparison(SqlKind.LESS_THAN_OR_EQUAL, call.operand(0), call.operand(2)));
                return between.isNegated() ? rex.makeCall(SqlStdOperatorTable.NOT, range) : range;
            }
            case IN:
            case NOT_IN:
                return inList(call);
            case LIKE: {
                if (call.getOperator() != SqlStdOperatorTable.LIKE || call.operandCount() != 2) {
                    throw NOT_DIRECT;
                }
                RexInputRef value = column(call.operand(0));
                RexNode pattern = parameter(call.operand(1));
                if (value.getType().getSqlTypeName() != SqlTypeName.VARCHAR || pattern.getType().getSqlTypeName() != SqlTypeName.CHAR) {
                    throw NOT_DIRECT;
                }
                return rex.makeCall(SqlStdOperatorTable.LIKE, value, pattern);
            }
            case IS_NULL:
            case IS_NOT_NULL: {
                RexInputRef value = column(call.operand(0));
                if (!value.getType().isNullable()) {
                    throw NOT_DIRECT; // the converter folds a test of a NOT NULL column
                }
                return rex.makeCall(call.getKind() == SqlKind.IS_NULL ? SqlStdOperatorTable.IS_NULL : SqlStdOperatorTable.IS_NOT_NULL,
                        value);
            }
            default:
                throw NOT_DIRECT;
        }
    }

    /**
     * A comparison of a column with a column of the same type, or with a parameter
     * ({@code CAST(? AS type)}, as {@link AutoParameters} writes a literal), either way round,
     * with the implicit conversions the validator adds and {@code QueryCompiler.widenParameterCasts}
     * then folds into the parameter's type:
     * <ul>
     * <li>INTEGER column, INTEGER parameter: compared as they are;
     * <li>INTEGER column, BIGINT parameter: the column cast to BIGINT;
     * <li>BIGINT column, INTEGER or BIGINT parameter: the parameter is a BIGINT;
     * <li>DOUBLE column, INTEGER or DOUBLE parameter: the parameter is a DOUBLE;
     * <li>DOUBLE column, DECIMAL parameter: the parameter cast to DOUBLE;
     * <li>VARCHAR(n) column, CHAR(m) parameter with m &lt;= n: the parameter is a VARCHAR(n).
     * </ul>
     * Any other pairing is not planned here.
     */
    private RexNode comparison(SqlKind kind, SqlNode leftNode, SqlNode rightNode) throws NotDirect {
        RexNode left;
        RexNode right;
        boolean leftColumn = leftNode instanceof SqlIdentifier;
        boolean rightColumn = rightNode instanceof SqlIdentifier;
        if (leftColumn && rightColumn) {
            left = column(leftNode);
            right = column(rightNode);
            RelDataType a = left.getType();
            RelDataType b = right.getType();
            if (a.getSqlTypeName() != b.getSqlTypeName() || a.getPrecision() != b.getPrecision() || a.getScale() != b.getScale()
                    || !isComparable(a.getSqlTypeName())) {
                throw NOT_DIRECT;
            }
        } else if (leftColumn || rightColumn) {
            RexInputRef column = column(leftColumn ? leftNode : rightNode);
            SqlNode other = leftColumn ? rightNode : leftNode;
            // A bare ? compared with a column takes the column's type, as the validator infers it.
            RexNode[] pair = other instanceof SqlDynamicParam bare
                    ? new RexNode[] {column, param(column.getType(), bare.getIndex())}
                    : columnAndParameter(column, other);
            left = leftColumn ? pair[0] : pair[1];
            right = leftColumn ? pair[1] : pair[0];
        } else {
            throw NOT_DIRECT;
        }
        return compare(comparisonOperator(kind), left, right);
    }

    /**
     * A comparison: BOOLEAN, nullable if an operand is (what the operators' type inference
     * answers, written out because inferring it for each item of an IN list costs more than the
     * rest of building it).
     */
    private RexNode compare(SqlOperator operator, RexNode left, RexNode right) {
        RelDataType type = catalog.booleanType(left.getType().isNullable() || right.getType().isNullable());
        return rex.makeCall(type, operator, List.of(left, right));
    }

    private static boolean isComparable(SqlTypeName type) {
        return type == SqlTypeName.INTEGER || type == SqlTypeName.BIGINT || type == SqlTypeName.DOUBLE || type == SqlTypeName.VARCHAR;
    }

    private RexNode[] columnAndParameter(RexInputRef column, SqlNode parameterNode) throws NotDirect {
        RexNode parameter = parameter(parameterNode);
        int index = ((org.apache.calcite.rex.RexDynamicParam) parameter).getIndex();
        RelDataType c = column.getType();
        RelDataType p = parameter.getType();
        SqlTypeName ct = c.getSqlTypeName();
        SqlTypeName pt = p.getSqlTypeName();
        if (ct == SqlTypeName.INTEGER && pt == SqlTypeName.INTEGER) {
            return new RexNode[] {column, parameter};
        }
        if (ct == SqlTypeName.INTEGER && pt == SqlTypeName.BIGINT) {
            RelDataType bigint = typeFactory.createTypeWithNullability(typeFactory.createSqlType(SqlTypeName.BIGINT), c.isNullable());
            return new RexNode[] {rex.makeAbstractCast(bigint, column, false), parameter};
        }
        if (ct == SqlTypeName.BIGINT && (pt == SqlTypeName.INTEGER || pt == SqlTypeName.BIGINT)) {
            return new RexNode[] {column, param(typeFactory.createSqlType(SqlTypeName.BIGINT), index)};
        }
        if (ct == SqlTypeName.DOUBLE && (pt == SqlTypeName.INTEGER || pt == SqlTypeName.DOUBLE)) {
            return new RexNode[] {column, param(typeFactory.createSqlType(SqlTypeName.DOUBLE), index)};
        }
        if (ct == SqlTypeName.DOUBLE && pt == SqlTypeName.DECIMAL) {
            RelDataType dbl = typeFactory.createTypeWithNullability(typeFactory.createSqlType(SqlTypeName.DOUBLE), p.isNullable());
            return new RexNode[] {column, rex.makeAbstractCast(dbl, parameter, false)};
        }
        if (ct == SqlTypeName.VARCHAR && pt == SqlTypeName.CHAR && p.getPrecision() <= c.getPrecision()) {
            RelDataType varchar = typeFactory.createTypeWithCharsetAndCollation(
                    typeFactory.createSqlType(SqlTypeName.VARCHAR, c.getPrecision()), c.getCharset(), c.getCollation());
            return new RexNode[] {column, param(varchar, index)};
        }
        throw NOT_DIRECT;
    }

    /** A parameter of the given type, nullable as parameters are. */
    private RexNode param(RelDataType type, int index) {
        return rex.makeDynamicParam(typeFactory.createTypeWithNullability(type, true), index);
    }

    /**
     * {@code CAST(?k AS type)} as a parameter of that type (INTEGER, BIGINT, DOUBLE, DECIMAL(p, s), CHAR(n),
     * VARCHAR(n), BOOLEAN, DATE or TIMESTAMP(p)): the validator infers the cast's type for the
     * parameter, and the plan's cast of a parameter to its own type is folded away
     * ({@code QueryCompiler.widenParameterCasts}).
     */
    private RexNode parameter(SqlNode node) throws NotDirect {
        if (!(node instanceof SqlCall cast) || cast.getKind() != SqlKind.CAST || cast.operandCount() != 2
                || !(cast.operand(0) instanceof SqlDynamicParam dynamic) || !(cast.operand(1) instanceof SqlDataTypeSpec spec)
                || !(spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic) || spec.getNullable() != null
                || basic.getCharSetName() != null) {
            throw NOT_DIRECT;
        }
        SqlTypeName name = SqlTypeName.get(basic.getTypeName().getSimple().toUpperCase(Locale.ROOT));
        if (name == null) {
            throw NOT_DIRECT;
        }
        RelDataType type = switch (name) {
            case INTEGER, BIGINT, DOUBLE -> basic.getPrecision() < 0 ? typeFactory.createSqlType(name) : null;
            case DECIMAL -> basic.getPrecision() > 0 && basic.getScale() >= 0
                    ? typeFactory.createSqlType(name, basic.getPrecision(), basic.getScale()) : null;
            case CHAR, VARCHAR -> basic.getPrecision() > 0 ? typeFactory.createSqlType(name, basic.getPrecision()) : null;
            case BOOLEAN, DATE -> basic.getPrecision() < 0 ? typeFactory.createSqlType(name) : null;
            case TIMESTAMP -> basic.getPrecision() >= 0 && basic.getPrecision() <= Ddl.MAX_TIMESTAMP_PRECISION
                    ? typeFactory.createSqlType(name, basic.getPrecision()) : null;
            default -> null;
        };
        if (type == null) {
            throw NOT_DIRECT;
        }
        return param(type, dynamic.getIndex());
    }

    /** {@code column [NOT] IN (integer, ...)} over an INTEGER or BIGINT column: an OR of equalities. */
    private RexNode inList(SqlCall call) throws NotDirect {
        if (!(call.operand(1) instanceof SqlNodeList list) || list.isEmpty() || list.size() > TreePlanner.IN_LIST_MAX_VALUES_AS_CONDITION) {
            throw NOT_DIRECT;
        }
        RexInputRef column = column(call.operand(0));
        SqlTypeName type = column.getType().getSqlTypeName();
        if (list.get(0) instanceof SqlDynamicParam) {
            return parameterList(call, column, list);
        }
        if (type != SqlTypeName.INTEGER && type != SqlTypeName.BIGINT) {
            throw NOT_DIRECT;
        }
        RelDataType literalType = typeFactory.createSqlType(type);
        List<RexNode> equalities = new ArrayList<>();
        Set<BigDecimal> values = new HashSet<>();
        for (SqlNode item : list) {
            BigDecimal value = integer(item);
            if (value == null || !values.add(value)) {
                throw NOT_DIRECT; // not an integer literal, or a repeated value (the converter may merge those)
            }
            equalities.add(compare(SqlStdOperatorTable.EQUALS, column, rex.makeExactLiteral(value, literalType)));
        }
        RexNode any = equalities.size() == 1 ? equalities.get(0) : rex.makeCall(SqlStdOperatorTable.OR, equalities);
        return call.getKind() == SqlKind.NOT_IN ? rex.makeCall(SqlStdOperatorTable.NOT, any) : any;
    }

    /**
     * {@code column [NOT] IN (?, ?, ...)} over an INTEGER, BIGINT, DOUBLE or VARCHAR column, as
     * an application builds it for a list of ids: each {@code ?} takes the column's type, as the
     * validator infers it, and the list is an OR of equalities, as the converter makes it.
     */
    private RexNode parameterList(SqlCall call, RexInputRef column, SqlNodeList list) throws NotDirect {
        if (!isComparable(column.getType().getSqlTypeName())) {
            throw NOT_DIRECT;
        }
        List<RexNode> equalities = new ArrayList<>();
        for (SqlNode item : list) {
            if (!(item instanceof SqlDynamicParam parameter)) {
                throw NOT_DIRECT;
            }
            equalities.add(compare(SqlStdOperatorTable.EQUALS, column, param(column.getType(), parameter.getIndex())));
        }
        RexNode any = equalities.size() == 1 ? equalities.get(0) : rex.makeCall(SqlStdOperatorTable.OR, equalities);
        return call.getKind() == SqlKind.NOT_IN ? rex.makeCall(SqlStdOperatorTable.NOT, any) : any;
    }

    private static SqlOperator comparisonOperator(SqlKind kind) {
        return switch (kind) {
            case EQUALS -> SqlStdOperatorTable.EQUALS;
            case NOT_EQUALS -> SqlStdOperatorTable.NOT_EQUALS;
            case LESS_THAN -> SqlStdOperatorTable.LESS_THAN;
            case LESS_THAN_OR_EQUAL -> SqlStdOperatorTable.LESS_THAN_OR_EQUAL;
            case GREATER_THAN -> SqlStdOperatorTable.GREATER_THAN;
            default -> SqlStdOperatorTable.GREATER_THAN_OR_EQUAL;
        };
    }
}
