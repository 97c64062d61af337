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
import java.io.IOException;
import java.net.ServerSocket;
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

    private final StarlingNode[] nodes = new StarlingNode[4];
    private final int[] peerPorts = new int[4];
    private StarlingClient client;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StarlingNode start(int i) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
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
        for (int i = 1; i <= 3; i++) {
            peerPorts[i] = freePort();
        }
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
        assertEquals(2, client.ranges().size());
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(halves.get(1).conf().voters()));

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
    }

    @Test
    void leasesSpreadOverTheStores() throws Exception {
        startCluster();
        for (int k = 10; k <= 50; k += 10) {
            client.split(b(String.format("key%03d", k)));
        }
        List<RangeDescriptor> ranges = client.ranges();
        assertEquals(6, ranges.size());
        // Six ranges on three stores: each store ends up leading two.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        Map<Long, Integer> counts;
        while (true) {
            counts = new HashMap<>();
            for (RangeDescriptor d : ranges) {
                long leader = nodes[1].ranges().store().leaseholder(d.rangeId());
                counts.merge(leader, 1, Integer::sum);
            }
            if (counts.size() == 3 && !counts.containsKey(0L) && java.util.Collections.max(counts.values()) == 2) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "leases per store: " + counts);
            Thread.sleep(100);
        }
        // Reads and writes still work wherever the leases went.
        putAcknowledged("key015", "moved");
        assertArrayEquals(b("moved"), client.get(b("key015")));
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
            if (nodes[i].ranges().store().leaseholder(1) == i) {
                leaseholder = i;
            }
        }
        assertTrue(leaseholder > 0, "some node leads range 1");
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
