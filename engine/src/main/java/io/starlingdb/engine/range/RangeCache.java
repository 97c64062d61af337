package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A gateway's cache of range descriptors and of the node it last found leading each range.
 * Entries may be stale: a request that reaches the wrong range or node is answered with a hint,
 * and the hint replaces what it contradicts. Of two overlapping descriptors the one with the
 * higher generation is newer: without merges, every range that ever covers a key descends by
 * splits from the one that covered it before, and each split raises the generation.
 *
 * <p>Thread-safe. Every request a gateway sends looks its range and leaseholder up and every
 * answer updates them, from the client threads and the network threads at once, so the reads
 * ({@link #lookup}, {@link #leaseholder}) take no lock, nor does an update that changes nothing
 * (the answer brought back the range as cached, or the leaseholder already known); only an update
 * that changes the ranges locks, against other such updates. A lookup meanwhile may see the old
 * descriptor, the new one, or none (it then asks meta): any of which an entry may be anyway.
 */
public final class RangeCache {

    /** By start key (unsigned order). */
    private final ConcurrentSkipListMap<byte[], RangeDescriptor> byStart = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final Map<Long, Long> leaseholders = new ConcurrentHashMap<>();

    /** The cached range holding key, or null if none is cached. */
    public RangeDescriptor lookup(byte[] key) {
        Map.Entry<byte[], RangeDescriptor> e = byStart.floorEntry(key);
        return e != null && e.getValue().contains(key) ? e.getValue() : null;
    }

    /** Learns a descriptor, unless a newer overlapping one is cached; drops the older ones it overlaps. */
    public void update(RangeDescriptor d) {
        RangeDescriptor cached = byStart.get(d.start());
        if (cached == d) {
            return;
        }
        if (cached != null && cached.equals(d)) {
            // What every answer brings back: the range as cached. Holding the new object, as the
            // general path below would, keeps callers' identity checks (lookup(key) == d) true.
            // Only if it is still the one cached: a change meanwhile wins.
            byStart.replace(d.start(), cached, d);
            return;
        }
        changeTo(d);
    }

    private synchronized void changeTo(RangeDescriptor d) {
        List<byte[]> older = new ArrayList<>();
        for (RangeDescriptor e : overlapping(d)) {
            if (e.generation() > d.generation()) {
                return;
            }
            older.add(e.start());
        }
        for (byte[] start : older) {
            RangeDescriptor gone = byStart.remove(start);
            if (gone.rangeId() != d.rangeId() || !gone.conf().equals(d.conf())) {
                leaseholders.remove(gone.rangeId());
            }
        }
        byStart.put(d.start(), d);
    }

    /** Forgets a descriptor (its range is not where the cache said), so the next lookup asks again. */
    public synchronized void evict(RangeDescriptor d) {
        RangeDescriptor cached = byStart.get(d.start());
        if (cached != null && cached.rangeId() == d.rangeId() && cached.generation() <= d.generation()) {
            byStart.remove(d.start());
            leaseholders.remove(d.rangeId());
        }
    }

    /** The node last known to lead the range, 0 if none. */
    public long leaseholder(long rangeId) {
        Long l = leaseholders.get(rangeId);
        return l == null ? 0 : l;
    }

    public void setLeaseholder(long rangeId, long nodeId) {
        if (nodeId == 0) {
            leaseholders.remove(rangeId);
        } else if (leaseholder(rangeId) != nodeId) {
            leaseholders.put(rangeId, nodeId);
        }
    }

    /** The cached ranges in key order, for tests. */
    List<RangeDescriptor> ranges() {
        return new ArrayList<>(byStart.values());
    }

    public int size() {
        return byStart.size();
    }

    private List<RangeDescriptor> overlapping(RangeDescriptor d) {
        List<RangeDescriptor> out = new ArrayList<>();
        Map.Entry<byte[], RangeDescriptor> before = byStart.lowerEntry(d.start());
        if (before != null && (before.getValue().end() == null
                || Arrays.compareUnsigned(before.getValue().end(), d.start()) > 0)) {
            out.add(before.getValue());
        }
        Iterator<RangeDescriptor> it = (d.end() == null ? byStart.tailMap(d.start(), true)
                : byStart.subMap(d.start(), true, d.end(), false)).values().iterator();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }
}
