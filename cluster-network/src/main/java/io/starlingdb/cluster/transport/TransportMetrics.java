package io.starlingdb.cluster.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The transport's counters, registered with Micrometer: messages and bytes per lane and
 * direction, lane drops, retransmits and refused frames by reason. Tests and the health view
 * read the same counters.
 */
public final class TransportMetrics {

    private final Map<Lane, Counter> messagesSent = new EnumMap<>(Lane.class);
    private final Map<Lane, Counter> messagesReceived = new EnumMap<>(Lane.class);
    private final Map<Lane, Counter> bytesSent = new EnumMap<>(Lane.class);
    private final Map<Lane, Counter> bytesReceived = new EnumMap<>(Lane.class);
    private final Map<Lane, Counter> drops = new EnumMap<>(Lane.class);
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    private final Counter retransmits;
    private final Counter duplicatesSuppressed;
    private final Counter timeouts;

    public TransportMetrics(MeterRegistry registry, String nodeId) {
        for (Lane lane : Lane.values()) {
            String tag = lane.name().toLowerCase();
            messagesSent.put(lane, counter(registry, "starling.cluster.messages.sent", nodeId, "lane", tag));
            messagesReceived.put(lane, counter(registry, "starling.cluster.messages.received", nodeId, "lane", tag));
            bytesSent.put(lane, counter(registry, "starling.cluster.bytes.sent", nodeId, "lane", tag));
            bytesReceived.put(lane, counter(registry, "starling.cluster.bytes.received", nodeId, "lane", tag));
            drops.put(lane, counter(registry, "starling.cluster.lane.drops", nodeId, "lane", tag));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refused.put(reason, counter(registry, "starling.cluster.frames.refused", nodeId, "reason",
                    reason.name().toLowerCase()));
        }
        retransmits = counter(registry, "starling.cluster.retransmits", nodeId, null, null);
        duplicatesSuppressed = counter(registry, "starling.cluster.duplicates.suppressed", nodeId, null, null);
        timeouts = counter(registry, "starling.cluster.requests.timed.out", nodeId, null, null);
    }

    private static Counter counter(MeterRegistry registry, String name, String nodeId, String tag, String value) {
        Counter.Builder builder = Counter.builder(name).tag("node", nodeId);
        if (tag != null) {
            builder.tag(tag, value);
        }
        return builder.register(registry);
    }

    void sent(Lane lane, int bytes) {
        messagesSent.get(lane).increment();
        bytesSent.get(lane).increment(bytes);
    }

    void received(Lane lane, int bytes) {
        messagesReceived.get(lane).increment();
        bytesReceived.get(lane).increment(bytes);
    }

    void dropped(Lane lane) {
        drops.get(lane).increment();
    }

    void refused(RefusalReason reason) {
        refused.get(reason).increment();
    }

    void retransmitted() {
        retransmits.increment();
    }

    void duplicateSuppressed() {
        duplicatesSuppressed.increment();
    }

    void timedOut() {
        timeouts.increment();
    }

    public long refusedCount(RefusalReason reason) {
        return (long) refused.get(reason).count();
    }

    public long refusedTotal() {
        long total = 0;
        for (Counter c : refused.values()) {
            total += (long) c.count();
        }
        return total;
    }

    public long drops(Lane lane) {
        return (long) drops.get(lane).count();
    }

    public long messagesSent(Lane lane) {
        return (long) messagesSent.get(lane).count();
    }

    public long messagesReceived(Lane lane) {
        return (long) messagesReceived.get(lane).count();
    }

    public long retransmits() {
        return (long) retransmits.count();
    }

    public long duplicatesSuppressed() {
        return (long) duplicatesSuppressed.count();
    }
}
