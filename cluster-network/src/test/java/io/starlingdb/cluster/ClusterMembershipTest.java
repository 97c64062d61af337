package io.starlingdb.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.health.HealthOptions;
import io.starlingdb.cluster.membership.InboundFilter;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.membership.MembershipEvent;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.cluster.membership.SwimOptions;
import io.starlingdb.cluster.testing.Await;
import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.TransportOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In-JVM clusters over real loopback sockets, with the fast (testing) SWIM timing. */
class ClusterMembershipTest {

    record Hello(String text) {
    }

    private final List<ClusterNetworkManager> nodes = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Testing-preset timing; the loss test gives suspects longer, so a loaded machine's pauses are not mistaken for loss. */
    private SwimOptions swim = SwimOptions.fast();

    /** Share of inbound membership messages every node drops, through the {@link InboundFilter} seam. */
    private volatile double lossRate;
    private final Random loss = new Random(42);

    private ClusterNetworkManager start(String id, List<NodeAddress> seeds) throws InterruptedException {
        ClusterNetworkOptions options = new ClusterNetworkOptions(id,
                TransportOptions.defaults("127.0.0.1", 0, "membership-test-secret"), swim,
                HealthOptions.defaults(), seeds, Map.of(Metadata.roles, "sql,storage", Metadata.datacenter, "dc1",
                        Metadata.rack, "r" + id.charAt(id.length() - 1)));
        ClusterNetworkManager node = new ClusterNetworkManager(options, new MessageTypes().register(Hello.class, 100),
                registry, (from, message) -> lossRate == 0 || loss.nextDouble() >= lossRate);
        nodes.add(node);
        node.start();
        return node;
    }

    private List<ClusterNetworkManager> startCluster(int size) throws InterruptedException {
        ClusterNetworkManager first = start("n1", List.of());
        List<ClusterNetworkManager> cluster = new ArrayList<>(List.of(first));
        for (int i = 2; i <= size; i++) {
            cluster.add(start("n" + i, List.of(first.address())));
        }
        // A deadline, not a wait: formation takes well under a second on a quiet machine, but a
        // five-node cluster once took more than 10 s to form at load 15.
        for (ClusterNetworkManager node : cluster) {
            Await.until(Duration.ofSeconds(30), () -> node.aliveMemberIds().size() == size,
                    () -> node.nodeId() + " sees " + node.aliveMemberIds());
        }
        return cluster;
    }

    private static MemberState stateOf(ClusterNetworkManager observer, String id) {
        for (MemberView m : observer.members()) {
            if (m.id().equals(id)) {
                return m.state();
            }
        }
        return null;
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(ClusterNetworkManager::kill);
    }

    @Test
    void fiveNodesJoinAndTalkByMemberId() throws Exception {
        List<ClusterNetworkManager> cluster = startCluster(5);
        cluster.get(4).handle(Hello.class, (from, m) -> new Hello(m.text() + ", " + from.nodeId()));
        Hello reply = cluster.get(0).<Hello>request("n5", Lane.NORMAL, new Hello("hi")).get(5, TimeUnit.SECONDS);
        assertEquals("hi, n1", reply.text());
        List<String> heard = new CopyOnWriteArrayList<>();
        for (ClusterNetworkManager node : cluster.subList(1, 5)) {
            node.handle(Hello.class, (from, m) -> {
                heard.add(node.nodeId() + ":" + m.text());
                return null;
            });
        }
        // A broadcast goes to the members alive at that moment; on a loaded machine a peer can be
        // suspected for a moment after the start-up wait, so broadcast again until one reaches all
        // four (a peer then hears "all" more than once: counted once below).
        Await.until(Duration.ofSeconds(10), () -> cluster.get(0).broadcast(Lane.HIGH, new Hello("all")) == 4,
                () -> "no broadcast reached all four peers; n1 sees " + cluster.get(0).aliveMemberIds());
        cluster.get(0).sendReliable("n2", Lane.HIGH, new Hello("once")).get(5, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(5), () -> new java.util.HashSet<>(heard).size() == 5, () -> "heard " + heard);
        assertTrue(heard.contains("n2:once"));
        ClusterNetworkManager observer = cluster.get(2);
        MemberView n4 = observer.members().stream().filter(m -> m.id().equals("n4")).findFirst().orElseThrow();
        assertEquals("dc1", n4.metadata().get(Metadata.datacenter));
        assertEquals("r4", n4.metadata().get(Metadata.rack));
        assertNull(observer.members().get(0).health(), "no health for self");
        Await.until(Duration.ofSeconds(10), () -> observer.health().size() == 4
                && observer.health().values().stream().allMatch(h -> !Double.isNaN(h.rttP50Ms())),
                () -> "health " + observer.health());
        // Values depend on the machine's load; their arithmetic is PeerHealthTest's business. At
        // load a peer may be suspected for a moment (its score and the alive count dip): await.
        Await.until(Duration.ofSeconds(10), () -> observer.health().values().stream().allMatch(h -> h.score() > 0 && h.score() <= 1
                && h.rttP99Ms() >= h.rttP50Ms() && h.lossRate() >= 0), () -> "health " + observer.health());
        Await.until(Duration.ofSeconds(10),
                () -> registry.get("starling.cluster.members").tag("node", "n3").tag("state", "alive").gauge().value() == 5,
                () -> "n3 sees alive " + observer.aliveMemberIds());
        assertTrue(observer.hasMajority());
        assertTrue(registry.get("starling.cluster.peer.score").tag("node", "n3").tag("peer", "n1").gauge().value() > 0);
        assertTrue(registry.get("starling.cluster.ping.rtt").tag("node", "n3").timer().count() > 0);
    }

