package io.starlingdb.sql;

import io.micrometer.core.instrument.Timer;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.engine.txn.WouldBlockException;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.catalog.ColumnDef;
import io.starlingdb.sql.catalog.IndexDef;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.parser.SqlCreateIndex;
import io.starlingdb.sql.parser.SqlDropIndex;
import io.starlingdb.sql.exec.Ddl;
import io.starlingdb.sql.exec.Dml;
import io.starlingdb.sql.exec.Errors;
import io.starlingdb.sql.exec.IndexBackfill;
import io.starlingdb.sql.exec.ExecutionContext;
import io.starlingdb.sql.exec.QueryCompiler;
import io.starlingdb.sql.exec.QueryCursor;
import io.starlingdb.sql.exec.Values;
import io.starlingdb.sql.schema.TableStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import io.starlingdb.sql.exec.AutoParameters;
import io.starlingdb.sql.exec.TextShape;
import io.starlingdb.sql.exec.TreeShape;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.ddl.SqlCreateView;
import org.apache.calcite.sql.ddl.SqlDropTable;
import org.apache.calcite.sql.ddl.SqlDropView;

/**
 * One client's session. In auto-commit mode each statement runs in its own transaction; a
 * query's read transaction ends when its cursor closes. With auto-commit off, statements share
 * one transaction until commit or rollback. Not thread-safe.
 */
final class StarlingSqlSession implements SqlSession {

    /** A planned statement of one of the kinds the session runs. */
    private sealed interface Plan permits QueryPlan, DmlPlan, ExplainPlan, DdlPlan, SessionPlan {
    }

    private record SessionPlan(SessionStatement statement) implements Plan {
    }

    private record QueryPlan(QueryCompiler.Compiled compiled) implements Plan {
    }

    private record DmlPlan(Dml.Plan dml) implements Plan {
    }

    private record ExplainPlan(String text) implements Plan {
    }

    private record DdlPlan(SqlNode node) implements Plan {
    }

    /**
     * A planned statement: {@code userParameters} are the client's {@code ?}; {@code literals}
     * are the values {@link AutoParameters} took out of the text, which follow them.
     */
    private record Prepared(String sql, long catalogVersion, Plan plan, int userParameters, List<Object> literals,
                            List<ColumnMeta> parameters, List<ColumnMeta> columns) implements PreparedSql {

        /** The same plan for another statement of the same shape. */
        Prepared forStatement(String otherSql, int otherUserParameters, List<Object> otherLiterals) {
            return new Prepared(otherSql, catalogVersion, plan, otherUserParameters, otherLiterals,
                    parameterMetas(source(plan), otherUserParameters), columns);
        }
    }

    private static final List<ColumnMeta> EXPLAIN_COLUMNS = List.of(
            new ColumnMeta("PLAN", "PLAN", java.sql.Types.VARCHAR, "VARCHAR", 65_535, 0, false, ""));

    private final StarlingSqlEngine engine;
    private final CancelSignal cancel;
    private boolean autoCommit = true;
    /** Inside BEGIN ... COMMIT: statements share one transaction although auto-commit is on. */
    private boolean explicitBlock;
    /** The session's defaults for new transactions (SET SESSION CHARACTERISTICS, JDBC's setters). */
    private Isolation defaultIsolation = Isolation.SNAPSHOT;
    private boolean defaultReadOnly;
    /** The next or open transaction's own characteristics (BEGIN ..., SET TRANSACTION); null: the defaults. */
    private Isolation transactionIsolation;
    private Boolean transactionReadOnly;
    /**
     * SET read_consistency: how old a read-only transaction's snapshot may be, in milliseconds
     * (0: strong, a fresh timestamp; see {@link ReadConsistency}).
     */
    private ReadConsistency readConsistency = ReadConsistency.STRONG;
    /** Tables the open transaction wrote, with the definitions its writes followed. */
    private final Map<String, TableDef> writtenTables = new HashMap<>();
    private Transaction transaction;
    private QueryCursor openCursor;

    /** Runs in a transaction its caller began (SQL over a client's key-value transaction); never another. */
    private final boolean bound;

    StarlingSqlSession(StarlingSqlEngine engine) {
        this.engine = engine;
        this.cancel = engine.newCancelSignal();
        this.bound = false;
    }

    /**
     * A session whose statements run in {@code transaction}, begun by the caller, who may read
     * and write in it too; {@link #commit} commits it (everything written in it), {@link #rollback}
     * rolls it back, and the session then ends.
     */
    StarlingSqlSession(StarlingSqlEngine engine, Transaction transaction) {
        this.engine = engine;
        this.cancel = engine.newCancelSignal();
        this.bound = true;
        this.autoCommit = false;
        this.transaction = transaction;
    }

    @Override
    public CancelSignal cancelSignal() {
        return cancel;
    }

    @Override
    public PreparedSql prepare(String sql) throws SqlException {
        try (CancelSignal.Running request = cancel.start()) {
            return plan(sql);
        } catch (SqlException e) {
            SqlException reported = stopped(e);
            engine.countError(reported.sqlState());
            throw reported;
        }
    }

    /**
     * The error a failed statement answers: a stopped one fails wherever it noticed the stop
     * (a scan, or Calcite's planner with its own exception), and answers 57014 (53200 when stopped
     * for memory) with the reason.
     */
    private SqlException stopped(SqlException e) {
        return cancel.stopRequested() && !cancel.stopState().equals(e.sqlState()) ? cancel.error() : e;
    }

    /**
     * The plan of a statement shape, for texts with the same {@link TextShape#key()}: text literal
     * {@code i} supplies auto-parameter {@code slots[i]}, or, where that is -1, must read
     * {@code fixed[i]} (a literal the plan kept, such as a LIMIT).
     */
    private record ShapePlan(Prepared prepared, int userParameters, int[] slots, String[] fixed) {

