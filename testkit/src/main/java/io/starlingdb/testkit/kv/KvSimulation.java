package io.starlingdb.testkit.kv;

import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.Message;
import io.starlingdb.engine.range.LeaseBalancer;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.Placement;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeStateMachine;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.testkit.check.HistoryOp;
import io.starlingdb.testkit.check.LinearizabilityChecker;
import io.starlingdb.testkit.raft.Partitions;
import io.starlingdb.testkit.raft.Restarts;
import io.starlingdb.testkit.raft.SafetyChecker;
import io.starlingdb.testkit.raft.SimResult;
import io.starlingdb.testkit.raft.Simulation;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One deterministic run of the replicated key-value store under faults: nodes hold replicas of
 * ranges (Raft groups of {@link io.starlingdb.engine.range.RangeStateMachine}s on a simulated
 * disk), clients read, write, compare-and-set and scan through their own gateway, and a splitter
 * cuts ranges at random keys while the network drops, delays, duplicates and reorders messages,
 * nodes are partitioned, crash (losing unsynced writes) and restart, and leaderships move.
 * Ranges start on three of four or five nodes and move: the leader of each range takes the
 * steps of {@link Placement} (host an empty replica, add it as a learner, snapshot, promote,
 * remove) every placement interval; a node may be down longer than the dead-after time (its
 * replicas are replaced, and it comes back), be destroyed with its disk, or be drained.
 * Then the network heals, every node restarts (but a destroyed one), a probe write must
 * commit, a final reader reads every key and scans everything, and every range must reach the
 * wanted number of voters, all on live active nodes.
 *
 * <p>Checks: Raft safety of every range after every step; every command applied exactly once
 * to a node's durable state; every key's history (with each scan page as one read per key it
 * covers) linearizable, which includes that no acknowledged write is lost (through moves and
 * replacements too); a replica serves a read only while it is a voter of the newest
 * configuration of its range and acknowledges a write only if it was a voter where the write
 * is in the log; one generation of a range is one descriptor everywhere. Everything random
 * comes from the seed, so a seed replays exactly.
 */
public final class KvSimulation {

    /** Deliberately broken variants, to show that the checks catch them. */
    public enum Broken {
        NONE,
        /** The leader serves reads without a valid lease (it believes it leads). */
        READ_WITHOUT_LEASE,
        /** The leaseholder applies a split to its own state instead of proposing it to the log. */
        SPLIT_OUTSIDE_LOG,
        /** A range writes its applied index apart from the data batch (a crash between loses it). */
        APPLIED_INDEX_APART,
        /**
         * A replica placement adds starts from the range's initial state (the current descriptor,
         * no data, the log after the initial index) instead of empty, so the leader replays its
         * log onto it instead of sending it a snapshot.
         */
        HOST_WITH_INITIAL_STATE,
        /** A replica that applied its own removal keeps serving reads from its state. */
        REMOVED_REPLICA_SERVES,
        /**
         * A leader writes its own log appends without waiting for their fsync and tells Raft they
         * are durable at once, so it counts itself toward the commit quorum before its fsync: one
         * follower's acknowledgement commits an entry only two disks may hold, one of them in
         * volatile memory (what sending appends before the fsync must not lead to).
         */
        LEADER_COMMITS_BEFORE_SYNC,
        /**
         * FIRST_KEYS ignores each span's end: it answers the first key from the span's start to
         * the end of the range, a key past the span (a UNIQUE check would see a duplicate that is
         * not there).
         */
        FIRST_KEYS_IGNORE_SPAN_END,
        /**
         * A filtered SCAN whose page ended (its byte budget spent) with fewer rows kept than
         * asked answers no resume key, as if the range were exhausted: the rows past the page
         * boundary are dropped.
         */
        FILTERED_SCAN_DROPS_PAST_PAGE,
        /**
         * The lease balancer grants a lease to a store that leads one range fewer than the
         * leaseholder (a margin of one instead of two): the move swaps the two counts, Φ = Σ L²
         * does not fall, and the two stores can pass the lease back and forth for ever.
         */
        LEASE_GRANT_WITHOUT_MARGIN,
        /**
         * A replica that stops leading keeps its pending writes' latches (RangeStore without
         * MultiRaft's step-down notice): requests of those keys on that node wait until the
         * write applies or its proposal times out (10 s).
         */
        LATCHES_KEPT_AT_STEP_DOWN,
        /**
         * Transactions: the coordinator prewrites (and commits in one phase) under a fresh
         * timestamp instead of its start timestamp, so the range's write-conflict check no longer
         * covers what was committed between the transaction's reads and its prewrite: the check
         * is skipped for every version that could make the transaction's update a lost one.
         */
        PREWRITE_WITHOUT_CONFLICT_CHECK,
        /**
         * Transactions: the leaseholder gives a prewrite its commit floor (a parallel commit's
         * prewrite its minCommitTs) without latching its keys, so a read at a timestamp above the
         * floor, arriving while the prewrite replicates, misses the lock and then a version
         * appears below its timestamp (a fractured snapshot).
         */
        PREWRITE_FLOOR_WITHOUT_LATCH,
        /** Transactions: the coordinator commits the secondary keys before the primary (the commit point). */
        SECONDARY_BEFORE_PRIMARY,
        /**
         * Transactions: a reader meeting an expired secondary lock rolls it back by itself, without
         * first rolling the transaction back at its primary, so the coordinator can still commit it.
         */
        EXPIRED_COORDINATOR_COMMITS,
        /** Transactions: SERIALIZABLE transactions commit without validating their reads. */
        SERIALIZABLE_WITHOUT_VALIDATION,
        /**
         * Transactions: the leaseholder answers every status request from its state, without the
         * log, so one that must roll an expired transaction back answers "rolled back" without
         * writing the rollback, and the transaction's coordinator can still commit it.
         */
        STATUS_ROLLBACK_WITHOUT_LOG,
        /**
         * Parallel commits: recovery of an expired STAGING record commits it at the primary's
         * minCommitTs without checking the listed prewrites, so a transaction whose other prewrite
         * never landed (its coordinator crashed mid-prewrite) commits its primary alone.
         */
        STAGING_COMMITTED_WITHOUT_CHECK,
        /**
         * Parallel commits: the coordinator answers "committed" once the other keys' prewrites are
         * durable, before its primary's STAGING record is, which may then never land.
         */
        ANSWER_BEFORE_STAGING_DURABLE,
        /**
         * Parallel commits: the leaseholder answers a prewrite with the timestamp it took for this
         * attempt, not the minCommitTs the locks hold, so a retried prewrite gives the coordinator
         * a commit timestamp other than the one a recoverer reads from the locks.
         */
        RETRIED_PREWRITE_NEW_MIN_COMMIT_TS,
        /**
         * The timestamp oracle: a new oracle (a failover, a restart) starts from its own clock
         * instead of the durable high-water mark (it loads 0 and moves the mark from what it
         * finds): a node whose clock is behind hands out timestamps below those its predecessor gave.
         */
        ORACLE_NO_MARK,
        /**
         * The timestamp oracle: a node that loaded the oracle keeps answering after it lost the
         * meta range's lease (another term, another leaseholder), below what its successor gave.
         */
        ORACLE_DEPOSED;

