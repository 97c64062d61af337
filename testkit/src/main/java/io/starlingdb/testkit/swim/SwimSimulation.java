package io.starlingdb.testkit.swim;

import io.starlingdb.cluster.membership.Member;
import io.starlingdb.cluster.membership.MemberState;
import io.starlingdb.cluster.membership.MembershipEvent;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.cluster.membership.Swim;
import io.starlingdb.cluster.membership.SwimMessage;
import io.starlingdb.cluster.membership.SwimOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic SWIM cluster in virtual time: N {@link Swim} state machines over a simulated
 * network that loses each message with a seeded probability and delays it uniformly. The same
 * seed reproduces a run exactly. Measures how many protocol periods a join or a death takes to
 * reach every member (against log2 N) and how often live members are wrongly declared dead.
 *
 * <p>Run {@code main} for the large figures (docs/cluster-network.md shows how); tests run
 * small clusters.
 */
public final class SwimSimulation {

    /** Virtual time between two ticks of every node. */
    static final long tickMillis = 10;
    /** Virtual one-way delay bounds. */
    static final long minDelayMillis = 1;
    static final long maxDelayMillis = 5;

    private record Delivery(long atMillis, long order, int to, String fromAddress, SwimMessage message) {
    }

    private final SwimOptions options;
    private final Random network;
    private final double lossRate;
    private final List<Swim> nodes = new ArrayList<>();
    private final List<Boolean> up = new ArrayList<>();
    private final Map<String, Integer> byAddress = new HashMap<>();
    private final PriorityQueue<Delivery> inFlight = new PriorityQueue<>((a, b) ->
            a.atMillis != b.atMillis ? Long.compare(a.atMillis, b.atMillis) : Long.compare(a.order, b.order));
    private final List<MembershipEvent>[] eventsByNode;
    private final long seed;
    private long order;
    private long nowMillis;
    private long messagesDelivered;

    /** Starts {@code size} members that already know each other (a settled cluster). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SwimSimulation(int size, SwimOptions options, double lossRate, long seed, int capacity) {
        this.options = options;
        this.lossRate = lossRate;
        this.seed = seed;
        this.network = new Random(seed);
        this.eventsByNode = new List[capacity];
        List<Member> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(member(i));
        }
        for (int i = 0; i < size; i++) {
            Swim swim = addNode(i);
            swim.bootstrap(all);
        }
    }

    private static Member member(int i) {
        return new Member("n" + i, "sim-" + i + ":7000", MemberState.ALIVE, 0, Metadata.empty());
    }

    private Swim addNode(int i) {
        Swim swim = new Swim(options, member(i), new Random(seed * 31 + i), nowMillis);
        nodes.add(swim);
        up.add(true);
        byAddress.put(swim.self().address(), i);
        eventsByNode[i] = new ArrayList<>();
        return swim;
    }

    public int size() {
        return nodes.size();
    }

    public long nowMillis() {
        return nowMillis;
    }

    public long messagesDelivered() {
        return messagesDelivered;
    }

    public Swim node(int i) {
        return nodes.get(i);
    }

    /** Adds a node that joins through node {@code seedIndex}; returns its index. */
    public int join(int seedIndex) {
        int i = nodes.size();
        Swim swim = addNode(i);
        swim.join(List.of(nodes.get(seedIndex).self().address()), nowMillis);
        flush(i);
        return i;
    }

    /** Stops node {@code i} abruptly: it neither sends nor receives from now on. */
    public void kill(int i) {
        up.set(i, false);
    }

    public void leave(int i) {
        nodes.get(i).leave(nowMillis);
        flush(i);
        up.set(i, false);
    }

    /** Advances virtual time by {@code millis}, delivering messages and ticking every live node. */
    public void run(long millis) {
        long end = nowMillis + millis;
        while (nowMillis < end) {
            long next = nowMillis + tickMillis;
            while (!inFlight.isEmpty() && inFlight.peek().atMillis <= next) {
                Delivery d = inFlight.poll();
                if (up.get(d.to)) {
                    messagesDelivered++;
                    nodes.get(d.to).receive(d.fromAddress, d.message, d.atMillis);
                    flush(d.to);
                }
            }
            nowMillis = next;
            for (int i = 0; i < nodes.size(); i++) {
                if (up.get(i)) {
                    nodes.get(i).tick(nowMillis);
                    flush(i);
                }
            }
        }
    }

    private void flush(int from) {
        Swim node = nodes.get(from);
        for (Swim.Outbound out : node.drainOutbound()) {
            Integer to = byAddress.get(out.address());
            if (to == null || network.nextDouble() < lossRate) {
                continue;
            }
            long delay = minDelayMillis + (long) (network.nextDouble() * (maxDelayMillis - minDelayMillis));
            inFlight.add(new Delivery(nowMillis + delay, order++, to, node.self().address(), out.message()));
        }
        eventsByNode[from].addAll(node.drainEvents());
    }