        /** The plan for a text of this shape, or null if a kept literal differs. */
        Prepared bind(String sql, TextShape text) {
            List<TextShape.Literal> literals = text.literals();
            if (literals.size() != slots.length) {
                return null;
            }
            Object[] values = new Object[prepared.literals().size()];
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] >= 0) {
                    values[slots[i]] = literals.get(i).value();
                } else if (!literals.get(i).text().equals(fixed[i])) {
                    return null;
                }
            }
            return prepared.forStatement(sql, userParameters, Arrays.asList(values));
        }

        static ShapePlan of(Prepared prepared, int userParameters, TextShape text, int[] slots) {
            String[] fixed = new String[slots.length];
            for (int i = 0; i < slots.length; i++) {
                fixed[i] = slots[i] >= 0 ? null : text.literals().get(i).text();
            }
            return new ShapePlan(prepared, userParameters, slots, fixed);
        }
    }

    /** Plan-cache key: a statement's exact text. */
    private record TextKey(long catalogVersion, String sql) {
    }

    /** Plan-cache key: a text with its literals cut out ({@link TextShape#key()}). */
    private record TextShapeKey(long catalogVersion, String shape) {
    }

    /** Plan-cache key: a parsed statement after {@link AutoParameters}, as a {@link TreeShape}. */
    private record TreeKey(long catalogVersion, List<Object> shape) {
    }

    private Prepared plan(String sql) throws SqlException {
        if (sql == null || sql.isBlank()) {
            throw new SqlException("42000", "empty statement");
        }
        QueryCompiler compiler = engine.compiler().cancelledBy(cancel, engine.options().planningTimeoutMillis());
        long version = compiler.catalog().version();
        SessionStatement session = SessionStatement.parse(sql);
        if (session != null) {
            List<ColumnMeta> shown = session instanceof SessionStatement.Show show
                    ? List.of(new ColumnMeta(show.name(), show.name(), java.sql.Types.VARCHAR, "VARCHAR", 64, 0, false, ""))
                    : List.of();
            return new Prepared(sql, version, new SessionPlan(session), 0, List.of(), List.of(), shown);
        }
        TextKey key = new TextKey(version, sql);
        if (engine.cachedPlan(key) instanceof Prepared cached) {
            engine.countPlanLookup(true);
            return cached;
        }
        // A text differing from a planned one only in literal values takes its plan without parsing.
        TextShape text = TextShape.of(sql);
        TextShapeKey textKey = text == null ? null : new TextShapeKey(version, text.key());
        if (textKey != null && engine.cachedPlan(textKey) instanceof ShapePlan shaped) {
            Prepared prepared = shaped.bind(sql, text);
            if (prepared != null) {
                engine.countPlanLookup(true);
                return prepared;
            }
        }
        SqlNode node = QueryCompiler.parse(sql);
        List<ColumnMeta> columns = List.of();
        if (node instanceof SqlCreateTable || node instanceof SqlDropTable || node instanceof SqlCreateIndex
                || node instanceof SqlDropIndex || node instanceof SqlCreateView || node instanceof SqlDropView) {
            return new Prepared(sql, version, new DdlPlan(node), 0, List.of(), List.of(), columns);
        }
        int userParameters = QueryCompiler.countParameters(node);
        // Statements that differ only in literal values share one plan (the tree key).
        AutoParameters.Result auto = node instanceof SqlExplain ? null : AutoParameters.apply(node);
        List<Object> literals = auto == null ? List.of() : auto.values();
        List<Object> shape = auto == null ? null : TreeShape.of(auto.statement());
        TreeKey treeKey = shape == null ? null : new TreeKey(version, shape);
        int[] slots = text == null || auto == null ? null : text.slots(auto);
        Prepared prepared;
        if (treeKey != null && engine.cachedPlan(treeKey) instanceof Prepared same) {
            engine.countPlanLookup(true);
            prepared = same.forStatement(sql, userParameters, literals);
        } else {
            engine.countPlanLookup(false);
            // The tree is planned as it is (AutoParameters rewrote it in place): parsed once, never printed.
            SqlNode statement = auto == null ? node : auto.statement();
            Plan plan;
            if (statement instanceof SqlInsert insert) {
                plan = new DmlPlan(Dml.planInsert(insert, compiler));
            } else if (statement instanceof SqlUpdate update) {
                plan = new DmlPlan(Dml.planUpdate(update, compiler));
            } else if (statement instanceof SqlDelete delete) {
                plan = new DmlPlan(Dml.planDelete(delete, compiler));
            } else if (statement instanceof SqlExplain explain) {
                QueryCompiler.Compiled compiled = compiler.compile(explain.getExplicandum());
                plan = new ExplainPlan(compiled.explain());
                columns = EXPLAIN_COLUMNS;
            } else if (statement.isA(SqlKind.QUERY)) {
                QueryCompiler.Compiled compiled = compiler.compile(statement);
                plan = new QueryPlan(compiled);
                columns = compiled.columns();
            } else {
                throw new SqlException("0A000", "statement " + statement.getKind() + " is not supported");
            }
            prepared = new Prepared(sql, version, plan, userParameters, literals, parameterMetas(source(plan), userParameters),
                    columns);
            if (treeKey != null) {
                engine.cachePlan(treeKey, prepared);
            }
        }
        if (slots != null) {
            // Texts of this shape are found from now on without parsing; the text itself need not be kept.
            engine.cachePlan(textKey, ShapePlan.of(prepared, userParameters, text, slots));
        } else {
            engine.cachePlan(key, prepared);
        }
        return prepared;
    }

    /** The compiled query a plan runs (for DML: the query producing its rows), or null. */
    private static QueryCompiler.Compiled source(Plan plan) {
        if (plan instanceof QueryPlan q) {
            return q.compiled();
        } else if (plan instanceof DmlPlan d) {
            return d.dml().source();
        }
        return null;
    }

    private static List<ColumnMeta> parameterMetas(QueryCompiler.Compiled compiled, int userParameters) {
        return compiled == null ? List.of() : parameterMetas(compiled.statementParameterTypes(userParameters));
    }

    private static List<ColumnMeta> parameterMetas(List<RelDataType> types) {
        List<ColumnMeta> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            RelDataType t = types.get(i);
            out.add(t == null ? new ColumnMeta("?" + (i + 1), "?" + (i + 1), java.sql.Types.OTHER, "ANY", 0, 0, true, "")
                    : QueryCompiler.columnMeta("?" + (i + 1), t, ""));
        }
        return out;
    }

    @Override
    public StatementResult execute(String sql, List<Object> params) throws SqlException {
        Timer.Sample sample = Timer.start();
        try (CancelSignal.Running request = cancel.start()) {
            return run(plan(sql), params);
        } catch (SqlException e) {
            SqlException reported = stopped(e);
            engine.countError(reported.sqlState());
            throw reported;
        } finally {
            sample.stop(engine.latency());
        }
    }

    /** The prepared statement, planned again if the catalog changed since it was planned (not DDL or session statements). */
    private Prepared current(Prepared prepared) throws SqlException {
        if (prepared.catalogVersion() != engine.catalog().snapshot().version() && !(prepared.plan() instanceof DdlPlan)
                && !(prepared.plan() instanceof SessionPlan)) {
            return plan(prepared.sql());
        }
        return prepared;
    }

    @Override
    public StatementResult execute(PreparedSql statement, List<Object> params) throws SqlException {
        Timer.Sample sample = Timer.start();
        try (CancelSignal.Running request = cancel.start()) {
            return run(current((Prepared) statement), params);
        } catch (SqlException e) {
            SqlException reported = stopped(e);
            engine.countError(reported.sqlState());
            throw reported;
        } finally {
            sample.stop(engine.latency());
        }
    }

    /**
     * A batch of a prepared INSERT whose rows are a VALUES list reading no table, in an open
     * transaction, runs as one multi-row INSERT of all the executions' rows: its keys and UNIQUE
     * values are checked with one request per range (docs/cluster.md, "The load phase"), not one
     * round trip per row. The rows do not depend on what the batch writes, so computing them all
     * first changes nothing; a duplicate inside the batch is found as in one statement. A failure
     * leaves nothing (a statement stages its writes) and answers null, so the caller runs the
     * executions one by one and reports the one that fails as before, except a cancel, which is
     * thrown.
     */
    @Override
    public long[] executeBatch(PreparedSql statement, List<List<Object>> paramSets) throws SqlException {
        if (paramSets.size() < 2 || autoCommitting() || readOnly()) {
            return null;
        }
        Timer.Sample sample = Timer.start();
        try (CancelSignal.Running request = cancel.start()) {
            Prepared prepared = current((Prepared) statement);
            if (!(prepared.plan() instanceof DmlPlan d) || d.dml().kind() != Dml.Kind.INSERT || d.dml().sourceReadsTables()) {
                return null;
            }
            closeOpenCursor();
            Dml.Plan plan = d.dml();
            Transaction txn = transaction();
            long[] counts = new long[paramSets.size()];
            List<Object[]> rows = new ArrayList<>();
            try {
                for (int i = 0; i < counts.length; i++) {
                    List<Object> values = plan.source().bind(paramSets.get(i), prepared.userParameters(), prepared.literals());
                    // Interpreted where the plan can be: a batch's hundreds of executions would
                    // otherwise make the plan old at its third and generate its code in the middle
                    // of the batch (most of the batch's CPU on a node whose Calcite classes are
                    // cold; docs/cluster.md, "The load phase"). A VALUES row is cheap to interpret.
                    Enumerator<Object> interpreted = plan.source().open(txn, cancel, values, true);
                    try (Enumerator<Object> enumerator = interpreted != null ? interpreted : plan.source().open(txn, cancel, values)) {
                        List<Object[]> drained = QueryCursor.drain(enumerator, plan.source().columns().size());
                        counts[i] = drained.size();
                        rows.addAll(drained);
                    }
                }
                Dml.execute(plan, rows, txn, engine.tableStorage());
            } catch (SqlException | RuntimeException e) {
                if (cancel.stopRequested()) {
                    throw cancel.error();
                }
                return null; // nothing of the batch was written: the caller runs it element by element
            }
            writtenTables.put(plan.table().name(), plan.table());
            for (int i = 0; i < counts.length; i++) {
                engine.countStatement("insert");
            }
            return counts;
        } catch (SqlException e) {
            SqlException reported = stopped(e);
            engine.countError(reported.sqlState());
            throw reported;
        } finally {
            sample.stop(engine.latency());
        }
    }

    /** False once the store answered that it has no transactions that never wait (one node's store): executeNow stops trying. */
    private boolean storeReadsNow = true;

    @Override
    public StatementResult executeNow(PreparedSql statement, List<Object> params) {
        return storeReadsNow ? readNow((Prepared) statement, params, false) : null;
    }

    /**
     * Longest statement text {@link #executeNow(String, List)} looks up: a point SELECT is short,
     * and a long text (a multi-row INSERT) would be read twice, here and on the SQL thread.
     */
    static final int maxTextCharsNow = 1_000;

    @Override
    public StatementResult executeNow(String sql, List<Object> params) {
        if (!storeReadsNow || sql == null || sql.length() > maxTextCharsNow || !startsWithSelect(sql)) {
            return null;
        }
        Prepared prepared;
        try {
            prepared = cachedPlan(sql);
        } catch (RuntimeException e) {
            return null; // execute() answers what is wrong with the text
        }
        return prepared == null ? null : readNow(prepared, params, true);
    }

    private static boolean startsWithSelect(String sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "SELECT", 0, 6);
    }

    /** The plan of a text found in the plan cache at the catalog version now, as plan() finds it; null if it must be planned. */
    private Prepared cachedPlan(String sql) {
        long version = engine.catalog().snapshot().version();
        if (engine.cachedPlan(new TextKey(version, sql)) instanceof Prepared cached) {
            return cached;
        }
        TextShape text = TextShape.of(sql);
        if (text != null && engine.cachedPlan(new TextShapeKey(version, text.key())) instanceof ShapePlan shaped) {
            return shaped.bind(sql, text);
        }
        return null;
    }

    /**
     * A point read run at once ({@link #executeNow}): only a query whose plan reads one row by its
     * primary key and has its code generated, in auto-commit with no transaction or cursor open,
     * at strong read consistency, planned on the catalog of now. Its transaction reads at this
     * node's own store under the lease, or gives up ({@link WouldBlockException}) having waited
     * for nothing; then, or if anything else fails, null: {@link #execute} runs the statement
     * again where it may wait, and answers whatever it meets. {@code planLookup}: the plan was
     * found in the cache for this statement's text, counted as a hit when the statement runs here.
     */
    private StatementResult readNow(Prepared prepared, List<Object> params, boolean planLookup) {
        if (!(prepared.plan() instanceof QueryPlan) || bound || !autoCommitting() || transaction != null || openCursor != null
                || readConsistency.maxStalenessMillis() > 0 || cancel.stopRequested()) {
            return null;
        }
        if (prepared.catalogVersion() != engine.catalog().snapshot().version()) {
            // Planned on an older catalog: the plan execute() made for it since, if any.
            try {
                prepared = cachedPlan(prepared.sql());
            } catch (RuntimeException e) {
                return null;
            }
            if (prepared == null) {
                return null;
            }
        }
        if (!(prepared.plan() instanceof QueryPlan q) || !q.compiled().pointRead()) {
            return null;
        }
        QueryCompiler.Compiled compiled = q.compiled();
        Timer.Sample sample = Timer.start();
        Transaction txn = engine.store().beginNonBlocking(isolation());
        if (txn == null) {
            storeReadsNow = false;
            return null;
        }
        List<Object[]> rows;
        try {
            Enumerator<Object> run = compiled.openGenerated(txn, cancel,
                    compiled.bind(params, prepared.userParameters(), prepared.literals()));
            if (run == null) {
                return null;
            }
            rows = QueryCursor.readAll(run, compiled.columns(), compiled.columnTypes());
        } catch (SqlException | RuntimeException | LinkageError e) {
            return null;
        } finally {
            txn.rollback();
            txn.close();
        }
        if (planLookup) {
            engine.countPlanLookup(true);
        }
        engine.countStatement("select");
        sample.stop(engine.latency());
        return new StatementResult.Rows(new ListCursor(compiled.columns(), rows));
    }

    /** Whether the store has transactions that write without waiting ({@link #writeNow}); false once it answered none. */
    private boolean storeWritesNow = true;

    /**
     * A point UPDATE or DELETE started at once on the calling thread, its commit answered later
     * (docs/cluster.md, "Durable updates"): only a prepared UPDATE or DELETE whose source reads one
     * row by its table's full primary key and has its code generated, in auto-commit with no
     * transaction or cursor open, in a session that may write, planned on the catalog of now
     * within the node's catalog lease. Its transaction reads the row at this node's own store
     * under the lease and sends its one-phase commit there (a compare-and-set of the row read, as
     * on a SQL thread: {@code ClusterTransaction}, "deferred"); the future completes on the thread
     * that applied it, with the update count or a {@link SqlException} (in a
     * {@link java.util.concurrent.CompletionException}). Null, with nothing written, when any of
     * that does not hold or anything would wait before the commit was sent (the lease elsewhere,
     * a latch or lock on the row, the writes in another range, the schema lock taken by a schema
     * change, any error): {@link #execute} then runs the statement where it may wait, and answers
     * whatever it meets. A schema change waits for the commits started here
     * ({@link StarlingSqlEngine#lockSchemaForChange}), as for those holding the schema's read lock.
     */
    @Override
    public java.util.concurrent.CompletableFuture<StatementResult> writeNow(PreparedSql statement, List<Object> params) {
        if (!storeWritesNow || !(statement instanceof Prepared prepared) || !(prepared.plan() instanceof DmlPlan d)
                || d.dml().kind() == Dml.Kind.INSERT || !d.dml().source().pointRead()
                || bound || !autoCommitting() || transaction != null || openCursor != null || readOnly()
                || cancel.stopRequested() || prepared.catalogVersion() != engine.catalog().snapshot().version()
                || !engine.catalogLeaseValid()) {
            return null;
        }
        Dml.Plan plan = d.dml();
        Timer.Sample sample = Timer.start();
        Transaction txn = engine.store().beginNonBlockingStatement(isolation());
        if (txn == null) {
            storeWritesNow = false;
            return null;
        }
        java.util.concurrent.CompletableFuture<Void> commit;
        long affected;
        try {
            List<Object> values = plan.source().bind(params, prepared.userParameters(), prepared.literals());
            Enumerator<Object> run = plan.source().openGenerated(txn, cancel, values);
            if (run == null) {
                txn.close();
                return null;
            }
            List<Object[]> rows;
            try (run) {
                rows = QueryCursor.drain(run, plan.source().columns().size());
            }
            affected = Dml.execute(plan, rows, txn, engine.tableStorage());
            if (!engine.schemaLock().readLock().tryLock()) {
                txn.close();
                return null; // a schema change holds it: the SQL thread waits for it
            }
            try {
                if (engine.catalog().snapshot().table(plan.table().name()) != plan.table()) {
                    txn.close();
                    return null;
                }
                txn.commitBefore(engine.commitDeadline());
                engine.commitInFlight();
                try {
                    commit = txn.commitAsync();
                } catch (RuntimeException e) {
                    engine.commitLanded();
                    throw e;
                }
            } finally {
                engine.schemaLock().readLock().unlock();
            }
        } catch (SqlException | RuntimeException | LinkageError e) {
            txn.close(); // nothing was sent: execute() runs it again and answers what it meets
            return null;
        }
        engine.countStatement(plan.kind().name().toLowerCase(java.util.Locale.ROOT));
        return commit.handle((v, e) -> {
            engine.commitLanded();
            txn.close();
            sample.stop(engine.latency());
            if (e == null) {
                return new StatementResult.UpdateCount(affected);
            }
            SqlException failed = Errors.execution(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e);
            engine.countError(failed.sqlState());
            throw new java.util.concurrent.CompletionException(failed);
        });
    }

    private StatementResult run(Prepared prepared, List<Object> params) throws SqlException {
        closeOpenCursor();
        Plan plan = prepared.plan();
        if ((plan instanceof DmlPlan || plan instanceof DdlPlan) && readOnly()) {
            String what = plan instanceof DmlPlan d ? d.dml().kind().name() : "a schema change";
            throw new SqlException("25006", "cannot execute " + what + " in a read-only transaction"
                    + (transactionReadOnly != null ? "" : " (the session is read-only: Connection.setReadOnly(false) or"
                    + " SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE)"));
        }
        if (plan instanceof SessionPlan s) {
            engine.countStatement("other");
            return session(s.statement());
        } else if (plan instanceof QueryPlan q) {
            engine.countStatement("select");
            return query(prepared, q.compiled(), params);
        } else if (plan instanceof DmlPlan d) {
            engine.countStatement(d.dml().kind().name().toLowerCase(java.util.Locale.ROOT));
            return new StatementResult.UpdateCount(dml(prepared, d.dml(), params));
        } else if (plan instanceof ExplainPlan e) {
            engine.countStatement("other");
            List<Object[]> rows = new ArrayList<>();
            for (String line : e.text().split("\n")) {
                rows.add(new Object[] {line});
            }
            return new StatementResult.Rows(new ListCursor(EXPLAIN_COLUMNS, rows));
        } else {
            engine.countStatement("ddl");
            ddl(((DdlPlan) plan).node());
            return new StatementResult.UpdateCount(0);
        }
    }

    private Transaction transaction() throws SqlException {
        return transaction(false);
    }

    /**
     * The open transaction, or a new one. {@code query}: for a query, which in auto-commit mode is
     * a transaction that only reads, so it may read an older snapshot if read_consistency allows;
     * so may a READ ONLY transaction. Others read the newest.
     */
    private Transaction transaction(boolean query) throws SqlException {
        if (transaction == null) {
            if (bound) {
                throw new SqlException("25000", "this session's transaction has ended; begin another and open a session on it");
            }
            boolean readsOnly = readOnly() || (query && autoCommitting());
            // An auto-commit statement's transaction may defer its timestamp: a point statement
            // then costs no oracle round trip on the cluster (docs/cluster.md, "Point statements").
            transaction = readsOnly && readConsistency.maxStalenessMillis() > 0
                    ? engine.store().beginStale(isolation(), readConsistency.maxStalenessMillis())
                    : autoCommitting() ? engine.store().beginStatement(isolation())
                    : engine.store().begin(isolation());
        }
        return transaction;
    }

    /** The isolation level of the open transaction, or of the next one. */
    private Isolation isolation() {
        return transactionIsolation != null ? transactionIsolation : defaultIsolation;
    }

    private boolean readOnly() {
        return transactionReadOnly != null ? transactionReadOnly : defaultReadOnly;
    }

    /** Each statement commits on its own: auto-commit on and no BEGIN block open. */
    private boolean autoCommitting() {
        return autoCommit && !explicitBlock;
    }

    /** The transaction ended (committed or rolled back): its own characteristics and block end with it. */
    private void transactionEnded() {
        explicitBlock = false;
        transactionIsolation = null;
        transactionReadOnly = null;
    }

    private StatementResult session(SessionStatement statement) throws SqlException {
        if (statement instanceof SessionStatement.Begin begin) {
            if (explicitBlock || (!autoCommit && transaction != null)) {
                throw new SqlException("25001", "a transaction is already open; COMMIT or ROLLBACK it first");
            }
            explicitBlock = autoCommit;
            apply(begin.modes());
        } else if (statement instanceof SessionStatement.Commit) {
            commit();
        } else if (statement instanceof SessionStatement.Rollback) {
            rollback();
        } else if (statement instanceof SessionStatement.SetTransaction set) {
            if (set.session()) {
                if (set.modes().isolation() != null) {
                    defaultIsolation = set.modes().isolation();
                }
                if (set.modes().readOnly() != null) {
                    defaultReadOnly = set.modes().readOnly();
                }
            } else if (autoCommitting()) {
                throw new SqlException("25P01", "SET TRANSACTION applies to an open transaction: run it after BEGIN, or set "
                        + "the session's default with SET SESSION CHARACTERISTICS AS TRANSACTION ...");
            } else if (transaction != null) {
                throw new SqlException("25001", "SET TRANSACTION must come before the transaction's first statement");
            } else {
                apply(set.modes());
            }
        } else if (statement instanceof SessionStatement.Set set) {
            setting(set.name(), set.value());
        } else {
            String name = ((SessionStatement.Show) statement).name();
            String value = show(name);
            List<ColumnMeta> columns = List.of(new ColumnMeta(name, name, java.sql.Types.VARCHAR, "VARCHAR", 64, 0, false, ""));
            List<Object[]> rows = new ArrayList<>();
            rows.add(new Object[] {value});
            return new StatementResult.Rows(new ListCursor(columns, rows));
        }
        return new StatementResult.UpdateCount(0);
    }

    private void apply(SessionStatement.Modes modes) {
        if (modes.isolation() != null) {
            transactionIsolation = modes.isolation();
        }
        if (modes.readOnly() != null) {
            transactionReadOnly = modes.readOnly();
        }
    }

    private void setting(String name, String value) throws SqlException {
        switch (name) {
            case "default_transaction_isolation" -> defaultIsolation = isolationNamed(value);
            case "default_transaction_read_only" -> defaultReadOnly = booleanNamed(name, value);
            case "read_consistency" -> readConsistency = ReadConsistency.parse(value);
            default -> throw new SqlException("42704", "setting \"" + name + "\" cannot be set with SET"
                    + (name.startsWith("transaction_") ? "; use SET TRANSACTION" : ""));
        }
    }

    private String show(String name) throws SqlException {
        return switch (name) {
            case "transaction_isolation" -> isolationName(isolation());
            case "default_transaction_isolation" -> isolationName(defaultIsolation);
            case "transaction_read_only" -> readOnly() ? "on" : "off";
            case "default_transaction_read_only" -> defaultReadOnly ? "on" : "off";
            case "read_consistency" -> readConsistency.toString();
            default -> throw new SqlException("42704", "unrecognized setting \"" + name + "\"");
        };
    }

    /** PostgreSQL's names: snapshot isolation is its REPEATABLE READ. */
    private static String isolationName(Isolation isolation) {
        return isolation == Isolation.SERIALIZABLE ? "serializable" : "repeatable read";
    }

    private static Isolation isolationNamed(String value) throws SqlException {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "serializable" -> Isolation.SERIALIZABLE;
            case "repeatable read", "snapshot", "read committed", "read uncommitted" -> Isolation.SNAPSHOT;
            default -> throw new SqlException("22023", "unknown isolation level '" + value
                    + "' (levels: serializable, repeatable read or snapshot, read committed, read uncommitted)");
        };
    }

    private static boolean booleanNamed(String name, String value) throws SqlException {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw new SqlException("22023", name + " takes on or off, not '" + value + "'");
        };
    }

    private StatementResult query(Prepared prepared, QueryCompiler.Compiled compiled, List<Object> params) throws SqlException {
        List<Object> values = compiled.bind(params, prepared.userParameters(), prepared.literals());
        Transaction txn = transaction(true);
        QueryCompiler compiler = engine.compiler();
        Enumerator<Object> rows;
        try {
            rows = compiled.open(txn, cancel, values);
        } catch (RuntimeException | LinkageError e) {
            endStatement(false);
            throw Errors.execution(e);
        }
        QueryCursor cursor = new QueryCursor(compiled.columns(), compiled.columnTypes(), rows, cancel, this::queryClosed);
        openCursor = cursor;
        return new StatementResult.Rows(cursor);
    }

    /** A query's cursor closed: in auto-commit mode its read transaction ends with it. */
    private void queryClosed() {
        openCursor = null;
        if (autoCommitting() && transaction != null) {
            transaction.rollback();
            transaction.close();
            transaction = null;
        }
    }

    private long dml(Prepared prepared, Dml.Plan plan, List<Object> params) throws SqlException {
        List<Object> values = plan.source().bind(params, prepared.userParameters(), prepared.literals());
        Transaction txn = transaction();
        QueryCompiler compiler = engine.compiler();
        long affected;
        try {
            List<Object[]> rows;
            try (Enumerator<Object> enumerator = plan.source().open(txn, cancel, values)) {
                rows = QueryCursor.drain(enumerator, plan.source().columns().size());
            }
            affected = Dml.execute(plan, rows, txn, engine.tableStorage());
            writtenTables.put(plan.table().name(), plan.table());
        } catch (SqlException e) {
            endStatement(false);
            throw e;
        } catch (RuntimeException | LinkageError e) {
            endStatement(false);
            throw Errors.execution(e);
        }
        endStatement(true);
        return affected;
    }

    /** In auto-commit mode, commits (or rolls back) the statement's transaction. */
    private void endStatement(boolean success) throws SqlException {
        if (!autoCommitting() || transaction == null) {
            return;
        }
        Transaction txn = transaction;
        transaction = null;
        if (success) {
            try {
                commitFenced(txn);
            } catch (RuntimeException | LinkageError e) {
                txn.close();
                throw Errors.execution(e);
            }
        } else {
            writtenTables.clear();
            txn.rollback();
        }
        txn.close();
    }

    private void ddl(SqlNode node) throws SqlException {
        if (!autoCommitting() && transaction != null) {
            throw new SqlException("25001", "DDL inside an open transaction is not supported; commit or roll back first");
        }
        List<TableDef> dropped = new ArrayList<>();
        long published = -1;
        engine.lockSchemaForChange();
        Transaction txn = engine.store().begin();
        try {
            Catalog catalog = engine.catalog();
            Catalog.Snapshot base = catalog.snapshot();
            Catalog.Snapshot staged;
            if (node instanceof SqlCreateTable create) {
                staged = Ddl.createTable(create, catalog, base, txn);
            } else if (node instanceof SqlDropTable drop) {
                staged = Ddl.dropTable(drop, catalog, base, txn, engine.tableStorage());
            } else if (node instanceof SqlCreateIndex create) {
                // On a cluster an index is built in F1's steps (buildIndex); on one node the schema
                // lock keeps writes out while it is built here in one transaction.
                staged = Ddl.createIndex(create, catalog, base, txn, engine.shared());
            } else if (node instanceof SqlCreateView create) {
                staged = Ddl.createView(create, catalog, base, txn);
            } else if (node instanceof SqlDropView drop) {
                staged = Ddl.dropView(drop, catalog, base, txn);
            } else {
                staged = Ddl.dropIndex((SqlDropIndex) node, catalog, base, txn, engine.shared());
            }
            if (staged != null) {
                txn.commit();
                catalog.publish(staged);
                published = staged.version();
                for (TableDef table : base.tables().values()) {
                    if (staged.tables().values().stream().noneMatch(t -> t.id() == table.id())) {
                        dropped.add(table);
                    }
                }
            }
        } catch (RuntimeException | LinkageError e) {
            throw Errors.execution(e);
        } finally {
            txn.close();
            engine.schemaLock().writeLock().unlock();
        }
        awaitAdopted(published);
        if (published >= 0 && engine.shared() && node instanceof SqlCreateIndex create) {
            buildIndex(IndexBackfill.Target.of(create));
        }
        if (published >= 0 && engine.shared() && node instanceof SqlDropIndex drop) {
            finishIndexDrop(Ddl.indexName(drop));
        }
        // A dropped table's data goes after the drop committed, outside the schema lock, and
        // once every node has adopted the drop: no statement can see the table any more, and
        // commits of other tables need not wait.
        for (TableDef table : dropped) {
            try {
                TableStorage.deleteAll(engine.store(), table, TableStorage.DELETE_BATCH_KEYS);
            } catch (RuntimeException e) {
                throw Errors.execution(e);
            }
        }
    }

    /**
     * The rest of CREATE INDEX on a cluster, once every node maintains the write-only index: its
     * entries for the rows already there, then the index made public (readable), adopted by every
     * node before the statement returns. If the build fails (a unique index meets a duplicate, or
     * concurrent writes keep conflicting), the index is removed and the failure answered.
     */
    private void buildIndex(IndexBackfill.Target target) throws SqlException {
        try {
            IndexBackfill.run(engine.store(), engine.catalog(), target, cancel);
        } catch (SqlException | RuntimeException e) {
            try {
                schemaStep((catalog, base, txn) -> IndexBackfill.stageRemoval(catalog, base, txn, target));
            } catch (SqlException | RuntimeException removal) {
                e.addSuppressed(removal);
            }
            throw e instanceof SqlException s ? s : Errors.execution((RuntimeException) e);
        }
        schemaStep((catalog, base, txn) -> IndexBackfill.stagePublic(catalog, base, txn, target));
    }

    /**
     * The rest of DROP INDEX on a cluster, once every node has adopted the index as write-only
     * (no query reads it): the index leaves the catalog, every node adopts that, and then, when
     * no node maintains it any more, its entries are deleted in batches.
     */
    private void finishIndexDrop(String indexName) throws SqlException {
        TableDef table = engine.catalog().snapshot().tableOfIndex(indexName);
        if (table == null) {
            return; // another statement removed it meanwhile
        }
        byte[] prefix = TableStorage.indexPrefix(table, table.index(indexName), new Object[0]);
        schemaStep((catalog, base, txn) -> {
            TableDef owner = base.tableOfIndex(indexName);
            return owner == null ? null : catalog.stage(txn, base, owner.name(), owner.withoutIndex(indexName));
        });
        try {
            TableStorage.deleteSpan(engine.store(), prefix, io.starlingdb.engine.encoding.KeyEncoder.prefixEnd(prefix),
                    TableStorage.DELETE_BATCH_KEYS);
        } catch (RuntimeException e) {
            throw Errors.execution(e);
        }
    }

    /** One catalog change staged in a transaction of its own. */
    private interface SchemaStep {
        Catalog.Snapshot stage(Catalog catalog, Catalog.Snapshot base, Transaction txn) throws SqlException;
    }

    /** Commits one catalog change under the schema lock, publishes it, and waits for every node to adopt it. */
    private void schemaStep(SchemaStep step) throws SqlException {
        long published = -1;
        engine.lockSchemaForChange();
        try (Transaction txn = engine.store().begin()) {
            Catalog catalog = engine.catalog();
            Catalog.Snapshot staged = step.stage(catalog, catalog.snapshot(), txn);
            if (staged != null) {
                txn.commit();
                catalog.publish(staged);
                published = staged.version();
            }
        } catch (RuntimeException | LinkageError e) {
            throw Errors.execution(e);
        } finally {
            engine.schemaLock().writeLock().unlock();
        }
        awaitAdopted(published);
    }

    /**
     * Returns once the other nodes sharing the store run on the catalog version this DDL
     * published (SQL on the cluster; docs/cluster.md, "Schema changes"). Interrupted (the statement
     * was cancelled): the DDL has committed, so it answers 57014 saying so.
     */
    private void awaitAdopted(long version) throws SqlException {
        if (version < 0) {
            return;
        }
        try {
            engine.schemaSync().awaitAdopted(version);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SqlException("57014", "the schema change committed (catalog version " + version
                    + "), but waiting for the other nodes to adopt it was interrupted");
        }
    }

    private void closeOpenCursor() {
        if (openCursor != null) {
            openCursor.close();
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SqlException {
        if (autoCommit && bound) {
            throw new SqlException("25000", "this session runs in its caller's transaction: commit or roll that back");
        }
        if (autoCommit && !this.autoCommit) {
            commit();
        }
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean autoCommit() {
        return autoCommit;
    }

    @Override
    public void commit() throws SqlException {
        closeOpenCursor();
        Transaction txn = transaction;
        transaction = null;
        transactionEnded();
        if (txn != null) {
            try {
                commitFenced(txn);
            } catch (RuntimeException | LinkageError e) {
                throw Errors.execution(e);
            } finally {
                txn.close();
            }
        }
    }

    /**
     * Commits unless a table this transaction wrote was changed by DDL since its statements
     * were planned (for instance an index created meanwhile, whose entries these writes lack):
     * then it rolls back with 40001, and the client retries against the new definition. The
     * shared schema lock keeps DDL from committing between the check and the commit.
     */
    private void commitFenced(Transaction txn) throws SqlException {
        if (!writtenTables.isEmpty() && !engine.catalogLeaseValid()) {
            // Other nodes' DDL counts on this node not committing writes planned on a catalog it
            // has not confirmed within the lease: confirm it now (adopting a newer one if any).
            try {
                engine.refreshCatalog();
            } catch (RuntimeException e) {
                txn.rollback();
                writtenTables.clear();
                throw new SqlException("40001", "this node could not confirm its catalog with the cluster (" + e.getMessage()
                        + "); the transaction was rolled back, retry it");
            }
        }
        engine.schemaLock().readLock().lock();
        try {
            Catalog.Snapshot now = engine.catalog().snapshot();
            for (Map.Entry<String, TableDef> written : writtenTables.entrySet()) {
                if (now.table(written.getKey()) != written.getValue()) {
                    txn.rollback();
                    throw new SqlException("40001", "table " + written.getKey()
                            + " was changed by a concurrent schema change; the transaction was rolled back, retry it");
                }
            }
            if (!writtenTables.isEmpty()) {
                // The lease checked above must still hold at the commit point, however long the
                // commit takes to get there (a node cut off from the others): bounded by timestamp.
                txn.commitBefore(engine.commitDeadline());
            }
            txn.commit();
        } finally {
            writtenTables.clear();
            engine.schemaLock().readLock().unlock();
        }
    }

    @Override
    public void rollback() {
        writtenTables.clear();
        closeOpenCursor();
        transactionEnded();
        if (transaction != null) {
            transaction.rollback();
            transaction.close();
            transaction = null;
        }
    }

    @Override
    public CatalogView catalog() {
        Catalog.Snapshot snapshot = engine.catalog().snapshot();
        List<CatalogView.TableInfo> tables = new ArrayList<>();
        for (TableDef t : snapshot.tables().values()) {
            List<CatalogView.ColumnInfo> columns = new ArrayList<>();
            for (ColumnDef c : t.columns()) {
                ColumnMeta meta = QueryCompiler.columnMeta(c.name(), io.starlingdb.sql.schema.StarlingTableTypes.relType(c), t.name());
                columns.add(new CatalogView.ColumnInfo(c.name(), meta.jdbcType(), meta.typeName(), c.precision(), c.scale(),
                        c.nullable(), c.defaultSql()));
            }
            List<String> pk = Arrays.stream(t.primaryKey()).mapToObj(i -> t.columns().get(i).name()).toList();
            List<CatalogView.IndexInfo> indexes = new ArrayList<>();
            for (IndexDef index : t.indexes()) {
                if (index.writeOnly()) {
                    continue; // not built yet
                }
                indexes.add(new CatalogView.IndexInfo(index.name(), index.unique(),
                        Arrays.stream(index.columns()).mapToObj(i -> t.columns().get(i).name()).toList(),
                        descendingFlags(index)));
            }
            tables.add(new CatalogView.TableInfo("PUBLIC", t.name(), CatalogView.TableInfo.TABLE, columns, pk, indexes));
        }
        QueryCompiler compiler = engine.compiler();
        if (compiler.catalog().version() == snapshot.version()) {
            for (io.starlingdb.sql.catalog.ViewDef v : snapshot.views().values()) {
                tables.add(new CatalogView.TableInfo("PUBLIC", v.name(), CatalogView.TableInfo.VIEW, viewColumns(compiler, v.name()),
                        List.of(), List.of()));
            }
        }
        long version = snapshot.version();
        return new CatalogView() {
            @Override
            public long version() {
                return version;
            }

            @Override
            public List<TableInfo> tables() {
                return tables;
            }
        };
    }

    private static List<Boolean> descendingFlags(IndexDef index) {
        List<Boolean> out = new ArrayList<>(index.descending().length);
        for (boolean d : index.descending()) {
            out.add(d);
        }
        return out;
    }

    /** A view's columns as its query types them now; none if it cannot be read (its table was dropped). */
    private static List<CatalogView.ColumnInfo> viewColumns(QueryCompiler compiler, String view) {
        List<CatalogView.ColumnInfo> columns = new ArrayList<>();
        try {
            RelDataType rowType = compiler.rootSchema().getSubSchema("PUBLIC").getTable(view).getRowType(compiler.typeFactory());
            for (org.apache.calcite.rel.type.RelDataTypeField field : rowType.getFieldList()) {
                ColumnMeta meta = QueryCompiler.columnMeta(field.getName(), field.getType(), view);
                columns.add(new CatalogView.ColumnInfo(field.getName(), meta.jdbcType(), meta.typeName(), meta.precision(),
                        meta.scale(), meta.nullable(), null));
            }
        } catch (io.starlingdb.sql.schema.InvalidViewException e) {
            return List.of();
        }
        return columns;
    }

    @Override
    public void close() {
        rollback();
    }

    /** Rows already in hand (EXPLAIN). */
    private static final class ListCursor implements RowCursor {
        private final List<ColumnMeta> columns;
        private final List<Object[]> rows;
        private int next;

        ListCursor(List<ColumnMeta> columns, List<Object[]> rows) {
            this.columns = columns;
            this.rows = rows;
        }

        @Override
        public List<ColumnMeta> columns() {
            return columns;
        }

        @Override
        public List<Object[]> fetch(int maxRows) {
            int end = Math.min(rows.size(), next + maxRows);
            List<Object[]> out = new ArrayList<>(rows.subList(next, end));
            next = end;
            return out;
        }

        @Override
        public void close() {
            next = rows.size();
        }
    }
}
