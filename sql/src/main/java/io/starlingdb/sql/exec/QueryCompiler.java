package io.starlingdb.sql.exec;

import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.ColumnMeta;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.schema.AccessPath;
import io.starlingdb.sql.schema.StarlingAggregateScan;
import io.starlingdb.sql.schema.StarlingSchema;
import io.starlingdb.sql.schema.StarlingTableScan;
import io.starlingdb.sql.system.SysSchema;
import io.starlingdb.sql.system.SystemView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import com.google.common.base.Suppliers;
import java.util.concurrent.atomic.AtomicBoolean;
import io.starlingdb.engine.txn.Transaction;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Calc;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import io.starlingdb.sql.parser.ReusedParser;
import io.starlingdb.sql.parser.SimpleSelectParser;
import io.starlingdb.sql.parser.impl.StarlingSqlParserImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Program;
import org.apache.calcite.tools.Programs;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.rules.JoinPushThroughJoinRule;
import org.apache.calcite.tools.ValidationException;
import org.apache.calcite.util.CancelFlag;

/**
 * Parses, validates and plans a query with Calcite into an executable {@link Compiled} plan,
 * at one catalog version. Plans are immutable and reusable across executions and threads.
 */
public final class QueryCompiler {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(QueryCompiler.class);

    /**
     * A planned query: run it with {@link #open}, read its rows as Object[] in column order.
     * Plan parameter {@code k} is statement parameter {@code k}: the user's {@code ?} first,
     * then the literals {@link AutoParameters} took out. {@code simple} tells which planner
     * path made it (see {@link PlannerPath}), {@code direct} whether {@link DirectPlanner} made it
     * (without Calcite's validator); {@code planningNanos} is the time from the parsed tree to the
     * executable plan, before code generation. {@code explainText} gives the plan's EXPLAIN text.
     * {@code pointRead}: the plan reads one row by its table's full primary key and nothing else
     * (projections and filters over one point lookup; see {@link #isPointRead}).
     */
    public record Compiled(TieredPlan plan, List<ColumnMeta> columns, List<RelDataType> columnTypes,
                           List<RelDataType> parameterTypes, Supplier<String> explainText, SchemaPlus rootSchema,
                           JavaTypeFactory typeFactory, boolean simple, boolean direct, long planningNanos,
                           boolean pointRead) {

        /** The plan as EXPLAIN shows it. */
        public String explain() {
            return explainText.get();
        }

        /**
         * Starts the plan over a transaction with the given (already converted) parameter values;
         * its scans stop with {@link CancelSignal.Stopped} once {@code cancel} is set.
         */
        public Enumerator<Object> open(Transaction transaction, CancelSignal cancel, List<Object> parameters) {
            return plan.open(stash -> new ExecutionContext(rootSchema, typeFactory, transaction, cancel, parameters, stash));
        }

        /**
         * Starts the plan as {@link #open} does if its code is generated already; null if it is
         * not (a thread that must not wait runs only generated plans: generating one takes
         * milliseconds).
         */
        public Enumerator<Object> openGenerated(Transaction transaction, CancelSignal cancel, List<Object> parameters) {
            return plan.openGenerated(stash -> new ExecutionContext(rootSchema, typeFactory, transaction, cancel, parameters, stash));
        }

        /**
         * Starts the plan in a forced tier: interpreted (null if the plan cannot be) or as
         * generated code. Tests compare the tiers; statements use {@link #open}.
         */
        public Enumerator<Object> open(Transaction transaction, CancelSignal cancel, List<Object> parameters, boolean interpret) {
            return plan.open(stash -> new ExecutionContext(rootSchema, typeFactory, transaction, cancel, parameters, stash), interpret);
        }

        /**
         * The plan's parameter values, each converted to its type, from the statement's values:
         * {@code user} (checked against {@code userCount}) followed by {@code literals}.
         */
        public List<Object> bind(List<Object> user, int userCount, List<Object> literals) throws SqlException {
            if (user.size() != userCount) {
                throw new SqlException("07001", "the statement has " + userCount + " parameters but " + user.size() + " were given");
            }
            List<Object> out = new ArrayList<>(parameterTypes.size());
            for (int k = 0; k < parameterTypes.size(); k++) {
                Object value = k < userCount ? user.get(k) : literals.get(k - userCount);
                out.add(Values.parameter(value, parameterTypes.get(k), k));
            }
            return out;
        }

        /** The types of the statement's first {@code count} parameters (null where the plan does not say). */
        public List<RelDataType> statementParameterTypes(int count) {
            List<RelDataType> out = new ArrayList<>(Collections.nCopies(count, (RelDataType) null));
            for (int k = 0; k < count && k < parameterTypes.size(); k++) {
                out.set(k, parameterTypes.get(k));
            }
            return out;
        }
    }

