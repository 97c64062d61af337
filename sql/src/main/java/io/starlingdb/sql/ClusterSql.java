package io.starlingdb.sql;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL over a {@link StarlingClient} (issue 12, item 8): the tables the cluster's nodes serve,
 * queried and written from a Java program that is a member of the cluster, in the same
 * transactions as its key-value operations. The client plans and runs the statements itself (it
 * holds a SQL engine over the cluster's key space, as a node does); the rows come from and go to
 * the ranges' leaseholders.
 *
 * <pre>{@code
 * try (StarlingClient client = StarlingClient.connect("127.0.0.1:7101");
 *      ClusterSql sql = ClusterSql.open(client)) {
 *     ClusterTransaction txn = client.begin(Isolation.SERIALIZABLE);
 *     try (SqlSession session = sql.session(txn)) {
 *         session.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1", List.of());
 *         txn.put(auditKey, auditValue);       // a key-value write in the same transaction
 *         session.commit();                    // both, atomically
 *     }
 * }
 * }</pre>
 *
 * <p>(It lives in the sql module, beside the engine it runs, rather than as a method of
 * {@code StarlingClient}: the key-value engine does not depend on SQL.) Schema changes are made
 * through a node: a client's DDL would not wait for the nodes to adopt it.
 */
public final class ClusterSql implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterSql.class);

    /** How often the client re-reads the catalog's version (as a node does), renewing its lease. */
    static final long CATALOG_REFRESH_MILLIS = 200;
    /** The client's catalog lease: writes commit only with a catalog confirmed this recently (a node's default). */
    static final long CATALOG_LEASE_MILLIS = 5_000;

    private final StarlingSqlEngine engine;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "starling-client-catalog");
        t.setDaemon(true);
        return t;
    });

    private ClusterSql(StarlingSqlEngine engine) {
        this.engine = engine;
    }

    /** SQL over the client's cluster; reads the catalog before it returns. */
    public static ClusterSql open(StarlingClient client) {
        return open(client, new SimpleMeterRegistry(), SqlOptions.defaults());
    }

    public static ClusterSql open(StarlingClient client, MeterRegistry registry, SqlOptions options) {
        StarlingSqlEngine engine = StarlingSqlEngine.openShared(new ClusterTransactionalStore(client.transactions()), registry,
                options, CATALOG_LEASE_MILLIS);
        engine.refreshCatalog();
        ClusterSql sql = new ClusterSql(engine);
        sql.refresher.scheduleWithFixedDelay(sql::refresh, CATALOG_REFRESH_MILLIS, CATALOG_REFRESH_MILLIS,
                TimeUnit.MILLISECONDS);
        return sql;
    }

    private void refresh() {
        try {
            engine.refreshCatalog();
        } catch (RuntimeException e) {
            log.debug("re-reading the catalog failed (tried again)", e);
        }
    }

    /** A session of its own: auto-commit, or BEGIN / setAutoCommit(false) transactions, as through JDBC. */
    public SqlSession session() {
        return engine.openSession();
    }

    /**
     * A session whose statements run in {@code transaction} (from {@code client.begin}), beside
     * the key-value operations made on it directly: {@code commit()} on the session commits all
     * of it atomically; {@code rollback()}, or closing the session before committing, discards
     * all of it.
     */
    public SqlSession session(ClusterTransaction transaction) {
        return engine.openSession(ClusterTransactionalStore.sqlView(transaction));
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        engine.close();
    }
}
