package io.starlingdb.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs MVCC version garbage collection ({@link MvccStore#collectGarbage}) on one background
 * thread: a full pass over the data every interval, in steps of {@link #stepVersions} versions.
 * The decisions are the store's; this class only schedules them and counts what they did.
 */
final class VersionCollector implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VersionCollector.class);

    /** Versions read per step; a step holds one storage snapshot and writes its deletes in batches. */
    static final int stepVersions = 10_000;

    private final MvccStore store;
    private final ScheduledExecutorService executor;
    private final Counter passes;
    private final Counter scanned;
    private final Counter removed;
    private final Counter compactions;
    private final AtomicLong horizonLagMillis = new AtomicLong();
    /** Passes finished, successful or not; guarded by this, which is notified after each. */
    private long finishedPasses;

    VersionCollector(MvccStore store, long intervalMillis, MeterRegistry registry) {
        this.store = store;
        this.passes = Counter.builder("starling.mvcc.gc.passes").description("Completed version garbage-collection passes")
                .register(registry);
        this.scanned = Counter.builder("starling.mvcc.gc.versions.scanned").description("Versions read by garbage collection")
                .register(registry);
        this.removed = Counter.builder("starling.mvcc.gc.versions.removed")
                .description("Versions garbage collection removed (shadowed versions and deletes below the horizon)")
                .register(registry);
        this.compactions = Counter.builder("starling.mvcc.gc.compactions")
                .description("Ranges compacted after a step removed many versions, dropping their tombstones").register(registry);
        registry.gauge("starling.mvcc.gc.horizon.lag.ms", horizonLagMillis);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "starling-mvcc-gc");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::pass, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        try {
            long removedBefore = (long) removed.count();
            long started = System.nanoTime();
            byte[] from = null;
            long horizon = 0;
            do {
                MvccStore.GcStep step = store.collectGarbage(from, stepVersions);
                scanned.increment(step.versionsScanned());
                removed.increment(step.versionsRemoved());
                if (step.compacted()) {
                    compactions.increment();
                }
                horizon = step.horizon();
                from = step.resumeKey();
            } while (from != null && !executor.isShutdown());
            passes.increment();
            long physicalMillis = horizon >>> HybridClock.logicalBits;
            horizonLagMillis.set(Math.max(0, System.currentTimeMillis() - physicalMillis));
            long gone = (long) removed.count() - removedBefore;
            if (gone > 0) {
                log.debug("Version GC removed {} versions in {} ms", gone, (System.nanoTime() - started) / 1_000_000);
            }
        } catch (RuntimeException e) {
            // Storage closing under the pass, or a storage error: the next pass tries again.
            if (!executor.isShutdown()) {
                log.warn("Version GC pass failed: {}", e.toString());
            }
        } finally {
            synchronized (this) {
                finishedPasses++;
                notifyAll();
            }
        }
    }

    /** Passes finished so far. */
    synchronized long finishedPasses() {
        return finishedPasses;
    }

    /** Waits until {@code passes} passes have finished; false if the timeout came first. */
    synchronized boolean awaitPasses(long passes, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (finishedPasses < passes) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
