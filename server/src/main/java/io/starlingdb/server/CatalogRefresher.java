package io.starlingdb.server;

import io.starlingdb.sql.StarlingSqlEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a node's catalog current when SQL runs on the cluster: every interval it asks whether
 * another node changed the catalog ({@link StarlingSqlEngine#refreshCatalog}: one read of its
 * version) and reads it again if so, which also renews the node's catalog lease. The first
 * refresh reads the catalog once the cluster's ranges answer.
 */
final class CatalogRefresher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogRefresher.class);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "starling-catalog-refresh");
        t.setDaemon(true);
        return t;
    });
    private final StarlingSqlEngine engine;
    private volatile String lastFailure;

    CatalogRefresher(StarlingSqlEngine engine, long intervalMillis) {
        this.engine = engine;
        executor.scheduleWithFixedDelay(this::refresh, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            if (engine.refreshCatalog()) {
                log.info("catalog now at version {}", engine.catalog().snapshot().version());
            }
            lastFailure = null;
        } catch (RuntimeException e) {
            String failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!failure.equals(lastFailure)) {
                log.warn("reading the catalog from the cluster failed (tried again): {}", failure);
            }
            lastFailure = failure;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
