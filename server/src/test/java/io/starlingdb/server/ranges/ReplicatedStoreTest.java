package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.testkit.placement.MetaWait;
import io.starlingdb.testkit.placement.ReplicaCounts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on loopback hold range replicas (store ids 1-3, range 1 on all three); a
 * StarlingClient reads and writes through them, splits a range, and keeps writing when the
 * leaseholder dies, without losing an acknowledged write.
 */
class ReplicatedStoreTest {

    @TempDir
    Path dir;

    private final StarlingNode[] nodes = new StarlingNode[5];
    private final int[] peerPorts = new int[5];
    private StarlingClient client;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Settings every node of the test gets on top of its own. */
    private final Map<String, String> extra = new HashMap<>();

    private StarlingNode start(int i) throws Exception {
        Map<String, String> settings = new HashMap<>(extra);
        settings.putAll(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                "peer.port", String.valueOf(peerPorts[i]), "data.dir", dir.resolve("n" + i).toString(),
                "store.id", String.valueOf(i), "store.initial.members", "1,2,3"));
        if (i != 1) {
            settings.put("join", "127.0.0.1:" + peerPorts[1]);
        } else {
            settings.put("join", "127.0.0.1:" + peerPorts[2]);
        }
        nodes[i] = new StarlingNode(NodeConfig.of("testing", settings)).start();
        return nodes[i];
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        for (StarlingNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    private String seeds() {
        return "127.0.0.1:" + peerPorts[1] + ",127.0.0.1:" + peerPorts[2] + ",127.0.0.1:" + peerPorts[3];
    }

    private void startCluster() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(4);
        System.arraycopy(ports, 0, peerPorts, 1, 4);
        for (int i = 1; i <= 3; i++) {
            start(i);
        }
        client = StarlingClient.connect(seeds());
    }

    /** Writes until one is acknowledged; an unknown outcome (the leaseholder just died) is not an acknowledgement. */
    private void putAcknowledged(String key, String value) {
        while (true) {
            try {
                client.put(b(key), b(value));
                return;
            } catch (OutcomeUnknownException | RangeUnavailableException e) {
                // not acknowledged: try again (a put of the same value is safe to repeat here)
            }
        }
    }

    @Test
    void clientReadsWritesSplitsAndScansAcrossRanges() throws Exception {
        startCluster();
        for (int k = 0; k < 50; k++) {
            putAcknowledged(String.format("key%03d", k), "v" + k);
        }
        assertArrayEquals(b("v7"), client.get(b("key007")));
        assertNull(client.get(b("nosuch")));
        assertTrue(client.compareAndSet(b("key001"), b("v1"), b("w1")));
        assertFalse(client.compareAndSet(b("key001"), b("v1"), b("x1")), "the value is w1 now");
        assertTrue(client.compareAndSet(b("fresh"), null, b("new")));
        client.delete(b("fresh"));
        assertNull(client.get(b("fresh")));

        List<RangeDescriptor> halves = client.split(b("key025"));
        assertEquals(2, halves.size());
        assertArrayEquals(b("key025"), halves.get(0).end());
        List<RangeDescriptor> ranges = client.ranges();
        assertEquals(3, ranges.size(), "the meta range and the two halves: " + ranges);
        assertEquals(1L, ranges.get(0).rangeId(), "the meta range comes first");
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(halves.get(1).conf().voters()));
        assertEquals(ranges.subList(1, 3), halves, "meta holds both halves");
        long registered = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (client.stores().size() < 3) { // each store registers in meta as it starts
            assertTrue(System.nanoTime() < registered, "stores: " + client.stores());
            Thread.sleep(50);
        }
        assertTrue(client.stores().stream().allMatch(s -> s.state() == io.starlingdb.engine.range.StoreRecord.State.ACTIVE
                && s.zone().equals("dc1/rack1")), "stores: " + client.stores());

