package io.starlingdb.cluster.membership;

import io.starlingdb.cluster.membership.SwimMessage.Ack;
import io.starlingdb.cluster.membership.SwimMessage.Announce;
import io.starlingdb.cluster.membership.SwimMessage.Join;
import io.starlingdb.cluster.membership.SwimMessage.JoinReply;
import io.starlingdb.cluster.membership.SwimMessage.Ping;
import io.starlingdb.cluster.membership.SwimMessage.PingReq;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The SWIM failure detector and membership as a pure state machine: no threads, no clock, no
 * I/O. The caller feeds it {@link #tick} and {@link #receive} with the current time, then takes
 * the messages to send ({@link #drainOutbound}) and the events to publish ({@link #drainEvents}).
 * Randomness comes from the injected {@link Random}, so a seed reproduces a run exactly.
 *
 * <p>Protocol (Das, Gupta, Motivala 2002, with the usual incarnation-number suspicion): each
 * period the node pings the next member of a shuffled round-robin order; without a direct ack
 * after the ping timeout it asks k members to ping on its behalf; without any ack by the end of
 * the period it suspects the member. A suspect that does not refute (raise its incarnation)
 * within the suspicion timeout is declared dead. Every state change is piggybacked on the
 * protocol's own messages about retransmitMultiplier * log2(N) times.
 */
public final class Swim {

    /** One message to send. */
    public record Outbound(String address, SwimMessage message) {
    }

    private final SwimOptions options;
    private final Random random;
    private Member self;
    private final Map<String, Entry> members = new LinkedHashMap<>();
    /** The members now SUSPECT and LEFT, so timers cost nothing per tick when there are none. */
    private final Map<String, Entry> suspects = new LinkedHashMap<>();
    private final Map<String, Entry> departed = new LinkedHashMap<>();
    private final Map<String, Broadcast> broadcasts = new LinkedHashMap<>();
    private final Map<Long, Relay> relays = new HashMap<>();
    private final List<Outbound> outbound = new ArrayList<>();
    private final List<MembershipEvent> events = new ArrayList<>();
    private final List<String> probeOrder = new ArrayList<>();
    private int probeIndex;
    private long seq;
    private long periods;

    private Probe probe;
    private long nextProbeAtMillis;
    private long nextGossipAtMillis;
    private List<String> seeds = List.of();
    private boolean joining;
    private long nextJoinAtMillis;
    private long refused;

    private static final class Entry {
        Member member;
        long suspectSinceMillis;
        long leftAtMillis;

        Entry(Member member) {
            this.member = member;
        }
    }

    private static final class Broadcast {
        final Member update;
        int transmits;

        Broadcast(Member update) {
            this.update = update;
        }
    }

    private static final class Probe {
        final String targetId;
        final long seq;
        final long startedMillis;
        boolean acked;
        boolean indirectSent;

        Probe(String targetId, long seq, long startedMillis) {
            this.targetId = targetId;
            this.seq = seq;
            this.startedMillis = startedMillis;
        }
    }

    /** A ping we send for another member's PingReq: whom to tell, under which sequence. */
    private record Relay(String requesterAddress, long requesterSeq, String targetId, long expiresMillis) {
    }

    public Swim(SwimOptions options, Member self, Random random, long nowMillis) {
        this.options = options;
        this.random = random;
        this.self = self.with(MemberState.ALIVE, self.incarnation());
        this.nextProbeAtMillis = nowMillis + random.nextInt((int) options.protocolPeriodMillis());
    }

    // ------------------------------------------------------------------ inputs

    /** Starts joining through {@code seedAddresses} (own address ignored); no-op if empty. */
    public void join(List<String> seedAddresses, long nowMillis) {
        List<String> others = new ArrayList<>();
        for (String seed : seedAddresses) {
            if (!seed.equals(self.address())) {
                others.add(seed);
            }
        }
        seeds = others;
        joining = !others.isEmpty();
        nextJoinAtMillis = nowMillis;
        tick(nowMillis);
    }

    /** Adds members known from elsewhere (a simulation's bootstrap) without events. */
    public void bootstrap(Collection<Member> known) {
        for (Member m : known) {
            if (!m.id().equals(self.id())) {
                members.put(m.id(), new Entry(m));
            }
        }
    }

    /** Advances timers: join retries, probes, indirect probes, suspicion expiry, retention. */
    public void tick(long nowMillis) {
        if (self.state() == MemberState.LEFT) {
            return;
        }
        if (joining && nowMillis >= nextJoinAtMillis) {
            for (String seed : seeds) {
                send(seed, new Join(self));
            }
            nextJoinAtMillis = nowMillis + options.joinRetryMillis();
        }
        if (probe != null && !probe.acked && !probe.indirectSent
                && nowMillis >= probe.startedMillis + options.pingTimeoutMillis()) {
            sendIndirectProbes(nowMillis);
        }
        if (nowMillis >= nextProbeAtMillis) {
            finishProbe(nowMillis);
            periods++;
            startProbe(nowMillis);
            if (periods % options.deadProbePeriods() == 0) {
                probeOneDead();
            }
            nextProbeAtMillis = nowMillis + options.protocolPeriodMillis();
        }
        if (nowMillis >= nextGossipAtMillis) {
            nextGossipAtMillis = nowMillis + options.gossipIntervalMillis();
            gossip();
        }
        expireSuspects(nowMillis);
        expireRelaysAndLeft(nowMillis);
    }

    /** Sends pending news on its own to a few random members, so it does not wait for probes. */
    private void gossip() {
        if (broadcasts.isEmpty() || options.gossipFanout() == 0) {
            return;
        }
        List<Member> targets = new ArrayList<>();
        for (Entry e : members.values()) {
            if (e.member.isUp()) {
                targets.add(e.member);
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        ArrayList<Member> news = piggyback();
        int fanout = Math.min(options.gossipFanout(), targets.size());
        for (int i = 0; i < fanout; i++) {
            int pick = i + random.nextInt(targets.size() - i);
            Member target = targets.get(pick);
            targets.set(pick, targets.get(i));
            targets.set(i, target);
            send(target.address(), new Announce(news));
        }
    }

    /**
     * Handles a message from the peer at {@code fromAddress}. Returns false, doing nothing, if
     * the message is out of bounds (too many updates, oversized metadata, bad values): peers
     * are untrusted.
     */
    public boolean receive(String fromAddress, SwimMessage message, long nowMillis) {
        if (!valid(message)) {
            refused++;
            return false;
        }
        if (self.state() == MemberState.LEFT) {
            return true;
        }
        if (message instanceof Ping ping) {
            applyAll(ping.gossip(), nowMillis, fromAddress);
            if (ping.targetId().equals(self.id())) {
                send(fromAddress, new Ack(ping.seq(), self.id(), piggyback()));
            }
        } else if (message instanceof Ack ack) {
            applyAll(ack.gossip(), nowMillis, fromAddress);
            onAck(ack);
        } else if (message instanceof PingReq req) {
            applyAll(req.gossip(), nowMillis, fromAddress);
            // Relay only to members we know, at the address we know: a peer must not make us
            // dial arbitrary addresses, nor grow the relay table without bound.
            Entry target = members.get(req.targetId());
            if (target != null && target.member.isUp() && relays.size() < options.maxMembers()) {
                long relaySeq = ++seq;
                relays.put(relaySeq, new Relay(fromAddress, req.seq(), req.targetId(),
                        nowMillis + options.protocolPeriodMillis()));
                send(target.member.address(), new Ping(relaySeq, self.id(), req.targetId(), piggyback()));
            }
        } else if (message instanceof Join join) {
            apply(join.joiner(), nowMillis, fromAddress, true);
            send(fromAddress, new JoinReply(snapshotForJoin(join.joiner().id())));
        } else if (message instanceof JoinReply reply) {
            joining = false;
            // Everyone else knows these already; only the news about ourselves is gossiped (a refutation).
            for (Member member : reply.members()) {
                apply(member, nowMillis, fromAddress, false);
            }
        } else if (message instanceof Announce announce) {
            applyAll(announce.gossip(), nowMillis, fromAddress);
        }
        return true;
    }

    /** Leaves gracefully: tells every reachable member directly, then goes quiet. */
    public void leave(long nowMillis) {
        if (self.state() == MemberState.LEFT) {
            return;
        }
        self = self.with(MemberState.LEFT, self.incarnation() + 1);
        ArrayList<Member> notice = new ArrayList<>(List.of(self));
        for (Entry e : members.values()) {
            if (e.member.isUp()) {
                send(e.member.address(), new Announce(notice));
            }
        }
        events.add(new MembershipEvent(MembershipEvent.Type.LEFT, self));
    }

    /**
     * Removes a dead member for good (an operator's remove-node): it is gossiped as LEFT, so every
     * node stops counting it toward the majority and forgets it after the retention time. Only a
     * DEAD member can be removed; if it is alive after all, it refutes and stays. Returns false if
     * {@code id} is unknown or not DEAD.
     */
    public boolean removeDead(String id, long nowMillis) {
        Entry entry = members.get(id);
        if (entry == null || entry.member.state() != MemberState.DEAD) {
            return false;
        }
        apply(entry.member.with(MemberState.LEFT, entry.member.incarnation()), nowMillis, null);
        return true;
    }

    /** Replaces this node's metadata; the new version is gossiped. */
    public void updateMetadata(Map<String, String> entries) {
        self = self.withMetadata(self.metadata().next(entries));
        queueBroadcast(self);
        events.add(new MembershipEvent(MembershipEvent.Type.METADATA_CHANGED, self));
    }

    // ------------------------------------------------------------------ outputs

    public List<Outbound> drainOutbound() {
        if (outbound.isEmpty()) {
            return List.of();
        }
        List<Outbound> out = new ArrayList<>(outbound);
        outbound.clear();
        return out;
    }

    public List<MembershipEvent> drainEvents() {
        if (events.isEmpty()) {
            return List.of();
        }
        List<MembershipEvent> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    public Member self() {
        return self;
    }

    /** Every member this node knows, itself first. */
    public List<Member> members() {
        List<Member> all = new ArrayList<>(members.size() + 1);
        all.add(self);
        for (Entry e : members.values()) {
            all.add(e.member);
        }
        return all;
    }

    public Member member(String id) {
        if (id.equals(self.id())) {
            return self;
        }
        Entry e = members.get(id);
        return e == null ? null : e.member;
    }

    /**
     * True if this node sees (itself plus alive and suspect members) a strict majority of the last
     * known membership, which counts dead members but not those that left.
     */
    public boolean hasMajority() {
        int up = 1;
        int known = 1;
        for (Entry e : members.values()) {
            if (e.member.state() != MemberState.LEFT) {
                known++;
                if (e.member.isUp()) {
                    up++;
                }
            }
        }
        return up * 2 > known;
    }

    public boolean isJoining() {
        return joining;
    }

    /** Messages refused as out of bounds since start. */
    public long refusedMessages() {
        return refused;
    }

    /** Protocol periods started since this node started. */
    public long periods() {
        return periods;
    }

    // ------------------------------------------------------------------ probing

    private void startProbe(long nowMillis) {
        String targetId = nextProbeTarget();
        if (targetId == null) {
            probe = null;
            return;
        }
        Member target = members.get(targetId).member;
        probe = new Probe(targetId, ++seq, nowMillis);
        send(target.address(), new Ping(probe.seq, self.id(), targetId, piggyback()));
    }

    private String nextProbeTarget() {
        for (int pass = 0; pass < 2; pass++) {
            while (probeIndex < probeOrder.size()) {
                String id = probeOrder.get(probeIndex++);
                Entry e = members.get(id);
                if (e != null && e.member.isUp()) {
                    return id;
                }
            }
            probeOrder.clear();
            for (Entry e : members.values()) {
                if (e.member.isUp()) {
                    probeOrder.add(e.member.id());
                }
            }
            Collections.shuffle(probeOrder, random);
            probeIndex = 0;
        }
        return null;
    }

    private void sendIndirectProbes(long nowMillis) {
        probe.indirectSent = true;
        Entry target = members.get(probe.targetId);
        if (target == null) {
            return;
        }
        List<Member> helpers = new ArrayList<>();
        for (Entry e : members.values()) {
            if (e.member.state() == MemberState.ALIVE && !e.member.id().equals(probe.targetId)) {
                helpers.add(e.member);
            }
        }
        int k = Math.min(options.indirectProbes(), helpers.size());
        for (int i = 0; i < k; i++) {
            int pick = i + random.nextInt(helpers.size() - i);
            Member helper = helpers.get(pick);
            helpers.set(pick, helpers.get(i));
            helpers.set(i, helper);
            send(helper.address(), new PingReq(probe.seq, self.id(), probe.targetId, target.member.address(),
                    piggyback()));
        }
    }

    private void finishProbe(long nowMillis) {
        if (probe == null || probe.acked) {
            return;
        }
        Entry target = members.get(probe.targetId);
        if (target != null && target.member.state() == MemberState.ALIVE) {
            Member suspect = target.member.with(MemberState.SUSPECT, target.member.incarnation());
            apply(suspect, nowMillis, null);
            // Tell the suspect at once: it refutes faster than gossip would reach it.
            send(target.member.address(), new Announce(new ArrayList<>(List.of(suspect))));
        }
    }

    private void onAck(Ack ack) {
        if (probe != null && probe.seq == ack.seq() && probe.targetId.equals(ack.fromId())) {
            probe.acked = true;
            return;
        }
        Relay relay = relays.remove(ack.seq());
        if (relay != null && relay.targetId.equals(ack.fromId())) {
            send(relay.requesterAddress, new Ack(relay.requesterSeq, ack.fromId(), piggyback()));
        }
    }

    private void probeOneDead() {
        List<Member> dead = new ArrayList<>();
        for (Entry e : members.values()) {
            if (e.member.state() == MemberState.DEAD) {
                dead.add(e.member);
            }
        }
        if (!dead.isEmpty()) {
            Member target = dead.get(random.nextInt(dead.size()));
            // Carries its death notice: if it is alive after all (a healed partition), it refutes.
            ArrayList<Member> gossip = piggyback();
            gossip.add(target);
            send(target.address(), new Ping(++seq, self.id(), target.id(), gossip));
        }
    }

    private void expireSuspects(long nowMillis) {
        if (suspects.isEmpty()) {
            return;
        }
        long timeout = options.suspicionTimeoutMillis(members.size() + 1);
        List<Member> expired = null;
        for (Entry e : suspects.values()) {
            if (nowMillis - e.suspectSinceMillis >= timeout) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(e.member.with(MemberState.DEAD, e.member.incarnation()));
            }
        }
        if (expired != null) {
            for (Member dead : expired) {
                apply(dead, nowMillis, null);
            }
        }
    }

    private void expireRelaysAndLeft(long nowMillis) {
        if (!relays.isEmpty()) {
            relays.values().removeIf(r -> r.expiresMillis <= nowMillis);
        }
        if (departed.isEmpty()) {
            return;
        }
        Iterator<Entry> it = departed.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (nowMillis - e.leftAtMillis >= options.leftRetentionMillis()) {
                it.remove();
                members.remove(e.member.id());
                broadcasts.remove(e.member.id());
            }
        }
    }

    /** Keeps the SUSPECT and LEFT indexes in step with an entry's state. */
    private void setMember(Entry entry, Member member) {
        entry.member = member;
        String id = member.id();
        if (member.state() == MemberState.SUSPECT) {
            suspects.put(id, entry);
        } else {
            suspects.remove(id);
        }
        if (member.state() == MemberState.LEFT) {
            departed.put(id, entry);
        } else {
            departed.remove(id);
        }
    }

    // ------------------------------------------------------------------ dissemination

    private void applyAll(List<Member> updates, long nowMillis, String fromAddress) {
        for (Member update : updates) {
            apply(update, nowMillis, fromAddress, true);
        }
    }

    private void apply(Member update, long nowMillis, String fromAddress) {
        apply(update, nowMillis, fromAddress, true);
    }

    /** Merges one update by the SWIM precedence rules; gossips it on if it changed anything. */
    private void apply(Member update, long nowMillis, String fromAddress, boolean gossipOn) {
        if (update.id().equals(self.id())) {
            onNewsAboutSelf(update, fromAddress);
            return;
        }
        Entry entry = members.get(update.id());
        if (entry == null) {
            if (update.state() == MemberState.LEFT || members.size() + 1 >= options.maxMembers()) {
                return;
            }
            entry = new Entry(update);
            members.put(update.id(), entry);
            entry.suspectSinceMillis = nowMillis;
            setMember(entry, update);
            if (gossipOn) {
                queueBroadcast(update);
            }
            if (update.isUp()) {
                events.add(new MembershipEvent(MembershipEvent.Type.JOINED, update));
                if (update.state() == MemberState.SUSPECT) {
                    events.add(new MembershipEvent(MembershipEvent.Type.SUSPECT, update));
                }
            }
            return;
        }
        Member known = entry.member;
        boolean newer = update.incarnation() > known.incarnation();
        boolean same = update.incarnation() == known.incarnation();
        Metadata metadata = update.metadata().version() > known.metadata().version() ? update.metadata() : known.metadata();
        boolean metadataChanged = metadata != known.metadata();
        Member merged = null;
        MembershipEvent.Type type = null;
        switch (update.state()) {
            case ALIVE:
                if (newer) {
                    merged = update.withMetadata(metadata);
                    type = known.state() == MemberState.SUSPECT ? MembershipEvent.Type.ALIVE
                            : known.state() == MemberState.ALIVE ? null : MembershipEvent.Type.JOINED;
                } else if (same && known.state() == MemberState.ALIVE && metadataChanged) {
                    merged = known.withMetadata(metadata);
                }
                break;
            case SUSPECT:
                if ((known.state() == MemberState.ALIVE && (newer || same))
                        || (known.state() == MemberState.SUSPECT && newer)) {
                    if (known.state() == MemberState.ALIVE) {
                        entry.suspectSinceMillis = nowMillis;
                        type = MembershipEvent.Type.SUSPECT;
                    }
                    merged = known.with(MemberState.SUSPECT, update.incarnation()).withMetadata(metadata);
                }
                break;
            case DEAD:
                if (known.isUp() && (newer || same)) {
                    merged = known.with(MemberState.DEAD, update.incarnation()).withMetadata(metadata);
                    type = MembershipEvent.Type.DEAD;
                }
                break;
            case LEFT:
                if (known.state() != MemberState.LEFT && (newer || same)) {
                    merged = known.with(MemberState.LEFT, update.incarnation()).withMetadata(metadata);
                    entry.leftAtMillis = nowMillis;
                    type = MembershipEvent.Type.LEFT;
                }
                break;
            default:
                throw new IllegalStateException("unknown state " + update.state());
        }
        if (merged == null) {
            return;
        }
        assert merged.incarnation() >= known.incarnation() : "incarnation moved back for " + merged.id();
        setMember(entry, merged);
        if (gossipOn) {
            queueBroadcast(merged);
        }
        if (type != null) {
            events.add(new MembershipEvent(type, merged));
        }
        if (metadataChanged && merged.isUp()) {
            events.add(new MembershipEvent(MembershipEvent.Type.METADATA_CHANGED, merged));
        }
    }

    /** Someone suspects us, thinks us dead or gone: refute with a higher incarnation. */
    private void onNewsAboutSelf(Member update, String fromAddress) {
        // News about an older incarnation was refuted already; an ALIVE above ours is a past life of this id.
        boolean slander = (update.state() != MemberState.ALIVE && update.incarnation() >= self.incarnation())
                || update.incarnation() > self.incarnation();
        if (!slander) {
            return;
        }
        self = self.with(MemberState.ALIVE, Math.max(self.incarnation(), update.incarnation()) + 1);
        queueBroadcast(self);
        if (fromAddress != null) {
            send(fromAddress, new Announce(new ArrayList<>(List.of(self))));
        }
    }

    private void queueBroadcast(Member update) {
        broadcasts.put(update.id(), new Broadcast(update));
    }

    /** Up to maxPiggyback updates, least retransmitted first; drops those sent often enough. */
    private ArrayList<Member> piggyback() {
        ArrayList<Member> out = new ArrayList<>();
        if (broadcasts.isEmpty()) {
            return out;
        }
        List<Broadcast> queued = new ArrayList<>(broadcasts.values());
        queued.sort((a, b) -> Integer.compare(a.transmits, b.transmits));
        int limit = options.retransmitLimit(members.size() + 1);
        for (Broadcast b : queued) {
            if (out.size() >= options.maxPiggyback()) {
                break;
            }
            out.add(b.update);
            if (++b.transmits >= limit) {
                broadcasts.remove(b.update.id());
            }
        }
        return out;
    }

    /** The membership for a joiner; includes what we believe of the joiner, so it can refute that. */
    private ArrayList<Member> snapshotForJoin(String joinerId) {
        ArrayList<Member> all = new ArrayList<>(members.size() + 1);
        all.add(self);
        for (Entry e : members.values()) {
            if (e.member.state() != MemberState.LEFT || e.member.id().equals(joinerId)) {
                all.add(e.member);
            }
        }
        return all;
    }

    private void send(String address, SwimMessage message) {
        outbound.add(new Outbound(address, message));
    }

    // ------------------------------------------------------------------ validation

    private boolean valid(SwimMessage message) {
        if (message instanceof Ping ping) {
            return validId(ping.fromId()) && validId(ping.targetId()) && validGossip(ping.gossip(), 1);
        } else if (message instanceof Ack ack) {
            return validId(ack.fromId()) && validGossip(ack.gossip(), 0);
        } else if (message instanceof PingReq req) {
            return validId(req.fromId()) && validId(req.targetId()) && validAddress(req.targetAddress())
                    && validGossip(req.gossip(), 0);
        } else if (message instanceof Join join) {
            return validMember(join.joiner());
        } else if (message instanceof JoinReply reply) {
            if (reply.members() == null || reply.members().size() > options.maxMembers()) {
                return false;
            }
            for (Object m : reply.members()) {
                if (!validMember(m)) {
                    return false;
                }
            }
            return true;
        } else if (message instanceof Announce announce) {
            return validGossip(announce.gossip(), 0);
        }
        return false;
    }

    private boolean validGossip(List<Member> gossip, int extra) {
        if (gossip == null || gossip.size() > options.maxPiggyback() + extra) {
            return false;
        }
        for (Object m : gossip) {
            if (!validMember(m)) {
                return false;
            }
        }
        return true;
    }

    /** Element types are checked too: generics are erased, so a peer could send any registered class. */
    private boolean validMember(Object candidate) {
        if (!(candidate instanceof Member m)) {
            return false;
        }
        if (!validId(m.id()) || !validAddress(m.address()) || m.incarnation() < 0
                || m.metadata().entries().size() > options.maxMetadataEntries()) {
            return false;
        }
        for (Map.Entry<?, ?> e : m.metadata().entries().entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof String value)
                    || key.length() > options.maxMetadataChars() || value.length() > options.maxMetadataChars()) {
                return false;
            }
        }
        return true;
    }

    private static boolean validId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 128;
    }

    private static boolean validAddress(String address) {
        return address != null && !address.isEmpty() && address.length() <= 300 && address.indexOf(':') > 0;
    }
}
