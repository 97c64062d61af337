package io.starlingdb.cluster.transport;

import java.util.LinkedHashSet;
import java.util.Iterator;

/**
 * The reliable-message ids most recently delivered from one peer. A retransmission whose id is
 * still in the window is acknowledged again but not delivered twice. Bounded: the oldest id
 * leaves when the window is full.
 */
final class DedupWindow {

    private final int capacity;
    private final LinkedHashSet<Long> ids = new LinkedHashSet<>();

    DedupWindow(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code id}; true if it was not seen before (deliver it), false for a duplicate. */
    synchronized boolean firstTime(long id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > capacity) {
            Iterator<Long> oldest = ids.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }
}
