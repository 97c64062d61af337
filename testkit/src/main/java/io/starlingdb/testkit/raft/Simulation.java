package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.Message;
import io.starlingdb.engine.raft.ProposeResult;
import io.starlingdb.engine.raft.RaftCore;
import io.starlingdb.engine.raft.Role;
import io.starlingdb.testkit.check.HistoryOp;
import io.starlingdb.testkit.check.KvOp;
import io.starlingdb.testkit.check.LinearizabilityChecker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One deterministic run of a Raft group under faults. Everything random comes from one seeded
 * Random and time is virtual (one step = one tick), so a seed replays exactly: the same seed
 * with tracing on produces the same run, written out event by event.
 *
 * <p>A run has two phases. Chaos ({@code steps} ticks): clients issue get, put and
 * compare-and-set while the network drops, delays, duplicates and reorders messages, nodes are
 * partitioned and healed, crash (losing unsynced writes) and restart, the membership changes
 * and leadership moves. Then the liveness phase: the network heals, every node restarts, and a
 * probe write must commit within {@link #livenessTicks}. Safety is checked after every node
 * step, linearizability of the clients' history at the end.
 */
public final class Simulation {

    /** After the heal, a probe write and every pending client operation must complete within this many ticks. */
    public static final int livenessTicks = 30 * 20;
    /** A client gives up on one attempt after this many ticks and retries elsewhere. */
    static final int attemptTimeoutTicks = 25;
    /** A client gives up on an operation after this many ticks: its outcome is unknown. */
    static final int operationTimeoutTicks = 250;

    private final long seed;
    private final int steps;
    private final Random random;
    private final SimParams params;
    private final boolean tracing;
    private final StringBuilder trace;
    private final SafetyChecker checker = new SafetyChecker();
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final PriorityQueue<Flight> network = new PriorityQueue<>();
    private final List<HistoryOp> history = new ArrayList<>();
    private final Partitions partitionPlan;
    private final Restarts restarts;
    private long now;
    private long events;
    private long flightOrder;
    private boolean chaos = true;
    private long messages;
    private int crashes;
    private int membershipChanges;

    /** A payload in flight, delivered at deliverAt; order breaks ties randomly (reordering). */
    private record Flight(long deliverAt, long order, Object payload) implements Comparable<Flight> {
        @Override
        public int compareTo(Flight o) {
            return deliverAt != o.deliverAt ? Long.compare(deliverAt, o.deliverAt) : Long.compare(order, o.order);
        }
    }

    record ClientRequest(int client, long opId, KvOp op, long node) {
    }

    record ClientResponse(int client, long opId, boolean ok, String output, long leaderHint, long node) {
    }

    public Simulation(long seed, int steps, boolean tracing) {
        this.seed = seed;
        this.steps = steps;
        this.random = new Random(mix(seed));
        this.params = SimParams.draw(random);
        this.tracing = tracing;
        this.trace = tracing ? new StringBuilder(1 << 20) : null;
        int n = params.replicas();
        // One spare node outside the initial configuration, for membership changes.
        Long[] voters = new Long[n];
        for (int i = 0; i < n; i++) {
            voters[i] = (long) (i + 1);
        }
        ConfState bootstrap = ConfState.ofVoters(voters);
        for (int i = 1; i <= n + 1; i++) {
            nodes.add(new SimNode(i, this, params.raft(), bootstrap));
        }
        partitionPlan = new Partitions(n + 1);
        restarts = new Restarts(n + 1);
        for (int c = 0; c < params.clients(); c++) {
            clients.add(new SimClient(c, this, random));
        }
    }

    /**
     * Spreads consecutive seeds over the generator's state space (SplitMix64's finaliser):
     * java.util.Random's first draws are strongly correlated for consecutive seeds.
     */
    public static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static SimResult run(long seed, int steps) {
        return new Simulation(seed, steps, false).execute();
    }

    /** Runs the seed again with tracing and writes the trace to dir/raft-seed-N.txt. */
    public static SimResult runAndTrace(long seed, int steps, Path dir) throws IOException {
        Simulation s = new Simulation(seed, steps, true);
        SimResult r = s.execute();
        Files.createDirectories(dir);
        Path file = dir.resolve("raft-seed-" + seed + ".txt");
        String header = "seed " + seed + " steps " + steps + "\n" + s.params + "\n"
                + (r.ok() ? "PASSED" : "FAILED: " + r.failure()) + "\n" + r.stats() + "\n\n";
        Files.writeString(file, header + s.trace, StandardCharsets.UTF_8);
        return r.withTrace(file);
    }

    SimResult execute() {
        trace("seed " + seed + " " + params);
        String failure = null;
        try {
            for (SimNode node : nodes) {
                if (node.id <= params.replicas()) {
                    node.start(random.nextLong());
                }
            }
            SimClient probe = null;
            long deadline = steps + livenessTicks;
            for (now = 0; now < deadline; now++) {
                if (now == steps) {
                    healEverything();
                    probe = new SimClient(params.clients(), this, random);
                    clients.add(probe);
                    probe.startProbe();
                }
                if (chaos) {
                    injectFaults();
                }
                restartDueNodes();
                for (SimClient c : clients) {
                    c.onTick(chaos && c != probe);
                }
                deliverDue();
                List<SimNode> order = new ArrayList<>(nodes);
                Collections.shuffle(order, random);
                for (SimNode node : order) {
                    if (node.isUp()) {
                        node.tick();
                    }
                }
                if (probe != null && probe.probeDone() && allIdle()) {
                    break;
                }
            }
            if (probe == null || !probe.probeDone() || !allIdle()) {
                failure = "liveness: " + (probe != null && probe.probeDone() ? "pending client operations did not complete"
                        : "no write committed") + " within " + livenessTicks + " ticks after the network healed ("
                        + describeNodes() + ")";
            } else {
                for (SimClient c : clients) {
                    c.abandon();
                }
                LinearizabilityChecker.Result lin = new LinearizabilityChecker().check(history);
                if (!lin.ok()) {
                    failure = lin.explanation();
                }
            }
        } catch (SafetyChecker.SafetyViolation e) {
            failure = "safety: " + e.getMessage();
        } catch (RuntimeException | AssertionError e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            failure = "exception at tick " + now + ": " + w;
        }
        if (failure != null) {
            trace("FAILED: " + failure);
        }
        int unknown = 0;
        for (HistoryOp h : history) {
            if (h.unknown()) {
                unknown++;
            }
        }
        SimResult.Stats stats = new SimResult.Stats(params.replicas(), now, messages, checker.maxCommitted(),
                checker.leaderCount(), crashes, partitionPlan.started(), membershipChanges, history.size(), unknown);
        return new SimResult(seed, failure == null, failure, null, stats);
    }

    private boolean allIdle() {
        for (SimClient c : clients) {
            if (!c.idle()) {
                return false;
            }
        }
        return true;
    }

    boolean inChaos() {
        return chaos;
    }

    private String describeNodes() {
        StringBuilder b = new StringBuilder();
        for (SimNode n : nodes) {
            b.append(n.isUp() ? n.core.toString() + " conf " + n.core.conf() : "node " + n.id + " down").append("; ");
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ faults

    private void injectFaults() {
        String partition = partitionPlan.step(now, random, params.partitionRate());
        if (partition != null) {
            trace(partition);
        }
        if (random.nextDouble() < params.crashRate()) {
            SimNode victim = nodes.get(random.nextInt(nodes.size()));
            if (victim.isUp()) {
                crashNode(victim);
            }
        }
        if (random.nextDouble() < params.leaderCrashRate()) {
            SimNode leader = leader();
            if (leader != null) {
                crashNode(leader);
            }
        }
        if (random.nextDouble() < params.membershipRate()) {
            changeMembership();
        }
        if (random.nextDouble() < params.transferRate()) {
            SimNode leader = leader();
            if (leader != null) {
                List<Long> voters = new ArrayList<>(leader.core.conf().voters());
                long target = voters.get(random.nextInt(voters.size()));
                trace("n" + leader.id + " transfer leadership to n" + target);
                leader.core.transferLeadership(target);
                leader.process();
            }
        }
    }

    private void changeMembership() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        ConfState conf = leader.core.conf();
        ConfChange cc;
        if (!conf.learners().isEmpty()) {
            cc = new ConfChange(ConfChange.Type.PROMOTE, conf.learners().iterator().next());
        } else if (conf.voters().size() > params.replicas()) {
            List<Long> others = new ArrayList<>(conf.voters());
            others.remove(leader.id);
            cc = new ConfChange(ConfChange.Type.REMOVE, others.get(random.nextInt(others.size())));
        } else {
            List<Long> outside = new ArrayList<>();
            for (SimNode n : nodes) {
                if (!conf.isMember(n.id)) {
                    outside.add(n.id);
                }
            }
            if (outside.isEmpty()) {
                return;
            }
            cc = new ConfChange(ConfChange.Type.ADD_LEARNER, outside.get(random.nextInt(outside.size())));
        }
        ProposeResult r = leader.core.proposeConfChange(cc);
        trace("n" + leader.id + " propose " + cc + ": " + r);
        if (r instanceof ProposeResult.Accepted) {
            membershipChanges++;
            SimNode target = nodes.get((int) cc.nodeId() - 1);
            if (cc.type() == ConfChange.Type.ADD_LEARNER && !target.isUp() && !restarts.pending((int) target.id)) {
                // A spare that never ran: start it with the group's bootstrap configuration.
                target.start(random.nextLong());
            }
        }
        leader.process();
    }

    private SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes) {
            if (n.isUp() && n.core.role() == Role.LEADER && (best == null || n.core.term() > best.core.term())) {
                best = n;
            }
        }
        return best;
    }

    void crashNode(SimNode node) {
        crashes++;
        node.crash();
        restarts.crashed((int) node.id, now, chaos, random);
    }

    private void restartDueNodes() {
        for (SimNode n : nodes) {
            if (!n.isUp() && restarts.due((int) n.id, now)) {
                n.start(random.nextLong());
            }
        }
    }

    boolean crashDuringSync() {
        return chaos && random.nextDouble() < params.crashDuringSyncRate();
    }

    boolean crashAfterSync() {
        return chaos && random.nextDouble() < params.crashDuringSyncRate();
    }

    private void healEverything() {
        chaos = false;
        partitionPlan.healAll();
        restarts.all(now);
        trace("HEAL: network healed, crashed nodes restart, no more faults");
    }

    // ------------------------------------------------------------------ network

    void sendRaft(Message m) {
        send(m, (int) m.from(), (int) m.to());
    }

    private void send(Object payload, int fromNode, int toNode) {
        messages++;
        if (chaos && random.nextDouble() < params.dropRate()) {
            trace("drop " + payload);
            return;
        }
        int copies = chaos && random.nextDouble() < params.duplicateRate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + random.nextInt(params.maxDelayTicks());
            if (chaos && random.nextDouble() < params.delaySpikeRate()) {
                delay += 10 + random.nextInt(40);
            }
            network.add(new Flight(now + delay, random.nextLong(), payload));
        }
    }

    private void deliverDue() {
        while (!network.isEmpty() && network.peek().deliverAt() <= now) {
            Object p = network.poll().payload();
            if (p instanceof Message m) {
                SimNode to = nodes.get((int) m.to() - 1);
                if (!to.isUp() || !partitionPlan.connected((int) m.from(), (int) m.to())) {
                    continue;
                }
                trace("n" + m.to() + " recv " + m);
                to.receive(m);
            } else if (p instanceof ClientRequest r) {
                SimNode to = nodes.get((int) r.node() - 1);
                if (to.isUp()) {
                    trace("n" + r.node() + " client c" + r.client() + " op " + r.opId() + " " + r.op());
                    to.clientRequest(r.client(), r.opId(), r.op());
                }
            } else if (p instanceof ClientResponse r) {
                clients.get(r.client()).onResponse(r);
            }
        }
    }

    void sendRequest(int client, long opId, KvOp op, long node) {
        send(new ClientRequest(client, opId, op, node), 0, 0);
    }

    void respondOk(long node, int client, long opId, String output) {
        trace("n" + node + " answers c" + client + " op " + opId + " -> " + output);
        send(new ClientResponse(client, opId, true, output, node, node), 0, 0);
    }

    void respondNotLeader(long node, int client, long opId, long leader) {
        send(new ClientResponse(client, opId, false, null, leader, node), 0, 0);
    }

    // ------------------------------------------------------------------ clients' view

    long nextEvent() {
        return ++events;
    }

    long now() {
        return now;
    }

    int nodeCount() {
        return nodes.size();
    }

    int keys() {
        return params.keys();
    }

    void record(HistoryOp op) {
        history.add(op);
        trace("history " + op);
    }

    SafetyChecker checker() {
        return checker;
    }

    void trace(String line) {
        if (tracing) {
            trace.append("t=").append(now).append(' ').append(line).append('\n');
        }
    }

    List<HistoryOp> history() {
        return history;
    }

    static Set<Long> ids(int n) {
        Set<Long> s = new TreeSet<>();
        for (long i = 1; i <= n; i++) {
            s.add(i);
        }
        return s;
    }

    static long none() {
        return RaftCore.NONE;
    }
}
