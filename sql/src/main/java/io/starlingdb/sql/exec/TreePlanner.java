package io.starlingdb.sql.exec;

import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.config.CalciteSystemProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.volcano.VolcanoPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.rel.RelCollationTraitDef;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.metadata.CachingRelMetadataProvider;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlRexContext;
import org.apache.calcite.sql2rel.SqlRexConvertlet;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Program;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.tools.ValidationException;
import org.apache.calcite.util.CancelFlag;

/**
 * Validates a parsed statement tree and converts it to relational algebra, once, as Calcite's
 * own planner does after parsing (the same validator, converter and decorrelation), but on the
 * tree it is given: the statement is never printed to text and parsed again. The Volcano
 * planner of the conversion starts without rules; the path chosen afterwards
 * ({@link PlannerPath}) decides which rules it gets.
 */
final class TreePlanner {

    /** The defaults of Calcite's framework configuration, with our parser and type system. */
    private static final FrameworkConfig FRAMEWORK = Frameworks.newConfigBuilder()
            .parserConfig(QueryCompiler.parserConfig())
            .typeSystem(QueryCompiler.TYPE_SYSTEM)
            .build();

    /** Calcite's conversions of calls, but {@code SQRT} stays a square root ({@link DoubleFunctions#SQRT_CONVERTLET}). */
    private static final SqlRexConvertletTable CONVERTLETS = call -> call.getOperator() == SqlStdOperatorTable.SQRT
            ? DoubleFunctions.SQRT_CONVERTLET
            : call.getKind() == SqlKind.CAST ? TreePlanner::convertCast : FRAMEWORK.getConvertletTable().get(call);

    /**
     * A cast that drops digits rounds its operand first, as PostgreSQL's casts round
     * ({@link CheckedArithmetic#roundedBeforeCast}); here too because Calcite folds a cast of a
     * literal while converting it, where {@code CAST(2.50 AS INTEGER)} became 2. Every other cast
     * is Calcite's.
     */
    private static RexNode convertCast(SqlRexContext cx, SqlCall call) {
        SqlRexConvertlet standard = FRAMEWORK.getConvertletTable().get(call);
        // Casts the converter writes itself (a set operation's or an IN's common type) were never
        // validated: they have no type here and stay Calcite's (they widen).
        RelDataType to = call.operandCount() == 2 && call.operand(1) instanceof SqlDataTypeSpec
                ? cx.getValidator().getValidatedNodeTypeIfKnown(call) : null;
        if (to != null) {
            RexNode operand = cx.convertExpression(call.operand(0));
            RexNode rounded = CheckedArithmetic.roundedBeforeCast(cx.getRexBuilder(), operand, to);
            if (rounded != null) {
                return cx.getRexBuilder().makeAbstractCast(to, rounded, false);
            }
        }
        return standard.convertCall(cx, call);
    }

    static final CalciteConnectionConfig CONNECTION = CalciteConnectionConfig.DEFAULT
            .set(CalciteConnectionProperty.CASE_SENSITIVE, String.valueOf(FRAMEWORK.getParserConfig().caseSensitive()))
            .set(CalciteConnectionProperty.CONFORMANCE, String.valueOf(FRAMEWORK.getParserConfig().conformance()));

    /**
     * An IN list of up to this many values stays a condition on the row (Calcite folds it into
     * one range set), so the query stays a one-table query for the simple planner path; a
     * longer list becomes a join with a VALUES table (Calcite's default from 20 values), whose
     * generated code does not grow with the list.
     */
    static final int IN_LIST_MAX_VALUES_AS_CONDITION = 100;

    /** A converted query and the (rule-less) planner its cluster belongs to. */
    record Converted(RelRoot root, VolcanoPlanner planner) {

        /** The full cost-based path: Calcite's default rules, then {@code program}. */
        RelNode planFull(Program program, RelNode logical) {
            RelOptUtil.registerDefaultRules(planner, false, false);
            logical.getCluster().setMetadataProvider(
                    new CachingRelMetadataProvider(logical.getCluster().getMetadataProvider(), planner));
            return program.run(planner, logical, logical.getTraitSet().replace(EnumerableConvention.INSTANCE).simplify(),
                    List.of(), List.of());
        }
    }

    private TreePlanner() {
    }