        /** The workload whose checks catch this variant. */
        public Workload workload() {
            return ordinal() >= PREWRITE_WITHOUT_CONFLICT_CHECK.ordinal() ? Workload.TXN : Workload.KV;
        }
    }

    /**
     * What the clients do: single reads, writes, compare-and-sets and scans checked for
     * linearizability ({@code sim kv}), or transactions checked for isolation ({@code sim txn}).
     */
    public enum Workload { KV, TXN }

    /** What the simulation drives: a client with its own gateway, one step per tick. */
    interface Client {
        void onTick(boolean chaos);

        void onResponse(Response r);

        void onLookup(long reqId, RangeDescriptor d);

        /** No operation in progress and none to come. */
        boolean idle();

        /** Ends the run: whatever is in flight gets an unknown outcome. */
        void abandon();
    }

    /** TIMESTAMPS: count (in untilTs) timestamps from the oracle, at the meta range's leaseholder. */
    enum Kind { GET, SCAN, VALIDATE, WRITE, SPLIT, FIRST_KEYS, TIMESTAMPS }

    enum Status { OK, NOT_LEASEHOLDER, RANGE_NOT_FOUND, DROPPED, UNKNOWN }

    /**
     * A request to a range. Reads (GET, SCAN) with ts 0 read the newest values (not in a
     * transaction); with ts above 0 they read at ts as a transaction started there does, and
     * VALIDATE checks [key, endKey) for a transaction started at ts committing at untilTs. A
     * SCAN with a filter leaves out the rows it rejects (RangeRpc's filtered SCAN); FIRST_KEYS
     * answers the first key of each span of spans (pairs from, to; an empty to: no bound), each
     * from in the range (RangeRpc's FIRST_KEYS).
     */
    record Request(int client, long reqId, long node, long rangeId, Kind kind, byte[] key, byte[] endKey,
                   RangeCommand command, long ts, long untilTs, List<byte[]> spans, RowPredicate filter) {
        Request(int client, long reqId, long node, long rangeId, Kind kind, byte[] key, byte[] endKey,
                RangeCommand command) {
            this(client, reqId, node, rangeId, kind, key, endKey, command, 0, 0);
        }

        Request(int client, long reqId, long node, long rangeId, Kind kind, byte[] key, byte[] endKey,
                RangeCommand command, long ts, long untilTs) {
            this(client, reqId, node, rangeId, kind, key, endKey, command, ts, untilTs, List.of(), null);
        }

        @Override
        public String toString() {
            return "c" + client + "#" + reqId + " " + kind + " r" + rangeId + " " + new String(key, StandardCharsets.UTF_8)
                    + (endKey == null ? "" : ".." + new String(endKey, StandardCharsets.UTF_8))
                    + (ts == 0 ? "" : " @" + ts) + (command == null ? "" : " " + command)
                    + (filter == null ? "" : " where " + filter) + (spans.isEmpty() ? "" : " spans " + spansText());
        }

        private String spansText() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < spans.size(); i += 2) {
                b.append(i == 0 ? "" : ", ").append(new String(spans.get(i), StandardCharsets.UTF_8)).append("..")
                        .append(new String(spans.get(i + 1), StandardCharsets.UTF_8));
            }
            return b.toString();
        }
    }

    record Response(int client, long reqId, long node, Status status, RangeResult result, RangeDescriptor descriptor,
                    long leaderHint) {
    }

    private record Lookup(int client, long reqId, long node, byte[] key) {
    }

    private record LookupAnswer(int client, long reqId, RangeDescriptor descriptor) {
    }

    private record RaftMessage(long rangeId, Message message) {
    }

    /** A payload in flight, delivered at deliverAt; order breaks ties randomly (reordering). */
    private record Flight(long deliverAt, long order, Object payload, int from, int to)
            implements Comparable<Flight> {
        @Override
        public int compareTo(Flight o) {
            return deliverAt != o.deliverAt ? Long.compare(deliverAt, o.deliverAt) : Long.compare(order, o.order);
        }
    }

    /** After the heal, the probe and the final reads must complete within this many ticks. */
    public static final int livenessTicks = 40 * 20;
    /** A client gives up on one attempt after this many ticks (a write's outcome is then unknown). */
    static final int attemptTimeoutTicks = 30;
    /** A client gives up on a read after this many ticks. */
    static final int operationTimeoutTicks = 250;
    public static final int defaultSteps = 1_500;
    /**
     * Simulated milliseconds per tick: the physical part of the oracle's timestamps, and the
     * clocks with which lock expiry is decided, advance this much per tick.
     */
    static final long millisPerTick = 10;
    /**
     * A leaseholder releases the latches of a one-phase write whose proposal has not applied
     * after this many ticks, as RangeStore does after its proposal timeout.
     */
    static final long latchTimeoutTicks = io.starlingdb.engine.range.RangeStore.proposalTimeoutMillis / millisPerTick;

    /** untilTs of a WRITE request that is a background commit (RangeRpc.Request.backgroundCommitMark). */
    static final long backgroundCommitMark = 1;

    /** How long a leaseholder holds a background commit at most (the transaction workload's draw; 1 tick otherwise). */
    long commitDeferralTicks() {
        return txnParams == null ? 1 : txnParams.commitDeferralTicks();
    }

    /** A held background commit was proposed: carried by another proposal of its range, or alone. */
    void heldCommitProposed(boolean carried) {
        if (txnStats != null) {
            if (carried) {
                txnStats.commitsCarried++;
            } else {
                txnStats.commitsProposedAlone++;
            }
        }
    }
    /**
     * The bytes (keys and values, kept or not) a filtered scan's page looks at, about: small, so
     * that pages also end on rows the filter rejects, with few or no rows kept and a resume key.
     */
    static final long filteredPageBytes = 32;
    /**
     * After the heal, the final reader (started once a write committed and every other
     * transaction ended) reads every key; each lock it meets must be gone within the lock TTL
     * plus this many ticks: its coordinator is gone, so it expires at most a TTL after its last
     * heartbeat, and is then rolled back (or forward) through its primary in a few round trips.
     */
    public static final int lockResolutionTicks = 100;

    private final long seed;
    private final int steps;
    private final Random random;
    private final KvSimParams params;
    private final Broken broken;
    private final Workload workload;
    private final StringBuilder trace;
    private final List<KvSimNode> nodes = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    /** TXN: the workload's parameters, what it did, and every transaction's record. */
    private final TxnSimParams txnParams;
    private final TxnStats txnStats = new TxnStats();
    private final List<TxnRecord> txns = new ArrayList<>();
    private long nextTxnId = 1;
    private long healTick = -1;
    private final PriorityQueue<Flight> network = new PriorityQueue<>();
    private final List<HistoryOp> history = new ArrayList<>();
    private final Map<Long, KvSimChecks> checks = new HashMap<>();
    private final Partitions partitionPlan;
    private final Restarts restarts;
    private long now;
    private long events;
    private boolean chaos = true;
    private long nextRangeId = 2;
    private long messages;
    private int crashes;
    /** Ranges that exist (the first, and every right half of an applied split). */
    private final Set<Long> ranges = new TreeSet<>(Set.of(1L));
    /** What meta would hold: the newest descriptor of each range that any replica applied. */
    private final Map<Long, RangeDescriptor> newest = new HashMap<>();
    /** Each range's descriptor per generation, as first seen: a generation names one descriptor. */
    private final Map<Long, Map<Long, RangeDescriptor>> generations = new HashMap<>();
    /** By range, by node: the newest generation of the range the node applied. */
    private final Map<Long, Map<Long, Long>> appliedGenerations = new HashMap<>();
    /** Each range's membership by the log index it took effect at. */
    private final Map<Long, TreeMap<Long, ConfState>> confs = new HashMap<>();
    /** By node id: the store's state in the registry (drained nodes are DRAINING). */
    private final Map<Long, StoreRecord.State> storeStates = new HashMap<>();
    /** By node id: since when a down node is down. */
    private final Map<Long, Long> downSince = new HashMap<>();
    /** By node id: a node in a long outage comes back at this tick. */
    private final Map<Long, Long> outageUntil = new HashMap<>();
    private final Set<Long> destroyed = new TreeSet<>();
    private int placementSteps;
    private int firstKeysRequests;
    private int filteredScanRequests;
    private int leaseBalancerMoves;
    private int nodeLosses;
    /**
     * Membership changes proposed but not yet applied, with the generation they produce: a
     * driver records its step in meta at once, so the next decisions (of any node) count it.
     */
    private final Map<Long, RangeDescriptor> proposed = new HashMap<>();

    public KvSimulation(long seed, int steps, Broken broken, boolean tracing) {
        this(seed, steps, Workload.KV, broken, tracing);
    }

    public KvSimulation(long seed, int steps, Workload workload, Broken broken, boolean tracing) {
        if (broken != Broken.NONE && broken.workload() != workload) {
            throw new IllegalArgumentException("broken variant " + broken + " is for the " + broken.workload() + " workload");
        }
        this.seed = seed;
        this.steps = steps;
        this.broken = broken;
        this.workload = workload;
        this.random = new Random(Simulation.mix(seed));
        this.params = KvSimParams.draw(random, steps);
        this.txnParams = workload == Workload.TXN ? TxnSimParams.draw(random) : null;
        this.trace = tracing ? new StringBuilder(1 << 20) : null;
        // Drawn apart from the schedule's random numbers: none, or up to 400 ms either way.
        Random skews = new Random(Simulation.mix(seed ^ 0x6f7261636c65L));
        this.maxSkewMillis = skews.nextInt(3) == 0 ? 0 : 1 + skews.nextInt(400);
        for (int i = 1; i <= params.nodes(); i++) {
            nodes.add(new KvSimNode(i, this));
            storeStates.put((long) i, StoreRecord.State.ACTIVE);
        }
        partitionPlan = new Partitions(params.nodes());
        restarts = new Restarts(params.nodes());
        for (int c = 0; c < (workload == Workload.KV ? params.clients() : txnParams.clients()); c++) {
            clients.add(workload == Workload.KV ? new KvSimClient(c, this, new Random(random.nextLong()), KvSimClient.Role.WORKLOAD)
                    : new TxnSimClient(c, this, new Random(random.nextLong()), TxnSimClient.Role.WORKLOAD, txnParams, txnStats));
        }
        clients.add(new KvSimClient(clients.size(), this, new Random(random.nextLong()), KvSimClient.Role.SPLITTER));
        if (workload == Workload.TXN) {
            // 2PC recovery on every node, drawn apart from the schedule's random numbers.
            Random recovery = new Random(Simulation.mix(seed ^ 0x7265636fL));
            for (KvSimNode n : nodes) {
                clients.add(new TxnRecoverySweeper(clients.size(), n, this, new Random(recovery.nextLong()), txnStats));
            }
            swimDetectTicks = 20 + recovery.nextInt(80);
        }
    }

    /** TXN: ticks after a coordinator stopped for ever until it is declared dead (SWIM's detection), drawn per seed. */
    private long swimDetectTicks;
    /** TXN: coordinators that stopped for ever ("c" + id, as their locks name them), by the tick they did. */
    private final Map<String, Long> stoppedCoordinators = new java.util.LinkedHashMap<>();

    /** A coordinator stopped for ever (a crash): declared dead swimDetectTicks later. */
    void coordinatorStopped(int clientId) {
        stoppedCoordinators.put("c" + clientId, now);
    }

    /** The coordinators declared dead by now. */
    List<String> deadCoordinators() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : stoppedCoordinators.entrySet()) {
            if (now - e.getValue() >= swimDetectTicks) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    public static SimResult run(long seed, int steps, Broken broken) {
        return new KvSimulation(seed, steps, broken, false).execute();
    }

    public static SimResult run(long seed, int steps, Workload workload, Broken broken) {
        return new KvSimulation(seed, steps, workload, broken, false).execute();
    }

    /** As {@link #run(long, int, Workload, Broken)}, adding what the transaction clients did to sum. */
    public static SimResult run(long seed, int steps, Workload workload, Broken broken, TxnStats sum) {
        KvSimulation s = new KvSimulation(seed, steps, workload, broken, false);
        SimResult r = s.execute();
        sum.add(s.txnStats);
        return r;
    }

    /** Runs the seed again with tracing and writes the trace to dir/kv-seed-N.txt (txn-seed-N.txt). */
    public static SimResult runAndTrace(long seed, int steps, Broken broken, Path dir) throws IOException {
        return runAndTrace(seed, steps, Workload.KV, broken, dir);
    }

    public static SimResult runAndTrace(long seed, int steps, Workload workload, Broken broken, Path dir)
            throws IOException {
        KvSimulation s = new KvSimulation(seed, steps, workload, broken, true);
        SimResult r = s.execute();
        Files.createDirectories(dir);
        Path file = dir.resolve(workload.name().toLowerCase() + "-seed-" + seed + ".txt");
        String header = "seed " + seed + " steps " + steps + " broken " + broken + "\n" + s.params
                + (s.txnParams == null ? "" : "\n" + s.txnParams) + "\n"
                + (r.ok() ? "PASSED" : "FAILED: " + r.failure()) + "\n" + r.stats() + "\n\n";
        Files.writeString(file, header + s.trace, StandardCharsets.UTF_8);
        return r.withTrace(file);
    }

    SimResult execute() {
        trace("seed " + seed + " " + params + " broken " + broken);
        String failure = null;
        try {
            Long[] voters = new Long[params.replicas()];
            for (int i = 0; i < voters.length; i++) {
                voters[i] = (long) (i + 1);
            }
            RangeDescriptor first = new RangeDescriptor(1, new byte[0], null, ConfState.ofVoters(voters), 1);
            descriptorApplied(0, first, RangeStateMachine.initialIndex);
            for (KvSimNode n : nodes) {
                if (first.conf().isMember(n.id)) {
                    n.bootstrap(first);
                }
                n.start(random.nextLong());
            }
            KvSimClient probe = null;
            Client finalReader = null;
            long deadline = steps + livenessTicks;
            for (now = 0; now < deadline; now++) {
                if (now == steps) {
                    healEverything();
                    probe = new KvSimClient(clients.size(), this, new Random(random.nextLong()), KvSimClient.Role.PROBE);
                    clients.add(probe);
                }
                if (probe != null && probe.done() && finalReader == null && (workload == Workload.KV || allIdle())) {
                    // The final transaction starts once every other has ended: it must see all that committed.
                    finalReader = workload == Workload.KV ? new KvSimClient(clients.size(), this, new Random(random.nextLong()),
                            KvSimClient.Role.FINAL_READER)
                            : new TxnSimClient(clients.size(), this, new Random(random.nextLong()),
                            TxnSimClient.Role.FINAL_READER, txnParams, txnStats);
                    clients.add(finalReader);
                }
                if (chaos) {
                    injectFaults();
                    injectNodeLosses();
                }
                restartDueNodes();
                placement();
                for (Client c : new ArrayList<>(clients)) {
                    c.onTick(chaos);
                }
                deliverDue();
                List<KvSimNode> order = new ArrayList<>(nodes);
                Collections.shuffle(order, random);
                for (KvSimNode node : order) {
                    if (node.isUp()) {
                        node.tick();
                    }
                }
                if (finalReader != null && finalDone(finalReader) && allIdle() && placementSettled() == null) {
                    break;
                }
            }
            if (finalReader == null || !finalDone(finalReader) || !allIdle() || placementSettled() != null) {
                failure = "liveness: " + (probe == null || !probe.done() ? "no write committed"
                        : finalReader == null || !finalDone(finalReader) ? "the final reads did not complete"
                        : !allIdle() ? "pending client operations did not complete"
                        : "placement did not settle: " + placementSettled())
                        + " within " + livenessTicks + " ticks after the network healed (" + describeNodes() + ")";
            } else {
                for (Client c : clients) {
                    c.abandon();
                }
                if (workload == Workload.KV) {
                    LinearizabilityChecker.Result lin = new LinearizabilityChecker().check(history);
                    if (!lin.ok()) {
                        failure = lin.explanation();
                    }
                } else {
                    failure = checkTransactions();
                }
            }
        } catch (SafetyChecker.SafetyViolation | KvSimChecks.Violation e) {
            failure = "safety: range " + currentRange + ": " + e.getMessage();
        } catch (RuntimeException | AssertionError e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            failure = "exception at tick " + now + ": " + w;
        }
        if (failure != null) {
            trace("FAILED: " + failure);
        }
        if (workload == Workload.TXN) {
            trace("transactions: " + txnStats);
        }
        trace("oracle: clock skew up to " + maxSkewMillis + " ms, " + txnStats.oracleText());
        int unknown = 0;
        for (HistoryOp h : history) {
            if (h.unknown()) {
                unknown++;
            }
        }
        long leaders = 0;
        for (KvSimChecks c : checks.values()) {
            leaders += c.safety().leaderCount();
        }
        // committed: ranges at the end; membershipChanges: splits applied.
        trace("placement steps " + placementSteps + ", lease balancer moves " + leaseBalancerMoves + ", latches released at step-down "
                + latchesReleasedAtStepDown + ", longest wait for a latch " + longestLatchWait + " ticks, destroyed " + destroyed
                + ", states " + storeStates);
        SimResult.Stats stats = new SimResult.Stats(params.nodes(), now, messages, ranges.size(), leaders, crashes,
                partitionPlan.started(), ranges.size() - 1, history.size(), unknown);
        return new SimResult(seed, failure == null, failure, null, stats);
    }

    /** Placement steps the leaders started (learners added, promotions, removals, lease hand-offs). */
    int placementSteps() {
        return placementSteps;
    }

    /** FIRST_KEYS requests the clients sent. */
    int firstKeysRequests() {
        return firstKeysRequests;
    }

    /** Filtered SCAN requests (pages) the clients sent. */
    int filteredScanRequests() {
        return filteredScanRequests;
    }

    /** Leases handed away by the lease balancer. */
    int leaseBalancerMoves() {
        return leaseBalancerMoves;
    }

    private int latchesReleasedAtStepDown;
    private long longestLatchWait;

    /** The longest a request waited for latches held on its keys, in ticks. */
    long longestLatchWait() {
        return longestLatchWait;
    }

    void latchWaited(long ticks) {
        longestLatchWait = Math.max(longestLatchWait, ticks);
    }

    /** Latches of pending writes released because their replica stopped leading. */
    int latchesReleasedAtStepDown() {
        return latchesReleasedAtStepDown;
    }

    void latchReleasedAtStepDown() {
        latchesReleasedAtStepDown++;
    }

    /** Nodes lost to placement: down past the dead-after time, destroyed, or drained. */
    int nodeLosses() {
        return nodeLosses;
    }

    /** The range whose check is running, to name it in a failure. */
    private long currentRange;

    KvSimChecks checks(long rangeId) {
        currentRange = rangeId;
        return checks.computeIfAbsent(rangeId, id -> new KvSimChecks(new SafetyChecker()));
    }

    private boolean allIdle() {
        for (Client c : clients) {
            if (!c.idle()) {
                return false;
            }
        }
        return true;
    }

    private String describeNodes() {
        StringBuilder b = new StringBuilder();
        for (KvSimNode n : nodes) {
            b.append(n.describe()).append(' ');
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ faults

    private void injectFaults() {
        String partition = partitionPlan.step(now, random, params.partitionRate());
        if (partition == null && random.nextDouble() < params.leaderIsolationRate()) {
            KvSimNode busiest = null;
            for (KvSimNode n : nodes) {
                if (n.isUp() && (busiest == null || n.leading().size() > busiest.leading().size())) {
                    busiest = n;
                }
            }
            if (busiest != null && !busiest.leading().isEmpty()) {
                partition = partitionPlan.isolate((int) busiest.id, now, random);
            }
        }
        if (partition != null) {
            trace(partition);
        }
        if (random.nextDouble() < params.crashRate()) {
            KvSimNode victim = nodes.get(random.nextInt(nodes.size()));
            if (victim.isUp()) {
                crashNode(victim);
            }
        }
        if (random.nextDouble() < params.leaderCrashRate()) {
            List<KvSimNode> leading = new ArrayList<>();
            for (KvSimNode n : nodes) {
                if (n.isUp() && !n.leading().isEmpty()) {
                    leading.add(n);
                }
            }
            if (!leading.isEmpty()) {
                crashNode(leading.get(random.nextInt(leading.size())));
            }
        }
        if (random.nextDouble() < params.transferRate()) {
            KvSimNode n = nodes.get(random.nextInt(nodes.size()));
            if (n.isUp()) {
                List<KvSimNode.Replica> leading = n.leading();
                if (!leading.isEmpty()) {
                    KvSimNode.Replica r = leading.get(random.nextInt(leading.size()));
                    List<Long> voters = new ArrayList<>(r.core.conf().voters());
                    n.transferLeadership(r, voters.get(random.nextInt(voters.size())));
                }
            }
        }
    }

    void crashNode(KvSimNode node) {
        crashes++;
        node.crash();
        downSince.put(node.id, now);
        restarts.crashed((int) node.id, now, chaos, random);
    }

    /** Outages longer than the dead-after time, the destruction of a node and its disk, a drain. */
    private void injectNodeLosses() {
        if (random.nextDouble() < params.outageRate() && outageUntil.isEmpty()) {
            KvSimNode n = nodes.get(random.nextInt(nodes.size()));
            if (n.isUp()) {
                long until = now + params.deadAfterTicks() + 20 + random.nextInt(200);
                trace("n" + n.id + " OUTAGE until t=" + until + " (dead after " + params.deadAfterTicks() + " ticks)");
                n.crash();
                downSince.put(n.id, now);
                outageUntil.put(n.id, until);
                nodeLosses++;
            }
        }
        if (now == params.destroyAtTick() && params.destroyAtTick() > 0) {
            KvSimNode n = nodes.get(random.nextInt(nodes.size()));
            if (!storeStates.containsValue(StoreRecord.State.DRAINING) || params.nodes() > 4) {
                trace("n" + n.id + " DESTROYED with its disk");
                if (n.isUp()) {
                    n.crash();
                    downSince.put(n.id, now);
                }
                destroyed.add(n.id);
                nodeLosses++;
                outageUntil.remove(n.id);
            }
        }
        if (now == params.drainAtTick() && params.drainAtTick() > 0) {
            KvSimNode n = nodes.get(random.nextInt(nodes.size()));
            if (!destroyed.contains(n.id) && (destroyed.isEmpty() || params.nodes() > 4)) {
                trace("n" + n.id + " DRAINING");
                storeStates.put(n.id, StoreRecord.State.DRAINING);
                nodeLosses++;
            }
        }
    }

    private void restartDueNodes() {
        for (KvSimNode n : nodes) {
            if (n.isUp() || destroyed.contains(n.id)) {
                continue;
            }
            Long until = outageUntil.get(n.id);
            if (until != null ? now >= until : restarts.due((int) n.id, now)) {
                outageUntil.remove(n.id);
                restarts.due((int) n.id, now);
                n.start(random.nextLong());
            }
        }
    }

    boolean crashDuringSync() {
        return chaos && random.nextDouble() < params.crashDuringSyncRate();
    }

    private void healEverything() {
        chaos = false;
        healTick = now;
        partitionPlan.healAll();
        restarts.all(now);
        outageUntil.replaceAll((n, until) -> now);
        trace("HEAL: network healed, crashed nodes restart, no more faults");
    }

    // ------------------------------------------------------------------ placement

    /** Every node takes one placement step among the ranges it leads each placement interval. */
    private void placement() {
        for (KvSimNode n : nodes) {
            if (n.isUp() && (now + n.id) % params.placementIntervalTicks() == 0) {
                n.collectReplicas();
                Map<Long, Placement.StoreView> views = storeViews();
                Map<Long, Integer> counts = replicaCounts();
                for (KvSimNode.Replica r : n.leading()) {
                    Placement.Action step = Placement.decide(r.sm.descriptor(), n.id, params.replicas(), r.core.matched(),
                            r.core.committed(), views, counts);
                    if (step != null && n.carryOut(r, step)) {
                        placementSteps++;
                        break;
                    }
                }
            }
            if (n.isUp() && (now + n.id + params.placementIntervalTicks() / 2) % params.placementIntervalTicks() == 0) {
                balanceLeases(n);
            }
        }
    }

    /** A node's lease balancer view: leaders, voters and changing ranges of the ranges it holds. */
    private record LeaseView(Map<Long, Long> leaders, Map<Long, Set<Long>> voters, Set<Long> changing) {
    }

    private LeaseView leaseView(KvSimNode n) {
        Map<Long, Long> leaders = new HashMap<>();
        Map<Long, Set<Long>> voters = new HashMap<>();
        Set<Long> changing = new TreeSet<>();
        for (KvSimNode.Replica r : n.replicas.values()) {
            if (r.sm.isInitialised()) {
                ConfState conf = r.sm.descriptor().conf();
                leaders.put(r.rangeId, r.core.leader());
                voters.put(r.rangeId, conf.voters());
                if (!conf.learners().isEmpty() || conf.voters().size() > params.replicas()) {
                    changing.add(r.rangeId);
                }
            }
        }
        return new LeaseView(leaders, voters, changing);
    }

    /** Per node: the lease it last asked for {range, from, tick} and the one it last granted {range, tick}. */
    private final Map<Long, long[]> leaseAskedFor = new HashMap<>();
    private final Map<Long, long[]> leaseGranted = new HashMap<>();
    /** Per node: the nodes that refused it a lease, until which tick (asked again after). */
    private final Map<Long, Map<Long, Long>> leaseRefusedUntil = new HashMap<>();

    /**
     * As RangeService.balanceLeases, on its own timer: a node asks a node that leads at least two
     * more of the ranges it holds than it leads in all for one of those leases, and that node hands
     * it over if it leads at least two more in all ({@code LeaseBalancer}'s pull, which provably
     * ends); never to a node that is down (suspect) or not active. The request is answered at once
     * if the two nodes are connected (a real store's is one request-response). Without a balancer
     * a drain piled every lease on one node (placement hands a lease to the least loaded voter,
     * the lowest id among equals), which then moved every replica alone, one step per interval
     * (seed 6218). As on a real store, a node asks for no lease while the last one it asked for is
     * on its way (its range still led by the node asked, for up to three intervals) and grants none
     * while the last one it granted is.
     */
    private void balanceLeases(KvSimNode n) {
        if (storeStates.get(n.id) != StoreRecord.State.ACTIVE) {
            return;
        }
        long onItsWay = 3L * params.placementIntervalTicks();
        LeaseView v = leaseView(n);
        long[] asked = leaseAskedFor.get(n.id);
        if (asked != null && v.leaders().getOrDefault(asked[0], 0L) == asked[1] && now - asked[2] < onItsWay) {
            return;
        }
        leaseAskedFor.remove(n.id);
        Set<Long> stores = new TreeSet<>();
        for (KvSimNode m : nodes) {
            if (m.isUp() && storeStates.get(m.id) == StoreRecord.State.ACTIVE) {
                stores.add(m.id);
            }
        }
        Map<Long, Long> refused = leaseRefusedUntil.computeIfAbsent(n.id, k -> new TreeMap<>());
        refused.values().removeIf(until -> until <= now);
        LeaseBalancer.Pull pull = LeaseBalancer.choose(n.id, v.leaders(), v.voters(), stores, v.changing(),
                refused.keySet());
        if (pull == null) {
            return;
        }
        KvSimNode from = nodes.get((int) pull.from() - 1);
        if (!from.isUp() || !partitionPlan.connected((int) n.id, (int) from.id)) {
            refused.put(from.id, now + 5L * params.placementIntervalTicks()); // no answer: as a refusal
            return;
        }
        int mine = LeaseBalancer.leasesOf(n.id, v.leaders());
        // Broken on purpose: the asker says it leads one fewer than it does, so a store leading
        // one more than the asker grants (a margin of one).
        int told = broken(Broken.LEASE_GRANT_WITHOUT_MARGIN) ? mine - 1 : mine;
        LeaseView fv = leaseView(from);
        long[] granted = leaseGranted.get(from.id);
        KvSimNode.Replica r = from.replicas.get(pull.rangeId());
        if ((granted != null && fv.leaders().getOrDefault(granted[0], 0L) == from.id && now - granted[1] < onItsWay)
                || r == null || r.core.role() != io.starlingdb.engine.raft.Role.LEADER
                || !LeaseBalancer.grants(from.id, pull.rangeId(), n.id, told, fv.leaders(), fv.voters(), stores,
                fv.changing())) {
            refused.put(from.id, now + 5L * params.placementIntervalTicks());
            return;
        }
        trace("n" + n.id + " lease balancer: asks n" + from.id + " for r" + r.rangeId + " (it leads " + mine + ")");
        checkLeaseMoveLowersPhi(from, n);
        leaseBalancerMoves++;
        leaseAskedFor.put(n.id, new long[] {pull.rangeId(), from.id, now});
        leaseGranted.put(from.id, new long[] {pull.rangeId(), now});
        from.transferLeadership(r, n.id);
    }

    /**
     * The termination argument of LeaseBalancer: a move from a to b changes Φ = Σ L(s)² (L(s):
     * the ranges other than meta store s leads, counted here from each replica's own role) by
     * 2(L(b) − L(a) + 1), so it must find L(a) ≥ L(b) + 2 to lower Φ by at least 2. A move that
     * does not lower Φ is how a lease starts going round for ever.
     */
    private void checkLeaseMoveLowersPhi(KvSimNode a, KvSimNode b) {
        int la = a.leadCount();
        int lb = b.leadCount();
        if (la < lb + 2) {
            throw new KvSimChecks.Violation("lease balancer: n" + a.id + " (leads " + la + ") hands a lease to n" + b.id
                    + " (leads " + lb + "): the move changes Φ = Σ L² by " + 2 * (lb - la + 1)
                    + ", it must lower it by at least 2 for the balancer to stop");
        }
    }

    /** What the registry and the failure detector say of each node: down longer than dead-after is dead. */
    private Map<Long, Placement.StoreView> storeViews() {
        Map<Long, Placement.StoreView> views = new HashMap<>();
        for (KvSimNode n : nodes) {
            boolean live = n.isUp() || now - downSince.getOrDefault(n.id, now) < params.deadAfterTicks();
            views.put(n.id, new Placement.StoreView(n.id, "", storeStates.get(n.id), live));
        }
        return views;
    }

    /** Replicas per node, from the newest descriptors (what the nodes read from meta). */
    private Map<Long, Integer> replicaCounts() {
        Map<Long, Integer> counts = new HashMap<>();
        for (long range : ranges) {
            RangeDescriptor d = newest.get(range);
            RangeDescriptor p = proposed.get(range);
            if (p != null && p.generation() > d.generation()) {
                d = p;
            }
            for (long v : d.conf().voters()) {
                counts.merge(v, 1, Integer::sum);
            }
            for (long l : d.conf().learners()) {
                counts.merge(l, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** For the trace: the replica counts and the nodes' states placement decides from. */
    String placementView() {
        return "(replicas " + replicaCounts() + ", stores " + storeViews().values() + ")";
    }

    /** A leader proposed this membership change of d: counted from now on. */
    void proposedChange(RangeDescriptor d, io.starlingdb.engine.raft.ConfChange change) {
        proposed.put(d.rangeId(), new RangeDescriptor(d.rangeId(), d.start(), d.end(), d.conf().apply(change),
                d.generation() + 1));
    }

    /** A placement driver asks node to host an empty replica: false if it cannot be reached. */
    boolean host(long from, long node, RangeDescriptor leaders) {
        KvSimNode n = nodes.get((int) node - 1);
        if (!n.isUp() || !partitionPlan.connected((int) from, (int) node)) {
            return false;
        }
        return n.host(leaders.rangeId(), leaders);
    }

    /**
     * Why placement has not settled (null once it has): every range has the wanted number of
     * voters (the replication factor, at most the usable nodes), no learner, and each voter on a
     * live active node that holds the range's state.
     */
    private String placementSettled() {
        int usable = 0;
        for (KvSimNode n : nodes) {
            if (n.isUp() && storeStates.get(n.id) == StoreRecord.State.ACTIVE) {
                usable++;
            }
        }
        int want = Math.min(params.replicas(), usable);
        for (long range : ranges) {
            RangeDescriptor d = newest.get(range);
            if (!d.conf().learners().isEmpty() || d.conf().voters().size() != want) {
                return d + " (wanted " + want + " voters)";
            }
            for (long v : d.conf().voters()) {
                KvSimNode n = nodes.get((int) v - 1);
                KvSimNode.Replica r = n.isUp() ? n.replicas.get(range) : null;
                if (storeStates.get(v) != StoreRecord.State.ACTIVE || r == null || !r.sm.isInitialised()) {
                    return d + ": the voter on n" + v + " is not on a live active node holding the range";
                }
            }
        }
        return null;
    }

    /** A replica applied (or installed) this descriptor at index: one generation is one descriptor everywhere. */
    void descriptorApplied(long node, RangeDescriptor d, long index) {
        RangeDescriptor first = generations.computeIfAbsent(d.rangeId(), id -> new HashMap<>())
                .putIfAbsent(d.generation(), d);
        if (first != null && !(first.conf().equals(d.conf()) && Arrays.equals(first.start(), d.start())
                && Arrays.equals(first.end(), d.end()))) {
            throw new KvSimChecks.Violation("node " + node + " has " + d + " at generation " + d.generation()
                    + ", another replica had " + first);
        }
        appliedGenerations.computeIfAbsent(d.rangeId(), id -> new HashMap<>()).merge(node, d.generation(), Math::max);
        RangeDescriptor known = newest.get(d.rangeId());
        if (known == null || d.generation() > known.generation()) {
            newest.put(d.rangeId(), d);
        }
        confs.computeIfAbsent(d.rangeId(), id -> new TreeMap<>()).putIfAbsent(index, d.conf());
    }

    /** Whether a quorum of d's voters (on nodes not destroyed) applied d or a newer descriptor. */
    boolean appliedByQuorum(RangeDescriptor d) {
        Map<Long, Long> applied = appliedGenerations.getOrDefault(d.rangeId(), Map.of());
        int have = 0;
        for (long v : d.conf().voters()) {
            if (!destroyed.contains(v) && applied.getOrDefault(v, 0L) >= d.generation()) {
                have++;
            }
        }
        return have > d.conf().voters().size() / 2;
    }

    RangeDescriptor newestDescriptor(long rangeId) {
        return newest.get(rangeId);
    }

    /** A replica about to serve a read must be a voter of its range's newest configuration. */
    void checkMember(long node, long rangeId, String what) {
        TreeMap<Long, ConfState> history = confs.get(rangeId);
        Map.Entry<Long, ConfState> last = history == null ? null : history.lastEntry();
        if (last != null && !last.getValue().voters().contains(node)) {
            throw new KvSimChecks.Violation("node " + node + " " + what + " of range " + rangeId
                    + ", whose configuration since index " + last.getKey() + " is " + last.getValue());
        }
    }

    /** A replica acknowledging the write at index must have been a voter there. */
    void checkMemberAt(long node, long rangeId, long index, String what) {
        TreeMap<Long, ConfState> history = confs.get(rangeId);
        Map.Entry<Long, ConfState> at = history == null ? null : history.floorEntry(index);
        if (at != null && !at.getValue().voters().contains(node)) {
            throw new KvSimChecks.Violation("node " + node + " " + what + " of range " + rangeId
                    + ", whose configuration there (since index " + at.getKey() + ") is " + at.getValue());
        }
    }

    // ------------------------------------------------------------------ network

    void sendRaft(long rangeId, Message m) {
        send(new RaftMessage(rangeId, m), (int) m.from(), (int) m.to());
    }

    void sendRequest(Request r) {
        trace("c" + r.client() + " -> n" + r.node() + " " + r);
        firstKeysRequests += r.kind() == Kind.FIRST_KEYS ? 1 : 0;
        filteredScanRequests += r.kind() == Kind.SCAN && r.filter() != null ? 1 : 0;
        send(r, 0, (int) r.node());
    }

    /** A request a node sends (client: minus the node's id), subject to partitions. */
    void sendFromNode(KvSimNode from, Request r) {
        trace("n" + from.id + " -> n" + r.node() + " " + r);
        send(r, (int) from.id, (int) r.node());
    }

    void sendLookup(int client, long reqId, long node, byte[] key) {
        send(new Lookup(client, reqId, node, key), 0, (int) node);
    }

    void respond(KvSimNode node, Request r, Status status, RangeResult result, RangeDescriptor descriptor) {
        trace("n" + node.id + " answers c" + r.client() + "#" + r.reqId() + " " + status + (result == null ? "" : " " + result));
        send(new Response(r.client(), r.reqId(), node.id, status, result, descriptor, 0), (int) node.id,
                r.client() < 0 ? -r.client() : 0);
    }

    void respondNotLeaseholder(KvSimNode node, Request r, long leader) {
        trace("n" + node.id + " answers c" + r.client() + "#" + r.reqId() + " not leaseholder, try n" + leader);
        send(new Response(r.client(), r.reqId(), node.id, Status.NOT_LEASEHOLDER, null, null, leader), (int) node.id,
                r.client() < 0 ? -r.client() : 0);
    }

    /** Node 0 stands for the clients, who sit on every side of a partition. */
    private void send(Object payload, int from, int to) {
        messages++;
        if (chaos && random.nextDouble() < params.dropRate()) {
            return;
        }
        // Requests travel on a connection, as the gateway's do: lost or late, never delivered twice
        // (a write delivered twice would apply twice). Raft messages may be duplicated.
        int copies = chaos && !(payload instanceof Request) && random.nextDouble() < params.duplicateRate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + random.nextInt(params.maxDelayTicks());
            if (chaos && random.nextDouble() < params.delaySpikeRate()) {
                delay += 10 + random.nextInt(40);
            }
            network.add(new Flight(now + delay, random.nextLong(), payload, from, to));
        }
    }

    private void deliverDue() {
        while (!network.isEmpty() && network.peek().deliverAt() <= now) {
            Flight f = network.poll();
            if (f.to() != 0) {
                KvSimNode to = nodes.get(f.to() - 1);
                if (!to.isUp() || !partitionPlan.connected(f.from(), f.to())) {
                    continue;
                }
                if (f.payload() instanceof RaftMessage rm) {
                    to.receive(rm.rangeId(), rm.message());
                } else if (f.payload() instanceof Request r) {
                    to.handle(r);
                } else if (f.payload() instanceof Lookup l) {
                    send(new LookupAnswer(l.client(), l.reqId(), to.lookup(l.key())), f.to(), 0);
                } else if (f.payload() instanceof Response r) {
                    to.onResponse(r);
                }
            } else if (f.payload() instanceof Response r) {
                clients.get(r.client()).onResponse(r);
            } else if (f.payload() instanceof LookupAnswer a) {
                clients.get(a.client()).onLookup(a.reqId(), a.descriptor());
            }
        }
    }

    // ------------------------------------------------------------------ for nodes and clients

    KvSimParams params() {
        return params;
    }

    boolean broken(Broken variant) {
        return broken == variant;
    }

    /** The key of the oracle's durable high-water mark, in range 1 (the simulator's meta range), as in meta. */
    static final byte[] timestampMarkKey = MetaKeys.timestampMarkKey();

    /**
     * A leader's commit index reached index (of term): the entry must be durable (synced) on a
     * majority of the voters the leader counts, or a crash of those could lose a committed entry.
     * A voter that destroyed its replica applied its removal, which the leader has not yet but a
     * quorum of the configuration without it committed: it is not counted.
     */
    void checkCommittedIsDurable(long rangeId, long leader, ConfState conf, long index, long term) {
        int durable = 0;
        int voters = 0;
        for (long v : conf.voters()) {
            SimDisk disk = nodes.get((int) v - 1).disk;
            if (disk.durablyDestroyed(rangeId)) {
                continue;
            }
            voters++;
            if (disk.durablyHolds(rangeId, index, term)) {
                durable++;
            }
        }
        if (durable <= voters / 2) {
            throw new KvSimChecks.Violation("durability: entry " + index + "@" + term + " committed by leader n" + leader
                    + " is durable on " + durable + " of the voters " + conf.voters());
        }
    }

    /** A node's clock skew, drawn when it starts (again after each crash): within +-maxSkewMillis, drawn per seed. */
    long drawSkewMillis(Random r) {
        return maxSkewMillis == 0 ? 0 : r.nextLong(2 * maxSkewMillis + 1) - maxSkewMillis;
    }

    /**
     * The oracle on node granted count timestamps from first, at this moment: every timestamp
     * granted must be above every one granted before, by any oracle (the sim is one thread, so
     * grants are totally ordered in real time); a violation is the checker's failure.
     */
    void timestampsGranted(KvSimNode node, long first, int count) {
        trace("n" + node.id + " ORACLE grants " + count + " from " + first);
        if (first <= lastGranted) {
            throw new KvSimChecks.Violation("oracle: node " + node.id + " granted " + count + " timestamps from " + first
                    + ", not above " + lastGranted + " which node " + lastGrantedBy + " granted earlier");
        }
        lastGranted = first + count - 1;
        if (lastGrantedBy != node.id) {
            txnStats.oracleMoves += lastGrantedBy == 0 ? 0 : 1;
            lastGrantedBy = node.id;
        }
        txnStats.oracleGrants++;
        txnStats.timestampsGranted += count;
    }

    /** An oracle loaded the mark (a new oracle: first start, failover, restart, new term). */
    void oracleLoaded(KvSimNode node, long mark) {
        trace("n" + node.id + " ORACLE loaded mark " + mark);
        txnStats.oracleLoads++;
    }

    void oracleMarkMoved() {
        txnStats.oracleMarkWrites++;
    }

    private long lastGranted;
    private long lastGrantedBy;
    /** Nodes' clocks are off the sim's time by up to this much either way (0: no skew), per seed. */
    private final long maxSkewMillis;

    long newRangeId() {
        return nextRangeId++;
    }

    void splitApplied(long rightRangeId) {
        ranges.add(rightRangeId);
    }

    long nextEvent() {
        return ++events;
    }

    long now() {
        return now;
    }

    boolean chaos() {
        return chaos;
    }

    long healTick() {
        return healTick;
    }

    long nextTxnId() {
        return nextTxnId++;
    }

    void recordTxn(TxnRecord t) {
        txns.add(t);
        trace("txn " + t);
    }

    /** A crashed coordinator's place is taken by a new client, so the workload goes on. */
    void replaceTxnClient(int crashed) {
        coordinatorStopped(crashed);
        clients.add(new TxnSimClient(clients.size(), this, new Random(random.nextLong()), TxnSimClient.Role.WORKLOAD,
                txnParams, txnStats));
    }

    /** TXN: what the transactions did. */
    TxnStats txnStats() {
        return txnStats;
    }

    /**
     * A key the splitter cuts a range at: KV, one of the workload's keys or just after one; TXN,
     * one of its keys (there are about twice as many, and ranges must stay few enough for a
     * drained node to be emptied within the liveness bound).
     */
    byte[] splitKey(Random r) {
        if (workload == Workload.KV) {
            return KvSimClient.bytes("k" + r.nextInt(params.keys()) + (r.nextBoolean() ? "" : "m"));
        }
        int which = r.nextInt(3);
        return KvSimClient.bytes(which == 0 ? "a" + r.nextInt(txnParams.accounts())
                : (which == 1 ? "l" : "s") + r.nextInt(txnParams.listKeys()));
    }

    private static boolean finalDone(Client c) {
        return c instanceof KvSimClient k ? k.done() : ((TxnSimClient) c).done();
    }

    /**
     * The transactions' checks (TxnChecker), and that every lock was gone within the longest TTL
     * plus lockResolutionTicks after the heal: the final reader met and resolved each one, and
     * no range's leader holds one now.
     */
    private String checkTransactions() {
        String anomaly = new TxnChecker(txns, txnParams.accounts()).check();
        if (anomaly != null) {
            return anomaly;
        }
        long bound = txnParams.lockTtlTicks() + lockResolutionTicks;
        if (txnStats.lockResolutionTicks > bound) {
            return "locks: a lock the final reader met was gone only " + txnStats.lockResolutionTicks
                    + " ticks later, more than the TTL plus " + lockResolutionTicks + " (" + bound + ")";
        }
        for (long range : ranges) {
            KvSimNode.Replica leader = null;
            for (KvSimNode n : nodes) {
                KvSimNode.Replica r = n.isUp() ? n.replicas.get(range) : null;
                if (r != null && r.sm.isInitialised() && r.core.role() == io.starlingdb.engine.raft.Role.LEADER
                        && (leader == null || r.core.term() > leader.core.term())) {
                    leader = r;
                }
            }
            if (leader != null) {
                RangeDescriptor d = leader.sm.descriptor();
                RangeResult all = leader.sm.scan(d.start(), d.end(), Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0);
                if (all instanceof RangeResult.Locked l) {
                    return "locks: after the final reads, range " + range + " still holds " + l.locks().size()
                            + " locks, e.g. of the transaction started at " + l.locks().get(0).startTs();
                }
            }
        }
        return null;
    }

    void record(HistoryOp op) {
        history.add(op);
        trace("history " + op);
    }

    void trace(String line) {
        if (trace != null) {
            trace.append("t=").append(now).append(' ').append(line).append('\n');
        }
    }

}
