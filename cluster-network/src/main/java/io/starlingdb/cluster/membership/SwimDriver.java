package io.starlingdb.cluster.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.starlingdb.cluster.health.HealthOptions;
import io.starlingdb.cluster.health.PeerHealth;
import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.Transport;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Swim} state machine over the {@link Transport}: one thread owns the state
 * machine and feeds it ticks and the messages the transport hands over; everything it wants
 * sent goes out on the CRITICAL lane. The driver also times direct probes for the health view
 * and publishes events to subscribers (on its own thread, in order).
 */
public final class SwimDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SwimDriver.class);

    /** Ticks per protocol period: the resolution of every SWIM timer. */
    static final int ticksPerPeriod = 10;
    /** Inbound messages waiting for the membership thread; beyond this a flood is dropped. */
    static final int maxPendingInbound = 10_000;

    private final Transport transport;
    private final SwimOptions options;
    private final HealthOptions healthOptions;
    private final Swim swim;
    private final List<String> seeds;
    private final ScheduledExecutorService thread;
    private final long startNanos = System.nanoTime();
    private final List<Consumer<MembershipEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final Map<String, PeerHealth> health = new ConcurrentHashMap<>();
    /** Direct pings in flight, by sequence: whom, where, when. Driver thread only. */
    private final Map<Long, SentPing> pings = new HashMap<>();
    private final Timer rttTimer;
    private final MeterRegistry registry;
    private final InboundFilter inboundFilter;
    private final java.util.concurrent.atomic.AtomicInteger pendingInbound = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder droppedInbound = new java.util.concurrent.atomic.LongAdder();
    private volatile List<Member> members;
    private volatile boolean hasMajority = true;

    private record SentPing(String targetId, String address, long sentNanos) {
    }

    /** @param inboundFilter decides which inbound membership messages are handled ({@link InboundFilter#admitAll} in production) */
    public SwimDriver(Transport transport, SwimOptions options, HealthOptions healthOptions, Member self,
            List<NodeAddress> seeds, MeterRegistry registry, InboundFilter inboundFilter) {
        this.transport = transport;
        this.inboundFilter = Objects.requireNonNull(inboundFilter, "inboundFilter");
        this.options = options;
        this.healthOptions = healthOptions;
        this.swim = new Swim(options, self, new Random(ThreadLocalRandom.current().nextLong()), 0);
        this.seeds = seeds.stream().map(NodeAddress::toString).toList();
        this.members = swim.members();
        this.registry = registry;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swim-" + self.id());
            t.setDaemon(true);
            return t;
        });
        this.rttTimer = Timer.builder("starling.cluster.ping.rtt").tag("node", self.id())
                .description("Round trip of direct SWIM probes").publishPercentileHistogram()
                .register(registry);
        for (MemberState state : MemberState.values()) {
            registry.gauge("starling.cluster.members", List.of(io.micrometer.core.instrument.Tag.of("node", self.id()),
                    io.micrometer.core.instrument.Tag.of("state", state.name().toLowerCase())), this,
                    d -> d.count(state));
        }
        register(SwimMessage.Ping.class);
        register(SwimMessage.Ack.class);
        register(SwimMessage.PingReq.class);
        register(SwimMessage.Join.class);
        register(SwimMessage.JoinReply.class);
        register(SwimMessage.Announce.class);
    }

    private <T extends SwimMessage> void register(Class<T> type) {
        transport.handle(type, (from, message) -> {
            long arrived = System.nanoTime();
            if (!inboundFilter.admit(from, message)) {
                return null;
            }
            if (thread.isShutdown() || pendingInbound.incrementAndGet() > maxPendingInbound) {
                pendingInbound.decrementAndGet();
                droppedInbound.increment();
                return null;
            }
            thread.execute(() -> {
                pendingInbound.decrementAndGet();
                onMessage(from.listenAddress().toString(), message, arrived);
            });
            return null;
        });
    }

    /** Starts ticking and, with seeds, joining. */
    public void start() {
        long tick = Math.max(1, options.protocolPeriodMillis() / ticksPerPeriod);
        thread.execute(() -> {
            swim.join(seeds, now());
            flush();
        });
        thread.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        log.info("Node {} started membership at {} with seeds {}", swim.self().id(), swim.self().address(), seeds);
    }

    private long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void tick() {
        try {
            swim.tick(now());
            expirePings();
            sampleTraffic();
            flush();
        } catch (RuntimeException e) {
            log.error("Membership tick failed on node {}", swim.self().id(), e);
        }
    }

    private void onMessage(String fromAddress, SwimMessage message, long arrivedNanos) {
        try {
            if (message instanceof SwimMessage.Ack ack) {
                SentPing ping = pings.get(ack.seq());
                if (ping != null && ping.address.equals(fromAddress) && ping.targetId.equals(ack.fromId())) {
                    pings.remove(ack.seq());
                    long rtt = arrivedNanos - ping.sentNanos;
                    healthOf(ping.targetId).answered(rtt);
                    rttTimer.record(rtt, TimeUnit.NANOSECONDS);
                }
            }
            if (!swim.receive(fromAddress, message, now())) {
                log.warn("Node {} refused an out-of-bounds {} from {}", swim.self().id(),
                        message.getClass().getSimpleName(), fromAddress);
            }
            flush();
        } catch (RuntimeException e) {
            log.error("Membership message handling failed on node {}", swim.self().id(), e);
        }
    }

    private void flush() {
        for (Swim.Outbound out : swim.drainOutbound()) {
            NodeAddress to;
            try {
                to = NodeAddress.parse(out.address());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (out.message() instanceof SwimMessage.Ping ping && ping.fromId().equals(swim.self().id())) {
                pings.put(ping.seq(), new SentPing(ping.targetId(), out.address(), System.nanoTime()));
            }
            transport.send(to, Lane.CRITICAL, out.message());
        }
        List<MembershipEvent> events = swim.drainEvents();
        members = swim.members();
        hasMajority = swim.hasMajority();
        for (MembershipEvent event : events) {
            log.info("Node {} sees {} {} (incarnation {})", swim.self().id(), event.member().id(),
                    event.type(), event.member().incarnation());
            for (Consumer<MembershipEvent> subscriber : subscribers) {
                try {
                    subscriber.accept(event);
                } catch (RuntimeException e) {
                    log.warn("Membership subscriber failed on {}", event, e);
                }
            }
        }
    }

    private void expirePings() {
        long deadline = System.nanoTime() - options.protocolPeriodMillis() * 1_000_000L;
        Iterator<SentPing> it = pings.values().iterator();
        while (it.hasNext()) {
            SentPing ping = it.next();
            if (ping.sentNanos < deadline) {
                it.remove();
                healthOf(ping.targetId).unanswered();
            }
        }
    }

    private void sampleTraffic() {
        long nowNanos = System.nanoTime();
        for (Member m : members) {
            if (m.id().equals(swim.self().id())) {
                continue;
            }
            Transport.PeerStats stats;
            try {
                stats = transport.peerStats(NodeAddress.parse(m.address()));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (stats != null) {
                healthOf(m.id()).traffic(nowNanos, stats.bytesIn(), stats.bytesOut());
            }
        }
    }

    private PeerHealth healthOf(String memberId) {
        return health.computeIfAbsent(memberId, this::newPeerHealth);
    }

    /** A peer's health, also exported as gauges tagged with the peer's id. */
    private PeerHealth newPeerHealth(String peerId) {
        PeerHealth peer = new PeerHealth(healthOptions);
        List<io.micrometer.core.instrument.Tag> tags = List.of(io.micrometer.core.instrument.Tag.of("node",
                swim.self().id()), io.micrometer.core.instrument.Tag.of("peer", peerId));
        registry.gauge("starling.cluster.peer.rtt.p50.ms", tags, peer, p -> p.snapshot().rttP50Ms());
        registry.gauge("starling.cluster.peer.rtt.p99.ms", tags, peer, p -> p.snapshot().rttP99Ms());
        registry.gauge("starling.cluster.peer.loss.rate", tags, peer, p -> p.snapshot().lossRate());
        registry.gauge("starling.cluster.peer.bytes.in.per.second", tags, peer, p -> p.snapshot().bytesInPerSec());
        registry.gauge("starling.cluster.peer.bytes.out.per.second", tags, peer, p -> p.snapshot().bytesOutPerSec());
        registry.gauge("starling.cluster.peer.score", tags, peer, p -> p.snapshot().score());
        return peer;
    }

    private double count(MemberState state) {
        int n = 0;
        for (Member m : members) {
            if (m.state() == state) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ views and commands

    /** The latest membership view, this node first. */
    public List<Member> members() {
        return members;
    }

    public boolean hasMajority() {
        return hasMajority;
    }

    public Member self() {
        List<Member> view = members;
        return view.get(0);
    }

    /** Link health per member id (members never probed are absent). */
    public PeerHealth health(String memberId) {
        return health.get(memberId);
    }

    /** Membership messages dropped because the membership thread was too far behind or stopped. */
    public long droppedInbound() {
        return droppedInbound.sum();
    }

    public void subscribe(Consumer<MembershipEvent> subscriber) {
        subscribers.add(subscriber);
    }

    public void updateMetadata(Map<String, String> entries) {
        Map<String, String> copy = new HashMap<>(entries);
        thread.execute(() -> {
            swim.updateMetadata(copy);
            flush();
        });
    }

    /**
     * Re-reads this node's metadata every {@code intervalMillis} (on the membership thread) and
     * gossips a new version when it differs, e.g. to keep {@code load} current.
     */
    public void refreshMetadata(java.util.function.Supplier<Map<String, String>> source, long intervalMillis) {
        thread.scheduleAtFixedRate(() -> {
            try {
                Map<String, String> latest = new HashMap<>(source.get());
                if (!latest.equals(swim.self().metadata().entries())) {
                    swim.updateMetadata(latest);
                    flush();
                }
            } catch (RuntimeException e) {
                log.warn("Metadata refresh failed on node {}", swim.self().id(), e);
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** See {@link Swim#removeDead}; waits for the membership thread's answer. */
    public boolean removeDead(String memberId) {
        try {
            return thread.submit(() -> {
                boolean removed = swim.removeDead(memberId, now());
                flush();
                return removed;
            }).get(options.protocolPeriodMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("Node {} could not remove {}", swim.self().id(), memberId, e);
            return false;
        }
    }

    /** Leaves gracefully: the leave notice is handed to the transport before this returns. */
    public void leave() {
        try {
            thread.submit(() -> {
                swim.leave(now());
                flush();
            }).get(options.protocolPeriodMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Node {} could not announce its leave", swim.self().id(), e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(options.protocolPeriodMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