    /** How many live nodes other than {@code subject} see {@code subject} in {@code state}. */
    public int liveNodesSeeing(int subject, MemberState state) {
        String id = nodes.get(subject).self().id();
        int count = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (i != subject && up.get(i)) {
                Member m = nodes.get(i).member(id);
                if (m != null && m.state() == state) {
                    count++;
                }
            }
        }
        return count;
    }

    public int liveNodes(int except) {
        int count = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (i != except && up.get(i)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Distinct (member, incarnation) pairs that some node reported with an event of {@code type},
     * counting only members that were never stopped: each is one wrong suspicion or declaration.
     */
    public int eventsAboutLiveMembers(MembershipEvent.Type type) {
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (MembershipEvent e : eventsByNode[i]) {
                Integer subject = byAddress.get(e.member().address());
                if (e.type() == type && subject != null && up.get(subject) && subject != i) {
                    distinct.add(e.member().id() + "#" + e.member().incarnation());
                }
            }
        }
        return distinct.size();
    }

    /** Runs until {@code done} holds, in steps of one tick; returns the virtual millis it took, or -1. */
    public long runUntil(java.util.function.BooleanSupplier done, long maxMillis) {
        long start = nowMillis;
        while (!done.getAsBoolean()) {
            if (nowMillis - start >= maxMillis) {
                return -1;
            }
            run(tickMillis);
        }
        return nowMillis - start;
    }

    // ------------------------------------------------------------------ experiments

    /** Result of one join or death experiment, in protocol periods. */
    public record Spread(int members, long seed, double periodsToFirst, double periodsToAll, double log2N) {
    }

    /** A new node joins through node 0: periods until every member sees it ALIVE. */
    public static Spread joinSpread(int size, SwimOptions options, double loss, long seed) {
        SwimSimulation sim = new SwimSimulation(size, options, loss, seed, size + 1);
        sim.run(2 * options.protocolPeriodMillis());
        int joiner = sim.join(0);
        long period = options.protocolPeriodMillis();
        long first = sim.runUntil(() -> sim.liveNodesSeeing(joiner, MemberState.ALIVE) >= 1, 100 * period);
        long all = sim.runUntil(() -> sim.liveNodesSeeing(joiner, MemberState.ALIVE) == sim.liveNodes(joiner),
                200 * period);
        return new Spread(size, seed, (double) first / period, all < 0 ? -1 : (double) (first + all) / period,
                log2(size));
    }

    /**
     * A member is killed: periods until the first member declares it dead, then periods from that
     * first declaration until every live member has it dead (the dissemination part).
     */
    public static Spread deathSpread(int size, SwimOptions options, double loss, long seed) {
        SwimSimulation sim = new SwimSimulation(size, options, loss, seed, size);
        sim.run(2 * options.protocolPeriodMillis());
        int victim = size / 2;
        sim.kill(victim);
        long period = options.protocolPeriodMillis();
        long first = sim.runUntil(() -> sim.liveNodesSeeing(victim, MemberState.DEAD) >= 1, 400 * period);
        long all = sim.runUntil(() -> sim.liveNodesSeeing(victim, MemberState.DEAD) == sim.liveNodes(victim),
                400 * period);
        return new Spread(size, seed, (double) first / period, all < 0 ? -1 : (double) all / period, log2(size));
    }

    /** Wrong declarations during a run without failures. */
    public record FalsePositives(int members, double loss, long periods, int suspicions, int deaths,
            double deathsPerMemberPeriod) {
    }

    public static FalsePositives falsePositives(int size, SwimOptions options, double loss, long periods, long seed) {
        SwimSimulation sim = new SwimSimulation(size, options, loss, seed, size);
        sim.run(periods * options.protocolPeriodMillis());
        int suspicions = sim.eventsAboutLiveMembers(MembershipEvent.Type.SUSPECT);
        int deaths = sim.eventsAboutLiveMembers(MembershipEvent.Type.DEAD);
        return new FalsePositives(size, loss, periods, suspicions, deaths, (double) deaths / ((double) size * periods));
    }

    static double log2(int n) {
        return Math.log(n) / Math.log(2);
    }

    /**
     * Prints the figures for 100 and 1,000 members. Arguments: [seed] [trials].
     * {@code java -cp "testkit/target/classes:testkit/target/lib/*" io.starlingdb.testkit.swim.SwimSimulation 1 5}
     */
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        SwimOptions options = SwimOptions.defaults();
        System.out.printf(Locale.ROOT, "SWIM simulation, seed %d, %d trials, period %d ms, ping timeout %d ms, k=%d,"
                        + " suspicion %d ms (scaled with log2 N above %d members), delay %d-%d ms%n", seed, trials,
                options.protocolPeriodMillis(), options.pingTimeoutMillis(), options.indirectProbes(),
                options.suspicionTimeoutMillis(), SwimOptions.suspicionScaleFreeMembers, minDelayMillis, maxDelayMillis);
        for (int size : new int[] {100, 1000}) {
            for (double loss : new double[] {0.0, 0.05}) {
                for (int t = 0; t < trials; t++) {
                    long s = seed + t;
                    Spread join = joinSpread(size, options, loss, s);
                    Spread death = deathSpread(size, options, loss, s);
                    System.out.printf(Locale.ROOT, "N=%4d loss=%.2f seed=%d  join: known to all after %.1f periods"
                                    + "  | death: first declared after %.1f periods, then known to all after %.1f more"
                                    + "  | log2(N)=%.1f%n", size, loss, s, join.periodsToAll(), death.periodsToFirst(),
                            death.periodsToAll(), join.log2N());
                }
            }
            long periods = size >= 1000 ? 200 : 1000;
            FalsePositives fp = falsePositives(size, options, 0.05, periods, seed);
            System.out.printf(Locale.ROOT, "N=%4d loss=0.05 over %d periods: %d suspicions of live members raised (all refuted or pending),"
                            + " %d declared dead (%.2e per member-period)%n", size, periods,
                    fp.suspicions(), fp.deaths(), fp.deathsPerMemberPeriod());
        }
    }
}
