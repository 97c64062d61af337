package io.starlingdb.sql.exec;

import io.starlingdb.sql.schema.StarlingSchema;
import io.starlingdb.sql.schema.StarlingTable;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * What {@link DirectPlanner} reads of one catalog version, built once and shared by every thread
 * that plans at that version: a RexBuilder over the compiler's type factory, the planner its
 * plans' clusters name (never run), the types its expressions use most, and per table its row
 * type and Calcite table. Building these for each statement (a type factory, the table's row
 * type, a catalog reader, connection-config look-ups, a planner) was a quarter of the direct
 * planner's CPU for a statement never seen before (JFR, docs/benchmarks.md).
 *
 * <p>A {@link QueryCompiler} holds one, and a catalog change (DDL) makes a new compiler, so what
 * is kept here never outlives the catalog version it was read from. Only names that resolve to
 * a Starling table are kept, so the map is bounded by the catalog's tables. Thread-safe: the
 * tables are in a concurrent map, everything else is immutable once built, and the type factory
 * is a {@link SharedTypeFactory}.
 */
final class DirectCatalog {

    /** A Starling table as the direct planner plans over it. */
    record Table(StarlingTable table, RelDataType rowType, RelOptTable relTable) {
    }

    /** A table's name as a query writes it, and whether it is read in its row id form ({@link StarlingSchema#ROW_IDS}). */
    private record Name(boolean rowIds, String table) {
    }

    /** An empty rule program: a cluster needs a planner, and this one never runs. */
    private static final HepProgram NO_RULES = HepProgram.builder().build();

    private final SchemaPlus defaultSchema;
    private final SchemaPlus rootSchema;
    private final JavaTypeFactory typeFactory;
    private final RexBuilder rexBuilder;
    private final RelOptPlanner planner;
    private final CalciteCatalogReader catalogReader;
    private final ConcurrentMap<Name, Table> tables = new ConcurrentHashMap<>();
    private final RelDataType booleanType;
    private final RelDataType nullableBooleanType;

    DirectCatalog(SchemaPlus defaultSchema, JavaTypeFactory typeFactory) {
        this.defaultSchema = defaultSchema;
        SchemaPlus root = defaultSchema;
        while (root.getParentSchema() != null) {
            root = root.getParentSchema();
        }
        this.rootSchema = root;
        this.typeFactory = typeFactory;
        this.rexBuilder = new RexBuilder(typeFactory);
        this.planner = new HepPlanner(NO_RULES);
        this.catalogReader = new CalciteCatalogReader(CalciteSchema.from(rootSchema), CalciteSchema.from(defaultSchema).path(null),
                typeFactory, TreePlanner.CONNECTION);
        this.booleanType = typeFactory.createSqlType(SqlTypeName.BOOLEAN);
        this.nullableBooleanType = typeFactory.createTypeWithNullability(booleanType, true);
    }

    SchemaPlus defaultSchema() {
        return defaultSchema;
    }

    JavaTypeFactory typeFactory() {
        return typeFactory;
    }

    RexBuilder rexBuilder() {
        return rexBuilder;
    }

    /** The planner of every direct plan's cluster: clusters read its (empty) trait set; it never runs. */
    RelOptPlanner planner() {
        return planner;
    }

    /** BOOLEAN, nullable or not: every comparison's type. */
    RelDataType booleanType(boolean nullable) {
        return nullable ? nullableBooleanType : booleanType;
    }

    /**
     * The Starling table {@code name} (in the default schema, or in its row id form), or null if
     * the name is not one (a view, a system table, nothing): such queries take Calcite's path.
     */
    Table table(boolean rowIds, String name) {
        Name key = new Name(rowIds, name);
        Table known = tables.get(key);
        if (known != null) {
            return known;
        }
        SchemaPlus schema = rowIds ? rootSchema.getSubSchema(StarlingSchema.ROW_IDS) : defaultSchema;
        if (schema == null || !(schema.getTable(name) instanceof StarlingTable starling)) {
            return null;
        }
        RelOptTable relTable = catalogReader.getTable(rowIds ? List.of(StarlingSchema.ROW_IDS, name) : List.of(name));
        if (relTable == null) {
            return null;
        }
        Table table = new Table(starling, starling.getRowType(typeFactory), relTable);
        Table raced = tables.putIfAbsent(key, table);
        return raced != null ? raced : table;
    }
}
