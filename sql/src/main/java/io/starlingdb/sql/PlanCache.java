package io.starlingdb.sql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plans by typed key (see the key records of {@code StarlingSqlSession}), bounded to
 * {@code capacity} entries. A lookup takes no lock: it reads a concurrent map and stamps the
 * entry with a use counter. Only an insertion that takes the cache past its capacity takes the
 * eviction lock, and drops the least recently used eighth of the entries at once, so eviction
 * runs once per many plans (which cost milliseconds each) rather than per statement.
 */
final class PlanCache {

    /** One cached value and when it was last used (a tick of {@link #clock}). */
    private static final class Entry {
        final Object value;
        volatile long lastUsed;

        Entry(Object value, long lastUsed) {
            this.value = value;
            this.lastUsed = lastUsed;
        }
    }

    private final int capacity;
    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private final Object evictionLock = new Object();

    PlanCache(int capacity) {
        if (capacity < 8) {
            throw new IllegalArgumentException("plan cache capacity must be at least 8, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** The value under {@code key}, or null. */
    Object get(Object key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        // A plain racy stamp: an approximate order is enough to choose what to evict.
        entry.lastUsed = clock.getAndIncrement();
        return entry.value;
    }

    void put(Object key, Object value) {
        entries.put(key, new Entry(value, clock.getAndIncrement()));
        if (entries.size() > capacity) {
            evict();
        }
    }

    private void evict() {
        synchronized (evictionLock) {
            int excess = entries.size() - capacity;
            if (excess <= 0) {
                return;
            }
            List<Map.Entry<Object, Entry>> all = new ArrayList<>(entries.entrySet());
            all.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
            int drop = Math.min(all.size(), excess + capacity / 8);
            for (int i = 0; i < drop; i++) {
                entries.remove(all.get(i).getKey(), all.get(i).getValue());
            }
        }
    }

    int size() {
        return entries.size();
    }

    void clear() {
        entries.clear();
    }
}
