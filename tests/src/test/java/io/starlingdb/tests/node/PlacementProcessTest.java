package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.testkit.placement.MetaWait;
import io.starlingdb.testkit.placement.ReplicaCounts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node processes join a three-store cluster one by one until there are five, while a client
 * writes: each joining store receives replicas and leases; the meta range grows to five
 * replicas; the leaseholders of a user range and of the meta range are SIGKILLed; one store is
 * removed (drained first) and its process stopped. No acknowledged write is lost.
 */
class PlacementProcessTest {

    @TempDir
    Path dir;

    private final NodeProcess[] nodes = new NodeProcess[6];
    private final int[] peerPorts = new int[6];

    private void start(int i) throws Exception {
        nodes[i] = NodeProcess.startStore(dir, i, peerPorts);
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<RangeDescriptor> await(StarlingClient client, String what, Predicate<List<RangeDescriptor>> done)
            throws InterruptedException {
        return MetaWait.until(client, what, Duration.ofSeconds(180), done);
    }

    /** Placement at rest on stores 1..stores, three replicas per user range. */
    private static boolean settled(List<RangeDescriptor> ranges, int stores) {
        return ReplicaCounts.balanced(ranges, 3, LongStream.rangeClosed(1, stores).toArray());
    }

    /** The longest time in [from, to] without an acknowledgement, in milliseconds. */
    private static long longestGapMillis(ConcurrentLinkedQueue<Long> acks, long from, long to) {
        long longest = 0;
        long previous = from;
        for (long t : new java.util.TreeSet<>(acks)) {
            if (t > from && t <= to) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
        }
        return Math.max(longest, to - previous) / 1_000_000;
    }

    @Test
    void storesJoinTakeReplicasAndLeasesSurviveKillsAndOneIsRemovedWithoutLosingAWrite() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(5);
        System.arraycopy(ports, 0, peerPorts, 1, 5);
        for (int i = 1; i <= 3; i++) {
            start(i);
        }
        String seeds = "127.0.0.1:" + peerPorts[1] + ",127.0.0.1:" + peerPorts[2] + ",127.0.0.1:" + peerPorts[3];
        try (StarlingClient client = StarlingClient.connect(seeds)) {
            client.put(b("a"), b("first"));
            for (String at : List.of("g", "m", "t")) {
                client.split(b(at));
            }
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                long seq = 0;
                String[] prefixes = {"c", "h", "p", "w"};
                while (running.get()) {
                    String key = prefixes[(int) (seq % 4)] + "-" + seq;
                    seq++;
                    try {
                        client.put(b(key), b("v" + seq));
                        acknowledged.put(key, "v" + seq);
                        acks.add(System.nanoTime());
                    } catch (OutcomeUnknownException | RangeUnavailableException e) {
                        // not acknowledged
                    }
                }
            }, "writer");
            writer.start();

            // A fourth and a fifth store join: each takes a share of the replicas and leases,
            // and the meta range grows to five replicas.
            start(4);
            List<RangeDescriptor> ranges = await(client, "store 4 takes its share", r -> settled(r, 4));
            System.out.println("replicas per store with four stores: " + ReplicaCounts.perStore(ranges));
            start(5);
            ranges = await(client, "store 5 takes its share, meta on five",
                    r -> settled(r, 5) && r.get(0).conf().voters().size() == 5);
            System.out.println("replicas per store with five stores: " + ReplicaCounts.perStore(ranges));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.leaseholder(b("c")) == 0 || java.util.stream.Stream.of("c", "h", "p", "w")
                    .map(k -> client.leaseholder(b(k))).distinct().count() < 3) {
                assertTrue(System.nanoTime() < deadline, "leases of the four user ranges spread over three stores at least");
                Thread.sleep(200);
            }

            // SIGKILL the leaseholder of a user range, then the meta range's; restart each.
            long[] gaps = new long[2];
            byte[][] victims = {b("p-x"), new byte[] {0}};
            for (int round = 0; round < 2; round++) {
                int victim = (int) MetaWait.knownLeaseholder(client, victims[round], Duration.ofSeconds(60));
                assertTrue(victim >= 1 && victim <= 5, "leaseholder: " + victim);
                long killed = System.nanoTime();
                nodes[victim].kill();
                Thread.sleep(4_000);
                gaps[round] = longestGapMillis(acks, killed, System.nanoTime());
                start(victim);
            }

            // Remove a store: drained first, then its process stops; nothing is lost.
            int removed = 5;
            StoreRecord record = client.removeStore(removed, Duration.ofSeconds(180));
            assertEquals(StoreRecord.State.REMOVED, record.state());
            ranges = client.ranges();
            assertTrue(ranges.stream().noneMatch(d -> d.conf().isMember(removed)), "store 5 holds nothing: " + ranges);
            nodes[removed].terminate();
            nodes[removed] = null;
            Thread.sleep(2_000);
            running.set(false);
            writer.join(60_000);

            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertArrayEquals(b(e.getValue()), client.get(b(e.getKey())), e.getKey());
            }
            assertTrue(acknowledged.size() > 100, "acknowledged writes: " + acknowledged.size());
            System.out.println("placement under load: " + acknowledged.size() + " acknowledged puts; longest time"
                    + " without an acknowledged put after SIGKILL of a user range's leaseholder: " + gaps[0]
                    + " ms, of the meta range's: " + gaps[1] + " ms");
            assertTrue(gaps[0] < 15_000 && gaps[1] < 15_000, "writes resumed: " + gaps[0] + ", " + gaps[1] + " ms");
        }
    }
}
