package io.starlingdb.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.starlingdb.cluster.health.PeerHealth;
import io.starlingdb.cluster.membership.InboundFilter;
import io.starlingdb.cluster.membership.Member;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.membership.MembershipEvent;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.cluster.membership.SwimDriver;
import io.starlingdb.cluster.membership.SwimMessages;
import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.MessageHandler;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.Transport;
import io.starlingdb.cluster.transport.TransportException;
import io.starlingdb.cluster.transport.TransportMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster network of one node: the peer transport, SWIM membership over it and the health
 * of every link, behind one small surface. Other modules send through it by member id and
 * subscribe to membership events; operators read {@link #members()}.
 */
public final class ClusterNetworkManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNetworkManager.class);

    private final ClusterNetworkOptions options;
    private final MeterRegistry registry;
    private final Transport transport;
    private final InboundFilter membershipFilter;
    private SwimDriver membership;
    private volatile boolean started;
    private volatile boolean stopped;

    /**
     * @param applicationTypes message types other modules send (ids from {@link MessageTypes#firstApplicationId},
     *                         below 200 which membership uses), or null
     */
    public ClusterNetworkManager(ClusterNetworkOptions options, MessageTypes applicationTypes, MeterRegistry registry) {
        this(options, applicationTypes, registry, InboundFilter.admitAll);
    }

    /**
     * As {@link #ClusterNetworkManager(ClusterNetworkOptions, MessageTypes, MeterRegistry)}, with a
     * filter on inbound membership messages: the seam fault-injection harnesses use to drop some.
     */
    public ClusterNetworkManager(ClusterNetworkOptions options, MessageTypes applicationTypes, MeterRegistry registry,
            InboundFilter membershipFilter) {
        this.options = options;
        this.membershipFilter = Objects.requireNonNull(membershipFilter, "membershipFilter");
        this.registry = registry;
        MessageTypes types = applicationTypes != null ? applicationTypes : new MessageTypes();
        SwimMessages.register(types);
        this.transport = new Transport(options.nodeId(), options.transport(), types, registry);
    }

    /** Binds the peer port, starts membership and joins through the seeds; returns the peer address. */
    public synchronized NodeAddress start() throws InterruptedException {
        if (started) {
            throw new IllegalStateException("cluster network of " + options.nodeId() + " already started");
        }
        NodeAddress address = transport.start();
        Member self = new Member(options.nodeId(), address.toString(), MemberState.ALIVE, 0,
                Metadata.of(options.metadata()));
        membership = new SwimDriver(transport, options.swim(), options.health(), self, options.seeds(), registry,
                membershipFilter);
        membership.start();
        started = true;
        return address;
    }

    public String nodeId() {
        return options.nodeId();
    }

    /** The address peers reach this node on; null before start. */
    public NodeAddress address() {
        return transport.localAddress();
    }

    // ------------------------------------------------------------------ membership

    /** Every known member, this node first, with link health. */
    public List<MemberView> members() {
        requireStarted();
        List<MemberView> views = new ArrayList<>();
        for (Member m : membership.members()) {
            PeerHealth health = m.id().equals(options.nodeId()) ? null : membership.health(m.id());
            views.add(new MemberView(m.id(), m.address(), m.state(), m.incarnation(),
                    Map.copyOf(m.metadata().entries()), health == null ? null : health.snapshot()));
        }
        return views;
    }

    /** Ids of members currently ALIVE, this node included. */
    public List<String> aliveMemberIds() {
        requireStarted();
        List<String> ids = new ArrayList<>();
        for (Member m : membership.members()) {
            if (m.state() == MemberState.ALIVE) {
                ids.add(m.id());
            }
        }
        return ids;
    }

    /** True if this node sees a majority of the last known membership. */
    public boolean hasMajority() {
        requireStarted();
        return membership.hasMajority();
    }

    /** Events are delivered in order on the membership thread; do not block in the subscriber. */
    public void subscribe(Consumer<MembershipEvent> subscriber) {
        requireStarted();
        membership.subscribe(subscriber);
    }

    public void updateMetadata(Map<String, String> metadata) {
        requireStarted();
        membership.updateMetadata(metadata);
    }

    /**
     * Removes a DEAD member from the cluster for good (remove-node): every node stops counting it
     * toward the majority. Returns false if it is unknown or not DEAD.
     */
    public boolean removeDeadMember(String memberId) {
        requireStarted();
        return membership.removeDead(memberId);
    }

    /** Gossips {@code source}'s metadata whenever it changes, checked every {@code intervalMillis}. */
    public void refreshMetadata(java.util.function.Supplier<Map<String, String>> source, long intervalMillis) {
        requireStarted();
        if (intervalMillis < 100) {
            throw new IllegalArgumentException("metadata refresh interval must be at least 100 ms, got " + intervalMillis);
        }
        membership.refreshMetadata(source, intervalMillis);
    }

    // ------------------------------------------------------------------ messaging

    public <T> void handle(Class<T> type, MessageHandler<? super T> handler) {
        transport.handle(type, handler);
    }

    public <R> CompletableFuture<R> request(String memberId, Lane lane, Object message) {
        return transport.request(addressOf(memberId), lane, message);
    }

    public boolean send(String memberId, Lane lane, Object message) {
        return transport.send(addressOf(memberId), lane, message);
    }

    public CompletableFuture<Void> sendReliable(String memberId, Lane lane, Object message) {
        return transport.sendReliable(addressOf(memberId), lane, message);
    }

    /** Fire-and-forget to every other ALIVE member; returns how many sends were queued. */
    public int broadcast(Lane lane, Object message) {
        requireStarted();
        int queued = 0;
        for (Member m : membership.members()) {
            if (m.state() == MemberState.ALIVE && !m.id().equals(options.nodeId())
                    && transport.send(NodeAddress.parse(m.address()), lane, message)) {
                queued++;
            }
        }
        return queued;
    }

    private NodeAddress addressOf(String memberId) {
        requireStarted();
        for (Member m : membership.members()) {
            if (m.id().equals(memberId)) {
                return NodeAddress.parse(m.address());
            }
        }
        throw new TransportException("no member " + memberId);
    }

    /** Health of the link to each member that has been probed. */
    public Map<String, io.starlingdb.cluster.health.HealthSnapshot> health() {
        requireStarted();
        Map<String, io.starlingdb.cluster.health.HealthSnapshot> out = new HashMap<>();
        for (Member m : membership.members()) {
            PeerHealth h = membership.health(m.id());
            if (h != null) {
                out.put(m.id(), h.snapshot());
            }
        }
        return out;
    }

    public TransportMetrics transportMetrics() {
        return transport.metrics();
    }

    /** The transport, for modules that address peers directly. */
    public Transport transport() {
        return transport;
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("cluster network of " + options.nodeId() + " is not started");
        }
    }

    // ------------------------------------------------------------------ stopping

    /** Leaves the cluster gracefully, then closes. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (membership != null) {
            membership.leave();
            awaitLeaveSent();
            membership.close();
        }
        transport.close();
        log.info("Node {} left the cluster network", options.nodeId());
    }

    /** Stops without a word to the peers, as a crash would: for tests and fault drills. */
    public synchronized void kill() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (membership != null) {
            membership.close();
        }
        transport.close();
    }

    /** Gives the leave notices a moment to reach the wire; bounded by a small fixed time. */
    private void awaitLeaveSent() {
        long deadline = System.nanoTime() + leaveFlushMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline && transport.hasQueuedFrames()) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Longest wait for leave notices to be written before the transport closes. */
    static final long leaveFlushMillis = 500;
}
