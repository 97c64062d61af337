package io.starlingdb.testkit.raft;

import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.Entry;
import io.starlingdb.engine.raft.EntryType;
import io.starlingdb.engine.raft.Message;
import io.starlingdb.engine.raft.ProposeResult;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftCore;
import io.starlingdb.engine.raft.ReadState;
import io.starlingdb.engine.raft.Ready;
import io.starlingdb.engine.raft.Role;
import io.starlingdb.engine.raft.Snapshot;
import io.starlingdb.testkit.check.KvOp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * One simulated replica: the Raft core, a KV state machine, the simulated disk, and the client
 * requests it is serving. Volatile state (core, state machine, pending requests) is lost in a
 * crash; the disk keeps what was synced.
 */
final class SimNode {

    private record PendingWrite(int client, long opId, long index) {
    }

    private record PendingRead(int client, long opId, String key) {
    }

    final long id;
    private final Simulation sim;
    private final RaftConfig config;
    private final ConfState bootstrap;
    final SimStorage storage = new SimStorage();
    RaftCore core;
    private Role lastRole;
    private long lastTerm = -1;
    private KvStateMachine sm;
    private final TreeMap<Long, PendingWrite> pendingWrites = new TreeMap<>();
    /** Reads waiting for their read index (by op id). */
    private final TreeMap<Long, PendingRead> awaitingIndex = new TreeMap<>();
    /** Reads with a confirmed read index, waiting for the state machine to catch up. */
    private final List<long[]> confirmedReads = new ArrayList<>();

    SimNode(long id, Simulation sim, RaftConfig config, ConfState bootstrap) {
        this.id = id;
        this.sim = sim;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    boolean isUp() {
        return core != null;
    }

    /** Starts (or restarts) from what the disk holds. */
    void start(long randomSeed) {
        core = new RaftCore(id, config, new Random(randomSeed), storage.recover(bootstrap));
        lastRole = null;
        Snapshot s = storage.snapshot();
        sm = KvStateMachine.restore(s == null ? null : s.data());
        sim.trace("n" + id + " start " + core + " conf " + core.conf());
    }

    /** Loses every volatile thing. */
    void crash() {
        sim.trace("n" + id + " CRASH " + core);
        core = null;
        sm = null;
        storage.crash();
        pendingWrites.clear();
        awaitingIndex.clear();
        confirmedReads.clear();
    }

    void tick() {
        core.tick();
        process();
    }

    void receive(Message m) {
        core.step(m);
        process();
    }

    void clientRequest(int client, long opId, KvOp op) {
        if (!op.isWrite()) {
            long lead = core.readIndex(opId);
            if (lead == RaftCore.NONE) {
                sim.respondNotLeader(id, client, opId, RaftCore.NONE);
            } else {
                awaitingIndex.put(opId, new PendingRead(client, opId, op.key()));
            }
        } else {
            ProposeResult r = core.propose(new KvCommand(client, opId, op).encode());
            if (r instanceof ProposeResult.Accepted a) {
                pendingWrites.put(opId, new PendingWrite(client, opId, a.index()));
            } else if (r instanceof ProposeResult.NotLeader nl) {
                sim.respondNotLeader(id, client, opId, nl.leaderId());
            } else {
                sim.respondNotLeader(id, client, opId, core.leader());
            }
        }
        process();
    }

    /** Runs Ready cycles until there is nothing left to do, checking safety after each. */
    void process() {
        while (core != null && core.hasReady()) {
            Ready rd = core.ready();
            sim.checker().afterStep(core);
            // As the driver does: a leader's appends and heartbeats leave before the write.
            for (Message m : rd.messages()) {
                if (m.mayPrecedePersistence()) {
                    sim.sendRaft(m);
                }
            }
            if (rd.mustPersist() && sim.crashDuringSync()) {
                sim.trace("n" + id + " crash before sync of " + rd.entries().size() + " entries, hs " + rd.hardState());
                sim.crashNode(this);
                return;
            }
            storage.persist(rd);
            sim.checker().onPersisted(core, rd.entries());
            if (!rd.messages().isEmpty() && sim.crashAfterSync()) {
                sim.trace("n" + id + " crash after sync, before sending " + rd.messages().size() + " messages");
                sim.crashNode(this);
                return;
            }
            for (Message m : rd.messages()) {
                if (!m.mayPrecedePersistence()) {
                    sim.sendRaft(m);
                }
            }
            if (rd.snapshot() != null) {
                sm = KvStateMachine.restore(rd.snapshot().data());
                sim.checker().onSnapshotRestored(id, rd.snapshot().index(), sm.digest());
                sim.trace("n" + id + " restored " + rd.snapshot());
            }
            for (Entry e : rd.committedEntries()) {
                apply(e);
            }
            for (ReadState rs : rd.readStates()) {
                PendingRead pr = awaitingIndex.remove(rs.context());
                if (pr != null) {
                    confirmedReads.add(new long[] {rs.context(), rs.index(), pr.client()});
                    awaitingIndex.put(-rs.context(), pr);
                }
            }
            core.advance(rd);
            serveReads();
            sim.checker().afterStep(core);
            maybeCompact();
        }
        if (core != null) {
            sim.checker().afterStep(core);
            if (core.role() != lastRole || core.term() != lastTerm) {
                lastRole = core.role();
                lastTerm = core.term();
                sim.trace("n" + id + " is " + lastRole + " in term " + lastTerm + " (leader " + core.leader() + ", last "
                        + core.lastIndex() + "@" + core.termAt(core.lastIndex()) + ", commit " + core.committed() + ")");
            }
        }
    }

    private void apply(Entry e) {
        if (e.type() == EntryType.CONF_CHANGE) {
            sim.trace("n" + id + " apply " + e);
        } else if (e.data().length > 0) {
            KvCommand c = KvCommand.decode(e.data());
            String result = sm.apply(c);
            PendingWrite pw = pendingWrites.remove(c.opId());
            if (pw != null && result != null) {
                sim.respondOk(id, pw.client(), pw.opId(), result);
            }
        }
        // A proposal overwritten by another entry at its index will never apply here: the client times out and retries.
        Iterator<PendingWrite> it = pendingWrites.values().iterator();
        while (it.hasNext()) {
            if (it.next().index() <= e.index()) {
                it.remove();
            }
        }
        sim.checker().onApplied(id, e, sm.digest());
    }

    private void serveReads() {
        long applied = core.applied();
        Iterator<long[]> it = confirmedReads.iterator();
        while (it.hasNext()) {
            long[] r = it.next();
            if (r[1] <= applied) {
                it.remove();
                PendingRead pr = awaitingIndex.remove(-r[0]);
                if (pr != null) {
                    sim.respondOk(id, pr.client(), pr.opId(), sm.get(pr.key()));
                }
            }
        }
    }

    private void maybeCompact() {
        if (core.applied() - core.snapshotIndex() >= config.compactAfterEntries()) {
            Snapshot s = core.compact(sm.snapshot());
            if (s != null) {
                storage.compact(s);
            }
        }
    }
}