    private final Catalog.Snapshot catalog;
    private final SchemaPlus rootSchema;
    private final SchemaPlus publicSchema;
    /** Set when the statement being planned must stop; every planner of its phases polls it. */
    private final AtomicBoolean cancelFlag;
    /** The signal behind cancelFlag, which bounds planning time; null: unbounded. */
    private final CancelSignal cancel;
    private final long planningBudgetMillis;
    /**
     * Calcite's default types, except that literals of different lengths combine to VARCHAR
     * (as in PostgreSQL), not to a blank-padded CHAR: {@code VALUES ('a'), ('bb')} stores 'a'.
     */
    static final RelDataTypeSystem TYPE_SYSTEM = new RelDataTypeSystemImpl() {
        @Override
        public boolean shouldConvertRaggedUnionTypesToVarying() {
            return true;
        }

        /** Columns may be as long as Starling allows, not Calcite's default 65,536. */
        @Override
        public int getMaxPrecision(SqlTypeName typeName) {
            if (typeName == SqlTypeName.VARCHAR || typeName == SqlTypeName.CHAR) {
                return Ddl.MAX_VARCHAR_LENGTH;
            }
            if (typeName == SqlTypeName.TIMESTAMP) {
                return Ddl.MAX_TIMESTAMP_PRECISION; // microseconds (TimestampUnits)
            }
            return super.getMaxPrecision(typeName);
        }

        /** DECIMAL columns keep their declared precision (Calcite's default caps it at 19). */
        @Override
        public int getMaxNumericPrecision() {
            return Ddl.MAX_DECIMAL_PRECISION;
        }

        @Override
        public int getMaxNumericScale() {
            return Ddl.MAX_DECIMAL_PRECISION;
        }

        /**
         * SUM of an INTEGER is a BIGINT, as in PostgreSQL and H2: Calcite's default (the
         * argument's type) added in Java's int and wrapped silently ({@code SUM} of 2147483647
         * and 1 answered -2147483648). SUM of a BIGINT stays a BIGINT (docs/sql.md, "Integer
         * arithmetic never wraps", says what is left).
         */
        @Override
        public RelDataType deriveSumType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
            return widenedInteger(typeFactory, argumentType, () -> super.deriveSumType(typeFactory, argumentType));
        }

