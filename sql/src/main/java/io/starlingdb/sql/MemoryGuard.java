package io.starlingdb.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Keeps a statement that fills the heap from taking the node down. A sort, an aggregation or a
 * join's build side holds its rows in the heap, and nothing bounds how many (a cross join sorted
 * by a column holds every combination): left alone, such a statement grows the heap until the JVM
 * throws {@link OutOfMemoryError} in whichever thread allocates next, a Raft driver or a network
 * event loop among them, and the node stops serving. So every {@link #checkIntervalMillis} the
 * guard reads how full the heap was after the last garbage collection (live data, not garbage),
 * and while that is at or above the stop fraction ({@code sql.memory.stop.percent}) it stops the
 * statement that has run the longest, one every {@link #minStopIntervalMillis} (the time a
 * collection needs to show what the stop freed), with SQLState 53200 (PostgreSQL's out_of_memory).
 * The longest-running statement is the likeliest to hold many rows; the session goes on. A
 * node's own live data (caches, Raft state; RocksDB's block cache is off the heap) takes a small
 * part of the heap, so only statements' rows reach the fraction.
 */
public final class MemoryGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MemoryGuard.class);

    /** How often the heap is looked at. */
    static final long checkIntervalMillis = 100;
    /** At least this long between two stops: a collection must run before the heap shows what a stop freed. */
    static final long minStopIntervalMillis = 1_000;

    private final DoubleSupplier usedAfterCollection;
    private final double stopFraction;
    private final Map<CancelSignal, Long> running;
    private final java.util.concurrent.ScheduledFuture<?> checks;
    private final AtomicLong stops = new AtomicLong();
    private long lastStopNanos;

    /**
     * @param stopFraction        heap use after a collection (0-1) at which statements are stopped; 0 or less: never
     * @param running             the running statements' signals with their starts (nanoTime), as the engine's
     *                            {@link CancelSignal}s keep them
     * @param usedAfterCollection the heap's use after its last collection, a fraction of its maximum
     * @param timer               runs the checks (null: none run by themselves; a test calls {@link #check})
     */
    MemoryGuard(double stopFraction, Map<CancelSignal, Long> running, DoubleSupplier usedAfterCollection,
                ScheduledExecutorService timer) {
        this.stopFraction = stopFraction;
        this.running = running;
        this.usedAfterCollection = usedAfterCollection;
        checks = stopFraction > 0 && timer != null
                ? timer.scheduleWithFixedDelay(this::checkQuietly, checkIntervalMillis, checkIntervalMillis, TimeUnit.MILLISECONDS)
                : null;
    }

    /** A guard reading this JVM's heap, checked on timer. */
    static MemoryGuard forHeap(double stopFraction, Map<CancelSignal, Long> running, ScheduledExecutorService timer) {
        return new MemoryGuard(stopFraction, running, MemoryGuard::heapUsedAfterLastCollection, timer);
    }

    /**
     * The heap in use right after the most recent garbage collection of any collector, as a
     * fraction of the heap's maximum: what is live, so garbage waiting for the next collection
     * does not count. 0 before the first collection.
     */
    static double heapUsedAfterLastCollection() {
        long newestEnd = -1;
        long used = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof com.sun.management.GarbageCollectorMXBean sun)) {
                continue;
            }
            com.sun.management.GcInfo info = sun.getLastGcInfo();
            if (info == null || info.getEndTime() <= newestEnd) {
                continue;
            }
            newestEnd = info.getEndTime();
            used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet()) {
                if (isHeapPool(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
        }
        long max = Runtime.getRuntime().maxMemory();
        return newestEnd < 0 || max <= 0 ? 0 : (double) used / max;
    }

    private static boolean isHeapPool(String name) {
        for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals(name)) {
                return p.getType() == java.lang.management.MemoryType.HEAP;
            }
        }
        return false;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("memory guard check failed", e);
        }
    }

    /** One look at the heap: stops the longest-running statement if the heap is too full (see the class comment). */
    synchronized void check() {
        double used = usedAfterCollection.getAsDouble();
        long now = System.nanoTime();
        if (stopFraction <= 0 || used < stopFraction
                || (stops.get() > 0 && now - lastStopNanos < TimeUnit.MILLISECONDS.toNanos(minStopIntervalMillis))) {
            return;
        }
        CancelSignal oldest = null;
        long oldestStart = 0;
        for (Map.Entry<CancelSignal, Long> e : running.entrySet()) {
            if (oldest == null || e.getValue() - oldestStart < 0) {
                oldest = e.getKey();
                oldestStart = e.getValue();
            }
        }
        if (oldest == null) {
            return;
        }
        String why = String.format("the node is short of memory: %.0f %% of its heap is in use after garbage collection,"
                + " at or above sql.memory.stop.percent (%.0f); this statement, running for %d ms, was the longest running,"
                + " so it was stopped to free the rows it held", used * 100, stopFraction * 100,
                TimeUnit.NANOSECONDS.toMillis(now - oldestStart));
        if (oldest.stopForMemory(why)) {
            lastStopNanos = now;
            stops.incrementAndGet();
            log.warn("stopped a statement: {}", why);
        }
    }

    /** Statements stopped so far. */
    public long stops() {
        return stops.get();
    }

    @Override
    public void close() {
        if (checks != null) {
            checks.cancel(false);
        }
    }
}
