package io.starlingdb.engine.range;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.NotLeaderException;
import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.raft.ProposalDroppedException;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.SstFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The replicas of ranges one node holds: a {@link RangeStateMachine} per range, each the state
 * machine of a Raft group on the node's {@link MultiRaft}, all in the node's RANGES column
 * family. It answers gateways' requests: reads through the range's lease (or a ReadIndex round),
 * writes through its log, each with a status that says whether the request applied, did not,
 * or may have (see {@link RangeRpc.Status}).
 */
public final class RangeStore implements RangeHost {

    private static final Logger log = LoggerFactory.getLogger(RangeStore.class);

    /**
     * A write not applied within this many milliseconds is answered "outcome unknown": its entry
     * may still commit later (a leader change in progress), so it is never reported failed.
     */
    public static final long proposalTimeoutMillis = 10_000;
    /** Fails proposals not applied within proposalTimeoutMillis (a sweep, not a timer task per proposal). */
    private final ProposalTimeouts proposalTimeouts = new ProposalTimeouts(proposalTimeoutMillis);
    /** Rows and bytes of one scan page at most, whatever the request asks. */
    public static final int maxScanRows = 10_000;
    public static final long maxScanBytes = 4L << 20;
    /** Timestamps one request may ask the oracle for. */
    public static final int maxTimestampsPerRequest = 100_000;
    /** The timestamp oracle of this store (it answers while this store leads the meta range); null: none. */
    private volatile java.util.function.IntFunction<CompletableFuture<RangeResult.Timestamps>> timestampSource;
    private volatile java.util.function.Function<RangeRpc.Request, RangeRpc.Response> leaseRequests;

    /** Answers LEASE requests (the lease balancer's pulls) with handler (the node's range service). */
    public void serveLeaseRequests(java.util.function.Function<RangeRpc.Request, RangeRpc.Response> handler) {
        this.leaseRequests = handler;
    }

    /** Serves TIMESTAMPS requests from source (the node's timestamp oracle). */
    public void serveTimestamps(java.util.function.IntFunction<CompletableFuture<RangeResult.Timestamps>> source) {
        this.timestampSource = source;
    }

    /** Where one-phase writes of user keys take their commit timestamps (the node's oracle client); null: none. */
    private volatile java.util.function.Supplier<CompletableFuture<Long>> commitTimestamps;
    private final Latches latches = new Latches();

    /** Gives one-phase writes of user keys their commit timestamps from source (the oracle, batched per node). */
    public void useTimestamps(java.util.function.Supplier<CompletableFuture<Long>> source) {
        this.commitTimestamps = source;
    }

    /** Empty replicas waiting for their first snapshot at most; placement's requests beyond it are refused. */
    public static final int maxUninitialisedReplicas = 1_000;

    private final long storeId;
    private final KvStore store;
    private final MultiRaft raft;
    private final SstFiles files;
    /** Replicas with their state (a descriptor): the ones that answer requests. */
    private final Map<Long, RangeStateMachine> replicas = new ConcurrentHashMap<>();
    /** Replicas created empty that wait for their first snapshot; they answer nothing. */
    private final Map<Long, RangeStateMachine> uninitialised = new ConcurrentHashMap<>();
    private final Map<Long, RangeLoad> load = new ConcurrentHashMap<>();

    /** Replica snapshots travel as byte arrays (a store without SST files, in tests). */
    public RangeStore(long storeId, KvStore store, MultiRaft raft) {
        this(storeId, store, raft, null);
    }

    /**
     * @param files where replica snapshots are written as SST files, sent, received and ingested
     *              from ({@link RocksStorage#sstFiles} of the store's column family); null: as
     *              byte arrays
     */
    public RangeStore(long storeId, KvStore store, MultiRaft raft, SstFiles files) {
        this.storeId = storeId;
        // The applies of a driver turn go to disk in one write (TurnBatchedStore).
        TurnBatchedStore batched = new TurnBatchedStore(store);
        this.store = batched;
        this.raft = raft;
        this.files = files;
        raft.onStepDown(this::releaseLatchesOf);
        raft.applyTurn(batched);
    }

    /**
     * Writes a new cluster's ranges, the meta range (holding both descriptors and the range-id
     * allocator) and the first user range, unless this store already holds ranges. Every
     * initial member writes the same state.
     */
    public static boolean bootstrapIfEmpty(KvStore store, RangeDescriptor meta, RangeDescriptor user) {
        if (!RangeStateMachine.storedRanges(store).isEmpty()) {
            return false;
        }
        RangeStateMachine.bootstrap(store, List.of(meta, user), Meta.initialEntries(meta, user));
        return true;
    }

    /** Starts a replica of every range this store holds (before the Raft driver starts). */
    public void open() {
        for (RangeDescriptor d : RangeStateMachine.storedRanges(store)) {
            startReplica(d);
        }
        for (long rangeId : RangeStateMachine.storedUninitialised(store)) {
            if (!replicas.containsKey(rangeId)) {
                startUninitialised(rangeId);
            }
        }
        log.info("store {} holds {} range replicas ({} uninitialised)", storeId, replicas.size() + uninitialised.size(),
                uninitialised.size());
    }

    private void startReplica(RangeDescriptor d) {
        RangeStateMachine sm = RangeStateMachine.open(store, d.rangeId(), this).withSnapshotFiles(files);
        replicas.put(d.rangeId(), sm);
        if (sm.appliedIndex() == RangeStateMachine.initialIndex) {
            // Split off here (or bootstrapped) and nothing applied since: an empty replica
            // hosted before the split reached this store gives way to the initial state.
            raft.createGroupAtInitialState(d.rangeId(), RangeStateMachine.initialRaftState(d.conf()), sm);
        } else {
            raft.createGroup(d.rangeId(), RangeStateMachine.initialRaftState(d.conf()), sm);
        }
    }

