package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Threads answer at once (as a gateway's client and network threads do): each keeps updating
     * the cache with descriptors of a split history, old and new, equal copies and evictions,
     * while the others look keys up. Whatever they interleave, a lookup returns a range that holds
     * the key, once they stop no two cached ranges overlap, and updates with the newest ranges
     * leave exactly those.
     */
    @Test
    void concurrentUpdatesLookupsAndEvictionsLeaveTheNewestRangesWithoutOverlaps() throws Exception {
        // Generation 1: [, ); 2: [, m) [m, ); 3: [, f) [f, m) [m, t) [t, ).
        List<RangeDescriptor> history = List.of(range(2, "", null, 1), range(2, "", "m", 2), range(3, "m", null, 2),
                range(2, "", "f", 3), range(4, "f", "m", 3), range(3, "m", "t", 3), range(5, "t", null, 3));
        List<RangeDescriptor> newest = history.subList(3, 7);
        RangeCache cache = new RangeCache();
        java.util.concurrent.atomic.AtomicReference<String> wrong = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            threads.add(new Thread(() -> {
                java.util.Random random = new java.util.Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    RangeDescriptor d = history.get(random.nextInt(history.size()));
                    int op = random.nextInt(10);
                    if (op < 4) {
                        // An equal copy, as every answer brings back.
                        cache.update(new RangeDescriptor(d.rangeId(), d.start(), d.end(), d.conf(), d.generation()));
                    } else if (op == 4) {
                        cache.evict(d);
                    } else if (op == 5) {
                        cache.setLeaseholder(d.rangeId(), 1 + random.nextInt(3));
                    } else {
                        byte[] key = b(String.valueOf((char) ('a' + random.nextInt(26))));
                        RangeDescriptor found = cache.lookup(key);
                        if (found != null && !found.contains(key)) {
                            wrong.set(found + " does not hold " + new String(key, StandardCharsets.UTF_8));
                        }
                        cache.leaseholder(d.rangeId());
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertNull(wrong.get());
        List<RangeDescriptor> left = cache.ranges();
        for (int i = 1; i < left.size(); i++) {
            RangeDescriptor before = left.get(i - 1);
            assertTrue(before.end() != null && java.util.Arrays.compareUnsigned(before.end(), left.get(i).start()) <= 0,
                    "overlapping ranges cached: " + left);
        }
        newest.forEach(cache::update);
        for (RangeDescriptor d : newest) {
            assertEquals(d, cache.lookup(d.start()), "the newest range of " + new String(d.start(), StandardCharsets.UTF_8));
        }
        assertEquals(newest.size(), cache.size(), "no older range overlaps them");
    }
}