        /**
         * AVG of an INTEGER is a BIGINT (still the truncated quotient, as Calcite computes it):
         * Calcite divides the sum after casting it to AVG's type, so with AVG an INTEGER the
         * average of 2147483647 and 1 failed as out of range (and wrapped before SUM widened).
         */
        @Override
        public RelDataType deriveAvgAggType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
            return widenedInteger(typeFactory, argumentType, () -> super.deriveAvgAggType(typeFactory, argumentType));
        }
    };

    /** BIGINT for an INTEGER (or narrower) type, of its nullability; otherwise Calcite's type. */
    private static RelDataType widenedInteger(RelDataTypeFactory typeFactory, RelDataType argumentType,
                                              java.util.function.Supplier<RelDataType> otherwise) {
        return switch (argumentType.getSqlTypeName()) {
            case TINYINT, SMALLINT, INTEGER -> typeFactory.createTypeWithNullability(
                    typeFactory.createSqlType(SqlTypeName.BIGINT), argumentType.isNullable());
            default -> otherwise.get();
        };
    }

    private final JavaTypeFactory typeFactory;
    /** The direct planner's tables and types at this catalog version, shared by the threads planning at it. */
    private final DirectCatalog direct;

    /** Rules that make the cost-based phase enumerate join orders exhaustively. */
    private static final List<RelOptRule> JOIN_ORDER_RULES = List.of(CoreRules.JOIN_COMMUTE, CoreRules.JOIN_ASSOCIATE,
            JoinPushThroughJoinRule.LEFT, JoinPushThroughJoinRule.RIGHT);

    /**
     * Join ordering in a heuristic phase: filters pushed into joins, the joins of a query
     * gathered into one MultiJoin and ordered into a bushy tree by MultiJoinOptimizeBushyRule
     * (row counts and selectivity), all in a HepPlanner. (LoptOptimizeJoinRule, the left-deep
     * alternative, took seconds for 64 tables here.) Calcite's default Volcano rules explore every join order
     * and never finish a 10-table join.
     */
    private static final Program JOIN_ORDER = (planner, rel, traits, materializations, lattices) ->
            // A FULL join would come out of the MultiJoin with other nullability; such queries keep their order.
            hasFullJoin(rel) ? rel : HepPhase.run(QueryCompiler.JOIN_ORDER_HEP, false, planner, rel);

    private static boolean hasFullJoin(RelNode node) {
        if (node instanceof org.apache.calcite.rel.core.Join join && join.getJoinType() == org.apache.calcite.rel.core.JoinRelType.FULL) {
            return true;
        }
        for (RelNode input : node.getInputs()) {
            if (hasFullJoin(input)) {
                return true;
            }
        }
        return false;
    }

    private static final org.apache.calcite.plan.hep.HepProgram JOIN_ORDER_HEP = new HepProgramBuilder()
            .addMatchLimit(HepPhase.MAX_RULE_MATCHES)
            .addRuleCollection(List.of(CoreRules.FILTER_INTO_JOIN, CoreRules.JOIN_CONDITION_PUSH, CoreRules.FILTER_PROJECT_TRANSPOSE,
                    CoreRules.PROJECT_MERGE))
            .addMatchOrder(HepMatchOrder.BOTTOM_UP)
            .addRuleInstance(CoreRules.JOIN_TO_MULTI_JOIN)
            .addRuleInstance(NarrowedRules.BUSHY_INNER_JOINS)
            // The bushy optimizer refuses outer joins; those MultiJoins are ordered left-deep.
            .addRuleInstance(CoreRules.MULTI_JOIN_OPTIMIZE)
            .build();

    /** The cost-based phase (physical operators, access paths), without join reordering. */
    private static final Program COST_BASED = (planner, rel, requiredTraits, materializations, lattices) -> {
        JOIN_ORDER_RULES.forEach(planner::removeRule);
        // Projections are merged by the calc phase after this one; here ProjectMergeRule merged
        // the projections of a union's branches into ever deeper expressions until planning ran
        // past its budget (docs/sql.md, "Rules narrowed for correctness").
        planner.removeRule(CoreRules.PROJECT_MERGE);
        NarrowedRules.install(planner);
        planner.setRoot(rel);
        RelNode root = rel.getTraitSet().equals(requiredTraits) ? rel : planner.changeTraits(rel, requiredTraits);
        planner.setRoot(root);
        return planner.chooseDelegate().findBestExp();
    };

    /**
     * Sub-queries to joins, field trimming, heuristic join order, RIGHT joins as LEFT joins,
     * cost-based physical planning, calc merging. There is no decorrelation phase: Calcite's
     * RelDecorrelator returned wrong rows (two EXISTS under OR, one correlated: 8 rows instead
     * of 2) and failed on valid queries, so a correlated sub-query runs as a nested loop
     * (EnumerableCorrelate) that evaluates it once per outer row (docs/sql.md).
     */
    static final Program PROGRAM = Programs.sequence(
            timed("subquery", (planner, rel, traits, m, l) -> HepPhase.run(HepPhase.SUB_QUERY_TO_CORRELATE, true, planner, rel)),
            timed("trim", Programs.trim()),
            timed("join", OptionalPhase.of("join", JOIN_ORDER)),
            timed("right-to-left", NarrowedRules.RIGHT_TO_LEFT),
            timed("cost", COST_BASED),
            timed("calc", Programs.calc(DefaultRelMetadataProvider.INSTANCE)));

    /**
     * A phase that logs its duration at DEBUG (logger io.starlingdb.sql.exec.QueryCompiler) and
     * ends planning once the statement is cancelled: Calcite's cost-based planner takes a cancel
     * for a timeout and returns the best plan found so far, which must not go on to the next phase.
     */
    private static Program timed(String name, Program p) {
        return (planner, rel, traits, m, l) -> {
            long t = System.nanoTime();
            RelNode out = p.run(planner, rel, traits, m, l);
            CancelFlag cancel = planner.getContext().unwrap(CancelFlag.class);
            if (cancel != null && cancel.isCancelRequested()) {
                throw new CancelSignal.Stopped("stopped while planning, after phase " + name);
            }
            if (log.isDebugEnabled()) {
                log.debug("planning phase {} took {} us", name, (System.nanoTime() - t) / 1_000);
            }
            return out;
        };
    }

    public QueryCompiler(Catalog.Snapshot catalog) {
        this(catalog, () -> SystemView.NONE);
    }

    /** @param system what the SYS tables show, read when a statement reads them */
    public QueryCompiler(Catalog.Snapshot catalog, Supplier<SystemView> system) {
        this.catalog = catalog;
        this.rootSchema = Frameworks.createRootSchema(false);
        this.publicSchema = rootSchema.add("PUBLIC", new StarlingSchema(catalog, this::viewRowType));
        rootSchema.add(StarlingSchema.ROW_IDS, StarlingSchema.rowIds(catalog));
        rootSchema.add(SysSchema.NAME, new SysSchema(catalog, system));
        this.typeFactory = new SharedTypeFactory(TYPE_SYSTEM);
        this.direct = new DirectCatalog(publicSchema, typeFactory);
        this.cancelFlag = new AtomicBoolean();
        this.cancel = null;
        this.planningBudgetMillis = 0;
    }

    /** A view's stored query validated against this compiler's schema: its row type, with the query's own names. */
    private RelDataType viewRowType(io.starlingdb.sql.catalog.ViewDef view) throws SqlException {
        try {
            return TreePlanner.validatedRowType(publicSchema, parse(view.sql()));
        } catch (ValidationException e) {
            throw Errors.validation(e);
        }
    }

    private QueryCompiler(QueryCompiler shared, CancelSignal cancel, long planningBudgetMillis) {
        this.catalog = shared.catalog;
        this.rootSchema = shared.rootSchema;
        this.publicSchema = shared.publicSchema;
        this.typeFactory = shared.typeFactory;
        this.direct = shared.direct;
        this.cancelFlag = cancel.flag();
        this.cancel = cancel;
        this.planningBudgetMillis = planningBudgetMillis;
    }

    /**
     * This compiler (same catalog, schema and types), planning for a statement that stops when
     * {@code cancel} is set or when one compilation takes over {@code planningBudgetMillis}
     * (0: no bound of its own). The signal's flag reaches Calcite's planners as their
     * {@link CancelFlag}, and they poll it at every rule firing.
     */
    public QueryCompiler cancelledBy(CancelSignal cancel, long planningBudgetMillis) {
        return new QueryCompiler(this, cancel, planningBudgetMillis);
    }

    public Catalog.Snapshot catalog() {
        return catalog;
    }

    public SchemaPlus rootSchema() {
        return rootSchema;
    }

    public JavaTypeFactory typeFactory() {
        return typeFactory;
    }

    /** Immutable, so built once: building one is not free and {@link #parse} runs per statement. */
    private static final SqlParser.Config PARSER_CONFIG = SqlParser.config().withParserFactory(StarlingSqlParserImpl.FACTORY);

    static SqlParser.Config parserConfig() {
        return PARSER_CONFIG;
    }

    /**
     * Parses one statement (DDL included) without validating it: the simplest one-table SELECTs
     * by {@link SimpleSelectParser} (the same tree at a fraction of the cost), everything else
     * by the generated parser.
     */
    public static SqlNode parse(String sql) throws SqlException {
        SqlNode simple = SimpleSelectParser.parse(sql, parserConfig());
        if (simple != null) {
            return simple;
        }
        try {
            return ReusedParser.parseStatement(sql, parserConfig());
        } catch (SqlParseException e) {
            throw new SqlException("42000", "syntax error: " + firstLine(e.getMessage()));
        }
    }

    /** Plans a query (SELECT, VALUES, set operations) given as SQL text; its parameters are the statement's. */
    public Compiled compile(String sql) throws SqlException {
        return compile(parse(sql));
    }

    /**
     * Plans a parsed query (SELECT, VALUES, set operations) on its tree: validated and converted
     * once, never printed to text and parsed again. Plan parameter {@code k} is the tree's
     * {@code ?} of index {@code k} (the user's first, then {@link AutoParameters}'), so the tree
     * must have every index below {@link #countParameters}. The tree is consumed: validation
     * rewrites it in place.
     */
    public Compiled compile(SqlNode query) throws SqlException {
        return compile(query, PlannerPath.choose());
    }

    /** As {@link #compile(SqlNode)}, on a forced path (tests compare the paths). */
    public Compiled compile(SqlNode statement, PlannerPath path) throws SqlException {
        SqlNode query = TruthTests.rewrite(statement);
        int parameterCount = countParameters(query);
        List<String> labels = ColumnLabels.of(query);
        long start = System.nanoTime();
        if (path == PlannerPath.AUTO) {
            Compiled direct = compileDirect(query, parameterCount, labels, start);
            if (direct != null) {
                return direct;
            }
        }
        try (CancelSignal.Running bounded = cancel == null ? CancelSignal.Running.NESTED : cancel.limitPlanning(planningBudgetMillis)) {
            TreePlanner.Converted converted = TreePlanner.convert(publicSchema, TimestampUnits.literalCasts(query),
                    new CancelFlag(cancelFlag));
            RelRoot root = converted.root();
            RelNode logical = CheckedArithmetic.apply(InOfConstants.apply(TimestampUnits.apply(nullableCaseBranches(
                    NullFolding.apply(widenParameterCasts(root.project()))))));
            refuseUnsupportedTypes(root.validatedRowType);
            List<String> origins = originTables(logical, root.validatedRowType.getFieldCount());
            Map<Integer, RelDataType> params = new TreeMap<>();
            collectParameters(logical, params);
            long tA = System.nanoTime();
            // The simple path leaves the logical tree as it was, so a plan it cannot finish goes the full path.
            RelNode physical = path != PlannerPath.FULL && PlannerPath.isSimple(logical) ? PlannerPath.planSimple(logical) : null;
            boolean simple = physical != null;
            if (physical == null) {
                physical = converted.planFull(PROGRAM, logical);
            }
            physical = CheckedWindows.apply(CheckedSums.apply(StarlingAggregateScan.apply(ScanColumns.apply(NumericForms.apply(
                    CheckedArithmetic.apply(physical))))));
            long tB = System.nanoTime();
            if (cancel != null) {
                cancel.check(); // before generating code, which takes as long as planning and does not poll
            }
            // A plan of the simple path is interpreted for its first runs; one of the full path
            // is compiled now, so that the cached plan does not keep the cost-based planner's objects.
            TieredPlan tiered = simple ? TieredPlan.of((EnumerableRel) physical) : TieredPlan.compiled((EnumerableRel) physical);
            if (log.isDebugEnabled()) {
                log.debug("validated and converted in {} us, planned ({}) in {} us, {} in {} us", (tA - start) / 1_000,
                        simple ? "simple" : "full", (tB - tA) / 1_000,
                        tiered.interpreted() ? "interpreted" : "generated code compiled", (System.nanoTime() - tB) / 1_000);
            }
            List<ColumnMeta> columns = new ArrayList<>();
            List<RelDataType> types = new ArrayList<>();
            for (RelDataTypeField field : root.validatedRowType.getFieldList()) {
                columns.add(columnMeta(ColumnLabels.name(field.getName(), labels, field.getIndex()), field.getType(),
                        origins.get(field.getIndex())));
                types.add(field.getType());
            }
            List<RelDataType> paramTypes = new ArrayList<>();
            for (int i = 0; i < parameterCount; i++) {
                paramTypes.add(params.get(i));
            }
            String explain = RelOptUtil.toString(physical);
            return new Compiled(tiered, columns, types, paramTypes, () -> explain, rootSchema,
                    typeFactory, simple, false, tB - start, isPointRead(physical));
        } catch (ValidationException e) {
            throw Errors.validation(e);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            log.debug("planning failed", e);
            throw Errors.planning(e);
        }
    }

    /**
     * The plan {@link DirectPlanner} makes for {@code query}, interpreted for its first runs as a
     * simple-path plan is; null if the query is not of its shape (or anything in building the plan
     * fails), leaving the tree unchanged for Calcite's path.
     */
    private Compiled compileDirect(SqlNode query, int parameterCount, List<String> labels, long start) {
        try {
            DirectPlanner.Planned planned = DirectPlanner.plan(direct, query);
            if (planned == null) {
                return null;
            }
            // No CheckedWindows: a direct plan has no window.
            RelNode physical = CheckedSums.apply(StarlingAggregateScan.apply(ScanColumns.apply(NumericForms.apply(
                    CheckedArithmetic.apply(planned.plan())))));
            long planningNanos = System.nanoTime() - start;
            TieredPlan tiered = TieredPlan.of((EnumerableRel) physical);
            List<RelDataTypeField> fields = physical.getRowType().getFieldList();
            List<String> origins = planned.origins();
            List<ColumnMeta> columns = new ArrayList<>();
            List<RelDataType> types = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                RelDataType type = fields.get(i).getType();
                columns.add(columnMeta(ColumnLabels.name(planned.names().get(i), labels, i), type, origins.get(i)));
                types.add(type);
            }
            Map<Integer, RelDataType> params = new TreeMap<>();
            collectParameters(physical, params);
            List<RelDataType> paramTypes = new ArrayList<>();
            for (int i = 0; i < parameterCount; i++) {
                paramTypes.add(params.get(i));
            }
            if (log.isDebugEnabled()) {
                log.debug("planned directly in {} us, {}", planningNanos / 1_000, tiered.interpreted() ? "interpreted" : "compiled");
            }
            // Written out only when asked for (EXPLAIN, tests): it costs as much as a fifth of a direct plan.
            return new Compiled(tiered, columns, types, paramTypes, Suppliers.memoize(() -> RelOptUtil.toString(physical)),
                    rootSchema, typeFactory, true, true, planningNanos, isPointRead(physical));
        } catch (RuntimeException | LinkageError | AssertionError e) {
            log.debug("direct planning failed; planning with Calcite", e);
            return null;
        }
    }

    /**
     * Whether a physical plan reads one row by its table's full primary key and nothing else:
     * projections and filters (each of one input) over a {@link StarlingTableScan} whose access
     * path is a point lookup. Such a plan reads at most one key and does little else.
     */
    static boolean isPointRead(RelNode physical) {
        RelNode rel = physical;
        while (rel instanceof Project || rel instanceof Filter || rel instanceof Calc) {
            rel = rel.getInput(0);
        }
        return rel instanceof StarlingTableScan scan && scan.accessPath().kind() == AccessPath.Kind.POINT_LOOKUP;
    }

    /** Result types the client protocol has no value for are refused before anything runs. */
    private static void refuseUnsupportedTypes(RelDataType rowType) throws SqlException {
        for (RelDataTypeField field : rowType.getFieldList()) {
            SqlTypeName t = field.getType().getSqlTypeName();
            boolean supported = switch (t) {
                case BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, FLOAT, REAL, DOUBLE, CHAR, VARCHAR, DATE, TIMESTAMP,
                        TIMESTAMP_WITH_LOCAL_TIME_ZONE, NULL -> true;
                default -> false;
            };
            if (!supported) {
                throw new SqlException("0A000", "values of type " + t.getName() + " (column " + field.getName()
                        + ") are not supported; supported: BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL, VARCHAR, DATE, TIMESTAMP");
            }
        }
    }

    /** For each result column, the table it comes straight from (for ResultSetMetaData), or "". */
    private static List<String> originTables(RelNode rel, int columns) {
        List<String> out = new ArrayList<>(columns);
        org.apache.calcite.rel.metadata.RelMetadataQuery mq = rel.getCluster().getMetadataQuery();
        for (int i = 0; i < columns; i++) {
            String table = "";
            try {
                org.apache.calcite.rel.metadata.RelColumnOrigin origin = mq.getColumnOrigin(rel, i);
                if (origin != null && !origin.isDerived()) {
                    List<String> name = origin.getOriginTable().getQualifiedName();
                    table = name.get(name.size() - 1);
                }
            } catch (RuntimeException e) {
                // Metadata is best effort; the column simply has no source table.
            }
            out.add(table);
        }
        return out;
    }

    /**
     * Replaces {@code CAST(?n AS T)} by {@code ?n} of type T where the cast only widens (a larger
     * integer type, an integer to DOUBLE, a DECIMAL to one of the same scale and more digits, a
     * string to a VARCHAR at least as long, a type to itself), which is the
     * cast Calcite puts on a parameter compared with a wider column ({@code id = CAST(? AS
     * INTEGER)} against a BIGINT key, as {@link AutoParameters} writes). The value is then
     * converted to T when it is bound, exactly as the cast would, and the comparison is again
     * column = parameter, which the scan can use as a key lookup. Each {@code ?} occurs once in
     * a statement, so retyping it changes nothing else.
     */
    static RelNode widenParameterCasts(RelNode rel) {
        RelDataTypeFactory types = rel.getCluster().getTypeFactory();
        RexShuttle rex = new RexShuttle() {
            @Override
            public RexNode visitCall(RexCall call) {
                // Operands first, so that CAST(CAST(? AS INTEGER) AS BIGINT) collapses entirely.
                RexNode visited = super.visitCall(call);
                if (visited instanceof RexCall cast && cast.getKind() == SqlKind.CAST
                        && cast.getOperands().get(0) instanceof RexDynamicParam param && widens(param.getType(), cast.getType())) {
                    // Nullable as the parameter was: a NULL bound value stays possible.
                    return new RexDynamicParam(types.createTypeWithNullability(cast.getType(), param.getType().isNullable()),
                            param.getIndex());
                }
                return visited;
            }

            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                RexSubQuery visited = (RexSubQuery) super.visitSubQuery(subQuery);
                return visited.clone(widenParameterCasts(visited.rel));
            }
        };
        return rel.accept(new RelHomogeneousShuttle() {
            @Override
            public RelNode visit(RelNode other) {
                return super.visit(other).accept(rex);
            }
        });
    }

    /**
     * Replaces a CASE branch {@code CAST(x AS T NOT NULL)} of a nullable {@code x} by {@code x}
     * (or by {@code CAST(x AS T)} where T is another type): the form Calcite gives
     * {@code COALESCE(x, y)}, {@code CASE WHEN x IS NOT NULL THEN CAST(x AS T NOT NULL) ELSE y END}.
     * Calcite's simplifier treats the cast as NULL for a NULL {@code x} and lifts it out of its
     * guard (the filter {@code COALESCE(c, c) NOT BETWEEN 4.0 AND ?} became
     * {@code CAST(c AS DOUBLE NOT NULL) < 4.0 OR ...}), while the generated code reads a NULL
     * through a NOT NULL cast as 0.0, so rows with NULL matched. Without the cast, the branch
     * is a plain nullable value both agree on; the CASE keeps its own type.
     */
    static RelNode nullableCaseBranches(RelNode rel) {
        org.apache.calcite.rex.RexBuilder builder = rel.getCluster().getRexBuilder();
        RelDataTypeFactory types = rel.getCluster().getTypeFactory();
        RexShuttle rex = new RexShuttle() {
            @Override
            public RexNode visitCall(RexCall call) {
                RexCall visited = (RexCall) super.visitCall(call);
                if (visited.getKind() != SqlKind.CASE) {
                    return visited;
                }
                List<RexNode> operands = new ArrayList<>(visited.getOperands());
                boolean changed = false;
                for (int i = 0; i < operands.size(); i++) {
                    boolean value = i % 2 == 1 || i == operands.size() - 1;
                    RexNode relaxed = value ? relax(operands.get(i)) : operands.get(i);
                    if (relaxed != operands.get(i)) {
                        operands.set(i, relaxed);
                        changed = true;
                    }
                }
                return changed ? visited.clone(visited.getType(), operands) : visited;
            }

            /** The branch without NOT NULL casts of nullable values, through casts around them. */
            private RexNode relax(RexNode branch) {
                if (!(branch instanceof RexCall cast) || cast.getKind() != SqlKind.CAST) {
                    return branch;
                }
                RexNode operand = cast.getOperands().get(0);
                RexNode inner = relax(operand);
                if (!cast.getType().isNullable() && inner.getType().isNullable()) {
                    RelDataType nullable = types.createTypeWithNullability(cast.getType(), true);
                    return nullable.equals(inner.getType()) ? inner : builder.makeAbstractCast(nullable, inner, false);
                }
                return inner == operand ? branch : builder.makeAbstractCast(cast.getType(), inner, false);
            }

            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                RexSubQuery visited = (RexSubQuery) super.visitSubQuery(subQuery);
                return visited.clone(nullableCaseBranches(visited.rel));
            }
        };
        return rel.accept(new RelHomogeneousShuttle() {
            @Override
            public RelNode visit(RelNode other) {
                return super.visit(other).accept(rex);
            }
        });
    }

    static boolean widens(RelDataType from, RelDataType to) {
        SqlTypeName f = from.getSqlTypeName();
        SqlTypeName t = to.getSqlTypeName();
        if (f == t && from.getPrecision() == to.getPrecision() && from.getScale() == to.getScale()) {
            return true; // the same type, perhaps with another nullability, character set or collation
        }
        if (isInteger(f) && isInteger(t)) {
            return integerRank(t) >= integerRank(f);
        }
        if (f == SqlTypeName.DECIMAL && t == SqlTypeName.DECIMAL) {
            return from.getScale() == to.getScale() && to.getPrecision() >= from.getPrecision();
        }
        if (isInteger(f) && t == SqlTypeName.DOUBLE) {
            return f != SqlTypeName.BIGINT; // every INTEGER is a DOUBLE; not every BIGINT
        }
        // A string keeps its characters in a VARCHAR at least as long (a longer CHAR would pad it).
        // The parameter takes the target's character set and collation, as the cast would give it.
        return (f == SqlTypeName.CHAR || f == SqlTypeName.VARCHAR) && t == SqlTypeName.VARCHAR
                && to.getPrecision() >= from.getPrecision();
    }

    private static boolean isInteger(SqlTypeName t) {
        return t == SqlTypeName.TINYINT || t == SqlTypeName.SMALLINT || t == SqlTypeName.INTEGER || t == SqlTypeName.BIGINT;
    }

    private static int integerRank(SqlTypeName t) {
        return switch (t) {
            case TINYINT -> 1;
            case SMALLINT -> 2;
            case INTEGER -> 3;
            default -> 4;
        };
    }

    /** How many {@code ?} a parsed statement has. */
    public static int countParameters(SqlNode statement) {
        int[] count = new int[1];
        statement.accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlDynamicParam param) {
                count[0] = Math.max(count[0], param.getIndex() + 1);
                return null;
            }
        });
        return count[0];
    }

    private static void collectParameters(RelNode node, Map<Integer, RelDataType> out) {
        node.accept(new RexShuttle() {
            @Override
            public RexNode visitDynamicParam(RexDynamicParam param) {
                out.put(param.getIndex(), param.getType());
                return param;
            }

            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                collectParameters(subQuery.rel, out);
                return super.visitSubQuery(subQuery);
            }

            @Override
            public RexNode visitCall(RexCall call) {
                // Only reads: the operands are visited without the copy of each operand list RexShuttle makes
                // (an IN list of 100 values is an OR of 100 calls, and JFR showed the copies).
                for (RexNode operand : call.getOperands()) {
                    operand.accept(this);
                }
                return call;
            }
        });
        for (RelNode input : node.getInputs()) {
            collectParameters(input, out);
        }
    }

    public static ColumnMeta columnMeta(String name, RelDataType type, String table) {
        SqlTypeName t = type.getSqlTypeName();
        int precision = type.getPrecision() == RelDataType.PRECISION_NOT_SPECIFIED ? 0 : type.getPrecision();
        int scale = type.getScale() == RelDataType.SCALE_NOT_SPECIFIED ? 0 : type.getScale();
        String typeName = switch (t) {
            case CHAR -> "VARCHAR";
            case TINYINT, SMALLINT -> "INTEGER";
            case FLOAT, REAL -> "DOUBLE";
            case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> "TIMESTAMP";
            default -> t.getName();
        };
        int jdbcType = switch (typeName) {
            case "VARCHAR" -> java.sql.Types.VARCHAR;
            case "INTEGER" -> java.sql.Types.INTEGER;
            case "DOUBLE" -> java.sql.Types.DOUBLE;
            case "TIMESTAMP" -> java.sql.Types.TIMESTAMP;
            default -> t.getJdbcOrdinal();
        };
        return new ColumnMeta(name, name, jdbcType, typeName, precision, scale, type.isNullable(), table);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