    /**
     * Validates {@code query} (in place, as Calcite's validator rewrites) and converts it. The
     * planner, and every planner of the phases after it (decorrelation included), polls
     * {@code cancel} at each rule firing.
     */
    static Converted convert(SchemaPlus defaultSchema, SqlNode query, CancelFlag cancel) throws ValidationException {
        JavaTypeFactory typeFactory = new JavaTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM);
        CalciteCatalogReader catalogReader = catalogReader(defaultSchema, typeFactory);
        SqlValidator validator = validator(catalogReader, typeFactory);
        SqlNode validated;
        try {
            validated = validator.validate(query);
        } catch (RuntimeException e) {
            throw new ValidationException(e);
        }
        VolcanoPlanner planner = new VolcanoPlanner(FRAMEWORK.getCostFactory(), Contexts.of(cancel));
        planner.setExecutor(FRAMEWORK.getExecutor());
        planner.addRelTraitDef(ConventionTraitDef.INSTANCE);
        if (CalciteSystemProperty.ENABLE_COLLATION_TRAIT.value()) {
            planner.addRelTraitDef(RelCollationTraitDef.INSTANCE);
        }
        RelOptCluster cluster = RelOptCluster.create(planner, new RexBuilder(typeFactory));
        RelRoot root = toRel(validator, catalogReader, cluster, validated, true);
        return new Converted(root, planner);
    }

    /** Validates {@code query} (in place) and answers its row type: how a view's stored query is typed. */
    static RelDataType validatedRowType(SchemaPlus defaultSchema, SqlNode query) throws ValidationException {
        JavaTypeFactory typeFactory = new JavaTypeFactoryImpl(QueryCompiler.TYPE_SYSTEM);
        SqlValidator validator = validator(catalogReader(defaultSchema, typeFactory), typeFactory);
        try {
            return validator.getValidatedNodeType(validator.validate(query));
        } catch (RuntimeException e) {
            throw new ValidationException(e);
        }
    }

    private static CalciteCatalogReader catalogReader(SchemaPlus defaultSchema, JavaTypeFactory typeFactory) {
        return new CalciteCatalogReader(CalciteSchema.from(root(defaultSchema)), CalciteSchema.from(defaultSchema).path(null),
                typeFactory, CONNECTION);
    }

    private static SqlValidator validator(CalciteCatalogReader catalogReader, JavaTypeFactory typeFactory) {
        return new CalciteSqlValidator(SqlOperatorTables.chain(FRAMEWORK.getOperatorTable(), catalogReader),
                catalogReader, typeFactory, FRAMEWORK.getSqlValidatorConfig()
                        .withDefaultNullCollation(CONNECTION.defaultNullCollation())
                        .withLenientOperatorLookup(CONNECTION.lenientOperatorLookup())
                        .withConformance(CONNECTION.conformance())
                        .withIdentifierExpansion(true));
    }

    /** Converts a validated tree; views met on the way are expanded from their stored text. */
    private static RelRoot toRel(SqlValidator validator, CalciteCatalogReader catalogReader, RelOptCluster cluster, SqlNode validated,
                                 boolean top) {
        SqlToRelConverter.Config config = FRAMEWORK.getSqlToRelConverterConfig().withTrimUnusedFields(false)
                .withInSubQueryThreshold(IN_LIST_MAX_VALUES_AS_CONDITION);
        // A statement with a sub-query is converted without simplifying: Calcite's simplifier
        // misjudges an IN sub-query as never NULL (HepPhase.SUB_QUERY_TO_CORRELATE says how), and
        // the sub-query phase, which removes them, simplifies nothing either.
        boolean unsimplified = hasNestedQuery(validated);
        if (unsimplified) {
            java.util.function.UnaryOperator<RelBuilder.Config> transform = config.getRelBuilderConfigTransform();
            config = config.withRelBuilderConfigTransform(c -> transform.apply(c).withSimplify(false).withPushJoinCondition(false));
        }
        RelOptTable.ViewExpander views = (rowType, queryString, schemaPath, viewPath) -> {
            CalciteCatalogReader viewReader = catalogReader.withSchemaPath(schemaPath);
            SqlValidator viewValidator = validator(viewReader, (JavaTypeFactory) cluster.getTypeFactory());
            try {
                SqlNode parsed = org.apache.calcite.sql.parser.SqlParser.create(queryString, QueryCompiler.parserConfig()).parseQuery();
                return toRel(viewValidator, viewReader, cluster, parsed, false);
            } catch (org.apache.calcite.sql.parser.SqlParseException e) {
                throw new IllegalStateException("view text does not parse: " + e.getMessage(), e);
            }
        };
        SqlToRelConverter converter = new SqlToRelConverter(views, validator, catalogReader, cluster, CONVERTLETS,
                config);
        RelRoot root = converter.convertQuery(validated, !top, top);
        root = root.withRel(converter.flattenTypes(root.rel, true));
        RelBuilder relBuilder = (unsimplified ? HepPhase.UNSIMPLIFIED : config.getRelBuilderFactory()).create(cluster, null);
        return root.withRel(RelDecorrelator.decorrelateQuery(root.rel, relBuilder));
    }

    /**
     * Whether a query (a SELECT, a set operation, VALUES) is nested in {@code statement} other
     * than as an operand of a set operation, ORDER BY or WITH: a sub-query in an expression, or a
     * derived table.
     */
    static boolean hasNestedQuery(SqlNode statement) {
        boolean[] nested = new boolean[1];
        statement.accept(new SqlBasicVisitor<Void>() {
            private final java.util.ArrayDeque<SqlKind> parents = new java.util.ArrayDeque<>();

            @Override
            public Void visit(SqlCall call) {
                SqlKind kind = call.getKind();
                if (kind.belongsTo(SqlKind.QUERY) && !parents.isEmpty() && !STATEMENT_STRUCTURE.contains(parents.peek())) {
                    nested[0] = true;
                }
                if (nested[0]) {
                    return null;
                }
                parents.push(kind);
                try {
                    return super.visit(call);
                } finally {
                    parents.pop();
                }
            }
        });
        return nested[0];
    }

    /** Calls whose query operands are parts of the statement's own query, not nested in it. */
    private static final java.util.Set<SqlKind> STATEMENT_STRUCTURE = java.util.EnumSet.of(SqlKind.UNION, SqlKind.INTERSECT,
            SqlKind.EXCEPT, SqlKind.ORDER_BY, SqlKind.WITH, SqlKind.WITH_ITEM);

    private static SchemaPlus root(SchemaPlus schema) {
        SchemaPlus s = schema;
        while (s.getParentSchema() != null) {
            s = s.getParentSchema();
        }
        return s;
    }
}
