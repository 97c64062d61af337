package io.starlingdb.sql;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.starlingdb.engine.txn.TransactionalStore;
import io.starlingdb.sql.catalog.Catalog;
import io.starlingdb.sql.exec.QueryCompiler;
import io.starlingdb.sql.schema.TableStorage;
import io.starlingdb.sql.system.SystemView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The SQL engine of a node: Calcite planning over the engine's transactional store, with a
 * plan cache keyed by typed statement keys and catalog version, and statement metrics.
 */
public final class StarlingSqlEngine implements SqlEngine {

    /** Plans kept in the cache; the least recently used beyond this are dropped. */
    public static final int PLAN_CACHE_ENTRIES = 2_000;

    private final TransactionalStore store;
    private final SqlOptions options;
    /** Runs statement deadlines and planning bounds ({@link CancelSignal}); one daemon thread. */
    private final ScheduledThreadPoolExecutor deadlines;
    /** Requests running now in all sessions (gauge starling.sql.running). */
    private final AtomicInteger runningRequests = new AtomicInteger();
    /** The running requests' signals with their starts, for {@link #memoryGuard}. */
    private final Map<CancelSignal, Long> runningSince = new ConcurrentHashMap<>();
    /** Stops the longest-running statement while the heap is nearly full ({@code sql.memory.stop.percent}). */
    private final MemoryGuard memoryGuard;
    private final Catalog catalog;
    private final TableStorage tableStorage;
    /** DDL holds it exclusively; commits of transactions that wrote rows hold it shared. */
    private final ReentrantReadWriteLock schemaLock = new ReentrantReadWriteLock();
    private final PlanCache planCache = new PlanCache(PLAN_CACHE_ENTRIES);
    private final AtomicReference<QueryCompiler> compiler = new AtomicReference<>();
    private final MeterRegistry registry;
    private final Timer latency;
    private final Map<String, Counter> statements = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Counter planCacheHits;
    private final Counter planCacheMisses;
    /** What the SYS tables show; the node supplies it once it knows its cluster. */
    private volatile SystemView systemView = SystemView.NONE;
    /** Whether other nodes write the store too (SQL on the cluster). */
    private final boolean shared;
    /** How long a confirmed catalog may be used to commit writes, for a shared store (see {@link #catalogLeaseValid}). */
    private final long catalogLeaseNanos;
    private volatile SchemaSync schemaSync = SchemaSync.NONE;

