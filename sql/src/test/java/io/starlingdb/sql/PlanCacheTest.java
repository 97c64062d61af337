package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The plan cache stays within its capacity and keeps the plans in use. */
class PlanCacheTest {

    @Test
    void staysWithinCapacityAndKeepsRecentlyUsedPlans() {
        PlanCache cache = new PlanCache(64);
        cache.put("hot", "plan");
        for (int i = 0; i < 1_000; i++) {
            cache.put(i, "plan " + i);
            assertEquals("plan", cache.get("hot"), "a plan used all along is never the least recently used");
            assertTrue(cache.size() <= 64, "size " + cache.size());
        }
        assertEquals("plan 999", cache.get(999));
        assertNull(cache.get(0), "the oldest unused plans were dropped");
    }
}
