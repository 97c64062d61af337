package io.starlingdb.engine.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven group of cores for scenario tests: an in-memory disk per node, a FIFO network
 * whose messages can be filtered, and the Ready loop in the documented order.
 */
final class TestCluster {

    static final class Disk {
        HardState hardState = HardState.EMPTY;
        Snapshot snapshot;
        final List<Entry> entries = new ArrayList<>();

        void persist(Ready rd) {
            if (rd.snapshot() != null) {
                snapshot = rd.snapshot();
                entries.clear();
            }
            if (!rd.entries().isEmpty()) {
                long first = rd.entries().get(0).index();
                entries.removeIf(e -> e.index() >= first);
                entries.addAll(rd.entries());
            }
            if (rd.hardState() != null) {
                hardState = rd.hardState();
            }
        }
    }

    final class Node {
        final long id;
        final Disk disk = new Disk();
        RaftCore core;
        final List<Entry> applied = new ArrayList<>();
        final List<ReadState> reads = new ArrayList<>();
        Snapshot restored;

        Node(long id) {
            this.id = id;
        }

        void start(ConfState bootstrap) {
            core = new RaftCore(id, config, new Random(id), new RaftState(disk.hardState, disk.snapshot, disk.entries, bootstrap));
            applied.clear();
        }

        /** Application entries applied, as strings. */
        List<String> appliedData() {
            List<String> out = new ArrayList<>();
            for (Entry e : applied) {
                if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                    out.add(new String(e.data()));
                }
            }
            return out;
        }
    }

    final RaftConfig config;
    final ConfState bootstrap;
    final TreeMap<Long, Node> nodes = new TreeMap<>();
    final ArrayDeque<Message> network = new ArrayDeque<>();
    final Set<Long> isolated = new HashSet<>();
    final List<Message> delivered = new ArrayList<>();
    Predicate<Message> drop = m -> false;

    TestCluster(int voters, RaftConfig config) {
        this.config = config;
        Long[] ids = new Long[voters];
        for (int i = 0; i < voters; i++) {
            ids[i] = (long) i + 1;
        }
        bootstrap = ConfState.ofVoters(ids);
        for (long id = 1; id <= voters; id++) {
            Node n = new Node(id);
            n.start(bootstrap);
            nodes.put(id, n);
        }
    }

    TestCluster(int voters) {
        this(voters, new RaftConfig(10, 1, 4, 1024 * 1024, true, true, 100, 10_000, 1024));
    }

    Node node(long id) {
        return nodes.get(id);
    }

    RaftCore core(long id) {
        return nodes.get(id).core;
    }

    /** Adds a node outside the configuration, started with the group's bootstrap configuration. */
    Node addSpare(long id) {
        Node n = new Node(id);
        n.start(bootstrap);
        nodes.put(id, n);
        return n;
    }

    void process(long id) {
        Node n = nodes.get(id);
        if (n.core == null) {
            return;
        }
        while (n.core.hasReady()) {
            Ready rd = n.core.ready();
            n.disk.persist(rd);
            network.addAll(rd.messages());
            if (rd.snapshot() != null) {
                n.restored = rd.snapshot();
            }
            n.applied.addAll(rd.committedEntries());
            n.reads.addAll(rd.readStates());
            n.core.advance(rd);
        }
    }

    void processAll() {
        for (long id : nodes.keySet()) {
            process(id);
        }
    }

    /** More deliveries than any scenario needs to go quiet: past it, the replicas talk in a loop. */
    static final int maxDeliveriesPerStabilize = 10_000;

    /** Delivers messages (and the messages they cause) until the network is quiet. */
    void stabilize() {
        processAll();
        int deliveries = 0;
        while (!network.isEmpty()) {
            if (++deliveries > maxDeliveriesPerStabilize) {
                throw new AssertionError("the network never went quiet; last message " + network.peek());
            }
            Message m = network.poll();
            Node to = nodes.get(m.to());
            if (to == null || to.core == null || isolated.contains(m.from()) || isolated.contains(m.to()) || drop.test(m)) {
                continue;
            }
            delivered.add(m);
            to.core.step(m);
            process(m.to());
        }
    }

    void tick(long id, int ticks) {
        for (int i = 0; i < ticks; i++) {
            nodes.get(id).core.tick();
            stabilize();
        }
    }

    void tickAll(int ticks) {
        for (int i = 0; i < ticks; i++) {
            for (Node n : nodes.values()) {
                if (n.core != null) {
                    n.core.tick();
                }
            }
            stabilize();
        }
    }

    void elect(long id) {
        core(id).campaign();
        stabilize();
        if (core(id).role() != Role.LEADER) {
            throw new AssertionError("node " + id + " did not win: " + core(id));
        }
    }

    ProposeResult propose(long id, String data) {
        ProposeResult r = core(id).propose(data.getBytes());
        stabilize();
        return r;
    }

    void crash(long id) {
        nodes.get(id).core = null;
    }

    void restart(long id) {
        nodes.get(id).start(bootstrap);
        process(id);
    }

    long leaders() {
        return nodes.values().stream().filter(n -> n.core != null && n.core.role() == Role.LEADER).count();
    }
}
