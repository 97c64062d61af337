package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RangeCacheTest {

    private static final ConfState three = ConfState.ofVoters(1L, 2L, 3L);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RangeDescriptor range(long id, String start, String end, long generation) {
        return new RangeDescriptor(id, b(start), end == null ? null : b(end), three, generation);
    }

    @Test
    void splitHalvesReplaceTheRangeTheyCameFrom() {
        RangeCache cache = new RangeCache();
        RangeDescriptor whole = range(2, "", null, 1);
        cache.update(whole);
        cache.setLeaseholder(2, 3);
        assertEquals(whole, cache.lookup(b("x")));
        RangeDescriptor left = range(2, "", "m", 2);
        cache.update(left);
        assertEquals(left, cache.lookup(b("a")));
        assertNull(cache.lookup(b("x")), "the right half is not known yet: ask again");
        assertEquals(3, cache.leaseholder(2), "the same range on the same replicas keeps its leaseholder hint");
        RangeDescriptor right = range(5, "m", null, 2);
        cache.update(right);
        assertEquals(right, cache.lookup(b("x")));
        assertEquals(2, cache.size());
    }

    @Test
    void staleDescriptorsDoNotOverwriteNewerOnes() {
        RangeCache cache = new RangeCache();
        cache.update(range(2, "", "m", 2));
        cache.update(range(5, "m", null, 2));
        cache.update(range(2, "", null, 1));
        assertEquals(range(2, "", "m", 2), cache.lookup(b("a")));
        assertEquals(range(5, "m", null, 2), cache.lookup(b("z")));
    }

    @Test
    void evictionForgetsOnlyWhatItNames() {
        RangeCache cache = new RangeCache();
        RangeDescriptor r = range(5, "m", null, 2);
        cache.update(r);
        cache.evict(range(5, "m", null, 1));
        assertEquals(r, cache.lookup(b("z")), "an older descriptor does not evict a newer one");
        cache.evict(r);
        assertNull(cache.lookup(b("z")));
    }
}
