package io.starlingdb.server;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.sql.SchemaSync;
import io.starlingdb.sql.StarlingSqlEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DDL on a cluster returns only once every live node runs on the new catalog (issue 12; F1's
 * schema lease, docs/cluster.md "Schema changes"). The node whose DDL committed version v asks
 * every other node that serves SQL on the cluster to adopt v; each answers once it has read the
 * catalog again and published v, which it does under its schema lock, so no commit checked
 * against an older catalog is still running there. A node that does not answer (dead, cut off,
 * too slow) cannot commit writes with its older catalog once its lease ran out
 * (sql.catalog.lease.ms after it last confirmed its catalog, necessarily before v committed), so
 * the wait never lasts longer than the lease.
 */
public final class CatalogSync implements SchemaSync, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogSync.class);

    /** "Adopt catalog version {@code version} or later, then answer with yours." */
    public record AdoptRequest(long version) {
    }

    /** The catalog version the node runs on after the request. */
    public record AdoptResponse(long version) {
    }

    static final int adoptRequestTypeId = 340;
    static final int adoptResponseTypeId = 341;

    /** Metadata key a node serving SQL on the cluster gossips, so others know to wait for it. */
    static final String sharedCatalogKey = "sql.catalog";
    static final String sharedCatalogValue = "cluster";

    /** Pause between a node's re-reads of the catalog while it waits to see a requested version. */
    private static final long rereadPauseMillis = 20;

    private final ClusterNetworkManager network;
    private final String selfId;
    private final StarlingSqlEngine engine;
    private final long leaseMillis;
    /** Runs the re-reads a request asks for: a handler must not block the transport's thread. */
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "starling-catalog-sync");
        t.setDaemon(true);
        return t;
    });

    CatalogSync(ClusterNetworkManager network, String selfId, StarlingSqlEngine engine, long leaseMillis) {
        this.network = network;
        this.selfId = selfId;
        this.engine = engine;
        this.leaseMillis = leaseMillis;
        network.handle(AdoptRequest.class, (from, request) -> CompletableFuture.supplyAsync(() -> adopt(request.version()),
                executor));
    }

    static void registerTypes(MessageTypes types) {
        types.register(AdoptRequest.class, adoptRequestTypeId).register(AdoptResponse.class, adoptResponseTypeId);
    }

    /** Re-reads the catalog until it is at {@code version} or later, for at most the lease; answers the version reached. */
    private AdoptResponse adopt(long version) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        while (engine.catalog().snapshot().version() < version && System.nanoTime() < deadline) {
            try {
                if (!engine.refreshCatalog()) {
                    Thread.sleep(rereadPauseMillis); // the new version is not readable here yet
                }
            } catch (RuntimeException e) {
                log.debug("re-reading the catalog for version {} failed (tried again)", version, e);
                try {
                    Thread.sleep(rereadPauseMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new AdoptResponse(engine.catalog().snapshot().version());
    }

    @Override
    public void awaitAdopted(long version) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        List<String> asked = new ArrayList<>();
        List<CompletableFuture<AdoptResponse>> answers = new ArrayList<>();
        for (MemberView m : network.members()) {
            if (m.id().equals(selfId) || !sharedCatalogValue.equals(m.metadata().get(sharedCatalogKey))
                    || m.state() == MemberState.LEFT) {
                continue;
            }
            asked.add(m.id());
            // A DEAD member is asked too: if it is in fact alive it answers; if not, the lease bounds the wait.
            answers.add(network.<AdoptResponse>request(m.id(), Lane.HIGH, new AdoptRequest(version)));
        }
        List<String> behind = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            long left = deadline - System.nanoTime();
            try {
                AdoptResponse r = answers.get(i).get(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (r.version() < version) {
                    behind.add(asked.get(i) + " (at " + r.version() + ")");
                }
            } catch (ExecutionException | TimeoutException e) {
                behind.add(asked.get(i) + " (no answer: " + e.getClass().getSimpleName() + ")");
            }
        }
        if (!behind.isEmpty()) {
            // Those nodes cannot commit with their older catalog once the lease since their last
            // confirmation ran out; that confirmation came before this version committed.
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            log.warn("catalog version {}: nodes {} did not confirm adopting it; waited out the {} ms catalog lease", version,
                    behind, leaseMillis);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
