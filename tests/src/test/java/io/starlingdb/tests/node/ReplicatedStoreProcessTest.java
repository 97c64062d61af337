package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.testkit.placement.MetaWait;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes hold the replicated key space (store ids 1-3). Client threads put unique
 * keys and increment their own counter with compare-and-set through a StarlingClient while the
 * leaseholder of one range, then of the other, is SIGKILLed and later restarted. Every
 * acknowledged put is read back afterwards, every counter holds exactly its acknowledged
 * increments (give or take the ones whose outcome was unknown), and the longest time without an
 * acknowledged write after each kill is reported.
 */
class ReplicatedStoreProcessTest {

    /** Client threads writing at once. */
    static final int writers = 4;
    /** How long the workload runs before, between and after the kills. */
    static final long phaseMillis = 3_000;

    @TempDir
    Path dir;

    private final NodeProcess[] nodes = new NodeProcess[4];
    private final int[] peerPorts = new int[4];

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

    /** The longest time in [from, to] without an acknowledgement, in nanoseconds. */
    private static long longestGap(java.util.Collection<Long> ackTimes, long from, long to) {
        long longest = 0;
        long previous = from;
        for (long t : new java.util.TreeSet<>(ackTimes)) {
            if (t > from && t <= to) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
        }
        return Math.max(longest, to - previous);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] count(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    @Test
    void leaseholdersDieAndNoAcknowledgedWriteIsLost() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        System.arraycopy(ports, 0, peerPorts, 1, 3);
        for (int i = 1; i <= 3; i++) {
            start(i);
        }
        String seeds = "127.0.0.1:" + peerPorts[1] + ",127.0.0.1:" + peerPorts[2] + ",127.0.0.1:" + peerPorts[3];
        try (StarlingClient client = StarlingClient.connect(seeds)) {
            client.put(b("a"), b("first"));
            client.split(b("m"));
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            long[] counters = new long[writers];
            long[] unknownIncrements = new long[writers];
            // Times of acknowledged writes per range (0: below "m", 1: the split-off range).
            List<java.util.concurrent.ConcurrentLinkedQueue<Long>> acks = List.of(
                    new java.util.concurrent.ConcurrentLinkedQueue<>(), new java.util.concurrent.ConcurrentLinkedQueue<>());
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int id = t;
                // Writers 0 and 1 write below "m" (range 1), 2 and 3 above it (the split-off range).
                String prefix = id < 2 ? "c" + id + "-" : "x" + id + "-";
                Thread thread = new Thread(() -> {
                    long seq = 0;
                    byte[] counterKey = b(prefix + "counter");
                    while (running.get()) {
                        String key = prefix + seq++;
                        try {
                            client.put(b(key), b("v" + seq));
                            acknowledged.put(key, "v" + seq);
                            if (client.compareAndSet(counterKey, counters[id] == 0 ? null : count(counters[id]),
                                    count(counters[id] + 1))) {
                                counters[id]++;
                            } else {
                                // An earlier increment with an unknown outcome did apply: catch up.
                                counters[id] = ByteBuffer.wrap(client.get(counterKey)).getLong();
                            }
                            acks.get(id < 2 ? 0 : 1).add(System.nanoTime());
                        } catch (OutcomeUnknownException e) {
                            unknownIncrements[id]++;
                        } catch (RangeUnavailableException e) {
                            // not applied; go on
                        }
                    }
                }, "writer-" + t);
                threads.add(thread);
                thread.start();
            }
            Thread.sleep(phaseMillis);
            // Rounds: the leaseholder of the range below "m", of the split-off range, of the meta range.
            long[] killedAt = new long[3];
            long[] restartedAt = new long[3];
            byte[][] rangesKilled = {b("c0-x"), b("x2-x"), new byte[] {0}};
            for (int round = 0; round < 3; round++) {
                int victim = (int) MetaWait.knownLeaseholder(client, rangesKilled[round], Duration.ofSeconds(60));
                assertTrue(victim >= 1 && victim <= 3, "leaseholder: " + victim);
                killedAt[round] = System.nanoTime();
                nodes[victim].kill();
                Thread.sleep(phaseMillis);
                restartedAt[round] = System.nanoTime();
                start(victim);
                Thread.sleep(phaseMillis);
            }
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
            long[] gaps = new long[3];
            List<Long> allAcks = new ArrayList<>(acks.get(0));
            allAcks.addAll(acks.get(1));
            java.util.Collections.sort(allAcks);
            for (int round = 0; round < 3; round++) {
                gaps[round] = longestGap(round < 2 ? acks.get(round) : allAcks, killedAt[round], restartedAt[round])
                        / 1_000_000;
            }
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertArrayEquals(b(e.getValue()), client.get(b(e.getKey())), e.getKey());
            }
            for (int t = 0; t < writers; t++) {
                byte[] stored = client.get(b((t < 2 ? "c" + t : "x" + t) + "-counter"));
                long value = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
                assertTrue(value >= counters[t] && value <= counters[t] + unknownIncrements[t] + 1,
                        "counter " + t + ": stored " + value + ", acknowledged " + counters[t] + ", unknown "
                                + unknownIncrements[t]);
            }
            assertTrue(acknowledged.size() > 100, "acknowledged writes: " + acknowledged.size());
            System.out.println("replicated store under SIGKILL: " + acknowledged.size() + " acknowledged puts, longest"
                    + " time without an acknowledged write after killing the leaseholder of the first user range: "
                    + gaps[0] + " ms, of the split-off range: " + gaps[1] + " ms, of the meta range: " + gaps[2] + " ms");
            assertTrue(gaps[0] < 15_000 && gaps[1] < 15_000 && gaps[2] < 15_000,
                    "writes resumed: " + gaps[0] + ", " + gaps[1] + ", " + gaps[2] + " ms");
            assertEquals(3, client.ranges().size(), "the meta range and the two user ranges");
        }
        // The documented example program (bin/starling example kv) runs against these processes.
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        io.starlingdb.testkit.examples.KvExample.run(seeds, new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);
        for (String line : List.of("get example/greeting -> hello", "compareAndSet hello -> hello again: true",
                "compareAndSet from a stale value: false", "condition 1 failed, example/a is (absent)",
                "scan: example/a = 1", "scan: example/b = 2", "scan: example/c = 3", "scan: example/greeting = hello again")) {
            assertTrue(output.contains(line), "the example printed " + line + ":\n" + output);
        }
        assertEquals(4, output.lines().filter(l -> l.startsWith("range r")).count(), output);
        // Three stores, none dead for store.dead.after: placement never moved a replica of the
        // meta range (it once removed the last store to register while the cluster started).
        assertTrue(output.contains("range r1['', 01) gen 1 [1, 2, 3]"), output);
        assertEquals(3, output.lines().filter(l -> l.startsWith("store ") && l.endsWith(": ACTIVE")).count(), output);
    }
}