    @Test
    void abruptlyKilledNodeIsDeclaredDeadByAll() throws Exception {
        List<ClusterNetworkManager> cluster = startCluster(5);
        List<MembershipEvent> seenByN1 = new CopyOnWriteArrayList<>();
        cluster.get(0).subscribe(seenByN1::add);
        long killedAt = System.nanoTime();
        cluster.get(4).kill();
        for (int i = 0; i < 4; i++) {
            ClusterNetworkManager observer = cluster.get(i);
            Await.until(Duration.ofSeconds(10), () -> stateOf(observer, "n5") == MemberState.DEAD,
                    () -> observer.nodeId() + " sees n5 " + stateOf(observer, "n5"));
        }
        long detectionMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(detectionMillis < 5_000, "detected in " + detectionMillis + " ms");
        assertTrue(seenByN1.stream().anyMatch(e -> e.type() == MembershipEvent.Type.DEAD
                && e.member().id().equals("n5")));
        assertTrue(cluster.get(0).hasMajority(), "4 of 5 still up");

        // remove-node: the dead member is gone from everyone's majority count.
        assertFalse(cluster.get(0).removeDeadMember("n4"), "a live member cannot be removed");
        assertTrue(cluster.get(0).removeDeadMember("n5"));
        for (int i = 0; i < 4; i++) {
            ClusterNetworkManager observer = cluster.get(i);
            Await.until(Duration.ofSeconds(5), () -> stateOf(observer, "n5") == MemberState.LEFT,
                    () -> observer.nodeId() + " sees n5 " + stateOf(observer, "n5"));
        }
    }

    @Test
    void gracefulLeaveIsSeenAsLeft() throws Exception {
        List<ClusterNetworkManager> cluster = startCluster(4);
        cluster.get(3).close();
        for (int i = 0; i < 3; i++) {
            ClusterNetworkManager observer = cluster.get(i);
            Await.until(Duration.ofSeconds(5), () -> stateOf(observer, "n4") == MemberState.LEFT,
                    () -> observer.nodeId() + " sees n4 " + stateOf(observer, "n4"));
        }
    }

    @Test
    void minoritySideKnowsItHasNoMajority() throws Exception {
        List<ClusterNetworkManager> cluster = startCluster(5);
        cluster.get(2).kill();
        cluster.get(3).kill();
        cluster.get(4).kill();
        Await.until(Duration.ofSeconds(10), () -> !cluster.get(0).hasMajority() && !cluster.get(1).hasMajority(),
                "the two survivors notice they are a minority");
    }

    @Test
    void metadataUpdatesSpread() throws Exception {
        List<ClusterNetworkManager> cluster = startCluster(3);
        cluster.get(0).updateMetadata(Map.of(Metadata.roles, "sql", Metadata.load, "0.75"));
        for (ClusterNetworkManager observer : cluster.subList(1, 3)) {
            Await.until(Duration.ofSeconds(5), () -> observer.members().stream().anyMatch(m -> m.id().equals("n1")
                    && "0.75".equals(m.metadata().get(Metadata.load))), "metadata at " + observer.nodeId());
        }
    }

    @Test
    void membershipSurvivesInjectedLoss() throws Exception {
        swim = SwimOptions.fast().withTiming(100, 40, 3, 1_000);
        List<ClusterNetworkManager> cluster = startCluster(4);
        lossRate = 0.05;
        List<MembershipEvent> deaths = new CopyOnWriteArrayList<>();
        cluster.forEach(n -> n.subscribe(e -> {
            if (e.type() == MembershipEvent.Type.DEAD) {
                deaths.add(e);
            }
        }));
        // 100 protocol periods at 5 % loss: suspicions may come and go, deaths must not.
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100 * SwimOptions.fast().protocolPeriodMillis());
        while (System.nanoTime() < end) {
            assertTrue(deaths.isEmpty(), () -> "live member declared dead: " + deaths);
            Thread.sleep(50);
        }
        for (ClusterNetworkManager n : cluster) {
            assertEquals(4, n.aliveMemberIds().size() + (int) n.members().stream()
                    .filter(m -> m.state() == MemberState.SUSPECT).count());
        }
        assertFalse(cluster.get(0).health().isEmpty());
        assertTrue(cluster.stream().anyMatch(n -> n.health().values().stream().anyMatch(h -> h.lossRate() > 0)),
                "the injected loss shows in the measured loss rates");
        assertNotNull(cluster.get(0).transportMetrics());
    }
}
