package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.WriteConflictException;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions across ranges on three nodes on loopback, through a StarlingClient: snapshot
 * reads, one- and two-phase commits, write-write conflicts, write skew under SERIALIZABLE, and
 * locks left by a coordinator that stopped, resolved by the readers that meet them.
 */
class ClusterTransactionTest {

    @TempDir
    Path dir;

    private final StarlingNode[] nodes = new StarlingNode[4];
    private StarlingClient client;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] num(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long num(byte[] v) {
        return ByteBuffer.wrap(v).getLong();
    }

    @BeforeEach
    void startCluster() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        for (int i = 1; i <= 3; i++) {
            Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                    "peer.port", String.valueOf(ports[i - 1]), "data.dir", dir.resolve("n" + i).toString(),
                    "store.id", String.valueOf(i), "store.initial.members", "1,2,3",
                    "join", "127.0.0.1:" + ports[i == 1 ? 1 : 0]));
            nodes[i] = new StarlingNode(NodeConfig.of("testing", settings)).start();
        }
        client = StarlingClient.connect("127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2]);
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

    /** Runs body in a new transaction until it commits (40001: again); returns the attempts it took. */
    private int inTransaction(Isolation isolation, java.util.function.Consumer<ClusterTransaction> body) {
        for (int attempt = 1; ; attempt++) {
            try (ClusterTransaction t = client.begin(isolation)) {
                body.accept(t);
                t.commit();
                return attempt;
            } catch (WriteConflictException e) {
                assertTrue(attempt < 1_000, "no commit after 1,000 attempts: " + e.getMessage());
            }
        }
    }

    @Test
    void transfersAcrossRangesKeepTheTotalInEverySnapshotAndNoneIsLostOrDoubled() throws Exception {
        int accounts = 8;
        inTransaction(Isolation.SNAPSHOT, t -> {
            for (int i = 0; i < accounts; i++) {
                t.put(b("acct" + i), num(100));
            }
        });
        client.split(b("acct4")); // the accounts live in two ranges: transfers between them take two phases
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger transfers = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Long> moved = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Random random = new Random(w);
            threads.add(new Thread(() -> {
                try {
                    while (running.get()) {
                        int from = random.nextInt(accounts);
                        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                        long amount = 1 + random.nextInt(10);
                        inTransaction(Isolation.SERIALIZABLE, t -> {
                            long a = num(t.get(b("acct" + from)));
                            long c = num(t.get(b("acct" + to)));
                            t.put(b("acct" + from), num(a - amount));
                            t.put(b("acct" + to), num(c + amount));
                        });
                        transfers.incrementAndGet();
                        moved.add(amount);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        int snapshots = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline && failure.get() == null) {
            try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT); KvCursor c = t.scan(b("acct"), b("acct~"))) {
                long total = 0;
                int n = 0;
                while (c.next()) {
                    total += num(c.value());
                    n++;
                }
                assertEquals(accounts, n);
                assertEquals(100L * accounts, total, "a snapshot saw a transfer half done");
                snapshots++;
            }
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(transfers.get() > 0 && snapshots > 0, transfers + " transfers, " + snapshots + " snapshots");
        long total = 0;
        for (byte[] v : client.getAll(java.util.stream.IntStream.range(0, accounts).mapToObj(i -> b("acct" + i)).toList())) {
            total += num(v);
        }
        assertEquals(100L * accounts, total, "after " + transfers + " transfers (" + snapshots + " snapshots)");
    }

    @Test
    void snapshotReadsIgnoreLaterCommitsAndSeeOwnWrites() {
        client.put(b("k1"), b("old"));
        try (ClusterTransaction reader = client.begin(Isolation.SNAPSHOT)) {
            client.put(b("k1"), b("new"));
            inTransaction(Isolation.SNAPSHOT, t -> t.put(b("k2"), b("later")));
            assertArrayEquals(b("old"), reader.get(b("k1")), "a snapshot read ignores what committed after its start");
            assertNull(reader.get(b("k2")));
            reader.put(b("k3"), b("mine"));
            assertArrayEquals(b("mine"), reader.get(b("k3")));
            reader.commit();
        }
        assertArrayEquals(b("new"), client.get(b("k1")));
        assertArrayEquals(b("mine"), client.get(b("k3")));
    }

    @Test
    void concurrentWritersOfOneKeyCannotBothCommit() {
        client.put(b("counter"), num(0));
        ClusterTransaction first = client.begin(Isolation.SNAPSHOT);
        ClusterTransaction second = client.begin(Isolation.SNAPSHOT);
        first.put(b("counter"), num(num(first.get(b("counter"))) + 1));
        second.put(b("counter"), num(num(second.get(b("counter"))) + 1));
        first.commit();
        WriteConflictException e = assertThrows(WriteConflictException.class, second::commit);
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
        assertEquals(1, num(client.get(b("counter"))), "the lost update was refused");
    }

    @Test
    void writeSkewIsRefusedUnderSerializableAndAllowedUnderSnapshot() {
        client.split(b("m"));
        for (Isolation isolation : Isolation.values()) {
            String x = "a-oncall-" + isolation;
            String y = "z-oncall-" + isolation; // another range
            client.put(b(x), num(1));
            client.put(b(y), num(1));
            ClusterTransaction t1 = client.begin(isolation);
            ClusterTransaction t2 = client.begin(isolation);
            assertEquals(2, num(t1.get(b(x))) + num(t1.get(b(y))));
            assertEquals(2, num(t2.get(b(x))) + num(t2.get(b(y))));
            t1.put(b(x), num(0));
            t2.put(b(y), num(0));
            t1.commit();
            if (isolation == Isolation.SERIALIZABLE) {
                assertThrows(WriteConflictException.class, t2::commit, "write skew must be refused");
                assertEquals(1, num(client.get(b(y))));
            } else {
                t2.commit();
                assertEquals(0, num(client.get(b(x))) + num(client.get(b(y))), "snapshot isolation allows write skew");
            }
        }
    }

    @Test
    void locksOfAStoppedCoordinatorAreRolledBackOnceExpiredAndCommittedOnesRollForward() throws Exception {
        client.split(b("m"));
        client.put(b("a-left"), b("before"));
        client.put(b("z-right"), b("before"));
        DistSender gateway = nodes[1].ranges().gateway();
        long ttl = 500;

        // A coordinator that prewrote both keys and stopped before committing.
        long abandoned = client.timestamp();
        prewrite(gateway, abandoned, b("a-left"), ttl, b("a-left"), b("z-right"));
        long began = System.nanoTime();
        assertArrayEquals(b("before"), client.get(b("z-right")), "a reader waits out the lock, then rolls it back");
        assertTrue(System.nanoTime() - began >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ttl / 2),
                "the reader did not wait for a live lock");
        assertArrayEquals(b("before"), client.get(b("a-left")));
        RangeResult.TxnStatus st = gateway.resolver().status(b("a-left"), abandoned, System.currentTimeMillis(), 0, false);
        assertEquals(RangeResult.TxnStatus.State.ABORTED, st.state());
        RangeResult late = gateway.request(b("a-left"), d -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(abandoned, abandoned + 1, List.of(b("a-left")))), true).result();
        assertEquals(RangeResult.TxnStatus.State.ABORTED, ((RangeResult.TxnStatus) late).state(),
                "a coordinator can never commit after its transaction was rolled back");

        // A coordinator that committed its primary and stopped before its secondary.
        long committed = client.timestamp();
        prewrite(gateway, committed, b("a-left"), 60_000, b("a-left"), b("z-right"));
        long commitTs = client.timestamp();
        gateway.request(b("a-left"), d -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Commit(committed, commitTs, List.of(b("a-left")))), true);
        assertArrayEquals(b("after-z-right"), client.get(b("z-right")), "the secondary rolls forward at once");
        assertArrayEquals(b("after-a-left"), client.get(b("a-left")));
    }

    private static void prewrite(DistSender gateway, long startTs, byte[] primary, long ttl, byte[]... keys) {
        prewrite(gateway, "a-coordinator-that-stopped", startTs, primary, ttl, keys);
    }

    /** Prewrites keys as the transaction started at startTs would, then does nothing more (its coordinator stopped). */
    private static void prewrite(DistSender gateway, String coordinator, long startTs, byte[] primary, long ttl,
                                 byte[]... keys) {
        List<byte[]> list = List.of(keys);
        for (DistSender.GroupAnswer a : gateway.sendGrouped(list, true, (d, idx) -> RangeRpc.Request.write(d.rangeId(),
                new RangeCommand.Prewrite(startTs, primary, ttl, coordinator, idx.stream()
                        .map(i -> (WriteOp) new WriteOp.Put(list.get(i), b("after-" + new String(list.get(i),
                                StandardCharsets.UTF_8)))).toList())))) {
            assertTrue(a.response().result() instanceof RangeResult.Written, "prewrite: " + a.response().result());
        }
    }

    @Test
    void locksOfACoordinatorThatLeftAreResolvedLongBeforeTheirTtl() throws Exception {
        client.split(b("m"));
        client.put(b("a-left"), b("before"));
        client.put(b("z-right"), b("before"));
        StarlingClient coordinator = StarlingClient.connect(client.stores().stream()
                .map(s -> s.address()).collect(java.util.stream.Collectors.joining(",")));
        long startTs = coordinator.timestamp();
        prewrite(nodes[1].ranges().gateway(), coordinator.memberId(), startTs, b("a-left"), 120_000, b("a-left"),
                b("z-right"));
        coordinator.close(); // gone between prewrite and commit
        long began = System.nanoTime();
        assertArrayEquals(b("before"), client.get(b("z-right")), "rolled back once the coordinator is gone");
        assertArrayEquals(b("before"), client.get(b("a-left")));
        long waited = (System.nanoTime() - began) / 1_000_000;
        assertTrue(waited < 20_000, "the locks lived " + waited + " ms: they waited for their TTL, not for the membership");
        assertEquals(RangeResult.TxnStatus.State.ABORTED, nodes[1].ranges().gateway().resolver()
                .status(b("a-left"), startTs, System.currentTimeMillis(), 0, false).state());
    }

    @Test
    void expiredLocksNobodyReadsAreSweptWithinTheirTtlAndASweepInterval() throws Exception {
        client.split(b("m"));
        long startTs = client.timestamp();
        prewrite(nodes[1].ranges().gateway(), client.memberId(), startTs, b("a-swept"), 300, b("a-swept"), b("z-swept"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (resolvedByRecovery() < 2) {
            assertTrue(System.nanoTime() < deadline, "the expired locks were not swept: " + resolvedByRecovery());
            Thread.sleep(50);
        }
        assertNull(client.get(b("z-swept")));
        assertEquals(RangeResult.TxnStatus.State.ABORTED, nodes[1].ranges().gateway().resolver()
                .status(b("a-swept"), startTs, System.currentTimeMillis(), 0, false).state());
    }

    private long resolvedByRecovery() {
        long n = 0;
        for (int i = 1; i <= 3; i++) {
            n += nodes[i].ranges().recovery().resolved();
        }
        return n;
    }

    @Test
    void singleWritesMeetingALockWaitForItsTransaction() throws Exception {
        ClusterTransaction t = client.begin(Isolation.SNAPSHOT);
        t.put(b("a-key"), b("txn"));
        t.put(b("z-key"), b("txn"));
        t.commit();
        try {
            client.put(b("a-key"), b("single"));
        } catch (OutcomeUnknownException | RangeUnavailableException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(b("single"), client.get(b("a-key")));
        assertArrayEquals(b("txn"), client.get(b("z-key")));
    }
}
