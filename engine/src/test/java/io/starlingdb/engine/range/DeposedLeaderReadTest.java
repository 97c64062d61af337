package io.starlingdb.engine.range;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.Transport;
import io.starlingdb.cluster.transport.TransportOptions;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.engine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read that waits at a leader when it is deposed: the leader fails it at once (not leaseholder),
 * and the gateway asks again at the new leader, instead of waiting for its attempt timeout
 * ({@link DistSender#readAttemptTimeoutMillis}). Three real range stores in one JVM: Raft over
 * the in-memory hub (so one leader can be cut off from its followers), gateway requests over
 * the cluster network on loopback.
 */
class DeposedLeaderReadTest {

    /**
     * No read lease unless a test sets one: every read is a ReadIndex round, so a cut-off leader
     * keeps it waiting until it steps down.
     */
    private RaftConfig config = RaftConfig.defaults().withTickMillis(25).withLease(0, RaftConfig.defaultMaxUncommittedBytes);
    private static final long range = MetaKeys.firstUserRangeId;

    @TempDir
    Path dir;

    private final InMemoryTransport hub = new InMemoryTransport();
    private final RocksStorage[] storages = new RocksStorage[4];
    private final MultiRaft[] rafts = new MultiRaft[4];
    private final RangeStore[] stores = new RangeStore[4];
    /** Each store's range data, which a test can pause in a thread's next snapshot. */
    private final HookedStore[] data = new HookedStore[4];
    private final Transport[] networks = new Transport[4];
    private final StoreDirectory directory = new StoreDirectory();
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis() << 16);

    private void startNode(int id) throws InterruptedException {
        storages[id] = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small());
        ConfState three = ConfState.ofVoters(1L, 2L, 3L);
        RangeStore.bootstrapIfEmpty(storages[id].store(ColumnFamily.RANGES), MetaKeys.initialMeta(three),
                MetaKeys.initialUserRange(three));
        rafts[id] = new MultiRaft(id, config, new RaftLogStore(storages[id]), id);
        data[id] = new HookedStore(storages[id].store(ColumnFamily.RANGES));
        RangeStore store = new RangeStore(id, data[id], rafts[id], storages[id].sstFiles(ColumnFamily.RANGES));
        stores[id] = store;
        // One counter for every store stands in for the cluster's timestamp oracle.
        store.useTimestamps(() -> java.util.concurrent.CompletableFuture.completedFuture(clock.incrementAndGet()));
        store.open();
        rafts[id].start(hub.connect(id, rafts[id]));
        MessageTypes types = new MessageTypes();
        RangeRpc.registerTypes(types);
        networks[id] = new Transport("n" + id, TransportOptions.defaults("127.0.0.1", 0, "deposed-leader-test"), types,
                new SimpleMeterRegistry());
        networks[id].handle(RangeRpc.RequestFrame.class, (from, frame) -> store.handle(RangeRpc.decodeRequest(frame.payload()))
                .thenApply(response -> new RangeRpc.ResponseFrame(RangeRpc.encode(response))));
        NodeAddress address = networks[id].start();
        directory.put(id, address);
    }

    @AfterEach
    void stopAll() {
        for (int i = 1; i < rafts.length; i++) {
            if (rafts[i] != null) {
                networks[i].close();
                hub.disconnect(i);
                rafts[i].close();
                storages[i].close();
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    private int leader() throws InterruptedException {
        int[] found = new int[1];
        await("a leader of range " + range, () -> {
            for (int i = 1; i < rafts.length; i++) {
                if (rafts[i].leader(range) == i) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void aReadWaitingAtALeaderThatIsDeposedIsAnsweredByTheNewLeaderBeforeTheAttemptTimeout() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        int old = leader();
        DistSender gateway = new DistSender(networks[old], directory, stores[old], DistSender.Options.defaults());
        gateway.put(b("k"), b("v1"));
        assertArrayEquals(b("v1"), gateway.get(b("k")));
        assertEquals(old, gateway.cache().leaseholder(range), "the gateway sends the range's requests to the leader");

        // The leader loses its followers: the read's ReadIndex round can never be confirmed, the
        // leader steps down (check-quorum) and the two others elect a new one.
        for (int i = 1; i <= 3; i++) {
            if (i != old) {
                hub.cut(old, i);
            }
        }
        long started = System.nanoTime();
        byte[] value = gateway.get(b("k"));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertArrayEquals(b("v1"), value);
        long now = gateway.cache().leaseholder(range);
        // Only a leaseholder answers a read; whether it still leads now is another matter (on a
        // loaded machine a new election may have followed).
        assertTrue(now != old && now != 0,
                "the read was answered by the new leader, not store " + old + " (gateway's leaseholder: " + now + ")");
        assertTrue(tookMillis < DistSender.readAttemptTimeoutMillis, "the read took " + tookMillis
                + " ms: it waited at the deposed leader for its attempt timeout instead of failing when it stepped down");
        hub.heal();
    }

    /**
     * A leader cut off from its followers latches a key for a write it proposes and can never
     * commit, then steps down (check-quorum). The write's latch is released at the step-down
     * (MultiRaft's notice to RangeStore), so a read and a write of that key sent to the deposed
     * store (the gateway's cache still names it; it knows no leader, so it does not forward) are
     * answered "not leaseholder" at once and served by the new leader, instead of waiting for the
     * latch until the proposal timeout (10 s) and the gateway's attempt timeout (5 s for a read).
     * The stuck write itself answers "dropped" or "outcome unknown", never as if it had failed
     * while it applied.
     */
    @Test
    void aWriteLatchedAtALeaderThatIsDeposedHoldsUpNoLaterRequestOfItsKey() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        int old = leader();
        DistSender gateway = new DistSender(networks[old], directory, stores[old], DistSender.Options.defaults());
        gateway.put(b("k"), b("v1"));
        for (int i = 1; i <= 3; i++) {
            if (i != old) {
                hub.cut(old, i);
            }
        }
        java.util.concurrent.CompletableFuture<RangeRpc.Response> stuck = stores[old].handle(RangeRpc.Request.write(range,
                new RangeCommand.Write(java.util.List.of(new WriteOp.Put(b("k"), b("v2"))))));
        await("store " + old + " stops leading", () -> rafts[old].leader(range) != old);
        await("a new leader", () -> {
            for (int i = 1; i <= 3; i++) {
                if (i != old && rafts[i].leader(range) == i) {
                    return true;
                }
            }
            return false;
        });
        // The store releases the latches when the driver tells it of the step-down, which may be
        // after leader() already shows another leader.
        await("the stuck write's latch released at the step-down", () -> stores[old].latchesReleasedAtStepDown() >= 1);
        assertTrue(!stuck.isDone(), "the stuck write still waits for its entry: " + stuck.getNow(null));

        long started = System.nanoTime();
        assertArrayEquals(b("v1"), gateway.get(b("k")));
        long readMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        started = System.nanoTime();
        gateway.put(b("k"), b("v3"));
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long now = gateway.cache().leaseholder(range);
        assertTrue(now != old && now != 0, "served by the new leader, not store " + old + ": " + now);
        assertTrue(readMillis < DistSender.readAttemptTimeoutMillis && writeMillis < DistSender.readAttemptTimeoutMillis,
                "the read took " + readMillis + " ms and the write " + writeMillis
                        + " ms: they waited for the deposed leader's latch");

        hub.heal();
        RangeRpc.Status status = stuck.get(RangeStore.proposalTimeoutMillis + 5_000, TimeUnit.MILLISECONDS).status();
        assertTrue(status == RangeRpc.Status.DROPPED || status == RangeRpc.Status.OUTCOME_UNKNOWN,
                "the stuck write answered " + status);
        assertArrayEquals(b("v3"), gateway.get(b("k")), "the stuck write never applied");
    }

    /**
     * After a failover the gateway's cache still names the deposed leaseholder; a gateway whose
     * own store now leads the range asks it first, in one request, rather than the old one.
     */
    @Test
    void aGatewayWhoseOwnStoreLeadsTheRangeAsksItFirstWhateverItsCacheSays() throws Exception {
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        int leader = leader();
        int other = leader % 3 + 1;
        DistSender gateway = new DistSender(networks[leader], directory, stores[leader], DistSender.Options.defaults());
        gateway.put(b("k"), b("v1"));
        gateway.cache().setLeaseholder(range, other);
        long before = gateway.requestsSent();
        assertArrayEquals(b("v1"), gateway.get(b("k")));
        assertEquals(1, gateway.requestsSent() - before, "one request, to the gateway's own store");
    }

    /**
     * A lease read paused between its lease check and its snapshot (a GC pause, a thread not
     * scheduled) for longer than the lease: meanwhile the leader was cut off, the two others
     * elected a new leader and committed a new value. The read must not answer the old value from
     * a snapshot taken after its lease ended: the store checks the lease again after reading and,
     * finding it gone, asks through the driver, which answers "not leaseholder".
     */
    @Test
    void aLeaseReadPausedPastItsLeaseDoesNotAnswerFromItsLateSnapshot() throws Exception {
        config = RaftConfig.defaults().withTickMillis(25);
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        int old = leader();
        DistSender gateway = new DistSender(networks[old], directory, stores[old], DistSender.Options.defaults());
        gateway.put(b("k"), b("v1"));
        await("store " + old + " holds the lease", () -> rafts[old].leaseTermNow(range) > 0);
        int other = old == 1 ? 2 : 1;
        data[old].beforeNextSnapshot(Thread.currentThread(), () -> {
            for (int i = 1; i <= 3; i++) {
                if (i != old) {
                    hub.cut(old, i);
                }
            }
            await("a new leader", () -> {
                for (int i = 1; i <= 3; i++) {
                    if (i != old && rafts[i].leader(range) == i) {
                        return true;
                    }
                }
                return false;
            });
            new DistSender(networks[other], directory, stores[other], DistSender.Options.defaults()).put(b("k"), b("v2"));
        });

        RangeRpc.Response r = stores[old].handle(RangeRpc.Request.get(range, b("k"))).get(30, TimeUnit.SECONDS);

        assertTrue(data[old].snapshotHookRan(), "the read took no snapshot");
        assertEquals(1, stores[old].leaseReadsRedone(), "the lease read asked again through the driver");
        assertTrue(r.status() != RangeRpc.Status.OK, "the deposed leader answered " + r.status() + " " + r.result()
                + " from a snapshot taken after its lease ended (the new leader holds v2)");
        hub.heal();
        assertArrayEquals(b("v2"), gateway.get(b("k")));
    }
}