    private StarlingSqlEngine(TransactionalStore store, MeterRegistry registry, SqlOptions options, boolean shared,
                              long catalogLeaseMillis) {
        this.store = store;
        this.shared = shared;
        this.catalogLeaseNanos = TimeUnit.MILLISECONDS.toNanos(catalogLeaseMillis);
        this.options = options;
        this.tableStorage = new TableStorage(store);
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "starling-sql-deadlines");
            t.setDaemon(true);
            return t;
        });
        // Most deadlines are cancelled long before they fire: do not keep them queued for minutes.
        deadlines.setRemoveOnCancelPolicy(true);
        this.memoryGuard = MemoryGuard.forHeap(options.memoryStopPercent() / 100.0, runningSince, deadlines);
        this.catalog = shared ? Catalog.unloaded(store) : new Catalog(store);
        this.registry = registry;
        this.latency = Timer.builder("starling.sql.latency").description("Statement execution time")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("starling.sql.running", runningRequests, AtomicInteger::get)
                .description("Statements and fetches running now").register(registry);
        Gauge.builder("starling.sql.memory.stops", memoryGuard, MemoryGuard::stops)
                .description("Statements stopped because the heap was nearly full (sql.memory.stop.percent)").register(registry);
        this.planCacheHits = Counter.builder("starling.sql.plan.cache").tag("result", "hit").register(registry);
        this.planCacheMisses = Counter.builder("starling.sql.plan.cache").tag("result", "miss").register(registry);
    }

    public static StarlingSqlEngine open(TransactionalStore store, MeterRegistry registry) {
        return open(store, registry, SqlOptions.defaults());
    }

    public static StarlingSqlEngine open(TransactionalStore store, MeterRegistry registry, SqlOptions options) {
        return new StarlingSqlEngine(store, registry, options, false, 0);
    }

    /**
     * An engine over a store other nodes write too (the cluster's): its catalog is read later,
     * and again whenever it changes, by {@link #refreshCatalog} (the caller schedules it, at
     * intervals well below {@code catalogLeaseMillis}). A transaction that wrote rows commits
     * only while the catalog was confirmed current within the last {@code catalogLeaseMillis}, so
     * a DDL statement knows that after that long no node commits writes planned on an older
     * catalog (docs/cluster.md, "Schema changes").
     */
    public static StarlingSqlEngine openShared(TransactionalStore store, MeterRegistry registry, SqlOptions options,
                                               long catalogLeaseMillis) {
        if (catalogLeaseMillis <= 0) {
            throw new IllegalArgumentException("the catalog lease must be positive, got " + catalogLeaseMillis + " ms");
        }
        return new StarlingSqlEngine(store, registry, options, true, catalogLeaseMillis);
    }

    /**
     * Adopts the stored catalog if another node changed it, and records that this node's catalog
     * is current. A newer catalog is published under the schema lock, so when this returns no
     * commit that checked its tables against the older catalog is still running here. True if
     * the catalog changed.
     */
    public boolean refreshCatalog() {
        long started = System.nanoTime();
        Catalog.Snapshot newer = catalog.readIfNewer();
        if (newer != null) {
            lockSchemaForChange();
            try {
                catalog.publish(newer);
            } finally {
                schemaLock.writeLock().unlock();
            }
        }
        catalog.confirm(started);
        return newer != null;
    }

    /**
     * How much earlier than its catalog lease a transaction that wrote rows must reach its commit
     * point, by its commit timestamp (at most half the lease): it covers the difference between
     * this node's clock and the timestamp oracle's (docs/cluster.md, "Schema changes").
     */
    public static final long catalogLeaseClockMarginMillis = 500;

    /**
     * The commit deadline of a transaction that writes rows with the current catalog: a hybrid
     * timestamp at the wall-clock time its lease runs out, less the clock margin; 0 (none) for
     * a store of its own. A commit whose timestamp is not below it is refused (40001), so writes
     * planned on an older catalog can never commit after a DDL statement waited out the lease.
     */
    long commitDeadline() {
        if (!shared) {
            return 0;
        }
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(catalog.confirmedNanos() + catalogLeaseNanos - System.nanoTime());
        long margin = Math.min(catalogLeaseClockMarginMillis, TimeUnit.NANOSECONDS.toMillis(catalogLeaseNanos) / 2);
        return Math.max(1, System.currentTimeMillis() + leftMillis - margin) << io.starlingdb.engine.mvcc.HybridClock.logicalBits;
    }

    /** Whether a transaction may commit writes planned on the current catalog (always, for a store of its own). */
    boolean catalogLeaseValid() {
        return !shared || System.nanoTime() - catalog.confirmedNanos() < catalogLeaseNanos;
    }

    boolean shared() {
        return shared;
    }

    /** Set by the node once it can reach the other nodes that share the store. */
    public void schemaSync(SchemaSync sync) {
        this.schemaSync = sync;
    }

    SchemaSync schemaSync() {
        return schemaSync;
    }

    /**
     * Plans and compiles one representative query, so that the first client statement does not
     * pay for loading and warming Calcite and Janino (seconds on a small machine). Harmless to
     * call concurrently with clients; failures are only logged.
     */
    public void warmUp() {
        try {
            compiler().compile("SELECT x, COUNT(*), MAX(y) FROM (VALUES (1, 'a'), (2, 'b')) AS t (x, y) "
                    + "WHERE y <> 'c' GROUP BY x HAVING COUNT(*) > 0 ORDER BY x");
        } catch (SqlException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(StarlingSqlEngine.class).debug("SQL warm-up failed", e);
        }
    }

    @Override
    public SqlSession openSession() {
        return new StarlingSqlSession(this);
    }

    /** Makes the SYS tables show this view (the node's cluster); until then they are empty. */
    public void useSystemView(SystemView view) {
        systemView = java.util.Objects.requireNonNull(view, "view");
    }

    /**
     * A session whose statements run in {@code transaction}, which the caller began on this
     * engine's store and may also read and write directly: the session's {@code commit} commits
     * all of it (after the same schema checks as any SQL commit), its {@code rollback} discards it.
     * DDL is refused in it (25001), as in any open transaction.
     */
    public SqlSession openSession(io.starlingdb.engine.txn.Transaction transaction) {
        return new StarlingSqlSession(this, transaction);
    }

    SqlOptions options() {
        return options;
    }

    /** The running requests' signals with their starts (nanoTime): what {@link MemoryGuard} chooses from. */
    Map<CancelSignal, Long> runningStatements() {
        return runningSince;
    }

    /** A new session's cancel signal, with the engine's statement timeout. */
    CancelSignal newCancelSignal() {
        return new CancelSignal(deadlines, options.statementTimeoutMillis(), runningRequests, runningSince);
    }

    TransactionalStore store() {
        return store;
    }

    public Catalog catalog() {
        return catalog;
    }

    TableStorage tableStorage() {
        return tableStorage;
    }

    ReentrantReadWriteLock schemaLock() {
        return schemaLock;
    }

    /**
     * Commits started under the schema's read lock that finish on another thread (a point UPDATE
     * answered without a SQL thread: {@link StarlingSqlSession#writeNow}), not finished yet. A
     * schema change waits for them as for the commits that hold the read lock.
     */
    private int commitsInFlight;
    private final Object commitsInFlightLock = new Object();

    /** A commit checked its tables under the schema's read lock (held now) and goes on without it. */
    void commitInFlight() {
        synchronized (commitsInFlightLock) {
            commitsInFlight++;
        }
    }

    /** A commit counted by {@link #commitInFlight} finished, one way or another. */
    void commitLanded() {
        synchronized (commitsInFlightLock) {
            if (--commitsInFlight == 0) {
                commitsInFlightLock.notifyAll();
            }
        }
    }

    /**
     * Takes the schema's write lock, then waits for the commits in flight without it: on return no
     * commit that checked its tables against the catalog of now is still running here, and none
     * starts until the lock is released.
     */
    void lockSchemaForChange() {
        schemaLock.writeLock().lock();
        boolean interrupted = false;
        synchronized (commitsInFlightLock) {
            while (commitsInFlight > 0) {
                try {
                    commitsInFlightLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A compiler for the current catalog version, shared until the catalog changes. */
    QueryCompiler compiler() {
        Catalog.Snapshot snapshot = catalog.snapshot();
        QueryCompiler c = compiler.get();
        if (c == null || c.catalog().version() != snapshot.version()) {
            c = new QueryCompiler(snapshot, () -> systemView);
            compiler.set(c);
        }
        return c;
    }

    /** The cached entry under {@code key}, or null; not counted (see {@link #countPlanLookup}). */
    Object cachedPlan(Object key) {
        return planCache.get(key);
    }

    /** Counts one statement's plan lookup: found in the cache under any of its keys, or planned. */
    void countPlanLookup(boolean hit) {
        (hit ? planCacheHits : planCacheMisses).increment();
    }

    void cachePlan(Object key, Object plan) {
        planCache.put(key, plan);
    }

    /** Plan-cache lookups that found a plan, for tests and operators. */
    public long planCacheHits() {
        return (long) planCacheHits.count();
    }

    Timer latency() {
        return latency;
    }

    void countStatement(String kind) {
        statements.computeIfAbsent(kind, k -> Counter.builder("starling.sql.statements").tag("kind", k)
                .description("Statements executed, by kind").register(registry)).increment();
    }

    void countError(String sqlState) {
        String cls = sqlState == null || sqlState.length() < 2 ? "HY" : sqlState.substring(0, 2);
        errors.computeIfAbsent(cls, k -> Counter.builder("starling.sql.errors").tag("sqlstate_class", k)
                .description("Statements that failed, by SQLState class").register(registry)).increment();
    }

    @Override
    public void close() {
        memoryGuard.close();
        deadlines.shutdownNow();
        planCache.clear();
    }
}