    /**
     * Hosts an empty replica of a range on this store, to be added to the range (as a learner,
     * by a conf change through its leader) and initialised by a snapshot from the leader. Until
     * that snapshot is installed it has no descriptor and no data, never campaigns, and answers
     * requests with {@link RangeRpc.Status#RANGE_NOT_FOUND}; it is hosted again, still
     * uninitialised, after a restart. Completes when the replica's Raft group is hosted (at once
     * if this store already hosts a replica of the range).
     */
    public synchronized CompletableFuture<Void> hostEmptyReplica(long rangeId) {
        if (replicas.containsKey(rangeId) || uninitialised.containsKey(rangeId)) {
            return CompletableFuture.completedFuture(null);
        }
        RangeStateMachine.markUninitialised(store, rangeId);
        log.info("store {} hosts an empty replica of range {}, waiting for a snapshot", storeId, rangeId);
        return startUninitialised(rangeId);
    }

    private CompletableFuture<Void> startUninitialised(long rangeId) {
        RangeStateMachine sm = RangeStateMachine.uninitialised(store, rangeId, this);
        uninitialised.put(rangeId, sm);
        // No members: it cannot campaign, and the snapshot brings the range's configuration. A
        // replica that lost its state while installing a snapshot keeps only its term and vote.
        return raft.createEmptyGroup(rangeId, sm.withSnapshotFiles(files));
    }

    /**
     * Deletes this store's replica of a range it is no longer a member of: its Raft group and
     * state, its local keys, and the data of its span that no other replica here covers (a
     * range added back here later may overlap the removed one's older, wider span). Done on the
     * Raft driver's thread, so no apply runs meanwhile. Completes true if there was a replica.
     */
    public synchronized CompletableFuture<Boolean> destroyReplica(long rangeId) {
        RangeStateMachine sm = replicas.get(rangeId);
        RangeDescriptor gone = sm == null ? null : sm.descriptor();
        return raft.removeGroup(rangeId, () -> {
            replicas.remove(rangeId);
            uninitialised.remove(rangeId);
            load.remove(rangeId);
            KvBatch batch = new KvBatch().delete(RangeKeys.appliedIndexKey(rangeId)).delete(RangeKeys.descriptorKey(rangeId))
                    .delete(RangeKeys.uninitialisedKey(rangeId));
            if (gone != null) {
                List<RangeDescriptor> others = descriptors();
                try (KvSnapshot snap = store.snapshot();
                     KvCursor c = snap.scan(RangeKeys.dataKey(gone.start()), RangeKeys.dataBound(gone.end()))) {
                    while (c.next()) {
                        byte[] key = RangeKeys.userKey(c.key());
                        if (others.stream().noneMatch(d -> d.contains(key))) {
                            batch.delete(c.key().clone());
                        }
                    }
                }
            }
            store.apply(batch, false);
            log.info("store {} removed its replica of {}: no longer a member", storeId, gone == null ? rangeId : gone);
        });
    }

