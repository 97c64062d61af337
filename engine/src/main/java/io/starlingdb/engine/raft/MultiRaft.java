package io.starlingdb.engine.raft;

import io.starlingdb.engine.LimitExceededException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Raft driver of one node: every group the node hosts shares this one thread, the node's
 * one {@link RaftLogStore} and one {@link Transport}. Each loop iteration runs the queued work
 * (incoming messages, proposals, reads), ticks the groups when a tick is due, then for every
 * group with something to do: collects its Ready, writes all of them in one synced RocksDB
 * batch, sends the messages in one batch per destination node, applies committed entries, and
 * advances. Work that arrives during the fsync waits for the next iteration and shares its
 * fsync: that is the group commit.
 *
 * <p>Futures complete on the driver's thread: callers must not block in their callbacks.
 * A read or proposal may never complete if leadership changes at the wrong moment: use timeouts.
 */
public final class MultiRaft implements Transport.Receiver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MultiRaft.class);

    /** Queued tasks run per iteration before the Readies are handled, so that a flood cannot starve I/O. */
    public static final int maxTasksPerIteration = 16_384;
    /**
     * Snapshot chunks sent per loop iteration, across all streams: snapshots make progress
     * without delaying the appends and heartbeats of the next iteration.
     */
    public static final int snapshotChunksPerIteration = 4;
    /**
     * Largest command accepted by {@link #propose}, in bytes: well below the cluster network's
     * frame limit (16 MiB), so that every entry can travel in one frame.
     */
    public static final int maxCommandBytes = 8 << 20;
    /**
     * Tasks (incoming message batches, proposals, reads) queued for the driver at most. Past it,
     * incoming messages are dropped (Raft resends) and local requests fail at once with
     * {@link LimitExceededException}: a flood cannot grow the queue without bound.
     */
    public static final int maxInboxTasks = 65_536;
    /** Bytes of incoming messages and snapshot chunks queued for the driver at most; past it they are dropped. */
    public static final long maxInboxBytes = 256L << 20;
    /** Snapshot streams being received at once; a new stream beyond it is ignored until one ends. */
    public static final int maxIncomingSnapshots = 4;
    /**
     * A stream being received that got no chunk for this long (its sender died or gave up) is
     * dropped, with its files, when a new stream needs its place.
     */
    public static final long incomingSnapshotIdleMillis = 30_000;
    /**
     * Largest snapshot received, in bytes: reassembled in memory for an in-memory state machine,
     * or written to files by a {@link SnapshotSink}; a larger stream is dropped.
     */
    public static final long maxSnapshotBytes = 512L << 20;
    /**
     * Snapshots streamed from a {@link SnapshotSource} at once (each may hold a storage snapshot
     * and a few files); a follower that needs one beyond it waits until Raft asks again.
     */
    public static final int maxOutgoingSnapshotStreams = 4;
    /** How long the driver waits, when only snapshot sources not ready yet have work, before polling them again. */
    static final long snapshotSourceWaitMicros = 500;
    /**
     * Ticks the driver catches up at most after a stall (a GC pause, a slow fsync): enough to
     * expire every lease and election timer, so a stalled leader never trusts an old lease.
     */
    static final int maxCatchUpTicks = 64;
    /**
     * A lease read also needs the driver to have ticked within this many tick lengths of wall time:
     * a driver that stalled longer has a tick count behind real time and falls back to ReadIndex.
     */
    static final int leaseTickGuard = 2;

    private final long nodeId;
    private final RaftConfig config;
    private final RaftLogStore store;
    private final Random random;
    private final LinkedBlockingQueue<Task> inbox = new LinkedBlockingQueue<>(maxInboxTasks);
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicLong droppedIncoming = new AtomicLong();
    private final Map<Long, Group> groups = new HashMap<>();
    private final Set<Group> dirty = new LinkedHashSet<>();
    private final java.util.ArrayDeque<OutgoingSnapshot> snapshotsOut = new java.util.ArrayDeque<>();
    private final Map<StreamKey, IncomingSnapshot> snapshotsIn = new HashMap<>();
    private final Map<Long, Long> leaders = new ConcurrentHashMap<>();
    /** The read leases this node holds, as threads other than the driver's see them ({@link #leaseTermNow}). */
    private final Map<Long, LeaseView> leases = new ConcurrentHashMap<>();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong commitRides = new AtomicLong();
    private final Thread thread;
    private volatile Transport transport;
    private volatile boolean running;
    private volatile boolean closed;
    private long nextReadContext = 1;
    /** System.nanoTime() of the last tick, read on the driver thread only. */
    private long lastTickNanos;

    private record Pending(long term, CompletableFuture<Object> future) {
    }

    /**
     * Queued work; future (null for incoming messages) is failed if the node stops first; bytes
     * counts against {@link #maxInboxBytes} until the task runs.
     */
    private record Task(CompletableFuture<?> future, Runnable work, long bytes) {
    }

    /**
     * A read lease held in term until System.nanoTime() reaches untilNanos, published by the
     * driver for threads that must not wait for a turn of it.
     */
    private record LeaseView(long term, long untilNanos) {
    }

    /** A read waiting for the state machine to apply index. */
    private record WaitingRead(long index, ReadRequest request) {
    }

    /**
     * A snapshot being streamed to one follower; offset is the next byte to send. message is the
     * snapshot sent: the state machine as of its applied index when the stream started.
     */
    private static final class OutgoingSnapshot {
        final long group;
        final Message message;
        /** The pieces to send, or null: the message's data is sent in slices. */
        final SnapshotSource source;
        long offset;

        OutgoingSnapshot(long group, Message message, SnapshotSource source) {
            this.group = group;
            this.message = message;
            this.source = source;
        }

        void close() {
            if (source != null) {
                source.close();
            }
        }
    }

    private record StreamKey(long group, long from) {
    }

    /** A snapshot being received: the bytes so far, in order, or the sink that stores them. */
    private static final class IncomingSnapshot {
        final long index;
        /** Null: the bytes are reassembled in memory. */
        final SnapshotSink sink;
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        long received;
        long lastChunkNanos = System.nanoTime();

        IncomingSnapshot(long index, SnapshotSink sink) {
            this.index = index;
            this.sink = sink;
        }

        void close() {
            if (sink != null) {
                sink.close();
            }
        }
    }

    private static final class Group {
        final long id;
        final RaftCore core;
        final StateMachine sm;
        final TreeMap<Long, Pending> pending = new TreeMap<>();
        /** Read index requests by context: run once their index is applied; fail with the exception. */
        final Map<Long, ReadRequest> reads = new HashMap<>();
        final List<WaitingRead> waiting = new ArrayList<>();
        Role lastRole;

        Group(long id, RaftCore core, StateMachine sm) {
            this.id = id;
            this.core = core;
            this.sm = sm;
        }
    }

    public MultiRaft(long nodeId, RaftConfig config, RaftLogStore store, long randomSeed) {
        this.nodeId = nodeId;
        this.config = config;
        this.store = store;
        this.random = new Random(randomSeed);
        this.thread = new Thread(this::loop, "raft-node-" + nodeId);
        this.thread.setDaemon(true);
    }

    /** Starts the driver thread, sending with the given transport. */
    public void start(Transport transport) {
        this.transport = transport;
        running = true;
        thread.start();
    }

    public long nodeId() {
        return nodeId;
    }

    /** fsyncs done so far (one per loop iteration that had something to persist). */
    public long syncCount() {
        return syncs.get();
    }

    /**
     * Loop iterations so far whose only durable change was commit indexes, written with the
     * apply that followed rather than in a RocksDB write of their own.
     */
    public long commitOnlyWrites() {
        return commitRides.get();
    }

    /**
     * Hosts a group: loads its durable state (or creates it with the bootstrap configuration)
     * and rebuilds the state machine from the snapshot and the committed log. Called from the
     * driver's own thread (a state machine starting a group as it applies a split), it creates
     * the group at once.
     */
    public CompletableFuture<Void> createGroup(long group, ConfState bootstrap, StateMachine sm) {
        return createGroup(group, RaftState.fresh(bootstrap), sm);
    }

    /**
     * Hosts a group as {@link #createGroup(long, ConfState, StateMachine)} does; a group with no
     * durable state yet starts from initialIfNew (e.g. {@link RaftState#initial}: a log that
     * starts after the state machine's initial state).
     */
    public CompletableFuture<Void> createGroup(long group, RaftState initialIfNew, StateMachine sm) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Runnable create = () -> {
            if (groups.containsKey(group)) {
                f.completeExceptionally(new IllegalStateException("group " + group + " already exists on node " + nodeId));
                return;
            }
            RaftState state = store.load(group, initialIfNew);
            if (!sm.isDurable()) {
                sm.restore(state.snapshot() == null ? null : state.snapshot().data());
            }
            Group g = new Group(group, new RaftCore(nodeId, config, new Random(random.nextLong()), state), sm);
            groups.put(group, g);
            dirty.add(g);
            f.complete(null);
        };
        if (Thread.currentThread() == thread) {
            // From a state machine applying a split: the new group starts now, without a queue
            // that could be full, before the next message for it arrives.
            create.run();
        } else {
            submit(f, create);
        }
        return f;
    }

    /**
     * Hosts a group whose state machine holds exactly the state of initial's snapshot point (a
     * range split off on this node, nothing applied since), as
     * {@link #createGroup(long, RaftState, StateMachine)} does, but where the group's durable
     * state is that of an empty group ({@link #createEmptyGroup}: a leader's message or a
     * placement step reached this node before the split did), and whether or not that empty
     * group is hosted now, the group starts from initial with the empty group's term and vote
     * (so this node never votes twice in a term). Kept empty, it would have no members and no
     * log although its state machine has state: it never campaigned, and a range whose other
     * voters were such replicas elected no leader once its leader's node was lost (KV simulator,
     * seed 3807; transaction simulator, seed 939).
     */
    public CompletableFuture<Void> createGroupAtInitialState(long group, RaftState initial, StateMachine sm) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Runnable replaceEmpty = () -> {
            Group empty = groups.get(group);
            if (store.load(group, initial).isEmptyGroup()) {
                if (empty != null) {
                    groups.remove(group);
                    dirty.remove(empty);
                    leaders.remove(group);
                    leases.remove(group);
                    failGroup(empty, new IllegalStateException("the empty replica of group " + group + " on node "
                            + nodeId + " was initialised by a split"));
                }
                store.deleteGroup(group); // the hard state stays: load takes its term and vote
            }
            f.complete(null);
        };
        if (Thread.currentThread() == thread) {
            replaceEmpty.run();
        } else {
            submit(f, replaceEmpty);
        }
        return f.thenCompose(v -> createGroup(group, initial, sm));
    }

    /**
     * Hosts a group whose state machine has no state yet and waits for a snapshot from the
     * leader: any durable Raft state of the group is reduced to its term and vote
     * ({@link RaftLogStore#resetToEmpty}), with no members (so it never campaigns) and an empty log.
     */
    public CompletableFuture<Void> createEmptyGroup(long group, StateMachine sm) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(f, () -> {
            if (groups.containsKey(group)) {
                f.completeExceptionally(new IllegalStateException("group " + group + " already exists on node " + nodeId));
                return;
            }
            store.resetToEmpty(group);
            Group g = new Group(group, new RaftCore(nodeId, config, new Random(random.nextLong()),
                    store.load(group, RaftState.fresh(ConfState.NONE))), sm);
            groups.put(group, g);
            dirty.add(g);
            f.complete(null);
        });
        return f;
    }

    /**
     * Proposes a command; completes with the state machine's result once applied here, or fails
     * with {@link NotLeaderException} or {@link ProposalDroppedException} (not applied: safe to
     * retry) or {@link OutcomeUnknownException} (may have been applied).
     */
    public CompletableFuture<Object> propose(long group, byte[] command) {
        return propose(group, command, () -> true);
    }

    /**
     * As {@link #propose(long, byte[])}, if stillWanted, asked on the driver thread just before the
     * command would enter the log, says so; else it fails with {@link ProposalDroppedException}
     * (nothing proposed). A caller whose precondition a step-down notice ({@link #onStepDown})
     * withdraws, on the same thread, so never proposes after it.
     */
    public CompletableFuture<Object> propose(long group, byte[] command, java.util.function.BooleanSupplier stillWanted) {
        if (command.length > maxCommandBytes) {
            return CompletableFuture.failedFuture(new LimitExceededException("maxCommandBytes", maxCommandBytes,
                    command.length));
        }
        return submitProposal(group, core -> stillWanted.getAsBoolean() ? core.propose(command)
                : new ProposeResult.Dropped("withdrawn before it was proposed (this replica stopped leading group "
                + group + ")"));
    }

    /**
     * Proposes several commands as consecutive entries in one task of the driver, so that they
     * are appended, fsynced and sent together (one Ready), in this order. Each completes as
     * {@link #propose(long, byte[], java.util.function.BooleanSupplier)} would on its own; a
     * command whose stillWanted says no when the task runs is dropped (not proposed) without
     * affecting the others. RangeStore lets a background commit ride on a range's next proposal
     * this way (docs/transactions.md, "Background commits ride on the next proposal").
     */
    public List<CompletableFuture<Object>> proposeAll(long group, List<byte[]> commands,
                                                     List<java.util.function.BooleanSupplier> stillWanted) {
        if (commands.size() != stillWanted.size()) {
            throw new IllegalArgumentException(commands.size() + " commands, " + stillWanted.size() + " conditions");
        }
        List<CompletableFuture<Object>> out = new ArrayList<>(commands.size());
        for (byte[] command : commands) {
            CompletableFuture<Object> f = new CompletableFuture<>();
            if (command.length > maxCommandBytes) {
                f.completeExceptionally(new LimitExceededException("maxCommandBytes", maxCommandBytes, command.length));
            }
            out.add(f);
        }
        CompletableFuture<Void> task = new CompletableFuture<>();
        task.whenComplete((v, e) -> {
            if (e != null) {
                out.forEach(f -> f.completeExceptionally(e));
            }
        });
        submit(task, () -> {
            Group g = group(group, task);
            if (g == null) {
                return;
            }
            for (int i = 0; i < commands.size(); i++) {
                CompletableFuture<Object> f = out.get(i);
                if (f.isDone()) {
                    continue;
                }
                ProposeResult r = stillWanted.get(i).getAsBoolean() ? g.core.propose(commands.get(i))
                        : new ProposeResult.Dropped("withdrawn before it was proposed (this replica stopped leading group "
                        + group + ")");
                settle(group, g, r, f);
            }
            dirty.add(g);
            task.complete(null);
        });
        return out;
    }

    /**
     * Called on the driver thread with a group's id when this replica stops leading it (steps
     * down, or loses an election it held the leadership through), after the Raft step that
     * ended its leadership; the group's pending proposals still wait for their entries. Must be
     * quick and must not block. RangeStore releases the latches of the range's writes.
     */
    public void onStepDown(java.util.function.LongConsumer listener) {
        this.stepDownListener = listener;
    }

    private volatile java.util.function.LongConsumer stepDownListener;

    /**
     * Bounds the applies of one driver turn (every group's committed entries): a durable state
     * machine's store may keep their writes and make them in one write at {@link #end}. The
     * driver releases what depends on the applies (proposals' results, reads waiting for an
     * applied index, leases) only after {@link #end}. Both are called on the driver's thread.
     */
    public interface ApplyTurn {
        void begin();

        void end();
    }

    private static final ApplyTurn noTurn = new ApplyTurn() {
        @Override
        public void begin() {
        }

        @Override
        public void end() {
        }
    };

    private volatile ApplyTurn applyTurn = noTurn;

    /** Sets the turn bounds of the applies (before the driver starts); see {@link ApplyTurn}. */
    public void applyTurn(ApplyTurn turn) {
        this.applyTurn = turn == null ? noTurn : turn;
    }

    /** Proposals' results of the turn's applies, released after {@link ApplyTurn#end}. */
    private final List<TurnResult> turnResults = new ArrayList<>();

    /**
     * A proposal's answer from the turn's applies: the state machine's result, or dropped (another
     * leader's entry took its index). Kept with its future, so that a turn that fails before its
     * answers go out (an apply or the turn's write throws and stops the driver) still answers it.
     */
    private record TurnResult(CompletableFuture<Object> future, Object result, ProposalDroppedException dropped) {
        void give() {
            if (dropped != null) {
                future.completeExceptionally(dropped);
            } else {
                future.complete(result);
            }
        }

        /** The driver stopped before the turn's answers went out: an applied entry's write may not have happened. */
        void giveUp(String node) {
            if (dropped != null) {
                future.completeExceptionally(dropped);
            } else {
                future.completeExceptionally(new OutcomeUnknownException(node + " stopped in the turn that applied the"
                        + " proposal's entry, before the turn's write was known to be done"));
            }
        }
    }

    /** Proposes a membership change; completes when applied here (failures as {@link #propose}). */
    public CompletableFuture<Object> proposeConfChange(long group, ConfChange cc) {
        return submitProposal(group, core -> core.proposeConfChange(cc));
    }

    private CompletableFuture<Object> submitProposal(long group, java.util.function.Function<RaftCore, ProposeResult> op) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = group(group, f);
            if (g == null) {
                return;
            }
            settle(group, g, op.apply(g.core), f);
            dirty.add(g);
        });
        return f;
    }

    /** Records an accepted proposal as pending its entry, or fails its future at once. */
    private static void settle(long group, Group g, ProposeResult r, CompletableFuture<Object> f) {
        if (r instanceof ProposeResult.Accepted a) {
            g.pending.put(a.index(), new Pending(a.term(), f));
        } else if (r instanceof ProposeResult.NotLeader nl) {
            f.completeExceptionally(new NotLeaderException(group, nl.leaderId()));
        } else {
            f.completeExceptionally(new ProposalDroppedException(((ProposeResult.Dropped) r).reason()));
        }
    }

    /**
     * A linearizable read barrier (ReadIndex): completes once this replica's state machine has
     * applied everything committed when the read was confirmed by a quorum; the caller then
     * reads the state machine. Works on followers too (one round trip to the leader).
     */
    public CompletableFuture<Void> readBarrier(long group) {
        return read(group, sm -> null, false);
    }

    /**
     * A linearizable read of the group's state machine: runs read on the driver thread and
     * completes with its result. The leader with a valid lease reads at once; otherwise (a
     * follower, or no lease) after a ReadIndex round trip. read must be quick and must not block.
     */
    public <T> CompletableFuture<T> linearizableRead(long group, java.util.function.Function<StateMachine, T> read) {
        return read(group, read, true);
    }

    private <T> CompletableFuture<T> read(long group, java.util.function.Function<StateMachine, T> read, boolean lease) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = group(group, f);
            if (g == null) {
                return;
            }
            if (lease && g.core.canServeLeaseRead() && leaseClockFresh()) {
                completeRead(f, g, read);
                return;
            }
            long ctx = nextReadContext++;
            long lead = g.core.readIndex(ctx);
            if (lead == RaftCore.NONE) {
                f.completeExceptionally(new NotLeaderException(group, RaftCore.NONE));
                return;
            }
            g.reads.put(ctx, new ReadRequest(() -> completeRead(f, g, read), f::completeExceptionally, g.core.term(),
                    g.core.role() == Role.LEADER));
            dirty.add(g);
        });
        return f;
    }

    /** A read index request: what runs once confirmed, how it fails, and the term (and role) it was asked in. */
    private record ReadRequest(Runnable run, java.util.function.Consumer<Throwable> fail, long term, boolean asLeader) {
    }

    /**
     * Completes with the group's current term once this replica is confirmed as its leader at
     * this moment: at once under a valid lease, else after a ReadIndex round with a quorum. Fails
     * with {@link NotLeaderException} if it is not the leader (or stops being it meanwhile).
     * What a leader does under its leadership alone (the timestamp oracle) confirms with this.
     */
    public CompletableFuture<Long> confirmLeadership(long group) {
        return whileLeading(group, term -> term);
    }

    /**
     * Runs action with the group's current term on the driver thread at a moment this replica is
     * confirmed as its leader in that term (as {@link #confirmLeadership}: at once under a valid
     * lease, else after a ReadIndex round), and completes with its result; nothing else of the
     * group runs in between, so what the action decides is decided while leading. Fails with
     * {@link NotLeaderException} if it is not the leader. action must be quick and must not block.
     */
    public <T> CompletableFuture<T> whileLeading(long group, java.util.function.LongFunction<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = group(group, f);
            if (g == null) {
                return;
            }
            if (g.core.role() != Role.LEADER) {
                f.completeExceptionally(new NotLeaderException(group, g.core.leader()));
                return;
            }
            long term = g.core.term();
            Runnable confirm = () -> {
                if (g.core.role() == Role.LEADER && g.core.term() == term) {
                    try {
                        f.complete(action.apply(term));
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                } else {
                    f.completeExceptionally(new NotLeaderException(group, g.core.leader()));
                }
            };
            if (g.core.canServeLeaseRead() && leaseClockFresh()) {
                confirm.run();
                return;
            }
            long ctx = nextReadContext++;
            if (g.core.readIndex(ctx) == RaftCore.NONE) {
                f.completeExceptionally(new NotLeaderException(group, RaftCore.NONE));
                return;
            }
            g.reads.put(ctx, new ReadRequest(confirm, f::completeExceptionally, g.core.term(), g.core.role() == Role.LEADER));
            dirty.add(g);
        });
        return f;
    }

    private static <T> void completeRead(CompletableFuture<T> f, Group g, java.util.function.Function<StateMachine, T> read) {
        try {
            f.complete(read.apply(g.sm));
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
    }

    /**
     * The term in which this replica holds the group's read lease at this moment, or -1; any
     * thread may ask, without waiting for a turn of the driver (which may be in the middle of an
     * fsync). The driver publishes the lease as a wall-clock deadline that ends no later than the
     * tick at which {@link RaftCore#canServeLeaseRead()} would turn false, and withdraws it before
     * it sends anything that could let another replica lead (a leadership transfer's
     * TIMEOUT_NOW), so a caller that sees a term here was the group's only possible leader, with
     * everything committed before its term applied, at the moment it asked. A stalled driver only
     * lets the deadline pass; it never extends it.
     */
    public long leaseTermNow(long group) {
        LeaseView v = leases.get(group);
        return v != null && System.nanoTime() - v.untilNanos() < 0 ? v.term() : -1;
    }

    /**
     * Publishes the group's lease for {@link #leaseTermNow}, as of lastTickNanos (when every due
     * tick had been counted). The next tick is due after it, so the tick that ends the lease comes
     * later than lastTickNanos plus (ticks left - 1) tick lengths: the deadline errs early.
     */
    private void publishLease(Group g) {
        long left = g.core.leaseReadTicksLeft();
        if (left <= 1) {
            if (!leases.isEmpty()) {
                leases.remove(g.id);
            }
            return;
        }
        leases.put(g.id, new LeaseView(g.core.term(),
                lastTickNanos + (left - 1) * TimeUnit.MILLISECONDS.toNanos(config.tickMillis())));
    }

    /** Whether the driver ticked recently enough in wall time for its tick count to back a lease. */
    private boolean leaseClockFresh() {
        return System.nanoTime() - lastTickNanos < leaseTickGuard * TimeUnit.MILLISECONDS.toNanos(config.tickMillis());
    }

    /** Incoming batches and chunks dropped because the inbox was full (Raft resends). */
    public long droppedIncoming() {
        return droppedIncoming.get();
    }

    /**
     * The node is probably down (the membership suspects it, or declared it dead): every group
     * here that it leads campaigns as soon as the other voters may elect a new leader
     * ({@link RaftCore#leaderSuspected}). Timing only; dropped if the inbox is full.
     */
    public void leaderSuspected(long node) {
        if (closed) {
            return;
        }
        enqueueIncoming(0, () -> {
            for (Group g : groups.values()) {
                if (g.core.leader() == node) {
                    g.core.leaderSuspected(node);
                    dirty.add(g);
                }
            }
        });
    }

    /**
     * A group just split off parent on this node: if this node leads parent, the group's replica
     * here campaigns as the group's first leader ({@link RaftCore#campaignAsFirstLeader}), so the
     * range it split off has a leader (and a lease) within a round trip or two instead of after an
     * election timeout. initialTerm is the term every replica of the group starts in. Timing
     * only: nothing happens if this node does not lead parent or the replica has moved on.
     */
    public void campaignSplitOff(long parent, long group, long initialTerm) {
        Runnable campaign = () -> {
            Group p = groups.get(parent);
            Group g = groups.get(group);
            if (p != null && g != null && p.core.role() == Role.LEADER && g.core.campaignAsFirstLeader(initialTerm)) {
                dirty.add(g);
            }
        };
        if (Thread.currentThread() == thread) {
            campaign.run();
        } else {
            submit(new CompletableFuture<Void>(), campaign);
        }
    }

    /** Asks this replica, if it leads the group, to hand leadership to target. */
    public CompletableFuture<Boolean> transferLeadership(long group, long target) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = group(group, f);
            if (g != null) {
                f.complete(g.core.transferLeadership(target));
                dirty.add(g);
            }
        });
        return f;
    }

    public CompletableFuture<GroupStatus> status(long group) {
        CompletableFuture<GroupStatus> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = group(group, f);
            if (g != null) {
                RaftCore c = g.core;
                f.complete(new GroupStatus(group, c.role(), c.leader(), c.hardState(), c.lastIndex(), c.applied(),
                        c.snapshotIndex(), c.committed(), c.matched()));
            }
        });
        return f;
    }

    /** The leader this node last knew for the group, 0 if none. Cheap; may be stale. */
    public long leader(long group) {
        return leaders.getOrDefault(group, RaftCore.NONE);
    }

    @Override
    public void receive(long fromNode, List<GroupMessage> batch) {
        if (closed) {
            return;
        }
        long bytes = 0;
        for (GroupMessage gm : batch) {
            bytes += gm.message().sizeBytes();
        }
        enqueueIncoming(bytes, () -> {
            for (GroupMessage gm : batch) {
                Group g = groups.get(gm.group());
                if (g != null && gm.message().to() == nodeId) {
                    g.core.step(gm.message());
                    dirty.add(g);
                }
            }
        });
    }

    /** Queues incoming work unless the inbox is full (by count or bytes): then it is dropped, as a lossy network would. */
    private void enqueueIncoming(long bytes, Runnable work) {
        if (inboxBytes.addAndGet(bytes) > maxInboxBytes || !inbox.offer(new Task(null, work, bytes))) {
            inboxBytes.addAndGet(-bytes);
            droppedIncoming.incrementAndGet();
        }
    }

    @Override
    public void receiveSnapshotChunk(long fromNode, SnapshotChunk chunk) {
        if (closed) {
            return;
        }
        enqueueIncoming(chunk.bytes().length, () -> assemble(fromNode, chunk));
    }

    private void assemble(long fromNode, SnapshotChunk chunk) {
        Group g = groups.get(chunk.group());
        Message h = chunk.header();
        if (g == null || h.to() != nodeId) {
            return;
        }
        StreamKey key = new StreamKey(chunk.group(), fromNode);
        IncomingSnapshot in = snapshotsIn.get(key);
        if (chunk.offset() == 0) {
            if (in == null && snapshotsIn.size() >= maxIncomingSnapshots) {
                dropIdleIncoming();
            }
            if (in == null && snapshotsIn.size() >= maxIncomingSnapshots) {
                log.warn("node {} group {}: ignoring a snapshot from node {}: {} snapshots already being received"
                        + " (maxIncomingSnapshots)", nodeId, chunk.group(), fromNode, snapshotsIn.size());
                return;
            }
            if (in != null) {
                in.close(); // the leader started over
            }
            in = new IncomingSnapshot(h.snapshot().index(), g.sm.receiveSnapshot(h.snapshot().index()));
            snapshotsIn.put(key, in);
        } else if (in == null || in.index != h.snapshot().index() || in.received != chunk.offset()) {
            dropIncoming(key); // a chunk was lost: wait for the leader to start over
            return;
        }
        if (in.received + chunk.bytes().length > maxSnapshotBytes) {
            dropIncoming(key);
            log.warn("node {} group {}: dropping a snapshot from node {} larger than maxSnapshotBytes ({})", nodeId,
                    chunk.group(), fromNode, maxSnapshotBytes);
            return;
        }
        in.received += chunk.bytes().length;
        in.lastChunkNanos = System.nanoTime();
        try {
            if (in.sink != null) {
                in.sink.write(chunk.bytes());
            } else {
                in.bytes.write(chunk.bytes(), 0, chunk.bytes().length);
            }
            if (chunk.last()) {
                snapshotsIn.remove(key);
                complete(g, h, in);
            }
        } catch (RuntimeException e) {
            dropIncoming(key);
            log.warn("node {} group {}: dropping a snapshot from node {}: {}", nodeId, chunk.group(), fromNode, e.toString());
        }
    }

    private void dropIdleIncoming() {
        long now = System.nanoTime();
        snapshotsIn.entrySet().removeIf(e -> {
            boolean idle = now - e.getValue().lastChunkNanos > TimeUnit.MILLISECONDS.toNanos(incomingSnapshotIdleMillis);
            if (idle) {
                log.warn("node {} group {}: dropping a snapshot from node {} that got no chunk for {} ms", nodeId,
                        e.getKey().group(), e.getKey().from(), incomingSnapshotIdleMillis);
                e.getValue().close();
            }
            return idle;
        });
    }

    private void dropIncoming(StreamKey key) {
        IncomingSnapshot in = snapshotsIn.remove(key);
        if (in != null) {
            in.close();
        }
    }

    /** Every chunk of a snapshot is here: install it (a durable state machine) and step it. */
    private void complete(Group g, Message h, IncomingSnapshot in) {
        Snapshot s = h.snapshot();
        byte[] data = in.sink == null ? in.bytes.toByteArray() : new byte[0];
        try {
            if (g.sm.isDurable()) {
                // Installed before Raft records it (StateMachine.isDurable); the log store keeps no copy.
                if (g.core.wouldRestore(h)) {
                    if (in.sink != null) {
                        in.sink.install();
                    } else {
                        g.sm.restore(data);
                    }
                    unknownPendingUpTo(g, s.index());
                }
                data = new byte[0];
            }
        } finally {
            in.close();
        }
        g.core.step(h.withSnapshot(new Snapshot(s.index(), s.term(), s.conf(), data)));
        dirty.add(g);
    }

    /**
     * Sends up to {@link #snapshotChunksPerIteration} chunks, round-robin over the streams.
     * Returns whether a stream waits for a source that had no piece ready.
     */
    private boolean pumpSnapshots() {
        int chunk = config.snapshotChunkBytes();
        boolean waiting = false;
        int polls = 0;
        for (int sent = 0; sent < snapshotChunksPerIteration && !snapshotsOut.isEmpty()
                && polls < snapshotsOut.size() + snapshotChunksPerIteration; polls++) {
            OutgoingSnapshot o = snapshotsOut.pollFirst();
            byte[] piece;
            boolean last;
            if (o.source != null) {
                try {
                    piece = o.source.poll(chunk);
                } catch (RuntimeException e) {
                    log.warn("node {} group {}: reading a snapshot for node {} failed: {}", nodeId, o.group,
                            o.message.to(), e.toString());
                    o.close();
                    continue;
                }
                if (piece == null) {
                    waiting = true;
                    snapshotsOut.addLast(o);
                    continue;
                }
                last = o.source.exhausted();
            } else {
                byte[] data = o.message.snapshot().data();
                int len = (int) Math.min(chunk, data.length - o.offset);
                piece = java.util.Arrays.copyOfRange(data, (int) o.offset, (int) o.offset + len);
                last = o.offset + len >= data.length;
            }
            Message header = withoutData(o.message);
            transport.sendSnapshotChunk(o.message.to(), new SnapshotChunk(o.group, header, o.offset, piece, last));
            o.offset += piece.length;
            sent++;
            if (last) {
                o.close();
            } else {
                snapshotsOut.addLast(o);
            }
        }
        return waiting;
    }

    private static Message withoutData(Message m) {
        Snapshot s = m.snapshot();
        return m.withSnapshot(new Snapshot(s.index(), s.term(), s.conf(), new byte[0]));
    }

    private <T> Group group(long id, CompletableFuture<T> f) {
        Group g = groups.get(id);
        if (g == null) {
            f.completeExceptionally(new IllegalArgumentException("node " + nodeId + " hosts no group " + id));
        }
        return g;
    }

    private void submit(CompletableFuture<?> f, Runnable task) {
        if (closed) {
            f.completeExceptionally(new IllegalStateException("raft node " + nodeId + " is closed"));
            return;
        }
        Task t = new Task(f, task, 0);
        if (!inbox.offer(t)) {
            f.completeExceptionally(new LimitExceededException("maxInboxTasks", maxInboxTasks, maxInboxTasks + 1L));
            return;
        }
        if (closed && inbox.remove(t)) {
            // close() raced with us and the loop may already have drained the inbox.
            f.completeExceptionally(new IllegalStateException("raft node " + nodeId + " is closed"));
        }
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        boolean sourcesWaiting = false;
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(config.tickMillis());
        lastTickNanos = System.nanoTime();
        long nextTick = lastTickNanos + tickNanos;
        try {
            while (running) {
                long untilTick = Math.max(0, nextTick - System.nanoTime());
                long waitNanos = !dirty.isEmpty() ? 0
                        : snapshotsOut.isEmpty() ? untilTick
                        : sourcesWaiting ? Math.min(untilTick, TimeUnit.MICROSECONDS.toNanos(snapshotSourceWaitMicros)) : 0;
                Task task = waitNanos > 0 ? inbox.poll(waitNanos, TimeUnit.NANOSECONDS) : inbox.poll();
                // Ticks first, all that are due: a lease read in the tasks below must see a tick
                // count that has caught up with the time the driver spent stalled.
                long now = System.nanoTime();
                for (int n = 0; now - nextTick >= 0 && n < maxCatchUpTicks; n++) {
                    for (Group g : groups.values()) {
                        g.core.tick();
                        dirty.add(g);
                    }
                    nextTick += tickNanos;
                }
                if (now - nextTick >= 0) {
                    nextTick = now + tickNanos;
                }
                lastTickNanos = now;
                for (int n = 0; task != null; n++) {
                    inboxBytes.addAndGet(-task.bytes());
                    task.work().run();
                    task = n < maxTasksPerIteration ? inbox.poll() : null;
                }
                handleReadies();
                sourcesWaiting = pumpSnapshots();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // A broken invariant: stop this node loudly rather than corrupt its log.
            log.error("raft node {} stopped: {}", nodeId, e.toString(), e);
            running = false;
        }
        failEverything(new IllegalStateException("raft node " + nodeId + " stopped"));
    }

    private void handleReadies() {
        if (dirty.isEmpty()) {
            return;
        }
        RaftLogStore.WriteSet writes = new RaftLogStore.WriteSet();
        LinkedHashMap<Group, Ready> readies = new LinkedHashMap<>();
        boolean mustWrite = false;
        boolean mustSync = false;
        for (Group g : dirty) {
            // Before anything is sent: a lease given up (a transfer's TIMEOUT_NOW below) is withdrawn first.
            publishLease(g);
            if (g.core.hasReady()) {
                Ready rd = g.core.ready();
                store.stage(g.id, rd, writes);
                mustWrite |= rd.mustPersist();
                mustSync |= rd.mustSync();
                readies.put(g, rd);
            } else {
                // A leader that stepped down for lack of a quorum has no Ready to show for it
                // (same term, nothing to send yet): its leadership is noted, and its dropped reads
                // failed, now rather than at its first pre-vote.
                noteLeadership(g);
            }
        }
        dirty.clear();
        // Leaders' appends and heartbeats leave before the fsync (Message.mayPrecedePersistence),
        // everything else after it.
        sendMessages(readies, true);
        if (mustSync) {
            store.write(writes, true);
            syncs.incrementAndGet();
        } else if (mustWrite) {
            // Only commit indexes moved: they go to disk with the apply of the entries they
            // commit (one RocksDB write fewer per turn), or at the end of this turn.
            store.writeWithNext(writes);
            commitRides.incrementAndGet();
        }
        sendMessages(readies, false);
        // Every group's applies first, in one turn of the state machines' store (one write for
        // them all), then what depends on them: results, reads, leases.
        ApplyTurn turn = applyTurn;
        turn.begin();
        try {
            for (Map.Entry<Group, Ready> e : readies.entrySet()) {
                apply(e.getKey(), e.getValue());
            }
        } finally {
            turn.end();
        }
        for (TurnResult r : turnResults) {
            r.give();
        }
        turnResults.clear();
        for (Map.Entry<Group, Ready> e : readies.entrySet()) {
            Group g = e.getKey();
            g.core.advance(e.getValue());
            serveReads(g);
            maybeCompact(g);
            noteLeadership(g);
            publishLease(g);
            if (g.core.hasReady()) {
                dirty.add(g);
            }
        }
        store.flushDeferred();
    }

    /** Sends the Readies' messages that may (early) or may not precede their persistence, one batch per node. */
    private void sendMessages(Map<Group, Ready> readies, boolean early) {
        Map<Long, List<GroupMessage>> out = new HashMap<>();
        for (Map.Entry<Group, Ready> e : readies.entrySet()) {
            for (Message m : e.getValue().messages()) {
                if (m.mayPrecedePersistence() != early) {
                    continue;
                }
                if (m.type() == MessageType.SNAPSHOT) {
                    long group = e.getKey().id;
                    // A snapshot already streaming to that follower (Raft asks again because it is slow) goes on:
                    // restarting a long stream whenever the log is compacted could never finish. A stream that
                    // lost a chunk ends unacknowledged, and Raft's next request starts a new one.
                    boolean streaming = snapshotsOut.stream().anyMatch(o -> o.group == group && o.message.to() == m.to());
                    if (!streaming) {
                        startSnapshot(e.getKey(), m);
                    }
                } else {
                    out.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(new GroupMessage(e.getKey().id, m));
                }
            }
        }
        for (Map.Entry<Long, List<GroupMessage>> e : out.entrySet()) {
            transport.send(e.getKey(), e.getValue());
        }
    }

    /** Starts streaming the state machine as it is now to the follower m is for. */
    private void startSnapshot(Group g, Message m) {
        if (!g.sm.isDurable()) {
            snapshotsOut.addLast(new OutgoingSnapshot(g.id, m.withSnapshot(currentSnapshot(g)), null));
            return;
        }
        long streams = snapshotsOut.stream().filter(o -> o.source != null).count();
        if (streams >= maxOutgoingSnapshotStreams) {
            log.debug("node {} group {}: snapshot for node {} deferred, {} streams already (maxOutgoingSnapshotStreams)",
                    nodeId, g.id, m.to(), streams);
            return; // Raft asks again when the snapshot is not acknowledged
        }
        SnapshotSource source = g.sm.openSnapshot();
        if (source == null) {
            snapshotsOut.addLast(new OutgoingSnapshot(g.id, m.withSnapshot(currentSnapshot(g)), null));
            return;
        }
        long index = g.core.applied();
        if (source.index() != index) {
            // A broken invariant, but one group's: the follower waits (Raft asks again) while
            // every other group of this node goes on, rather than the node stopping.
            source.close();
            log.error("node {} group {}: no snapshot for node {}: the state machine's snapshot is at {}, Raft applied {}",
                    nodeId, g.id, m.to(), source.index(), index);
            return;
        }
        Snapshot header = new Snapshot(index, g.core.termAt(index), g.core.conf(), new byte[0]);
        snapshotsOut.addLast(new OutgoingSnapshot(g.id, m.withSnapshot(header), source));
    }

    /**
     * The state machine as it is now, at its applied index, to send to a follower that needs a
     * snapshot. The log's own snapshot point may hold no data (a group that started from an
     * initial state, {@link RaftState#initial}): the data always comes from the state machine.
     * A snapshot at the applied index is as good as one at the log's snapshot point: it is
     * committed, and the log holds every entry after it.
     */
    private static Snapshot currentSnapshot(Group g) {
        long index = g.core.applied();
        return new Snapshot(index, g.core.termAt(index), g.core.conf(), g.sm.snapshot());
    }

    private void apply(Group g, Ready rd) {
        if (rd.snapshot() != null) {
            if (!g.sm.isDurable()) {
                g.sm.restore(rd.snapshot().data());
            }
            unknownPendingUpTo(g, rd.snapshot().index());
        }
        for (Entry e : rd.committedEntries()) {
            Object result = null;
            if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                result = g.sm.apply(e.index(), e.data());
            } else if (e.type() == EntryType.NORMAL) {
                g.sm.applyEmpty(e.index());
            } else if (e.type() == EntryType.CONF_CHANGE) {
                g.sm.applyConfChange(e.index(), ConfChange.decode(e.data()));
            }
            unknownPendingUpTo(g, e.index() - 1);
            Pending p = g.pending.remove(e.index());
            if (p != null) {
                // After the turn's write (ApplyTurn): whoever gets the result may read what it wrote.
                if (p.term() == e.term()) {
                    turnResults.add(new TurnResult(p.future(), result, null));
                } else {
                    turnResults.add(new TurnResult(p.future(), null, new ProposalDroppedException(
                            "entry " + e.index() + " of term " + p.term() + " was replaced by a later leader")));
                }
            }
        }
        for (ReadState rs : rd.readStates()) {
            ReadRequest r = g.reads.remove(rs.context());
            if (r != null) {
                g.waiting.add(new WaitingRead(rs.index(), r));
            }
        }
    }

    /**
     * Pending proposals at or below index that were not applied one by one: a snapshot covered
     * them, so whether they are in it is unknown. Reporting them as failed would invite a retry
     * that applies a command twice.
     */
    private static void unknownPendingUpTo(Group g, long index) {
        while (!g.pending.isEmpty() && g.pending.firstKey() <= index) {
            Map.Entry<Long, Pending> p = g.pending.pollFirstEntry();
            p.getValue().future().completeExceptionally(new OutcomeUnknownException("group " + g.id + ": entry "
                    + p.getKey() + " was covered by a snapshot before this replica applied it"));
        }
    }

    private static void serveReads(Group g) {
        long applied = g.core.applied();
        Iterator<WaitingRead> it = g.waiting.iterator();
        while (it.hasNext()) {
            WaitingRead w = it.next();
            if (w.index() <= applied) {
                it.remove();
                w.request().run().run();
            }
        }
    }

    private void maybeCompact(Group g) {
        // Not while a snapshot of the group streams: the follower needs the entries after it.
        if (g.core.applied() - g.core.snapshotIndex() >= config.compactAfterEntries()
                && snapshotsOut.stream().noneMatch(o -> o.group == g.id)) {
            // A durable state machine needs only the snapshot point: its data is taken when a follower needs it.
            Snapshot s = g.core.compact(g.sm.isDurable() ? new byte[0] : g.sm.snapshot());
            if (s != null) {
                store.compact(g.id, s);
            }
        }
    }

    private void noteLeadership(Group g) {
        Role role = g.core.role();
        leaders.put(g.id, g.core.leader());
        failDroppedReads(g);
        if (role != g.lastRole) {
            if (role == Role.LEADER) {
                log.info("node {} leads group {} in term {}", nodeId, g.id, g.core.term());
            } else if (g.lastRole == Role.LEADER) {
                log.info("node {} no longer leads group {} (term {})", nodeId, g.id, g.core.term());
                java.util.function.LongConsumer listener = stepDownListener;
                if (listener != null) {
                    try {
                        listener.accept(g.id);
                    } catch (RuntimeException e) {
                        log.warn("node {}: the step-down notice of group {} failed: {}", nodeId, g.id, e.toString());
                    }
                }
            } else if (role != Role.FOLLOWER && log.isDebugEnabled()) {
                // How long a group goes without a leader after one died: one line per (pre-)campaign.
                log.debug("node {} is {} in group {} (term {})", nodeId, role, g.id, g.core.term());
            }
            g.lastRole = role;
        }
    }

    /**
     * Fails at once the read index requests the Raft core dropped (it drops them silently when
     * leadership changes before they are confirmed: RaftCore.readIndex): those asked in an
     * earlier term, and those a leader asked before it stepped down. Their callers ask again
     * (another replica, through the new leader) instead of waiting for their own timeout.
     */
    private static void failDroppedReads(Group g) {
        if (g.reads.isEmpty()) {
            return;
        }
        long term = g.core.term();
        boolean leading = g.core.role() == Role.LEADER;
        Iterator<ReadRequest> it = g.reads.values().iterator();
        while (it.hasNext()) {
            ReadRequest r = it.next();
            if (r.term() != term || (r.asLeader() && !leading)) {
                it.remove();
                r.fail().accept(new NotLeaderException(g.id, g.core.leader()));
            }
        }
    }

    /**
     * Stops hosting a group and deletes its durable Raft state: its replica was removed from the
     * group. Its pending proposals answer "outcome unknown", its reads fail. afterRemoval runs on
     * the driver's thread once the group is gone (the state machine deletes its data there, so no
     * apply of any group runs at the same time). Completes false if the group was not hosted here.
     */
    public CompletableFuture<Boolean> removeGroup(long group, Runnable afterRemoval) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        submit(f, () -> {
            Group g = groups.remove(group);
            if (g == null) {
                f.complete(false);
                return;
            }
            dirty.remove(g);
            leaders.remove(group);
            leases.remove(group);
            snapshotsOut.removeIf(o -> {
                if (o.group == group) {
                    o.close(); // its storage snapshot and files
                }
                return o.group == group;
            });
            snapshotsIn.entrySet().removeIf(e -> {
                if (e.getKey().group() == group) {
                    e.getValue().close();
                }
                return e.getKey().group() == group;
            });
            failGroup(g, new IllegalStateException("the replica of group " + group + " on node " + nodeId + " was removed"));
            store.deleteGroup(group);
            afterRemoval.run();
            f.complete(true);
        });
        return f;
    }

    private static void failGroup(Group g, RuntimeException cause) {
        for (Map.Entry<Long, Pending> p : g.pending.entrySet()) {
            p.getValue().future().completeExceptionally(new OutcomeUnknownException("group " + g.id + ": entry "
                    + p.getKey() + " was proposed but not applied here: " + cause.getMessage()));
        }
        g.pending.clear();
        for (ReadRequest r : g.reads.values()) {
            r.fail().accept(cause);
        }
        g.reads.clear();
        for (WaitingRead w : g.waiting) {
            w.request().fail().accept(cause);
        }
        g.waiting.clear();
    }

    private void failEverything(RuntimeException cause) {
        leases.clear();
        // A turn that threw (an apply, or the turn's write) left its answers unsent: no caller waits for ever.
        for (TurnResult r : turnResults) {
            r.giveUp("raft node " + nodeId);
        }
        turnResults.clear();
        for (Group g : groups.values()) {
            failGroup(g, cause);
        }
        for (OutgoingSnapshot o : snapshotsOut) {
            o.close();
        }
        snapshotsOut.clear();
        for (IncomingSnapshot in : snapshotsIn.values()) {
            in.close();
        }
        snapshotsIn.clear();
        closed = true;
        Task t;
        while ((t = inbox.poll()) != null) {
            if (t.future() != null) {
                t.future().completeExceptionally(cause);
            }
        }
    }

    /** Stops the thread. Durable state stays in the store; pending futures fail. */
    @Override
    public void close() {
        closed = true;
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
