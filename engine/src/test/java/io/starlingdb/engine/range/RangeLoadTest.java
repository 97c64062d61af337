package io.starlingdb.engine.range;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RangeLoadTest {

    @Test
    void requestsAreCountedBySendingStoreUntilTakenThenAfresh() {
        RangeLoad load = new RangeLoad();
        byte[] key = {1};
        for (int i = 0; i < 5; i++) {
            load.record(key, 1);
        }
        load.record(key, 2);
        load.record(key); // not a store's gateway, or not known
        assertEquals(Map.of(1L, 5L, 2L, 1L, 0L, 1L), load.takeSources());
        assertEquals(Map.of(), load.takeSources(), "counted afresh");
        load.record(key, 3);
        assertEquals(Map.of(3L, 1L), load.takeSources());
        assertEquals(8, load.requests(), "the split check's count goes on");
    }

    @Test
    void pastTheStoresItTracksTheRestCountAsNotAStore() {
        RangeLoad load = new RangeLoad();
        byte[] key = {1};
        for (long s = 1; s <= RangeLoad.maxSources + 4; s++) {
            load.record(key, s);
        }
        Map<Long, Long> sources = load.takeSources();
        assertEquals(RangeLoad.maxSources + 4, sources.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(5, sources.get(0L), "the last slot took the store it held and the four after it");
    }
}