    /** Answers a placement driver's request to host an empty replica (bounded: see {@link #maxUninitialisedReplicas}). */
    private CompletableFuture<RangeRpc.Response> host(long rangeId, boolean replace) {
        if (rangeId <= 0) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0,
                    "no range " + rangeId));
        }
        if (!replicas.containsKey(rangeId) && uninitialised.size() >= maxUninitialisedReplicas) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, "store "
                    + storeId + " already waits for " + uninitialised.size() + " snapshots (maxUninitialisedReplicas)"));
        }
        CompletableFuture<Boolean> stale = replace && replicas.containsKey(rangeId) ? destroyReplica(rangeId)
                : CompletableFuture.completedFuture(false);
        return stale.thenCompose(v -> hostEmptyReplica(rangeId)).handle((v, e) -> e == null
                ? RangeRpc.Response.ok(null, null)
                : RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, String.valueOf(e.getMessage())));
    }

    @Override
    public void initialised(RangeDescriptor descriptor) {
        RangeStateMachine sm = uninitialised.remove(descriptor.rangeId());
        if (sm != null) {
            replicas.put(descriptor.rangeId(), sm);
            log.info("store {}: the replica of {} was initialised by a snapshot", storeId, descriptor);
        }
    }

    @Override
    public void splitApplied(RangeDescriptor left, RangeDescriptor right) {
        log.info("store {} split {} off {}", storeId, right, left);
        uninitialised.remove(right.rangeId());
        startReplica(right);
        // The leaseholder of the range split elects itself the new range's leader now: left to
        // the election timeout and the voters' vote hold, the right half had no leader, so its
        // keys were not served, for 1.0-1.4 s after every split (docs/ranges.md, "Splits").
        raft.campaignSplitOff(left.rangeId(), right.rangeId(), RangeStateMachine.initialTerm);
    }

    public long storeId() {
        return storeId;
    }

    /** The descriptors of the replicas here (each as of its last applied command). */
    public List<RangeDescriptor> descriptors() {
        List<RangeDescriptor> out = new ArrayList<>();
        for (RangeStateMachine sm : replicas.values()) {
            out.add(sm.descriptor());
        }
        return out;
    }

    /** The replicas of ranges this store leads now (holds their lease, as far as it knows). */
    List<RangeStateMachine> ledReplicas() {
        List<RangeStateMachine> out = new ArrayList<>();
        for (RangeStateMachine sm : replicas.values()) {
            if (raft.leader(sm.rangeId()) == storeId && sm.descriptor() != null) {
                out.add(sm);
            }
        }
        return out;
    }

    /** The store the replicas write through (a driver turn's applies in one write). */
    TurnBatchedStore turnStore() {
        return (TurnBatchedStore) store;
    }

    /** The replica of a range here, or null. */
    RangeStateMachine replica(long rangeId) {
        return replicas.get(rangeId);
    }

    /** The load this store served for a range as its leaseholder (null: none yet). */
    RangeLoad load(long rangeId) {
        return load.get(rangeId);
    }

    /** Proposes a split of the range at key through this store (its leaseholder). */
    CompletableFuture<RangeRpc.Response> split(RangeDescriptor d, byte[] key, long newRangeId) {
        return handle(RangeRpc.Request.write(d.rangeId(), new RangeCommand.Split(key, newRangeId, d.generation())));
    }

    /** The approximate size in bytes of this store's replica of a range, -1 if it holds none (operators' view). */
    public long approximateBytes(long rangeId) {
        RangeStateMachine sm = replicas.get(rangeId);
        return sm == null || sm.descriptor() == null ? -1 : sm.approximateBytes();
    }

    /** The node this store believes leads the range, 0 if none. */
    public long leaseholder(long rangeId) {
        return raft.leader(rangeId);
    }

    /** Answers one request of this node's own gateway; never fails: every outcome is a status. */
    public CompletableFuture<RangeRpc.Response> handle(RangeRpc.Request r) {
        return handle(r, storeId);
    }

    /**
     * Answers one gateway request, sent by the gateway of store sender (0: not a store, or not
     * known), which the range's load counts for the lease to follow the workload
     * ({@link LeaseBalancer}); never fails: every outcome is a status.
     */
    public CompletableFuture<RangeRpc.Response> handle(RangeRpc.Request r, long sender) {
        if (r.kind() == RangeRpc.Kind.LOOKUP) {
            RangeDescriptor best = null;
            for (RangeStateMachine sm : replicas.values()) {
                RangeDescriptor d = sm.descriptor();
                if (d.contains(r.key()) && (best == null || d.generation() > best.generation())) {
                    best = d;
                }
            }
            return CompletableFuture.completedFuture(RangeRpc.Response.ok(null, best));
        }
        if (r.kind() == RangeRpc.Kind.HOST) {
            return host(r.rangeId(), r.maxRows() == 1);
        }
        if (r.kind() == RangeRpc.Kind.LEASE) {
            java.util.function.Function<RangeRpc.Request, RangeRpc.Response> grants = leaseRequests;
            return CompletableFuture.completedFuture(grants != null ? grants.apply(r)
                    : RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, "store " + storeId + " balances no leases"));
        }
        RangeStateMachine replica = replicas.get(r.rangeId());
        if (replica == null) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.RANGE_NOT_FOUND, 0,
                    "store " + storeId + " holds no replica of range " + r.rangeId()));
        }
        long leader = raft.leader(r.rangeId());
        if (leader != 0 && leader != storeId) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.NOT_LEASEHOLDER, leader, null));
        }
        if (r.kind() == RangeRpc.Kind.TIMESTAMPS) {
            java.util.function.IntFunction<CompletableFuture<RangeResult.Timestamps>> source = timestampSource;
            if (r.rangeId() != MetaKeys.metaRangeId || source == null || r.maxRows() < 1
                    || r.maxRows() > maxTimestampsPerRequest) {
                return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0,
                        "store " + storeId + " gives no " + r.maxRows() + " timestamps (1 to " + maxTimestampsPerRequest
                                + ", at the meta range's leaseholder)"));
            }
            // Weighed by the timestamps asked: batching hides how many transactions a store runs.
            load.computeIfAbsent(r.rangeId(), id -> new RangeLoad()).recordFrom(sender, r.maxRows());
            return source.apply(r.maxRows()).handle((t, e) -> e == null ? RangeRpc.Response.ok(t, null)
                    : failure(e, false));
        }
        byte[] loadKey = (r.kind() == RangeRpc.Kind.MULTI_GET || r.kind() == RangeRpc.Kind.VALIDATE
                || r.kind() == RangeRpc.Kind.FIRST_KEYS) && !r.keys().isEmpty()
                ? r.keys().get(0)
                : r.kind() == RangeRpc.Kind.WRITE && r.command() instanceof RangeCommand.Write w ? w.ops().get(0).key()
                : r.key();
        if (loadKey.length > 0) {
            load.computeIfAbsent(r.rangeId(), id -> new RangeLoad()).record(loadKey, sender);
        }
        served.incrementAndGet(r.kind().ordinal());
        CompletableFuture<RangeRpc.Response> answer;
        switch (r.kind()) {
            case GET, MULTI_GET -> answer = latches.awaitKeys(r.kind() == RangeRpc.Kind.GET ? List.of(r.key()) : r.keys())
                    .thenCompose(v -> leaseRead(replica, r));
            case LOCKS, OLDEST_LOCK -> answer = raft.linearizableRead(r.rangeId(), sm -> read((RangeStateMachine) sm, r));
            case FIRST_KEYS -> answer = awaitSpans(replica.descriptor(), r.keys()).thenCompose(v -> leaseRead(replica, r));
            case VALIDATE -> answer = (r.keys().isEmpty() ? latches.awaitSpan(replica.descriptor(), r.key(), r.endKey())
                    : latches.awaitKeys(r.keys()))
                    .thenCompose(v -> raft.linearizableRead(r.rangeId(), sm -> read((RangeStateMachine) sm, r)));
            case SCAN -> answer = latches.awaitSpan(replica.descriptor(), r.key(), r.endKey())
                    .thenCompose(v -> leaseRead(replica, r));
            default -> {
                RangeResult.KeyMismatch outside = latchesOutside(r.command(), replica);
                answer = outside != null ? CompletableFuture.completedFuture(RangeRpc.Response.ok(outside, outside.current()))
                        : r.command() instanceof RangeCommand.Commit c && r.maxRows() == RangeRpc.Request.backgroundCommitMark
                        && replica.descriptor() != null && RangeStateMachine.keyOutside(replica.descriptor(), c) == null
                        ? deferCommit(r.rangeId(), c, replica)
                        : r.command() instanceof RangeCommand.Write w && w.commitTs() == 0
                        && !MetaKeys.isSystemKey(w.ops().get(0).key())
                        ? writeAtNow(r.rangeId(), w, replica, maxTimestampRetries, r.untilTimestamp())
                        : r.command() instanceof RangeCommand.CheckStatus c ? checkStatus(r.rangeId(), c, replica)
                        : r.command() instanceof RangeCommand.Prewrite p && p.parallel()
                        ? parallelPrewrite(r.rangeId(), p, replica, r.untilTimestamp())
                        : r.command() instanceof RangeCommand.Prewrite p && commitTimestamps != null
                        ? prewriteWithCommitFloor(r.rangeId(), p, replica)
                        : propose(r.rangeId(), r.command(), replica);
            }
        }
        if (r.kind() != RangeRpc.Kind.WRITE) {
            // A read of keys a held background commit writes has it proposed now, and waits for
            // its latches as for any write's: it reads the commit, never the lock. Checked after
            // the read registered its wait, so that a commit held meanwhile sees the waiter
            // (deferCommit), and one held before is found here.
            proposeDeferredTouching(r.rangeId(), readSpan(r));
        }
        boolean write = r.kind() == RangeRpc.Kind.WRITE;
        return answer.exceptionally(e -> failure(e, write));
    }

    /**
     * A GET of key in range rangeId answered now on the calling thread, or null if answering it
     * would mean waiting: this store holds no lease of the range now ({@link MultiRaft#leaseTermNow},
     * the check {@link #leaseRead} makes), a write holds the key's latch (a held background commit
     * among them), or the key is locked by a transaction (resolving that takes requests). For a
     * thread that must never wait (a client connection's event loop); {@link #handle} answers
     * what this does not. When it answers, the answer is the one {@link #handle} gives when the
     * latch is free and the lease held: a linearizable read of the newest value.
     */
    public RangeRpc.Response getNow(long rangeId, byte[] key) {
        RangeStateMachine replica = replicas.get(rangeId);
        long term = raft.leaseTermNow(rangeId);
        if (replica == null || latches.latched(key) || term <= 0) {
            return null;
        }
        RangeRpc.Response answer;
        try {
            answer = read(replica, RangeRpc.Request.get(rangeId, key, RangeRpc.latest));
        } catch (RuntimeException e) {
            return null; // handle() answers it, with the failure as a status
        }
        if (!leaseHeldThroughout(rangeId, term) || !(answer.result() instanceof RangeResult.Value)) {
            return null; // locked, or the key is not in the range any more
        }
        load.computeIfAbsent(rangeId, id -> new RangeLoad()).record(key, storeId);
        served.incrementAndGet(RangeRpc.Kind.GET.ordinal());
        return answer;
    }

    /**
     * A linearizable read of values (GET, MULTI_GET, SCAN, FIRST_KEYS): under the range's lease at once on the
     * calling thread (the network's), else through the Raft driver (a lease read or a ReadIndex
     * round on its thread). Reading beside the driver is safe: the read takes a RocksDB snapshot
     * of what is applied, each apply is one atomic batch, and a write is acknowledged only after
     * its apply; {@link MultiRaft#leaseTermNow} says no other replica can lead and everything
     * committed before this leader's term is applied. Saves a hand-off to the driver and back, and
     * the wait for a driver busy with an fsync.
     */
    private CompletableFuture<RangeRpc.Response> leaseRead(RangeStateMachine replica, RangeRpc.Request r) {
        long term = raft.leaseTermNow(r.rangeId());
        if (term > 0) {
            RangeRpc.Response answer;
            try {
                answer = read(replica, r);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (leaseHeldThroughout(r.rangeId(), term)) {
                return CompletableFuture.completedFuture(answer);
            }
        }
        return raft.linearizableRead(r.rangeId(), sm -> read((RangeStateMachine) sm, r));
    }

    /**
     * Whether the lease of term, seen before a read on a thread other than the driver's, still
     * holds after it: then it held when the read took its snapshot, and no other replica could
     * lead or commit meanwhile. A read paused between the first check and its snapshot for longer
     * than the lease (a GC pause, a thread not scheduled) could otherwise answer from a snapshot
     * taken after a new leader elsewhere committed writes this replica never saw
     * ({@code DeposedLeaderReadTest}). When it does not hold, the read is asked again through the
     * driver, whose ReadIndex round or lease check decides afresh.
     */
    private boolean leaseHeldThroughout(long rangeId, long term) {
        if (raft.leaseTermNow(rangeId) == term) {
            return true;
        }
        leaseReadsRedone.incrementAndGet();
        return false;
    }

    /** Reads under the lease whose lease had ended by the time they read, asked again through the driver. */
    private final java.util.concurrent.atomic.AtomicLong leaseReadsRedone = new java.util.concurrent.atomic.AtomicLong();

    /** See {@link #leaseHeldThroughout}: for tests and operators. */
    public long leaseReadsRedone() {
        return leaseReadsRedone.get();
    }

    private CompletableFuture<RangeRpc.Response> propose(long rangeId, RangeCommand command, RangeStateMachine replica) {
        return propose(rangeId, command, replica, null);
    }

    /**
     * Proposes a write that holds latches (held: null if none), only while it still holds them;
     * the background commits held for the range ride in front of it, in the same driver turn
     * (one append and fsync: {@link MultiRaft#proposeAll}).
     */
    private CompletableFuture<RangeRpc.Response> propose(long rangeId, RangeCommand command, RangeStateMachine replica,
                                                         Held held) {
        List<Deferred> riders = takeDeferred(rangeId);
        java.util.function.BooleanSupplier wanted = held == null ? () -> true : () -> !held.withdrawn;
        CompletableFuture<Object> applied;
        if (riders.isEmpty()) {
            applied = raft.propose(rangeId, RangeCodec.encodeCommand(command), wanted);
        } else {
            List<CompletableFuture<Object>> all = proposeWithRiders(rangeId, riders, command, wanted, replica);
            commitsCarried.addAndGet(riders.size());
            applied = all.get(all.size() - 1);
        }
        return proposalTimeouts.orTimeout(applied)
                .thenApply(result -> RangeRpc.Response.ok((RangeResult) result, replica.descriptor()));
    }

    // ------------------------------------------------------------------ background commits held for the next proposal

    /**
     * How long a leaseholder holds a background commit ({@link RangeRpc.Request#backgroundCommit})
     * at most, by default, for the range's next proposal to carry it; then it is proposed alone.
     */
    public static final long defaultCommitDeferralMillis = 5;
    /** Background commits held per range at most: one more has them all proposed at once. */
    public static final int maxDeferredCommitsPerRange = 256;

    /** A background commit held for the range's next proposal, with its latches and the answer it waits for. */
    private record Deferred(RangeCommand.Commit commit, Held held, CompletableFuture<RangeRpc.Response> answer) {
    }

    /** Held background commits by range; guarded by itself. */
    private final Map<Long, List<Deferred>> deferred = new java.util.HashMap<>();
    private volatile long commitDeferralMillis = defaultCommitDeferralMillis;
    private final java.util.concurrent.atomic.AtomicLong commitsCarried = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong commitsProposedAlone = new java.util.concurrent.atomic.AtomicLong();

    /** Holds background commits this long at most (0: proposes each at once, as any write); for tests and probes. */
    public void commitDeferralMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("commitDeferralMillis must be >= 0, got " + millis);
        }
        this.commitDeferralMillis = millis;
    }

    /** Background commits this store holds for the range now, waiting for a proposal to carry them. */
    public int heldCommits(long rangeId) {
        synchronized (deferred) {
            List<Deferred> q = deferred.get(rangeId);
            return q == null ? 0 : q.size();
        }
    }

    /** Background commits that rode on another proposal of their range (its append and fsync). */
    public long commitsCarried() {
        return commitsCarried.get();
    }

    /** Background commits proposed with no other proposal to ride on (their time was up, or a request needed them). */
    public long commitsProposedAlone() {
        return commitsProposedAlone.get();
    }

    /**
     * A background commit (docs/transactions.md, "Background commits ride on the next
     * proposal"): latches its keys, then holds it for the range's next proposal to carry it into
     * the log in the same driver turn, or proposes it alone after {@link #commitDeferralMillis},
     * or as soon as a request touches its keys (a read, a write that latches them, a status asked
     * at a primary it commits). It answers once applied, as any write. Holding it is safe: the
     * transaction is committed already (every prewrite is durable), a commit is idempotent and
     * decided again when applied; a read of its keys here waits for it instead of meeting its locks.
     */
    private CompletableFuture<RangeRpc.Response> deferCommit(long rangeId, RangeCommand.Commit c, RangeStateMachine replica) {
        long holdMillis = commitDeferralMillis;
        if (holdMillis == 0) {
            return propose(rangeId, c, replica);
        }
        return latch(rangeId, c.keys()).thenCompose(h -> {
            CompletableFuture<RangeRpc.Response> answer = new CompletableFuture<>();
            int held;
            synchronized (deferred) {
                List<Deferred> q = deferred.computeIfAbsent(rangeId, id -> new ArrayList<>());
                q.add(new Deferred(c, h, answer));
                held = q.size();
            }
            // A request that waits for these latches already (it registered before this commit was
            // queued, so it could not find it) has it proposed now rather than after holdMillis.
            if (h.withdrawn || held >= maxDeferredCommitsPerRange || h.handle.getNumberOfDependents() > 0) {
                proposeDeferred(rangeId, replica); // if withdrawn (this store stopped leading): answered "dropped"
            } else if (held == 1) {
                CompletableFuture.delayedExecutor(holdMillis, TimeUnit.MILLISECONDS)
                        .execute(() -> proposeDeferred(rangeId, replica));
            }
            return answer;
        });
    }

    private List<Deferred> takeDeferred(long rangeId) {
        synchronized (deferred) {
            if (deferred.isEmpty()) {
                return List.of();
            }
            List<Deferred> q = deferred.remove(rangeId);
            return q == null ? List.of() : q;
        }
    }

    /** Proposes the commits held for the range alone (no proposal came to carry them). */
    private void proposeDeferred(long rangeId, RangeStateMachine replica) {
        List<Deferred> riders = takeDeferred(rangeId);
        if (!riders.isEmpty()) {
            proposeWithRiders(rangeId, riders, null, null, replica);
            commitsProposedAlone.addAndGet(riders.size());
        }
    }

    /**
     * Proposes the held commits, then command (null: none), in one driver turn; each held commit
     * answers when applied and releases its latches then. Answers the futures of every entry.
     */
    private List<CompletableFuture<Object>> proposeWithRiders(long rangeId, List<Deferred> riders, RangeCommand command,
                                                              java.util.function.BooleanSupplier wanted,
                                                              RangeStateMachine replica) {
        List<byte[]> commands = new ArrayList<>(riders.size() + 1);
        List<java.util.function.BooleanSupplier> conditions = new ArrayList<>(riders.size() + 1);
        for (Deferred d : riders) {
            commands.add(RangeCodec.encodeCommand(d.commit()));
            conditions.add(() -> !d.held().withdrawn);
        }
        if (command != null) {
            commands.add(RangeCodec.encodeCommand(command));
            conditions.add(wanted);
        }
        List<CompletableFuture<Object>> all = raft.proposeAll(rangeId, commands, conditions);
        for (int i = 0; i < riders.size(); i++) {
            Deferred d = riders.get(i);
            proposalTimeouts.orTimeout(all.get(i)).whenComplete((result, e) -> {
                release(d.held());
                d.answer().complete(e == null ? RangeRpc.Response.ok((RangeResult) result, replica.descriptor())
                        : failure(e, true));
            });
        }
        return all;
    }

    /** Has the range's held commits proposed now if one of them writes a key that touches accepts; true if so. */
    private boolean proposeDeferredTouching(long rangeId, java.util.function.Predicate<byte[]> touches) {
        boolean hit = false;
        synchronized (deferred) {
            List<Deferred> q = deferred.isEmpty() ? null : deferred.get(rangeId);
            if (q != null) {
                for (int i = 0; i < q.size() && !hit; i++) {
                    hit = q.get(i).commit().keys().stream().anyMatch(touches);
                }
            }
        }
        RangeStateMachine replica = hit ? replicas.get(rangeId) : null;
        if (replica != null) {
            proposeDeferred(rangeId, replica);
        }
        return hit;
    }

    private static java.util.function.Predicate<byte[]> keysSpan(List<byte[]> keys) {
        return k -> {
            for (byte[] key : keys) {
                if (java.util.Arrays.equals(key, k)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The keys a read may see: its keys, its span, or its spans (FIRST_KEYS). */
    private static java.util.function.Predicate<byte[]> readSpan(RangeRpc.Request r) {
        return switch (r.kind()) {
            case GET -> keysSpan(List.of(r.key()));
            case MULTI_GET -> keysSpan(r.keys());
            case VALIDATE -> r.keys().isEmpty() ? inSpan(r.key(), r.endKey()) : keysSpan(r.keys());
            case FIRST_KEYS -> k -> {
                for (int i = 0; i + 1 < r.keys().size(); i += 2) {
                    byte[] to = r.keys().get(i + 1);
                    if (inSpan(r.keys().get(i), to.length == 0 ? null : to).test(k)) {
                        return true;
                    }
                }
                return false;
            };
            default -> inSpan(r.key(), r.endKey());
        };
    }

    private static java.util.function.Predicate<byte[]> inSpan(byte[] from, byte[] to) {
        return k -> java.util.Arrays.compareUnsigned(k, from) >= 0 && (to == null || java.util.Arrays.compareUnsigned(k, to) < 0);
    }

    /**
     * The latches of one write of a range, from before its timestamp is taken until it applied,
     * or until this store stops leading the range ({@link #releaseLatchesOf}), whichever is first.
     */
    private static final class Held {
        final long rangeId;
        final List<byte[]> keys;
        final CompletableFuture<Void> handle;
        /** Released at a step-down (set on the Raft driver's thread): the write must not be proposed after. */
        volatile boolean withdrawn;

        Held(long rangeId, List<byte[]> keys, CompletableFuture<Void> handle) {
            this.rangeId = rangeId;
            this.keys = keys;
            this.handle = handle;
        }
    }

    /** The latches held by writes, per range. */
    private final Map<Long, Set<Held>> heldByRange = new ConcurrentHashMap<>();

    /** Latches keys for a write of the range: completes with what to release. */
    private CompletableFuture<Held> latch(long rangeId, List<byte[]> keys) {
        CompletableFuture<Held> latched = latches.acquire(keys).thenApply(handle -> {
            Held h = new Held(rangeId, keys, handle);
            heldByRange.computeIfAbsent(rangeId, id -> ConcurrentHashMap.newKeySet()).add(h);
            return h;
        });
        proposeDeferredTouching(rangeId, keysSpan(keys)); // after the wait is registered: see handle
        return latched;
    }

    private void release(Held h) {
        Set<Held> of = heldByRange.get(h.rangeId);
        if (of != null) {
            of.remove(h);
        }
        latches.release(h.keys, h.handle); // a second release of a handle releases nothing
    }

    /**
     * This store stopped leading the range (MultiRaft's step-down notice, on the driver's thread):
     * the latches of its writes protect nothing any more, so they are released now, not when each
     * write applies or times out (10 s). A latch makes reads here wait for writes whose timestamps
     * were taken before them; but a store that does not lead serves no reads, and when it leads
     * again it serves none before it applied its first entry of the new term, hence every entry of
     * the old terms that commits. Kept, a write's latch held up requests of its keys here for the
     * proposal timeout: requests this store forwards nowhere because it knows no leader yet, and
     * those of another range it leads that holds the keys after a split (KV simulator, seed 4644).
     * A write released before it was proposed is withdrawn: it is never proposed (the check runs
     * on this thread, just before the command would enter the log), and answers "dropped" (not
     * applied). The writes proposed keep waiting for their entries: answered with the result if
     * the entry commits, "dropped" if another leader's entry replaces it, "outcome unknown" at the
     * proposal timeout or if a snapshot covers it, as before.
     */
    private void releaseLatchesOf(long rangeId) {
        Set<Held> of = heldByRange.remove(rangeId);
        if (of == null) {
            return;
        }
        for (Held h : of) {
            h.withdrawn = true;
            latches.release(h.keys, h.handle);
        }
        latchesReleasedAtStepDown.addAndGet(of.size());
        RangeStateMachine replica = replicas.get(rangeId);
        if (replica != null) {
            proposeDeferred(rangeId, replica); // withdrawn: each answers "dropped", and its sender asks the new leaseholder
        }
    }

    private final java.util.concurrent.atomic.AtomicLong latchesReleasedAtStepDown =
            new java.util.concurrent.atomic.AtomicLong();

    /** Writes whose latches were released because this store stopped leading their range (for tests). */
    public long latchesReleasedAtStepDown() {
        return latchesReleasedAtStepDown.get();
    }

    /**
     * A transaction's status at its primary: answered from the leaseholder's applied state under
     * its lease (the path of a GET: linearizable, no Raft round, nothing fsynced) when deciding it
     * writes nothing; proposed through the range's log only when it must write (roll back an
     * expired transaction, or a missing one when asked; extend a lock for a heartbeat), where the
     * apply decides again from the state then.
     *
     * <p>Why a read is enough: "committed" and "rolled back" are final (nothing removes a
     * rollback marker, and version GC removes no version a transaction still open can read), so
     * once the applied state shows one, every later state does. "Pending" (or "missing" without
     * rollbackIfMissing) may be stale by the time the asker acts, since the transaction may commit
     * or be rolled back the next instant; but the asker acts on it only by waiting and asking
     * again, never by writing anything, so a stale "pending" costs one more round and never a
     * wrong outcome. Whatever removes or commits a lock (roll back, roll forward) is decided by
     * a command in the log, never by this read.
     */
    private CompletableFuture<RangeRpc.Response> checkStatus(long rangeId, RangeCommand.CheckStatus c,
                                                             RangeStateMachine replica) {
        CompletableFuture<Void> latched = latches.awaitKeys(List.of(c.primary()));
        if (proposeDeferredTouching(rangeId, keysSpan(List.of(c.primary())))) {
            // The primary's commit was held here: the status is asked once it applied (committed),
            // not of the STAGING record it would find now (pending: the asker would wait and ask again).
            return latched.thenCompose(v -> checkStatus(rangeId, c, replica));
        }
        return raft.linearizableRead(rangeId, sm -> ((RangeStateMachine) sm).statusWithoutWriting(c))
                .handle((found, e) -> {
                    if (e != null) {
                        return CompletableFuture.completedFuture(failure(e, false)); // nothing was proposed
                    }
                    if (found != null) {
                        statusReads.incrementAndGet();
                        return CompletableFuture.completedFuture(RangeRpc.Response.ok(found, replica.descriptor()));
                    }
                    return propose(rangeId, c, replica);
                }).thenCompose(f -> f);
    }

    private final java.util.concurrent.atomic.AtomicLong statusReads = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLongArray served =
            new java.util.concurrent.atomic.AtomicLongArray(RangeRpc.Kind.values().length);

    /** Requests of a kind this store took on as a replica of their range (the leaseholder, as it believed). */
    public long served(RangeRpc.Kind kind) {
        return served.get(kind.ordinal());
    }

    /** Transaction status requests this store answered from its state, without a Raft proposal. */
    public long statusReads() {
        return statusReads.get();
    }

    /** The applied index of this store's replica of a range (-1: no replica here). */
    public long appliedIndex(long rangeId) {
        RangeStateMachine sm = replicas.get(rangeId);
        return sm == null ? -1 : sm.appliedIndex();
    }

    /** Times a one-phase write asks the oracle again when a newer version appeared under its timestamp. */
    static final int maxTimestampRetries = 3;

    /**
     * A one-phase write of user keys: latches its keys, takes its commit timestamp from the
     * oracle, proposes, and releases the latches once it applied (see {@link Latches} for why
     * in this order). Single writes (not in a transaction) that meet a version at or above the
     * timestamp (a lease moved meanwhile) take a new one, since they read nothing before.
     */
    private CompletableFuture<RangeRpc.Response> writeAtNow(long rangeId, RangeCommand.Write w, RangeStateMachine replica,
                                                             int retries, long commitDeadline) {
        java.util.function.Supplier<CompletableFuture<Long>> source = commitTimestamps;
        if (source == null) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0,
                    "store " + storeId + " has no timestamp oracle to write user keys with"));
        }
        List<byte[]> keys = RangeStateMachine.keysOf(w);
        return latch(rangeId, keys).thenCompose(h -> {
            CompletableFuture<RangeRpc.Response> done;
            try {
                done = source.get().thenCompose(ts -> commitDeadline > 0 && ts >= commitDeadline
                        ? deadlinePassed(commitDeadline, ts, replica) : propose(rangeId, w.at(ts), replica, h));
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            return done.whenComplete((resp, e) -> release(h));
        }).thenCompose(resp -> w.startTs() == 0 && retries > 0 && resp.result() instanceof RangeResult.WriteConflict
                ? writeAtNow(rangeId, w, replica, retries - 1, commitDeadline) : CompletableFuture.completedFuture(resp));
    }

    private static CompletableFuture<RangeRpc.Response> deadlinePassed(long deadline, long ts, RangeStateMachine replica) {
        return CompletableFuture.completedFuture(RangeRpc.Response.ok(new RangeResult.CommitDeadlinePassed(deadline, ts),
                replica.descriptor()));
    }

    /**
     * A prewrite: latches its keys, then proposes it and, at the same time, takes a timestamp from
     * the oracle, and releases the latches once it applied. The answer to a prewrite that locked
     * its keys carries that timestamp ({@link RangeResult.Prewritten}), a floor for the
     * transaction's commit timestamp: a read this range served before the latch has a timestamp
     * issued before it, hence below it; a read that arrives after the latch waits until the locks
     * are applied and meets them. So a commit timestamp at or above every range's floor is one the
     * coordinator could have taken from the oracle after all its prewrites (Percolator's order),
     * without that round trip after them (docs/transactions.md, "Commit timestamp from the
     * prewrites").
     */
    private CompletableFuture<RangeRpc.Response> prewriteWithCommitFloor(long rangeId, RangeCommand.Prewrite p,
                                                                         RangeStateMachine replica) {
        java.util.function.Supplier<CompletableFuture<Long>> source = commitTimestamps;
        List<byte[]> keys = p.ops().stream().map(WriteOp::key).toList();
        return latch(rangeId, keys).thenCompose(h -> {
            CompletableFuture<RangeRpc.Response> applied;
            CompletableFuture<Long> floor;
            try {
                floor = source.get();
                applied = propose(rangeId, p, replica, h);
            } catch (RuntimeException e) {
                release(h);
                return CompletableFuture.failedFuture(e);
            }
            applied.whenComplete((resp, e) -> release(h));
            return applied.thenCombine(floor, (resp, ts) -> resp.result() instanceof RangeResult.Written
                    ? RangeRpc.Response.ok(new RangeResult.Prewritten(ts), resp.descriptor()) : resp);
        });
    }

    /**
     * The mismatch a command that would latch keys (a one-phase write of user keys, a prewrite)
     * answers at once because a key is outside the replica's range, or null
     * ({@link RangeStateMachine#keyOutside}): its latches would hold up reads of another range.
     */
    private static RangeResult.KeyMismatch latchesOutside(RangeCommand c, RangeStateMachine replica) {
        boolean latching = (c instanceof RangeCommand.Write w && w.commitTs() == 0 && !MetaKeys.isSystemKey(w.ops().get(0).key()))
                || c instanceof RangeCommand.Prewrite;
        RangeDescriptor range = replica.descriptor();
        return latching && range != null ? RangeStateMachine.keyOutside(range, c) : null;
    }

    /**
     * A parallel commit's prewrite: latches its keys, takes a timestamp from the oracle, proposes
     * the prewrite with it as its locks' minCommitTs, and releases the latches once it applied,
     * as a one-phase write does with its commit timestamp. The timestamp must be in the command
     * (a recoverer reads it from the locks), so it is taken before proposing, not beside it as
     * {@link #prewriteWithCommitFloor} does; the answer carries the minCommitTs the locks hold,
     * which for a retried prewrite is the first attempt's (docs/transactions.md, "Parallel commits").
     */
    private CompletableFuture<RangeRpc.Response> parallelPrewrite(long rangeId, RangeCommand.Prewrite p,
                                                                  RangeStateMachine replica, long commitDeadline) {
        java.util.function.Supplier<CompletableFuture<Long>> source = commitTimestamps;
        if (source == null) {
            return CompletableFuture.completedFuture(RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0,
                    "store " + storeId + " has no timestamp oracle to prewrite a parallel commit with"));
        }
        List<byte[]> keys = p.ops().stream().map(WriteOp::key).toList();
        return latch(rangeId, keys).thenCompose(h -> {
            CompletableFuture<RangeRpc.Response> done;
            try {
                done = source.get().thenCompose(ts -> {
                    long minCommitTs = Math.max(ts, p.startTs() + 1);
                    return commitDeadline > 0 && minCommitTs >= commitDeadline ? deadlinePassed(commitDeadline, minCommitTs, replica)
                            : propose(rangeId, p.withMinCommitTs(minCommitTs), replica, h);
                });
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            return done.whenComplete((resp, e) -> release(h));
        });
    }

    /** Completes once the latches held now in each span of fromToPairs (an empty to: no bound) are released. */
    private CompletableFuture<Void> awaitSpans(RangeDescriptor range, List<byte[]> fromToPairs) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i = 0; i + 1 < fromToPairs.size(); i += 2) {
            byte[] to = fromToPairs.get(i + 1);
            waits.add(latches.awaitSpan(range, fromToPairs.get(i), to.length == 0 ? null : to));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private static RangeRpc.Response read(RangeStateMachine sm, RangeRpc.Request r) {
        long ts = r.timestamp();
        // One snapshot and the descriptor it belongs to, which the answer carries: the reader
        // takes the range's end from it, so it must be the span the read was clamped to.
        RangeStateMachine.Answer a = sm.read(v -> switch (r.kind()) {
            case GET -> v.get(r.key(), ts, ts);
            case MULTI_GET -> v.getAll(r.keys(), ts, ts);
            case VALIDATE -> r.keys().isEmpty() ? v.validate(r.key(), r.endKey(), ts, r.untilTimestamp())
                    : v.validateKeys(r.keys(), ts, r.untilTimestamp());
            case LOCKS -> v.lockList(r.key(), r.endKey(), Math.min(Math.max(1, r.maxRows()), maxScanRows));
            case OLDEST_LOCK -> v.oldestLock(r.key(), r.endKey());
            case FIRST_KEYS -> v.firstKeys(r.keys(), ts, ts);
            default -> v.scan(r.key(), r.endKey(), Math.min(Math.max(1, r.maxRows()), maxScanRows),
                    Math.min(Math.max(1, r.maxBytes()), maxScanBytes), ts, ts, r.filter());
        });
        // Checked after reading: a version GC raises the threshold before its batch is written,
        // so a read whose snapshot saw the GC sees its threshold here.
        RangeResult.BelowGcThreshold old = r.kind() == RangeRpc.Kind.LOCKS || r.kind() == RangeRpc.Kind.OLDEST_LOCK ? null
                : sm.belowGcThreshold(ts);
        return RangeRpc.Response.ok(old != null ? old : a.result(), a.descriptor());
    }

    private RangeRpc.Response failure(Throwable e, boolean write) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof NotLeaderException nl) {
            return RangeRpc.Response.of(RangeRpc.Status.NOT_LEASEHOLDER, nl.leaderId(), null);
        }
        if (cause instanceof ProposalDroppedException) {
            return RangeRpc.Response.of(RangeRpc.Status.DROPPED, 0, cause.getMessage());
        }
        if (cause instanceof LimitExceededException) {
            return RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, cause.getMessage());
        }
        if (write && (cause instanceof OutcomeUnknownException || cause instanceof TimeoutException)) {
            return RangeRpc.Response.of(RangeRpc.Status.OUTCOME_UNKNOWN, 0, "store " + storeId + ": "
                    + (cause instanceof TimeoutException ? "not applied within " + proposalTimeoutMillis + " ms"
                    : cause.getMessage()));
        }
        // A read that failed, or the node is stopping before the write was proposed.
        return RangeRpc.Response.of(write && !(cause instanceof IllegalStateException) ? RangeRpc.Status.OUTCOME_UNKNOWN
                : RangeRpc.Status.UNAVAILABLE, 0, String.valueOf(cause.getMessage()));
    }
}
