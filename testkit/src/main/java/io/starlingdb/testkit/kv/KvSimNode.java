package io.starlingdb.testkit.kv;

import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.Entry;
import io.starlingdb.engine.raft.EntryType;
import io.starlingdb.engine.raft.Message;
import io.starlingdb.engine.raft.MessageType;
import io.starlingdb.engine.raft.ProposeResult;
import io.starlingdb.engine.raft.RaftCore;
import io.starlingdb.engine.raft.ReadState;
import io.starlingdb.engine.raft.Ready;
import io.starlingdb.engine.raft.Role;
import io.starlingdb.engine.raft.RaftState;
import io.starlingdb.engine.raft.Snapshot;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.Placement;
import io.starlingdb.engine.range.RangeCodec;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeHost;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeStateMachine;
import io.starlingdb.engine.range.TurnBatchedStore;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.txn.TimestampOracle;
import io.starlingdb.engine.mvcc.HybridClock;

import java.nio.ByteBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One simulated node: a replica (Raft core and range state machine) of each range it holds, on
 * one {@link SimDisk}, driven as the node's Raft driver drives them (persist, send, apply,
 * advance), and serving the gateway's requests: reads from the leaseholder's applied state
 * while its lease holds (else after a ReadIndex round), writes and splits through the log.
 * Reads are of the newest values or at a transaction's timestamp (and VALIDATE); as RangeStore,
 * a one-phase write latches its keys before the leaseholder timestamps it, and reads wait for
 * the latches held on their keys when they arrive.
 * It hosts an empty replica when placement asks (initialised by the leader's snapshot), and
 * carries out the placement steps of the ranges it leads. While it leads range 1 (the
 * simulator's meta range) it hosts the timestamp oracle, as TimestampService; its writes take
 * their timestamps through a batched client of the oracle, as TimestampClient. A crash loses
 * everything but the disk.
 */
final class KvSimNode implements RangeHost {

    final long id;
    private final KvSimulation sim;
    final SimDisk disk = new SimDisk();
    private SimRangeStore store;
    /** The store the replicas' state machines write through: a turn's applies in one disk write. */
    private TurnBatchedStore kv;
    private Random random;
    private boolean up;
    /** This node's clock minus the sim's time, in ms (drawn at each start: a restarted clock may go back). */
    private long skewMillis;
    private long nextReadContext = 1;
    /** By range id. */
    final TreeMap<Long, Replica> replicas = new TreeMap<>();
    /** Ranges created while a Ready is being handled, started once it is done. */
    private final List<RangeDescriptor> created = new ArrayList<>();
    /** The range each of created split off (as RangeStore.splitApplied: its leader campaigns for the new range). */
    private final Map<Long, Long> splitFrom = new HashMap<>();

    /**
     * appliedAtProposal: the leader's applied index when it proposed (its membership then);
     * latch: the latch a one-phase write holds until it applied (0: none).
     */
    private record PendingWrite(long term, long appliedAtProposal, KvSimulation.Request request, long latch,
                                long commitFloor, Consumer<RangeResult> internal) {
        PendingWrite(long term, long appliedAtProposal, KvSimulation.Request request, long latch, long commitFloor) {
            this(term, appliedAtProposal, request, latch, commitFloor, null);
        }
    }

    /** Answers a pending write: its request's sender, or (internal, the oracle's mark) the callback, null if not applied. */
    private void answer(PendingWrite p, KvSimulation.Status status, RangeResult result, RangeDescriptor d) {
        if (p.internal() != null) {
            p.internal().accept(status == KvSimulation.Status.OK ? result : null);
        } else {
            sim.respond(this, p.request(), status, result, d);
        }
    }

    /** The keys a one-phase write latched (as RangeStore's Latches), since a tick. */
    private record Latch(List<byte[]> keys, long since) {
    }

    /** A request waiting for the latches held on its keys when it arrived. */
    private record Waiting(KvSimulation.Request request, Set<Long> latches, long since) {
    }

    private final Map<Long, Latch> latches = new HashMap<>();
    private final List<Waiting> waiting = new ArrayList<>();
    /** Requests whose latches were released: dispatched again on the next tick. */
    private final List<KvSimulation.Request> unblocked = new ArrayList<>();
    private long nextLatch = 1;

    private record PendingRead(long index, KvSimulation.Request request) {
    }

    /** A background commit the leaseholder holds (latched since a tick) for the range's next proposal, as RangeStore.deferCommit. */
    private record HeldCommit(KvSimulation.Request request, long latch, long since) {
    }

    final class Replica {
        final long rangeId;
        final RaftCore core;
        final RangeStateMachine sm;
        final TreeMap<Long, PendingWrite> writes = new TreeMap<>();
        final Map<Long, KvSimulation.Request> awaitingIndex = new HashMap<>();
        final List<PendingRead> confirmed = new ArrayList<>();
        /** Background commits held for the next proposal, in arrival order. */
        final List<HeldCommit> held = new ArrayList<>();
        /** Latches of writes that wait for their timestamp from the oracle (before they are proposed). */
        final Set<Long> awaitingTimestamp = new HashSet<>();
        Role lastRole;
        long lastTerm = -1;
        /** It applied its own removal from the group (and no later re-addition). */
        boolean removed;
        /** The commit index last checked durable on a quorum while leading, in term checkedTerm. */
        long checkedCommit;
        long checkedTerm = -1;

        Replica(long rangeId, RaftCore core, RangeStateMachine sm) {
            this.rangeId = rangeId;
            this.core = core;
            this.sm = sm;
        }
    }

    KvSimNode(long id, KvSimulation sim) {
        this.id = id;
        this.sim = sim;
    }

    boolean isUp() {
        return up;
    }

    /** Starts (or restarts) from the disk: one replica per range whose state is stored. */
    void start(long seed) {
        random = new Random(seed);
        skewMillis = sim.drawSkewMillis(random);
        store = new SimRangeStore(disk, sim.broken(KvSimulation.Broken.APPLIED_INDEX_APART));
        kv = new TurnBatchedStore(store);
        up = true;
        replicas.clear();
        for (RangeDescriptor d : RangeStateMachine.storedRanges(kv)) {
            startReplica(d);
        }
        for (long rangeId : RangeStateMachine.storedUninitialised(kv)) {
            if (!replicas.containsKey(rangeId)) {
                startUninitialised(rangeId);
            }
        }
        sim.trace("n" + id + " start with ranges " + replicas.keySet());
    }

    /** Writes the first range of a new cluster (before the node starts). */
    void bootstrap(RangeDescriptor d) {
        RangeStateMachine.bootstrap(new SimRangeStore(disk, false), d);
    }

    private void startReplica(RangeDescriptor d) {
        // The range's state is durable by itself (RangeStateMachine.isDurable): the Raft snapshot holds no copy.
        RangeStateMachine sm = RangeStateMachine.open(kv, d.rangeId(), this);
        RaftState initial = RangeStateMachine.initialRaftState(d.conf());
        // As RangeStore.startReplica: split off here and nothing applied since, an empty replica
        // hosted before the split reached this node gives way to the initial state.
        RaftState state = sm.appliedIndex() == RangeStateMachine.initialIndex
                ? disk.loadGroupAtInitialState(d.rangeId(), initial) : disk.loadGroup(d.rangeId(), initial);
        RaftCore core = new RaftCore(id, sim.params().raft(), new Random(random.nextLong()), state);
        replicas.put(d.rangeId(), new Replica(d.rangeId(), core, sm));
    }

    /**
     * As RangeStore.hostEmptyReplica: an empty replica of the range, no members, no state, until
     * the leader's snapshot arrives; hosted again after a restart until then. Nothing if a
     * replica of the range is here already.
     */
    boolean host(long rangeId, RangeDescriptor leaders) {
        Replica existing = replicas.get(rangeId);
        if (existing != null) {
            RangeDescriptor d = existing.sm.descriptor();
            if (d == null) {
                return true;
            }
            if (d.conf().isMember(id) || d.generation() > leaders.generation()) {
                // It does not know it was removed, or the asking leader is behind: the replica
                // collector removes it once meta shows it gone.
                return false;
            }
            destroy(existing, "the leader of " + leaders + " adds it again");
        }
        if (sim.broken(KvSimulation.Broken.HOST_WITH_INITIAL_STATE)) {
            // Broken on purpose: the new replica starts from the range's initial state (as a
            // bootstrapped or split-off one does) with the current descriptor and no data, so the
            // leader replays its log onto it instead of sending a snapshot.
            RangeDescriptor d = sim.newestDescriptor(rangeId);
            RangeStateMachine.bootstrap(kv, d);
            startReplica(d);
            sim.trace("n" + id + " hosts r" + rangeId + " from its initial state (broken)");
            return true;
        }
        hostEmpty(rangeId);
        sim.trace("n" + id + " hosts an empty replica of r" + rangeId);
        return true;
    }

    private void hostEmpty(long rangeId) {
        RangeStateMachine.markUninitialised(kv, rangeId);
        startUninitialised(rangeId);
    }

    /** Destroys a replica whose range moved away from this node: its data and state; Raft keeps term and vote. */
    void destroy(Replica r, String why) {
        sim.trace("n" + id + " destroys its replica " + r.sm.descriptor() + ": " + why);
        for (PendingWrite p : new ArrayList<>(r.writes.values())) {
            answer(p, KvSimulation.Status.UNKNOWN, null, null);
            release(p.latch());
        }
        for (long latch : r.awaitingTimestamp) {
            release(latch); // its write, when the timestamp comes, finds the replica gone and is dropped
        }
        r.awaitingTimestamp.clear();
        dropHeld(r);
        store.applying(0, 0);
        r.sm.destroy();
        disk.forgetLog(r.rangeId);
        replicas.remove(r.rangeId);
    }

    /**
     * The replica collector: a replica of a range whose newest descriptor (in meta) no longer has
     * this node is destroyed (whether or not it applied its removal: it may have been cut off),
     * once a quorum of the new voters applied that descriptor. Sooner, the new voters may still
     * count this one (they elect with the membership they applied), and a range that also lost
     * another node could then elect no leader: seed 1204 of the simulator.
     */
    void collectReplicas() {
        for (Replica r : new ArrayList<>(replicas.values())) {
            RangeDescriptor d = r.sm.descriptor();
            RangeDescriptor meta = sim.newestDescriptor(r.rangeId);
            if (d != null && meta != null && !meta.conf().isMember(id) && meta.generation() >= d.generation()
                    && sim.appliedByQuorum(meta)) {
                destroy(r, "meta has " + meta);
            }
        }
    }

    /** Whether a snapshot's range overlaps another range this node holds (it must be collected first). */
    private boolean overlapsAnother(long rangeId, Snapshot s) {
        if (s.data() == null || s.data().length == 0) {
            return false;
        }
        RangeDescriptor d = RangeCodec.decodeSnapshot(s.data()).descriptor();
        for (Replica other : replicas.values()) {
            RangeDescriptor o = other.sm.descriptor();
            if (other.rangeId != rangeId && o != null && overlap(d, o)) {
                sim.trace("n" + id + " r" + rangeId + " refuses a snapshot of " + d + ": it overlaps " + o);
                return true;
            }
        }
        return false;
    }

    private static boolean overlap(RangeDescriptor a, RangeDescriptor b) {
        return (a.end() == null || Arrays.compareUnsigned(b.start(), a.end()) < 0)
                && (b.end() == null || Arrays.compareUnsigned(a.start(), b.end()) < 0);
    }

    private void startUninitialised(long rangeId) {
        RaftCore core = new RaftCore(id, sim.params().raft(), new Random(random.nextLong()),
                disk.loadGroup(rangeId, RaftState.fresh(ConfState.NONE)));
        replicas.put(rangeId, new Replica(rangeId, core, RangeStateMachine.uninitialised(kv, rangeId, this)));
    }

    @Override
    public void initialised(RangeDescriptor descriptor) {
        sim.trace("n" + id + " r" + descriptor.rangeId() + " initialised by a snapshot: " + descriptor);
    }

    void crash() {
        dropOracle();
        oracleAsks.clear();
        tsWaiting.clear();
        tsAskAt = -1;
        tsAskId++;
        oracleHint = 0;
        tsFailures = 0;
        latches.clear();
        waiting.clear();
        unblocked.clear();
        int lost = disk.crash(random);
        sim.trace("n" + id + " CRASH (lost " + lost + " unsynced writes)");
        up = false;
        replicas.clear();
        created.clear();
        splitFrom.clear();
    }

    @Override
    public void splitApplied(RangeDescriptor left, RangeDescriptor right) {
        sim.trace("n" + id + " split " + left + " | " + right);
        sim.splitApplied(right.rangeId());
        sim.descriptorApplied(id, right, RangeStateMachine.initialIndex);
        created.add(right);
        splitFrom.put(right.rangeId(), left.rangeId());
    }

    // ------------------------------------------------------------------ driving Raft

    void tick() {
        for (Map.Entry<Long, Latch> e : new ArrayList<>(latches.entrySet())) {
            if (sim.now() - e.getValue().since() >= KvSimulation.latchTimeoutTicks) {
                release(e.getKey()); // as RangeStore's proposal timeout: the write may still apply later
            }
        }
        for (Replica r : new ArrayList<>(replicas.values())) {
            if (!r.held.isEmpty() && sim.now() - r.held.get(0).since() >= sim.commitDeferralTicks()) {
                proposeHeld(r, false);
                process(r);
                if (!up) {
                    return;
                }
            }
        }
        tickTimestamps();
        if (!up) {
            return;
        }
        List<KvSimulation.Request> again = new ArrayList<>(unblocked);
        unblocked.clear();
        for (KvSimulation.Request req : again) {
            if (!up) {
                return;
            }
            handle(req);
        }
        for (Replica r : new ArrayList<>(replicas.values())) {
            if (!up) {
                return;
            }
            r.core.tick();
            process(r);
        }
        if (up) {
            checkLatchesHeldByLeaders();
        }
    }

    /**
     * Every latch held here belongs to a pending write or a held background commit of a replica
     * that leads its range (as RangeStore releases a range's latches at MultiRaft's step-down
     * notice). A latch kept by a
     * replica that stopped leading holds up the requests of its keys on this node until the
     * proposal timeout, 10 s (docs/ranges.md, "Outcomes are never misreported").
     */
    private void checkLatchesHeldByLeaders() {
        if (latches.isEmpty()) {
            return;
        }
        Set<Long> byLeaders = new HashSet<>();
        for (Replica r : replicas.values()) {
            if (r.core.role() == Role.LEADER) {
                for (PendingWrite p : r.writes.values()) {
                    byLeaders.add(p.latch());
                }
                for (HeldCommit h : r.held) {
                    byLeaders.add(h.latch());
                }
                byLeaders.addAll(r.awaitingTimestamp);
            }
        }
        for (Map.Entry<Long, Latch> e : latches.entrySet()) {
            if (!byLeaders.contains(e.getKey())) {
                throw new KvSimChecks.Violation("latches: node " + id + " holds latch " + e.getKey() + " (since tick "
                        + e.getValue().since() + ") for a write of a replica that does not lead its range");
            }
        }
    }

    void receive(long rangeId, Message m) {
        Replica r = replicas.get(rangeId);
        boolean vote = m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE;
        if (r == null) {
            boolean fromLeader = m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
                    || m.type() == MessageType.SNAPSHOT;
            if (!fromLeader && !(vote && !disk.holds(rangeId))) {
                return;
            }
            // A message for a range this node does not hold: it is a member that never created
            // its replica (it installed a snapshot of the parent past the split, or was a learner
            // of the parent when it split). An empty replica gets the leader's snapshot; it may
            // vote (having no log, it never elects a candidate that lacks a committed entry).
            hostEmpty(rangeId);
            sim.trace("n" + id + " hosts an empty replica of r" + rangeId + " for a message from n" + m.from());
            r = replicas.get(rangeId);
        }
        if (r.core.wouldRestore(m) && overlapsAnother(rangeId, m.snapshot())) {
            return;
        }
        if (vote && !r.sm.isInitialised() && disk.destroyedHere(rangeId)) {
            // An empty replica that stands in for one destroyed here has lost its log: a
            // candidate that still counts this node as a voter (it missed the removal) must not
            // win with its vote.
            return;
        }
        if (r.core.wouldRestore(m)) {
            // As the driver does for a durable state machine: install the snapshot, then let Raft record it.
            Snapshot s = m.snapshot();
            store.applying(r.rangeId, s.index());
            r.sm.restore(s.data());
            KvSimChecks checks = sim.checks(r.rangeId);
            if (r.sm.appliedIndex() == s.index()) {
                checks.safety().onSnapshotRestored(id, s.index(), checks.digest(r.sm));
                sim.descriptorApplied(id, r.sm.descriptor(), s.index());
            }
            sim.trace("n" + id + " r" + r.rangeId + " installed " + s + " -> " + r.sm.descriptor());
            unknownUpTo(r, s.index());
        }
        if (m.type() == MessageType.SNAPSHOT) {
            Snapshot s = m.snapshot();
            m = m.withSnapshot(new Snapshot(s.index(), s.term(), s.conf(), new byte[0]));
        }
        r.core.step(m);
        process(r);
    }

    /** Runs Ready cycles until the replica has nothing to do, checking safety after each. */
    private void process(Replica r) {
        KvSimChecks checks = sim.checks(r.rangeId);
        while (up && r.core.hasReady()) {
            // Each commit index a leader reaches itself (not one it learned before it led, decided
            // under a configuration it no longer has) must be durable on a quorum of its voters. A
            // range's initial state (up to its initial index) was committed in its parent's log.
            if (r.core.role() == Role.LEADER && r.checkedTerm != r.core.term()) {
                r.checkedTerm = r.core.term();
                r.checkedCommit = r.core.committed();
            } else if (r.core.role() == Role.LEADER && r.core.committed() > Math.max(r.checkedCommit, RangeStateMachine.initialIndex)) {
                sim.checkCommittedIsDurable(r.rangeId, id, r.core.conf(), r.core.committed(),
                        r.core.termAt(r.core.committed()));
                r.checkedCommit = r.core.committed();
            }
            Ready rd = r.core.ready();
            checks.safety().afterStep(r.core);
            // As the driver does: a leader's appends and heartbeats leave before the write.
            for (Message m : rd.messages()) {
                if (m.mayPrecedePersistence()) {
                    sendRaft(r, m);
                }
            }
            if (rd.mustSync() && sim.crashDuringSync()) {
                disk.persist(r.rangeId, new Ready(rd.hardState(), rd.entries(), rd.snapshot(), List.of(), List.of(),
                        List.of(), false));
                sim.trace("n" + id + " r" + r.rangeId + " crash during the sync of " + rd.entries().size() + " entries");
                sim.crashNode(this);
                return;
            }
            if (sim.broken(KvSimulation.Broken.LEADER_COMMITS_BEFORE_SYNC) && r.core.role() == Role.LEADER
                    && !rd.entries().isEmpty()) {
                // Broken on purpose: the leader's appends are written without their fsync, yet
                // advance() below tells Raft they are durable.
                disk.persist(r.rangeId, new Ready(rd.hardState(), rd.entries(), rd.snapshot(), List.of(), List.of(),
                        List.of(), false));
            } else {
                disk.persist(r.rangeId, rd);
            }
            checks.safety().onPersisted(r.core, rd.entries());
            for (Message m : rd.messages()) {
                if (!m.mayPrecedePersistence()) {
                    sendRaft(r, m);
                }
            }
            if (rd.snapshot() != null) {
                unknownUpTo(r, rd.snapshot().index()); // the state machine installed it before the step
            }
            // One turn of the store for the Ready's applies: one disk write for them all
            // (TurnBatchedStore, as MultiRaft's driver turn), then the answers.
            kv.begin();
            try {
                for (Entry e : rd.committedEntries()) {
                    apply(r, e, checks);
                }
            } finally {
                kv.end();
            }
            for (Runnable t : turnResults) {
                t.run();
            }
            turnResults.clear();
            for (ReadState rs : rd.readStates()) {
                KvSimulation.Request req = r.awaitingIndex.remove(rs.context());
                if (req != null) {
                    r.confirmed.add(new PendingRead(rs.index(), req));
                }
            }
            r.core.advance(rd);
            serveConfirmedReads(r);
            checks.safety().afterStep(r.core);
            maybeCompact(r);
            startCreatedRanges();
        }
        if (up) {
            checks.safety().afterStep(r.core);
            if (r.core.role() != r.lastRole || r.core.term() != r.lastTerm) {
                if (r.lastRole == Role.LEADER && r.core.role() != Role.LEADER) {
                    releaseLatchesOf(r);
                }
                r.lastRole = r.core.role();
                r.lastTerm = r.core.term();
                sim.trace("n" + id + " r" + r.rangeId + " is " + r.lastRole + " in term " + r.lastTerm + " (leader "
                        + r.core.leader() + ", commit " + r.core.committed() + ")");
            }
        }
    }

    /**
     * As the driver does: a snapshot for a follower carries the state machine as it is now, at its
     * applied index (the log's snapshot point may have no data: a range's initial state).
     */
    private void sendRaft(Replica r, Message m) {
        if (m.type() == MessageType.SNAPSHOT) {
            long index = r.core.applied();
            m = m.withSnapshot(new Snapshot(index, r.core.termAt(index), r.core.conf(), r.sm.snapshot()));
        }
        sim.sendRaft(r.rangeId, m);
    }

    private void apply(Replica r, Entry e, KvSimChecks checks) {
        long before = r.sm.appliedIndex();
        long shadow = disk.current().shadowApplied.getOrDefault(r.rangeId, 0L);
        long batches = kv.batches();
        store.applying(r.rangeId, e.index());
        Object result = null;
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = ConfChange.decode(e.data());
            r.sm.applyConfChange(e.index(), cc);
            if (cc.nodeId() == id) {
                r.removed = cc.type() == ConfChange.Type.REMOVE;
            }
            if (e.index() > before) {
                sim.descriptorApplied(id, r.sm.descriptor(), e.index());
            }
        } else if (e.data().length > 0) {
            long generation = r.sm.descriptor() == null ? -1 : r.sm.descriptor().generation();
            result = r.sm.apply(e.index(), e.data());
            if (r.sm.descriptor().generation() != generation) {
                sim.descriptorApplied(id, r.sm.descriptor(), e.index());
            }
        }
        if (kv.batches() > batches && e.index() <= shadow) {
            throw new KvSimChecks.Violation("exactly once: node " + id + " range " + r.rangeId + " applied entry "
                    + e.index() + " again; its effects were already written (the range believed it had applied "
                    + before + ")");
        }
        if (e.index() > before) {
            checks.safety().onApplied(id, e, checks.digest(r.sm));
        }
        unknownUpTo(r, e.index() - 1);
        PendingWrite p = r.writes.remove(e.index());
        if (p != null) {
            // As MultiRaft: the latch and the answer wait for the turn's write (TurnBatchedStore).
            if (p.term() == e.term() && result != null) {
                // A leader elected with its own removal still unapplied in its log may propose
                // after it (Raft commits those entries): what counts is its membership when it proposed.
                sim.checkMemberAt(id, r.rangeId, p.appliedAtProposal(), "acknowledged the write at index " + e.index()
                        + " it proposed");
                RangeResult answer = p.commitFloor() > 0
                        && (result instanceof RangeResult.Written || result instanceof RangeResult.Prewritten)
                        ? new RangeResult.Prewritten(p.commitFloor()) : (RangeResult) result;
                RangeDescriptor d = r.sm.descriptor();
                turnResults.add(() -> {
                    release(p.latch());
                    answer(p, KvSimulation.Status.OK, answer, d);
                });
            } else {
                // Another leader's entry took its place: it never applies. Safe to retry.
                turnResults.add(() -> {
                    release(p.latch());
                    answer(p, KvSimulation.Status.DROPPED, null, null);
                });
            }
        }
    }

    /** Answers of the writes applied in the turn in progress, given after the turn's write. */
    private final List<Runnable> turnResults = new ArrayList<>();

    /** Proposals at or below index that did not apply one by one (a snapshot covered them): outcome unknown. */
    private void unknownUpTo(Replica r, long index) {
        while (!r.writes.isEmpty() && r.writes.firstKey() <= index) {
            PendingWrite p = r.writes.pollFirstEntry().getValue();
            answer(p, KvSimulation.Status.UNKNOWN, null, null);
            release(p.latch());
        }
    }

    private void startCreatedRanges() {
        while (!created.isEmpty()) {
            RangeDescriptor d = created.remove(0);
            Replica there = replicas.get(d.rangeId());
            Long parent = splitFrom.remove(d.rangeId());
            if (there == null || !there.sm.isInitialised()) {
                startReplica(d);
                Replica p = parent == null ? null : replicas.get(parent);
                if (p != null && p.core.role() == Role.LEADER) {
                    replicas.get(d.rangeId()).core.campaignAsFirstLeader(RangeStateMachine.initialTerm);
                }
            }
        }
    }

    private void maybeCompact(Replica r) {
        if (r.core.applied() - r.core.snapshotIndex() >= sim.params().raft().compactAfterEntries()) {
            Snapshot s = r.core.compact(new byte[0]); // the snapshot point only: the range's state is durable
            if (s != null) {
                disk.compact(r.rangeId, s);
            }
        }
    }

    // ------------------------------------------------------------------ requests

    /** The descriptor of the newest replica here that holds key, or null. */
    RangeDescriptor lookup(byte[] key) {
        RangeDescriptor best = null;
        for (Replica r : replicas.values()) {
            RangeDescriptor d = r.sm.descriptor();
            if (d != null && d.contains(key) && (best == null || d.generation() > best.generation())) {
                best = d;
            }
        }
        return best;
    }

    /** The initialised ranges this node's replicas lead, by their own role (LeaseBalancer's L). */
    /** Ranges this node leads, the meta range left out (the lease balancer does not count it). */
    int leadCount() {
        int n = 0;
        for (Replica r : replicas.values()) {
            if (r.sm.isInitialised() && r.core.role() == Role.LEADER && r.rangeId != MetaKeys.metaRangeId) {
                n++;
            }
        }
        return n;
    }

    void handle(KvSimulation.Request req) {
        Replica r = replicas.get(req.rangeId());
        if (r == null || !r.sm.isInitialised()) {
            sim.respond(this, req, KvSimulation.Status.RANGE_NOT_FOUND, null, null);
            return;
        }
        if (req.kind() == KvSimulation.Kind.TIMESTAMPS) {
            oracleAsks.add(req);
            serveOracle(false);
            return;
        }
        Set<Long> needed = proposeHeldTouchedBy(r, req);
        Set<Long> held = heldOn(req);
        if (req.command() instanceof RangeCommand.CheckStatus) {
            held.addAll(needed); // as RangeStore.checkStatus: asked once the primary's held commit applied
        }
        if (!held.isEmpty()) {
            waiting.add(new Waiting(req, held, sim.now()));
            process(r);
            return;
        }
        switch (req.kind()) {
            case GET, SCAN, VALIDATE, FIRST_KEYS -> read(r, req);
            case WRITE, SPLIT -> write(r, req);
        }
        process(r);
    }

    // ------------------------------------------------------------------ latches

    /**
     * A one-phase write of user keys (latched, then timestamped at the leaseholder:
     * RangeStore.writeAtNow), or a prewrite (latched, then given its commit floor:
     * RangeStore.prewriteWithCommitFloor).
     */
    private static boolean latches(KvSimulation.Request req) {
        return (req.command() instanceof RangeCommand.Write w && w.commitTs() == 0)
                || req.command() instanceof RangeCommand.Prewrite || isBackgroundCommit(req);
    }

    private static boolean isBackgroundCommit(KvSimulation.Request req) {
        return req.kind() == KvSimulation.Kind.WRITE && req.command() instanceof RangeCommand.Commit
                && req.untilTs() == KvSimulation.backgroundCommitMark;
    }

    /** The user keys a write command names (those it latches, or the primary a status is asked at). */
    private static List<byte[]> keysOf(RangeCommand c) {
        if (c instanceof RangeCommand.Prewrite p) {
            return p.ops().stream().map(WriteOp::key).toList();
        } else if (c instanceof RangeCommand.Write w) {
            return w.ops().stream().map(WriteOp::key).toList();
        } else if (c instanceof RangeCommand.Commit cm) {
            return cm.keys();
        } else if (c instanceof RangeCommand.CheckStatus st) {
            return List.of(st.primary());
        }
        return List.of();
    }

    /**
     * As RangeStore.proposeDeferredTouching: a read, a latching write or a status at a primary
     * that touches a key of a background commit held here has the range's held commits proposed
     * now (alone); answers their latches, which the request then waits for.
     */
    private Set<Long> proposeHeldTouchedBy(Replica r, KvSimulation.Request req) {
        Set<Long> needed = new TreeSet<>();
        if (r.held.isEmpty() || req.kind() == KvSimulation.Kind.SPLIT
                || (req.kind() == KvSimulation.Kind.WRITE && !latches(req) && !(req.command() instanceof RangeCommand.CheckStatus))) {
            return needed;
        }
        boolean touched = false;
        for (HeldCommit h : r.held) {
            for (byte[] k : ((RangeCommand.Commit) h.request().command()).keys()) {
                touched |= covers(req, k);
            }
        }
        if (touched) {
            for (HeldCommit h : r.held) {
                needed.add(h.latch());
            }
            sim.trace("n" + id + " r" + r.rangeId + " proposes " + r.held.size() + " held commits: " + req + " needs them");
            proposeHeld(r, false);
            needed.removeIf(l -> !latches.containsKey(l));
        }
        return needed;
    }

    /** Proposes the held background commits (carried: in front of another proposal of the range, in its append). */
    private void proposeHeld(Replica r, boolean carried) {
        for (HeldCommit h : r.held) {
            ProposeResult pr = r.core.propose(RangeCodec.encodeCommand(h.request().command()));
            if (pr instanceof ProposeResult.Accepted a) {
                r.writes.put(a.index(), new PendingWrite(a.term(), r.sm.appliedIndex(), h.request(), h.latch(), 0));
                sim.heldCommitProposed(carried);
            } else {
                release(h.latch());
                if (pr instanceof ProposeResult.NotLeader nl) {
                    sim.respondNotLeaseholder(this, h.request(), nl.leaderId());
                } else {
                    sim.respond(this, h.request(), KvSimulation.Status.DROPPED, null, null);
                }
            }
        }
        r.held.clear();
    }

    /** Held commits of a replica that stopped leading (or is destroyed): never proposed, answered "dropped". */
    private void dropHeld(Replica r) {
        for (HeldCommit h : r.held) {
            release(h.latch());
            sim.respond(this, h.request(), KvSimulation.Status.DROPPED, null, null);
        }
        r.held.clear();
    }

    /**
     * The latches held now on the request's keys in its range: reads (at a timestamp or the
     * newest) wait for them, as one-phase writes do before latching their keys themselves. A
     * scan names the rest of the client's span, beyond its range; latches on keys of other ranges
     * do not hold it up (as RangeStore's Latches.awaitSpan).
     */
    private Set<Long> heldOn(KvSimulation.Request req) {
        Set<Long> held = new TreeSet<>();
        if (latches.isEmpty() || req.kind() == KvSimulation.Kind.SPLIT
                || (req.kind() == KvSimulation.Kind.WRITE && !latches(req))) {
            return held;
        }
        Replica replica = replicas.get(req.rangeId());
        RangeDescriptor range = replica == null ? null : replica.sm.descriptor();
        for (Map.Entry<Long, Latch> e : latches.entrySet()) {
            for (byte[] k : e.getValue().keys()) {
                if (covers(req, k) && (range == null || range.contains(k))) {
                    held.add(e.getKey());
                    break;
                }
            }
        }
        return held;
    }

    private static boolean covers(KvSimulation.Request req, byte[] k) {
        return switch (req.kind()) {
            case GET -> Arrays.equals(req.key(), k);
            case SCAN, VALIDATE -> Arrays.compareUnsigned(k, req.key()) >= 0
                    && (req.endKey() == null || Arrays.compareUnsigned(k, req.endKey()) < 0);
            case FIRST_KEYS -> inSomeSpan(req.spans(), k);
            default -> keysOf(req.command()).stream().anyMatch(key -> Arrays.equals(key, k));
        };
    }

    /** As RangeStore.awaitSpans: whether k is in one of the spans (pairs from, to; an empty to: no bound). */
    private static boolean inSomeSpan(List<byte[]> spans, byte[] k) {
        for (int i = 0; i < spans.size(); i += 2) {
            byte[] to = spans.get(i + 1);
            if (Arrays.compareUnsigned(k, spans.get(i)) >= 0 && (to.length == 0 || Arrays.compareUnsigned(k, to) < 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * As RangeStore at MultiRaft's step-down notice: a replica that stopped leading releases the
     * latches of its pending writes (a store that does not lead serves no reads, and when it leads
     * again it serves none before every entry of the old terms that commits is applied); the
     * writes still wait for their entries. Kept, a latch held up requests of its keys here until
     * the proposal timeout (seed 4644: those of another range this node led after a split).
     * Latching and proposing are one step here, so no write is withdrawn before it is proposed.
     */
    private void releaseLatchesOf(Replica r) {
        if (sim.broken(KvSimulation.Broken.LATCHES_KEPT_AT_STEP_DOWN)) {
            return; // broken on purpose: the latches stay until their writes apply or time out
        }
        dropHeld(r);
        for (long latch : r.awaitingTimestamp) {
            sim.latchReleasedAtStepDown();
            release(latch); // the write, when its timestamp comes, finds its latch gone and is dropped
        }
        r.awaitingTimestamp.clear();
        for (PendingWrite p : r.writes.values()) {
            if (p.latch() != 0 && latches.containsKey(p.latch())) {
                sim.trace("n" + id + " r" + r.rangeId + " stopped leading: releases latch " + p.latch());
                sim.latchReleasedAtStepDown();
                release(p.latch());
            }
        }
    }

    private void release(long latch) {
        if (latch == 0 || latches.remove(latch) == null) {
            return;
        }
        Iterator<Waiting> it = waiting.iterator();
        while (it.hasNext()) {
            Waiting w = it.next();
            if (w.latches().remove(latch) && w.latches().isEmpty()) {
                sim.latchWaited(sim.now() - w.since());
                it.remove();
                unblocked.add(w.request());
            }
        }
    }

    private void read(Replica r, KvSimulation.Request req) {
        boolean lease = sim.broken(KvSimulation.Broken.READ_WITHOUT_LEASE) ? r.core.role() == Role.LEADER
                : r.core.canServeLeaseRead();
        if (sim.broken(KvSimulation.Broken.REMOVED_REPLICA_SERVES) && r.removed) {
            lease = true; // broken on purpose: a replica removed from the group keeps serving
        }
        if (lease) {
            sim.checkMember(id, r.rangeId, "served a read under its lease");
            serveRead(r, req);
        } else if (r.core.role() == Role.LEADER) {
            long ctx = nextReadContext++;
            if (r.core.readIndex(ctx) == RaftCore.NONE) {
                // A leader removed from the group, leading on until its last entry commits: no reads.
                sim.respondNotLeaseholder(this, req, 0);
                return;
            }
            r.awaitingIndex.put(ctx, req);
        } else {
            sim.respondNotLeaseholder(this, req, r.core.leader());
        }
    }

    private void serveConfirmedReads(Replica r) {
        Iterator<PendingRead> it = r.confirmed.iterator();
        while (it.hasNext()) {
            PendingRead p = it.next();
            if (p.index() <= r.sm.appliedIndex() || p.index() <= r.core.applied()) {
                it.remove();
                if (p.request().kind() == KvSimulation.Kind.TIMESTAMPS) {
                    confirmingSince = -1;
                    // The oracle's round: confirmed to lead in the term it was started in.
                    if (r.rangeId == 1L && r.core.role() == Role.LEADER && r.sm.descriptor().conf().voters().contains(id)) {
                        serveOracle(true);
                    }
                    continue;
                }
                if (!r.sm.descriptor().conf().voters().contains(id)) {
                    // Confirmed while it led, but it has since applied its own removal.
                    sim.respondNotLeaseholder(this, p.request(), 0);
                    continue;
                }
                sim.checkMemberAt(id, r.rangeId, r.sm.appliedIndex(), "served a ReadIndex read");
                serveRead(r, p.request());
            }
        }
    }

    private void serveRead(Replica r, KvSimulation.Request req) {
        long ts = req.ts();
        RangeResult result = switch (req.kind()) {
            case GET -> ts == 0 ? r.sm.get(req.key()) : r.sm.get(req.key(), ts, ts);
            case VALIDATE -> r.sm.validate(req.key(), req.endKey(), ts, req.untilTs());
            case FIRST_KEYS -> r.sm.firstKeys(sim.broken(KvSimulation.Broken.FIRST_KEYS_IGNORE_SPAN_END)
                    ? withoutEnds(req.spans()) : req.spans(), ts == 0 ? Long.MAX_VALUE : ts, ts);
            default -> req.filter() != null ? filteredScan(r, req)
                    : ts == 0 ? r.sm.scan(req.key(), req.endKey(), sim.params().pageRows(), Long.MAX_VALUE)
                    : r.sm.scan(req.key(), req.endKey(), sim.params().pageRows(), Long.MAX_VALUE, ts, ts);
        };
        sim.respond(this, req, KvSimulation.Status.OK, result, r.sm.descriptor());
    }

    /** A filtered scan's page of the newest rows: at most pageRows kept, about filteredPageBytes looked at. */
    private RangeResult filteredScan(Replica r, KvSimulation.Request req) {
        RangeResult page = r.sm.scan(req.key(), req.endKey(), sim.params().pageRows(), KvSimulation.filteredPageBytes,
                Long.MAX_VALUE, 0, req.filter());
        if (sim.broken(KvSimulation.Broken.FILTERED_SCAN_DROPS_PAST_PAGE) && page instanceof RangeResult.Rows rows
                && rows.resumeKey() != null && rows.rows().size() < sim.params().pageRows()) {
            // Broken on purpose: a short page taken for the end of the range.
            return new RangeResult.Rows(rows.rows(), null);
        }
        return page;
    }

    /** Broken on purpose (FIRST_KEYS_IGNORE_SPAN_END): every span to the end of the range. */
    private static List<byte[]> withoutEnds(List<byte[]> spans) {
        List<byte[]> out = new ArrayList<>(spans);
        for (int i = 1; i < out.size(); i += 2) {
            out.set(i, new byte[0]);
        }
        return out;
    }

    private void write(Replica r, KvSimulation.Request req) {
        if (req.kind() == KvSimulation.Kind.SPLIT && sim.broken(KvSimulation.Broken.SPLIT_OUTSIDE_LOG)
                && r.core.role() == Role.LEADER) {
            // Broken on purpose: the leader applies the split to its own state, without a log entry.
            store.applying(r.rangeId, r.sm.appliedIndex() + 1);
            RangeResult result = (RangeResult) r.sm.apply(r.sm.appliedIndex() + 1, RangeCodec.encodeCommand(req.command()));
            startCreatedRanges();
            sim.respond(this, req, KvSimulation.Status.OK, result, r.sm.descriptor());
            return;
        }
        RangeCommand command = req.command();
        if (command instanceof RangeCommand.CheckStatus c && r.core.canServeLeaseRead()) {
            // As RangeStore.checkStatus: answered from the leaseholder's state under its lease
            // when deciding it writes nothing; else proposed (and decided again when applied).
            RangeResult found = r.sm.statusWithoutWriting(c);
            if (found == null && sim.broken(KvSimulation.Broken.STATUS_ROLLBACK_WITHOUT_LOG)) {
                // Broken on purpose: what the command would answer, without writing it (an
                // expired transaction reported rolled back while its lock stays committable).
                found = c.ttlMillis() > 0 ? new RangeResult.TxnStatus(RangeResult.TxnStatus.State.PENDING, 0, c.ttlMillis())
                        : new RangeResult.TxnStatus(RangeResult.TxnStatus.State.ABORTED, 0, 0);
            }
            if (found != null) {
                sim.checkMember(id, r.rangeId, "answered a transaction's status under its lease");
                sim.respond(this, req, KvSimulation.Status.OK, found, r.sm.descriptor());
                return;
            }
        }
        boolean leaseholderHere = r.core.leader() == 0 || r.core.leader() == id;
        RangeResult.KeyMismatch outside = latches(req) && leaseholderHere
                ? RangeStateMachine.keyOutside(r.sm.descriptor(), command) : null;
        if (outside != null) {
            // As RangeStore: a write routed with a stale descriptor is refused before it latches
            // keys of another range.
            sim.respond(this, req, KvSimulation.Status.OK, outside, r.sm.descriptor());
            return;
        }
        if (isBackgroundCommit(req) && leaseholderHere && r.core.role() == Role.LEADER) {
            // Latched, then held for the range's next proposal (RangeStore.deferCommit).
            long held = nextLatch++;
            latches.put(held, new Latch(((RangeCommand.Commit) command).keys(), sim.now()));
            r.held.add(new HeldCommit(req, held, sim.now()));
            sim.trace("n" + id + " r" + r.rangeId + " holds " + req + " for the next proposal");
            return;
        }
        proposeHeld(r, true);
        boolean timestamped = command instanceof RangeCommand.Write w && w.commitTs() == 0
                && !MetaKeys.isSystemKey(w.ops().get(0).key());
        if (!timestamped && !(command instanceof RangeCommand.Prewrite)) {
            propose(r, req, command, 0, 0);
            return;
        }
        if (r.core.role() != Role.LEADER) {
            sim.respondNotLeaseholder(this, req, r.core.leader()); // as its proposal would be refused
            return;
        }
        // Latch the keys, then take a timestamp from the oracle: a one-phase write's commit
        // timestamp (RangeStore.writeAtNow), a parallel prewrite's minCommitTs
        // (RangeStore.parallelPrewrite) or a prewrite's commit floor (prewriteWithCommitFloor).
        long latch = 0;
        if (timestamped || !sim.broken(KvSimulation.Broken.PREWRITE_FLOOR_WITHOUT_LATCH)) {
            latch = nextLatch++;
            latches.put(latch, new Latch(keysOf(command), sim.now()));
            r.awaitingTimestamp.add(latch);
        }
        long held = latch;
        RangeCommand asked = command;
        timestamp(ts -> {
            boolean latchKept = held == 0 || (latches.containsKey(held) && r.awaitingTimestamp.remove(held));
            if (ts < 0 || !latchKept || replicas.get(r.rangeId) != r) {
                // No timestamp in time, or the latch went (step-down, its timeout) while the
                // oracle was asked: not proposed, so safe to retry.
                r.awaitingTimestamp.remove(held);
                release(held);
                sim.respond(this, req, KvSimulation.Status.DROPPED, null, null);
                return;
            }
            RangeCommand c = asked;
            long commitFloor = 0;
            if (asked instanceof RangeCommand.Write w) {
                c = w.at(ts);
            } else if (asked instanceof RangeCommand.Prewrite p && p.parallel()) {
                c = p.withMinCommitTs(ts);
                if (sim.broken(KvSimulation.Broken.RETRIED_PREWRITE_NEW_MIN_COMMIT_TS)) {
                    commitFloor = ts; // answered instead of what the locks hold
                }
            } else {
                commitFloor = ts;
            }
            propose(r, req, c, held, commitFloor);
            process(r);
        });
    }

    private void propose(Replica r, KvSimulation.Request req, RangeCommand command, long latch, long commitFloor) {
        ProposeResult pr = r.core.propose(RangeCodec.encodeCommand(command));
        if (pr instanceof ProposeResult.Accepted a) {
            r.writes.put(a.index(), new PendingWrite(a.term(), r.sm.appliedIndex(), req, latch, commitFloor));
            return;
        }
        release(latch);
        if (pr instanceof ProposeResult.NotLeader nl) {
            sim.respondNotLeaseholder(this, req, nl.leaderId());
        } else {
            sim.respond(this, req, KvSimulation.Status.DROPPED, null, null);
        }
    }

    // ------------------------------------------------------------------ the timestamp oracle

    /** This node's wall clock: the sim's time, off by the node's skew (drawn again at each start). */
    long clockMillis() {
        return sim.now() * KvSimulation.millisPerTick + skewMillis;
    }

    /** The oracle hosted here (as TimestampService): loaded for one term of range 1 (the sim's meta range), null if none. */
    private TimestampOracle oracle;
    private long oracleTerm = -1;
    /** A mark extension in flight (a compare-and-set through range 1's log), since this tick; -1: none. */
    private long extendingSince = -1;
    /** Bumped whenever the oracle is dropped: an extension's answer for an older one is ignored. */
    private long oracleEpoch;
    /** TIMESTAMPS requests waiting for the oracle (its mark being loaded or moved). */
    private final List<KvSimulation.Request> oracleAsks = new ArrayList<>();

    private void dropOracle() {
        oracle = null;
        oracleTerm = -1;
        extendingSince = -1;
        oracleEpoch++;
    }

    private static long decodeMark(RangeResult r) {
        if (r instanceof RangeResult.Value v && v.value() != null) {
            return ByteBuffer.wrap(v.value()).getLong();
        }
        return 0;
    }

    private static byte[] encodeMark(long mark) {
        return ByteBuffer.allocate(8).putLong(mark).array();
    }

    /**
     * Answers the waiting TIMESTAMPS requests, as TimestampService does: only at a moment this
     * node is confirmed to lead range 1 (under its lease, or confirmed: at the end of a ReadIndex
     * round, with the applied state at the index read), from an oracle loaded in that term (from
     * the durable mark in this replica's applied state, current at such a moment), each batch
     * below a mark made durable first (a compare-and-set of the mark through the log; one that
     * fails means another oracle moved it: reload). Another node's requests are sent on with a
     * hint.
     */
    private void serveOracle(boolean confirmed) {
        if (!up || oracleAsks.isEmpty()) {
            return;
        }
        Replica m = replicas.get(1L);
        boolean deposedAnswers = sim.broken(KvSimulation.Broken.ORACLE_DEPOSED) && oracle != null && m != null;
        if (!deposedAnswers && (m == null || !m.sm.isInitialised() || m.core.role() != Role.LEADER)) {
            if (oracle != null) {
                dropOracle();
            }
            for (KvSimulation.Request q : oracleAsks) {
                sim.respondNotLeaseholder(this, q, m == null ? 0 : m.core.leader());
            }
            oracleAsks.clear();
            return;
        }
        if (!deposedAnswers && oracle != null && oracleTerm != m.core.term()) {
            dropOracle(); // leads in another term: another oracle may have moved the mark meanwhile
        }
        if (extendingSince >= 0) {
            return; // served once the mark is durable
        }
        int count = 0;
        for (KvSimulation.Request q : oracleAsks) {
            count += (int) Math.max(1, q.untilTs());
        }
        if (deposedAnswers || confirmed || m.core.canServeLeaseRead()) {
            if (oracle == null) {
                long mark = decodeMark(m.sm.get(KvSimulation.timestampMarkKey));
                sim.checkMember(id, 1L, "loaded the timestamp oracle while confirmed to lead");
                oracle = new TimestampOracle(sim.broken(KvSimulation.Broken.ORACLE_NO_MARK) ? 0 : mark);
                if (sim.broken(KvSimulation.Broken.ORACLE_NO_MARK) && mark > 0) {
                    // Broken on purpose: starts from its own clock, but moves the mark from what is stored.
                    storedMarkIgnored = mark;
                }
                oracleTerm = m.core.term();
                sim.oracleLoaded(this, mark);
            }
            TimestampOracle.Answer a = oracle.next(count, clockMillis());
            if (a instanceof TimestampOracle.Granted g) {
                sim.timestampsGranted(this, g.first(), g.count());
                long next = g.first();
                for (KvSimulation.Request q : oracleAsks) {
                    int n = (int) Math.max(1, q.untilTs());
                    sim.respond(this, q, KvSimulation.Status.OK, new RangeResult.Timestamps(next, n), m.sm.descriptor());
                    next += n;
                }
                oracleAsks.clear();
            } else if (!confirmed) {
                extend(m, ((TimestampOracle.Extend) a).newMark());
            } // confirmed (inside a Raft turn): extended on the next tick, then confirmed again
            return;
        }
        // Leads without its lease: an oracle that would pass its mark extends it first (no
        // confirmation needed: a compare-and-set); else a ReadIndex round confirms the lead.
        if (oracle != null && Math.max(oracle.last() + 1, clockMillis() << HybridClock.logicalBits) + count - 1 >= oracle.mark()) {
            extend(m, ((TimestampOracle.Extend) oracle.next(count, clockMillis())).newMark());
            return;
        }
        if (confirmingSince >= 0 && sim.now() - confirmingSince < KvSimulation.attemptTimeoutTicks) {
            return; // a round in flight
        }
        long ctx = nextReadContext++;
        if (m.core.readIndex(ctx) == RaftCore.NONE) {
            for (KvSimulation.Request q : oracleAsks) {
                sim.respond(this, q, KvSimulation.Status.DROPPED, null, null);
            }
            oracleAsks.clear();
            return;
        }
        confirmingSince = sim.now();
        m.awaitingIndex.put(ctx, new KvSimulation.Request(Integer.MIN_VALUE, ctx, id, 1L, KvSimulation.Kind.TIMESTAMPS,
                KvSimulation.timestampMarkKey, null, null));
        process(m);
    }

    /** A ReadIndex round confirming this node's lead of range 1 for the oracle, since this tick (-1: none). */
    private long confirmingSince = -1;

    /** Moves the durable mark to newMark by a compare-and-set through range 1's log; the asks wait for it. */
    private void extend(Replica m, long newMark) {
        long expected = storedMarkIgnored > 0 ? storedMarkIgnored : oracle.mark();
        storedMarkIgnored = 0;
        WriteOp cas = new WriteOp.CompareAndSet(KvSimulation.timestampMarkKey, expected == 0 ? null : encodeMark(expected),
                encodeMark(newMark));
        ProposeResult pr = m.core.propose(RangeCodec.encodeCommand(new RangeCommand.Write(List.of(cas), 0, 0)));
        if (!(pr instanceof ProposeResult.Accepted acc)) {
            dropOracle();
            for (KvSimulation.Request q : oracleAsks) {
                sim.respond(this, q, KvSimulation.Status.DROPPED, null, null);
            }
            oracleAsks.clear();
            return;
        }
        long epoch = oracleEpoch;
        TimestampOracle extendedOracle = oracle;
        extendingSince = sim.now();
        m.writes.put(acc.index(), new PendingWrite(acc.term(), m.sm.appliedIndex(), null, 0, 0, result -> {
            if (epoch != oracleEpoch) {
                return; // dropped meanwhile: the next oracle reloads the mark
            }
            extendingSince = -1;
            if (result instanceof RangeResult.Written) {
                sim.oracleMarkMoved();
                extendedOracle.extended(newMark);
            } else {
                dropOracle(); // another oracle moved it (or the write did not apply): reload
            }
            // The waiting requests are served on the next tick (not inside this Raft turn).
        }));
        process(m);
    }

    /** ORACLE_NO_MARK: the mark found in storage, which the broken oracle's first extension replaces. */
    private long storedMarkIgnored;

    // ------------------------------------------------------------------ timestamps for this node's writes

    private record TsWaiter(LongConsumer then, long since) {
    }

    /** Writes of this node waiting for a timestamp; one request at a time asks for them all (TimestampClient). */
    private final List<TsWaiter> tsWaiting = new ArrayList<>();
    private long tsAskId;
    /** When the request in flight left (-1: none) and how many it asked for. */
    private long tsAskAt = -1;
    /** Where the oracle was last found (0: unknown). */
    private long oracleHint;
    /** Asks that failed (no range 1 there, silence) since the last answer. */
    private int tsFailures;

    /**
     * A timestamp for one of this node's writes, from the oracle (then gets -1 if none came in
     * time, as RangeStore's proposal timeout). As TimestampClient: one request in flight; the
     * callers that ask meanwhile are served by the next one, which asks for all of them.
     */
    private void timestamp(LongConsumer then) {
        tsWaiting.add(new TsWaiter(then, sim.now()));
        if (tsAskAt < 0) {
            askOracle();
        }
    }

    private void askOracle() {
        if (tsWaiting.isEmpty()) {
            tsAskAt = -1;
            return;
        }
        long target = oracleHint;
        if (target == 0) {
            // Its own replica's leader, unless asking there failed since the last answer (the
            // replica may be stale, uninitialised or removed: KV seed 1985 asked a node without
            // range 1 for 800 ticks); else any node.
            Replica m = replicas.get(1L);
            target = tsFailures == 0 && m != null && m.sm.isInitialised() && m.core.leader() != 0 ? m.core.leader()
                    : 1 + random.nextInt(sim.params().nodes());
        }
        tsAskId++;
        tsAskAt = sim.now();
        KvSimulation.Request q = new KvSimulation.Request((int) -id, tsAskId, target, 1L, KvSimulation.Kind.TIMESTAMPS,
                KvSimulation.timestampMarkKey, null, null, 0, tsWaiting.size());
        if (target == id) {
            handle(q); // the oracle is here: no round trip (its answer still travels as a message)
        } else {
            sim.sendFromNode(this, q);
        }
    }

    /** An answer to this node's TIMESTAMPS request. */
    void onResponse(KvSimulation.Response r) {
        if (r.reqId() != tsAskId || tsAskAt < 0) {
            return; // an earlier attempt's: its timestamps go unused
        }
        switch (r.status()) {
            case OK -> {
                tsFailures = 0;
                oracleHint = r.node();
                RangeResult.Timestamps t = (RangeResult.Timestamps) r.result();
                int n = Math.min(t.count(), tsWaiting.size());
                List<TsWaiter> served = new ArrayList<>(tsWaiting.subList(0, n));
                tsWaiting.subList(0, n).clear();
                tsAskAt = -1;
                for (int i = 0; i < n && up; i++) {
                    served.get(i).then().accept(t.first() + i);
                }
                if (up && tsAskAt < 0) {
                    askOracle();
                }
            }
            case NOT_LEASEHOLDER -> {
                oracleHint = r.leaderHint() == r.node() ? 0 : r.leaderHint();
                tsAskAt = -1;
                askAgainAt = sim.now() + (oracleHint != 0 ? 0 : 2);
            }
            case DROPPED -> {
                oracleHint = r.node(); // it leads range 1, without its lease yet
                tsAskAt = -1;
                askAgainAt = sim.now() + 2;
            }
            default -> {
                tsFailures++;
                oracleHint = 0;
                tsAskAt = -1;
                askAgainAt = sim.now() + 2;
            }
        }
    }

    /** The next request for timestamps leaves at this tick (-1: as soon as a write asks). */
    private long askAgainAt = -1;

    /** Per tick: timestamps asked too long ago are given up (the writes dropped); a silent oracle is asked again elsewhere. */
    private void tickTimestamps() {
        long now = sim.now();
        while (!tsWaiting.isEmpty() && now - tsWaiting.get(0).since() >= KvSimulation.latchTimeoutTicks) {
            tsWaiting.remove(0).then().accept(-1);
            if (!up) {
                return;
            }
        }
        if (tsAskAt >= 0 && now - tsAskAt >= KvSimulation.attemptTimeoutTicks) {
            tsFailures++;
            oracleHint = 0; // silent: find the oracle again
            tsAskAt = -1;
            askAgainAt = now;
        }
        if (tsAskAt < 0 && askAgainAt >= 0 && now >= askAgainAt) {
            askAgainAt = -1;
            askOracle();
        } else if (tsAskAt < 0 && askAgainAt < 0 && !tsWaiting.isEmpty()) {
            askOracle();
        }
        if (!oracleAsks.isEmpty()) {
            serveOracle(false);
        }
        if (extendingSince >= 0 && now - extendingSince >= KvSimulation.latchTimeoutTicks) {
            dropOracle(); // the mark's write is stuck (a leader cut off): reload from what applied
            serveOracle(false);
        }
    }

    /** For leadership transfers: the ranges this node leads. */
    List<Replica> leading() {
        List<Replica> out = new ArrayList<>();
        for (Replica r : replicas.values()) {
            if (r.core.role() == Role.LEADER && r.sm.isInitialised()) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Carries out one placement step for a range this node leads, as RangeService.carryOut does.
     * Returns whether it was started (a learner's node must be reachable to host its replica).
     */
    boolean carryOut(Replica r, Placement.Action step) {
        sim.trace("n" + id + " placement of " + r.sm.descriptor() + ": " + step + " " + sim.placementView());
        ConfChange change;
        if (step instanceof Placement.AddLearner add) {
            if (!sim.host(id, add.storeId(), r.sm.descriptor())) {
                return false;
            }
            change = new ConfChange(ConfChange.Type.ADD_LEARNER, add.storeId());
        } else if (step instanceof Placement.Promote p) {
            change = new ConfChange(ConfChange.Type.PROMOTE, p.storeId());
        } else if (step instanceof Placement.Remove rm) {
            change = new ConfChange(ConfChange.Type.REMOVE, rm.storeId());
        } else {
            transferLeadership(r, ((Placement.TransferLease) step).storeId());
            return true;
        }
        RangeDescriptor d = r.sm.descriptor();
        ProposeResult pr = r.core.proposeConfChange(change);
        process(r);
        if (pr instanceof ProposeResult.Accepted) {
            sim.proposedChange(d, change);
            return true;
        }
        return false;
    }

    void transferLeadership(Replica r, long target) {
        sim.trace("n" + id + " r" + r.rangeId + " transfer leadership to n" + target);
        r.core.transferLeadership(target);
        process(r);
    }

    String describe() {
        StringBuilder b = new StringBuilder("n" + id + (up ? "" : " down") + ":");
        for (Replica r : replicas.values()) {
            b.append(' ').append(r.sm.descriptor()).append(' ').append(r.core.role()).append(" t").append(r.core.term())
                    .append(" c").append(r.core.committed()).append(" a").append(r.sm.appliedIndex())
                    .append(" raft-applied ").append(r.core.applied()).append(r.core.canServeLeaseRead() ? " lease" : "");
            int reads = r.awaitingIndex.size() + r.confirmed.size();
            b.append(reads == 0 ? "" : " reads-waiting-for-index " + reads).append(';');
        }
        // A request that waits for a latch gets no answer meanwhile (seed 6036 of the long run).
        b.append(" requests-waiting-for-latches ").append(waiting.size()).append(" latches-held ").append(latches.size())
                .append(" commits-held ").append(replicas.values().stream().mapToInt(r -> r.held.size()).sum());
        return b.toString();
    }

    static RangeCommand splitCommand(byte[] key, long newRangeId, long generation) {
        return new RangeCommand.Split(key, newRangeId, generation);
    }
}