        // A scan crosses the split and pages within each range.
        List<RangeResult.KeyValue> all = client.scan(b("key"), null, 1_000);
        assertEquals(50, all.size());
        assertArrayEquals(b("w1"), all.get(1).value());
        for (int k = 1; k < all.size(); k++) {
            assertTrue(java.util.Arrays.compareUnsigned(all.get(k - 1).key(), all.get(k).key()) < 0);
        }
        assertEquals(10, client.scan(b("key020"), b("key030"), 1_000).size());
        assertEquals(3, client.scan(b("key020"), b("key030"), 3).size());

        // Multi-key reads and writes are grouped by range and sent to both ranges at once.
        List<RangeResult.KeyValue> pairs = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        for (int k = 0; k < 50; k += 7) {
            pairs.add(new RangeResult.KeyValue(b(String.format("key%03d", k)), b("many" + k)));
            keys.add(b(String.format("key%03d", k)));
        }
        keys.add(b("absent"));
        client.putAll(pairs);
        List<byte[]> values = client.getAll(keys);
        assertEquals(keys.size(), values.size());
        for (int i = 0; i < pairs.size(); i++) {
            assertArrayEquals(pairs.get(i).value(), values.get(i));
        }
        assertNull(values.get(values.size() - 1));

        // A batch is atomic within one range; a failed condition applies nothing.
        int failed = client.write(List.of(new WriteOp.Put(b("key030"), b("batch")),
                new WriteOp.CompareAndSet(b("key031"), b("wrong"), b("batch"))));
        assertEquals(1, failed);
        assertArrayEquals(b("v30"), client.get(b("key030")), "the failed batch wrote nothing");
        assertEquals(-1, client.write(List.of(new WriteOp.Put(b("key030"), b("batch")),
                new WriteOp.CompareAndSet(b("key031"), b("v31"), b("batch")))));
        assertArrayEquals(b("batch"), client.get(b("key030")));
        assertArrayEquals(b("batch"), client.get(b("key031")));
        IllegalArgumentException spans = assertThrows(IllegalArgumentException.class,
                () -> client.write(List.of(new WriteOp.Put(b("key001"), b("x")), new WriteOp.Put(b("key040"), b("x")))));
        assertTrue(spans.getMessage().contains("more than one range"), spans.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.put(new byte[0], b("x")));
        IllegalArgumentException system = assertThrows(IllegalArgumentException.class,
                () -> client.put(new byte[] {0, 1}, b("x")));
        assertTrue(system.getMessage().contains("system"), system.getMessage());
        assertEquals(0, client.scan(new byte[0], b("a"), 100).size(), "a scan from the lowest key sees no meta entries");
    }

    @Test
    void metaRecordsEverySplitRepairsALostUpdateAndAllocatesUniqueIds() throws Exception {
        startCluster();
        client.split(b("key100"));
        assertEquals(client.ranges(), nodes[1].ranges().meta().descriptors(), "meta holds every range, in key order");

        // A split whose meta update never happens (as if its proposer died right after it):
        // the leaseholders of the two halves record them within a reconcile interval.
        io.starlingdb.engine.range.RangeService two = nodes[2].ranges();
        List<RangeDescriptor> halves = two.gateway().split(b("key200"), two.meta().allocateRangeId());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!nodes[3].ranges().meta().descriptors().containsAll(halves)) {
            assertTrue(System.nanoTime() < deadline, "meta: " + nodes[3].ranges().meta().descriptors());
            Thread.sleep(100);
        }
        assertEquals(4, nodes[3].ranges().meta().descriptors().size(), "meta, [0x01, key100), [key100, key200), [key200, end)");
        putAcknowledged("key250", "after");
        assertArrayEquals(b("after"), client.get(b("key250")));

        // Range ids from meta's allocator are never given twice, whichever node asks, concurrently.
        java.util.Set<Long> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger allocated = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 1; i <= 3; i++) {
            io.starlingdb.engine.range.Meta meta = nodes[i].ranges().meta();
            Thread t = new Thread(() -> {
                for (int k = 0; k < 15; k++) {
                    ids.add(meta.allocateRangeId());
                    allocated.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertEquals(45, allocated.get());
        assertEquals(45, ids.size(), "distinct ids: " + ids);
        for (RangeDescriptor d : client.ranges()) {
            assertFalse(ids.contains(d.rangeId()), "an allocated id is not an existing range's");
        }
    }

    /** Waits until meta's descriptors satisfy the condition; returns them. */
    private List<RangeDescriptor> awaitMeta(String what, java.util.function.Predicate<List<RangeDescriptor>> done)
            throws InterruptedException {
        return MetaWait.until(client, what, java.time.Duration.ofSeconds(120), done);
    }

    private static boolean settled(List<RangeDescriptor> ranges, long... stores) {
        return ReplicaCounts.balanced(ranges, 3, stores);
    }

    private Map<String, String> splitAndFill() {
        for (int k = 10; k <= 50; k += 10) {
            client.split(b(String.format("key%03d", k)));
        }
        Map<String, String> written = new LinkedHashMap<>();
        for (int k = 0; k < 60; k++) {
            putAcknowledged(String.format("key%03d", k), "v" + k);
            written.put(String.format("key%03d", k), "v" + k);
        }
        return written;
    }

    private void assertAllThere(Map<String, String> written) {
        for (Map.Entry<String, String> e : written.entrySet()) {
            assertArrayEquals(b(e.getValue()), client.get(b(e.getKey())), e.getKey());
        }
    }

    @Test
    void aJoiningStoreReceivesReplicasAndLeasesAndADeadStoresReplicasMoveToTheOthers() throws Exception {
        extra.put("store.dead.after.ms", "3000");
        startCluster();
        Map<String, String> written = splitAndFill();
        start(4);
        List<RangeDescriptor> ranges = awaitMeta("store 4 takes its share of the replicas",
                r -> settled(r, 1, 2, 3, 4) && ReplicaCounts.perStore(r, 1, 2, 3, 4).get(4L) >= 4);
        assertEquals(4, ranges.get(0).conf().voters().size(), "the meta range grows to every store (up to five)");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (ranges.stream().noneMatch(d -> nodes[4].ranges().store().leaseholder(d.rangeId()) == 4)) {
            assertTrue(System.nanoTime() < deadline, "store 4 leads no range");
            Thread.sleep(100);
        }
        assertAllThere(written);
        System.out.println("replicas per store after store 4 joined: " + ReplicaCounts.perStore(ranges, 1, 2, 3, 4));

        // Store 1 dies: after store.dead.after its user-range replicas move to the other three.
        nodes[1].close();
        nodes[1] = null;
        long died = System.nanoTime();
        ranges = awaitMeta("store 1's replicas are replaced",
                r -> r.stream().filter(d -> d.rangeId() != 1).allMatch(d -> d.conf().voters().size() == 3
                        && !d.conf().isMember(1) && d.conf().learners().isEmpty()));
        System.out.println("store 1's replicas replaced " + (System.nanoTime() - died) / 1_000_000
                + " ms after it died (store.dead.after.ms 3000): " + ReplicaCounts.perStore(ranges, 2, 3, 4));
        assertAllThere(written);
        putAcknowledged("key005", "after");
        assertArrayEquals(b("after"), client.get(b("key005")));
    }

    @Test
    void aRemovedStoreIsDrainedFirstAndNothingIsLost() throws Exception {
        startCluster();
        Map<String, String> written = splitAndFill();
        start(4);
        awaitMeta("store 4 takes its share", r -> settled(r, 1, 2, 3, 4));
        io.starlingdb.engine.range.StoreRecord removed = client.removeStore(2, java.time.Duration.ofSeconds(120));
        assertEquals(io.starlingdb.engine.range.StoreRecord.State.REMOVED, removed.state());
        List<RangeDescriptor> ranges = client.ranges();
        assertTrue(ranges.stream().noneMatch(d -> d.conf().isMember(2)), "nothing on store 2: " + ranges);
        assertTrue(ranges.stream().filter(d -> d.rangeId() != 1).allMatch(d -> d.conf().voters().size() == 3),
                "every user range kept three replicas: " + ranges);
        // Store 2 deletes the replicas it no longer belongs to.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!nodes[2].ranges().store().descriptors().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "store 2 still holds " + nodes[2].ranges().store().descriptors());
            Thread.sleep(200);
        }
        nodes[2].close();
        nodes[2] = null;
        assertAllThere(written);
        putAcknowledged("key007", "after");
        assertArrayEquals(b("after"), client.get(b("key007")));
    }

    @Test
    void timestampsFromTheOracleGrowStrictlyAcrossNodesClientsAndAMetaLeaseholderKill() throws Exception {
        startCluster();
        java.util.Set<Long> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            io.starlingdb.engine.txn.TimestampClient source = t < 6 ? nodes[1 + t % 3].ranges().timestamps() : null;
            Thread thread = new Thread(() -> {
                long previous = -1;
                for (int k = 0; k < 200; k++) {
                    try {
                        long ts = source != null ? source.next() : client.timestamp();
                        if (ts <= previous || !all.add(ts)) {
                            broken.set("timestamp " + ts + " after " + previous + " or given twice");
                        }
                        previous = ts;
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
        assertNull(broken.get(), broken.get());
        assertEquals(1_600, all.size());
        long before = client.timestamp();
        assertTrue(before > java.util.Collections.max(all), "a later call gets a later timestamp");

        // The meta range's leaseholder dies: the next oracle starts above every timestamp given.
        client.ranges();
        int metaLeaseholder = (int) client.leaseholder(new byte[] {0});
        assertTrue(metaLeaseholder >= 1 && metaLeaseholder <= 3, "meta leaseholder known: " + metaLeaseholder);
        nodes[metaLeaseholder].close();
        nodes[metaLeaseholder] = null;
        long after = -1;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (after < 0) {
            try {
                after = client.timestamp();
            } catch (RangeUnavailableException e) {
                assertTrue(System.nanoTime() < deadline, "no timestamp after the failover: " + e.getMessage());
            }
        }
        assertTrue(after > before, "after failover " + after + " > before " + before);
    }

    private void awaitRanges(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (client.ranges().size() < atLeast) {
            assertTrue(System.nanoTime() < deadline, "ranges: " + client.ranges());
            Thread.sleep(200);
        }
    }

    /**
     * Scans read every key exactly once, in order, while the ranges they cross split under them
     * (133 splits, 30 or so scans of about 130 range pages each). The race that once made a
     * COUNT(*) of 20 rows answer 22 (a range page read under the span before a split and answered
     * with the one after it) is a few microseconds wide, which this test rarely hits: its broken
     * variant passed three runs here; {@code ReadAcrossSplitTest} puts the split inside the read.
     */
    @Test
    void scansWhileTheirRangesSplitSeeEveryKeyExactlyOnce() throws Exception {
        extra.put("range.split.qps", "0");
        startCluster();
        int keys = 400;
        List<RangeResult.KeyValue> pairs = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            pairs.add(new RangeResult.KeyValue(b(String.format("scan%04d", k)), b("v" + k)));
        }
        client.putAll(pairs);
        List<Integer> cuts = new ArrayList<>();
        for (int k = 1; k < keys; k += 3) {
            cuts.add(k);
        }
        java.util.Collections.shuffle(cuts, new java.util.Random(7));
        long started = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<Throwable> splitFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread splitter = new Thread(() -> {
            try {
                for (int k : cuts) {
                    client.split(b(String.format("scan%04d", k)));
                }
            } catch (Throwable e) {
                splitFailed.set(e);
            }
        }, "splitter");
        splitter.start();
        int scans = 0;
        while (splitter.isAlive() || scans == 0) {
            List<RangeResult.KeyValue> seen = client.scan(b("scan"), b("scao"), 10_000);
            for (int i = 0; i < seen.size(); i++) {
                int row = i;
                int scan = scans;
                assertEquals(String.format("scan%04d", i), new String(seen.get(i).key(), StandardCharsets.UTF_8),
                        () -> "scan " + scan + " (" + seen.size() + " rows) at row " + row);
            }
            assertEquals(keys, seen.size(), "scan " + scans);
            scans++;
        }
        splitter.join();
        assertNull(splitFailed.get(), () -> "a split failed: " + splitFailed.get());
        assertTrue(client.ranges().size() > cuts.size(), "ranges: " + client.ranges().size());
        System.out.println("ReplicatedStoreTest: " + scans + " scans of " + keys + " keys during " + cuts.size() + " splits in "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
    }

    @Test
    void aRangeThatGrowsPastItsMaximumSizeSplits() throws Exception {
        extra.put("range.max.bytes", "64k");
        extra.put("range.split.qps", "0");
        startCluster();
        List<RangeResult.KeyValue> pairs = new ArrayList<>();
        for (int k = 0; k < 400; k++) {
            pairs.add(new RangeResult.KeyValue(b(String.format("big%04d", k)), new byte[1024]));
        }
        client.putAll(pairs);
        awaitRanges(3);
        assertEquals(400, client.scan(b("big"), null, 10_000).size(), "every key is still there after the split");
    }

    @Test
    void aRangeUnderSustainedLoadSplitsAtTheMedianOfItsRequests() throws Exception {
        extra.put("range.split.qps", "30");
        startCluster();
        for (int k = 0; k < 20; k++) {
            putAcknowledged(String.format("hot%02d", k), "v" + k);
        }
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int id = t;
            Thread reader = new Thread(() -> {
                java.util.Random random = new java.util.Random(id);
                while (running.get()) {
                    client.get(b(String.format("hot%02d", random.nextInt(20))));
                }
            });
            readers.add(reader);
            reader.start();
        }
        try {
            awaitRanges(3);
        } finally {
            running.set(false);
            for (Thread reader : readers) {
                reader.join(30_000);
            }
        }
        List<RangeDescriptor> ranges = client.ranges();
        byte[] cut = ranges.get(1).end();
        assertTrue(java.util.Arrays.compareUnsigned(cut, b("hot00")) > 0
                && java.util.Arrays.compareUnsigned(cut, b("hot19")) <= 0, "split inside the hot keys: " + ranges);
        for (int k = 0; k < 20; k++) {
            assertArrayEquals(b("v" + k), client.get(b(String.format("hot%02d", k))));
        }
    }

    @Test
    void leasesSpreadOverTheStores() throws Exception {
        startCluster();
        for (int k = 10; k <= 50; k += 10) {
            client.split(b(String.format("key%03d", k)));
        }
        List<RangeDescriptor> ranges = client.ranges();
        assertEquals(7, ranges.size(), "meta and six user ranges");
        // Seven ranges on three stores: each store ends up leading two or three.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        Map<Long, Integer> counts;
        while (true) {
            counts = new HashMap<>();
            for (RangeDescriptor d : ranges) {
                long leader = nodes[1].ranges().store().leaseholder(d.rangeId());
                counts.merge(leader, 1, Integer::sum);
            }
            if (counts.size() == 3 && !counts.containsKey(0L) && java.util.Collections.max(counts.values()) == 3
                    && java.util.Collections.min(counts.values()) == 2) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "leases per store: " + counts);
            Thread.sleep(100);
        }
        // Reads and writes still work wherever the leases went.
        putAcknowledged("key015", "moved");
        assertArrayEquals(b("moved"), client.get(b("key015")));
    }

    /**
     * The timestamp oracle (the meta range's leaseholder) follows the store that asks it for most
     * timestamps: puts from a client process go to one user range, whose leaseholder asks the
     * oracle for each put's commit timestamp, and the meta range's lease moves to that store,
     * where the oracle answers without a network round trip; no acknowledged put is lost.
     */
    @Test
    void theTimestampOracleFollowsTheStoreAskingItForMostTimestamps() throws Exception {
        startCluster();
        client.split(b("key100"));
        client.split(b("key200"));
        long meta = io.starlingdb.engine.range.MetaKeys.metaRangeId;
        // A user range led by another store than the oracle's (the counts spread the three user ranges).
        java.util.concurrent.atomic.AtomicReference<RangeDescriptor> away = new java.util.concurrent.atomic.AtomicReference<>();
        io.starlingdb.testkit.Await.until(java.time.Duration.ofSeconds(60), () -> {
            long oracleAt = leaseholder(meta);
            for (RangeDescriptor d : client.ranges()) {
                long l = leaseholder(d.rangeId());
                if (d.rangeId() != meta && l != 0 && oracleAt != 0 && l != oracleAt) {
                    away.set(d);
                    return true;
                }
            }
            return false;
        }, () -> "every user range is led with the oracle");
        RangeDescriptor written = away.get();
        String prefix = new String(written.start(), StandardCharsets.UTF_8) + "-";
        Map<String, String> acknowledged = new LinkedHashMap<>();
        long followBy = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        int n = 0;
        // The written range's lease may still move (the counts): the oracle follows wherever it is.
        while (leaseholder(meta) != leaseholder(written.rangeId())) {
            assertTrue(System.nanoTime() < followBy, "the oracle stayed on store " + leaseholder(meta) + " while store "
                    + leaseholder(written.rangeId()) + " asked it for every put's timestamp");
            String key = prefix + (n % 50);
            String value = "v" + n++;
            putAcknowledged(key, value);
            acknowledged.put(key, value);
        }
        for (int i = 0; i < 100; i++, n++) {
            putAcknowledged(prefix + (n % 50), "v" + n);
            acknowledged.put(prefix + (n % 50), "v" + n);
        }
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertArrayEquals(b(e.getValue()), client.get(b(e.getKey())), e.getKey());
        }
    }

    /** The leaseholder of range as store 1 sees it (0: none known). */
    private long leaseholder(long range) {
        return nodes[1].ranges().store().leaseholder(range);
    }

    @Test
    void writesContinueWhenTheLeaseholderDiesAndNoAcknowledgedWriteIsLost() throws Exception {
        startCluster();
        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (int k = 0; k < 20; k++) {
            putAcknowledged("k" + k, "before" + k);
            acknowledged.put("k" + k, "before" + k);
        }
        int leaseholder = 0;
        for (int i = 1; i <= 3; i++) {
            if (nodes[i].ranges().store().leaseholder(io.starlingdb.engine.range.MetaKeys.firstUserRangeId) == i) {
                leaseholder = i;
            }
        }
        assertTrue(leaseholder > 0, "some node leads the user range");
        nodes[leaseholder].close();
        nodes[leaseholder] = null;
        long killed = System.nanoTime();
        List<Long> gaps = new ArrayList<>();
        for (int k = 20; k < 40; k++) {
            long before = System.nanoTime();
            putAcknowledged("k" + k, "after" + k);
            acknowledged.put("k" + k, "after" + k);
            gaps.add((System.nanoTime() - before) / 1_000_000);
        }
        long firstWriteAfterKillMillis = gaps.get(0);
        assertTrue((System.nanoTime() - killed) / 1_000_000_000 < 60, "writes resumed within a minute");
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertArrayEquals(b(e.getValue()), client.get(b(e.getKey())), e.getKey());
        }
        // The dead node comes back with its data and catches up; the cluster still answers.
        start(leaseholder);
        putAcknowledged("k40", "back");
        assertArrayEquals(b("back"), client.get(b("k40")));
        System.out.println("first acknowledged write after the leaseholder died: " + firstWriteAfterKillMillis + " ms");
    }
}
