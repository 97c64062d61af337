package io.starlingdb.engine.range;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.engine.raft.ClusterTransport;
import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.GroupStatus;
import io.starlingdb.engine.raft.Role;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's part of the replicated key space, wired together: the Raft driver of its range
 * replicas over the cluster network (CRITICAL lane for Raft, LOW for snapshots), the store
 * that answers gateways (NORMAL lane), the node's own gateway, and the directory of where the
 * other stores are, refreshed from the membership. Start after the cluster network; close
 * before it.
 */
public final class RangeService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RangeService.class);

    /** How often the directory of stores is re-read from the membership. */
    static final long directoryRefreshMillis = 250;
    /** How often a store checks whether it leads more than its share of ranges (one transfer per check). */
    public static final long leaseBalanceIntervalMillis = 2_000;
    /** How often a store checks the size and load of the ranges it leads. */
    public static final long splitCheckIntervalMillis = 2_000;
    /** How often a store checks where the replicas of the ranges it leads should be (one step per check). */
    public static final long placementIntervalMillis = 2_000;
    /** Replicas of the meta range wanted (at most the usable stores). */
    public static final int metaReplicationFactor = 5;
    /** One membership change or lease transfer of placement waits this long at most. */
    static final long placementStepTimeoutMillis = 10_000;
    /** How often a store makes meta hold the descriptors of the ranges it leads. */
    public static final long metaReconcileIntervalMillis = 2_000;
    /** Consecutive checks a range must stay above range.split.qps before it splits (sustained load). */
    public static final int loadSplitChecks = 3;

    /**
     * When ranges split by themselves.
     *
     * @param maxBytes a range larger than this splits at its middle key ({@code range.max.bytes})
     * @param splitQps a range serving more requests per second than this for
     *                 {@link #loadSplitChecks} checks in a row splits at the median key of its
     *                 requests ({@code range.split.qps}); 0: never by load
     */
    /**
     * Where replicas go.
     *
     * @param replicationFactor replicas of each user range ({@code replication.factor}), at most
     *                          the usable stores
     * @param deadAfterMillis   a store the membership has not held alive for this long is dead:
     *                          its replicas are replaced ({@code store.dead.after})
     */
    public record PlacementOptions(int replicationFactor, long deadAfterMillis) {
        public static final int defaultReplicationFactor = 3;
        public static final long defaultDeadAfterMillis = 300_000;

        public PlacementOptions {
            if (replicationFactor < 1 || replicationFactor > 7) {
                throw new IllegalArgumentException("replication factor must be 1 to 7, got " + replicationFactor);
            }
            if (deadAfterMillis < 1) {
                throw new IllegalArgumentException("store.dead.after must be positive, got " + deadAfterMillis + " ms");
            }
        }

        public static PlacementOptions defaults() {
            return new PlacementOptions(defaultReplicationFactor, defaultDeadAfterMillis);
        }
    }

    public record SplitOptions(long maxBytes, double splitQps) {
        public static final long defaultMaxBytes = 64L << 20;
        public static final double defaultSplitQps = 2_500;

        public static SplitOptions defaults() {
            return new SplitOptions(defaultMaxBytes, defaultSplitQps);
        }
    }

    private final long storeId;
    private final MultiRaft raft;
    private final ClusterTransport raftTransport;
    private final RangeStore store;
    private final StoreDirectory directory = new StoreDirectory();
    private final DistSender gateway;
    private final ScheduledExecutorService refresher;
    private final ClusterNetworkManager network;
    private final SplitOptions splits;
    /** Per range this store leads: requests counted at the last check, and checks in a row above the load limit. */
    private final Map<Long, long[]> loadChecks = new java.util.HashMap<>();
    private final Meta meta;
    /** The timestamp oracle, answering while this store leads the meta range. */
    private final io.starlingdb.engine.txn.TimestampService oracle;
    /** This node's batched way to the oracle, wherever it runs. */
    private final io.starlingdb.engine.txn.TimestampClient timestamps;
    private final io.starlingdb.engine.txn.ClusterTransactions transactions;
    /** Splits, meta updates and registration: they wait on the meta range, so not on the refresher's thread. */
    private final ScheduledExecutorService metaWorker;
    /**
     * The lease balancer's pulls: each waits up to {@code leaseBalanceIntervalMillis} for the
     * leaseholder's answer, so not on the refresher's thread, whose directory refresh must not wait
     * behind a store that does not answer.
     */
    private final ScheduledExecutorService leaseWorker;
    /** Resolves the transactions of dead coordinators and expired locks (2PC recovery), on its own thread. */
    private final ScheduledExecutorService recoveryWorker;
    private final TransactionRecoveryManager recovery;
    private final RangeVersionGc versionGc;
    /** This store's peer address as registered in meta. */
    private final String address;
    private final String zone;
    private final PlacementOptions placement;
    /** When each store was last seen alive in the membership (nanoTime); stores not seen yet count from the start. */
    private final Map<Long, Long> lastAlive = new java.util.concurrent.ConcurrentHashMap<>();
    private final long startedNanos = System.nanoTime();
    /** The stores as the last placement check saw them (the lease balancer leaves out those not active). */
    private volatile Map<Long, Placement.StoreView> lastViews = Map.of();

    /**
     * @param zone           the store's failure domain ("" if unknown), registered in meta for placement
     * @param initialMembers the stores that form range 1 when the cluster starts; a store in it
     *                       whose storage holds no range writes range 1 (the same on each of them)
     */
    public RangeService(long storeId, String zone, List<Long> initialMembers, RocksStorage storage,
                        ClusterNetworkManager network, RaftConfig raftConfig, SplitOptions splits,
                        PlacementOptions placement, io.starlingdb.engine.txn.ClusterTransactions.Settings transactions) {
        this.placement = placement;
        this.storeId = storeId;
        this.network = network;
        this.splits = splits;
        this.raft = new MultiRaft(storeId, raftConfig, new RaftLogStore(storage), System.nanoTime() ^ storeId);
        this.raftTransport = new ClusterTransport(storeId, network.transport());
        this.store = new RangeStore(storeId, storage.store(ColumnFamily.RANGES), raft,
                storage.sstFiles(ColumnFamily.RANGES));
        if (initialMembers.contains(storeId)) {
            ConfState conf = new ConfState(new java.util.TreeSet<>(initialMembers), java.util.Set.of());
            if (RangeStore.bootstrapIfEmpty(storage.store(ColumnFamily.RANGES), MetaKeys.initialMeta(conf),
                    MetaKeys.initialUserRange(conf))) {
                log.info("store {} bootstrapped the meta range and the first user range on stores {}", storeId,
                        initialMembers);
            }
        }
        this.gateway = new DistSender(network.transport(), directory, store, DistSender.Options.defaults());
        this.meta = new Meta(gateway);
        this.oracle = new io.starlingdb.engine.txn.TimestampService(raft, meta);
        this.timestamps = new io.starlingdb.engine.txn.TimestampClient(gateway);
        store.useTimestamps(timestamps::nextAsync);
        this.transactions = new io.starlingdb.engine.txn.ClusterTransactions(gateway, timestamps, transactions,
                network.nodeId());
        this.address = String.valueOf(network.address());
        this.zone = zone;
        this.refresher = daemonExecutor("starling-store-directory");
        this.metaWorker = daemonExecutor("starling-meta");
        this.leaseWorker = daemonExecutor("starling-lease-balancer");
        this.recoveryWorker = daemonExecutor("starling-txn-recovery");
        this.recovery = new TransactionRecoveryManager(store, gateway.resolver());
        this.versionGc = new RangeVersionGc(store, transactions.maxDurationMillis(),
                () -> gateway.oldestLock(MetaKeys.userSpanStart, null));
    }

    private static ScheduledExecutorService daemonExecutor(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the replicas, starts Raft and starts answering gateways. */
    public void start() {
        refreshDirectory();
        raftTransport.bind(raft);
        store.open();
        store.serveTimestamps(oracle::grant);
        store.serveLeaseRequests(this::grantLease);
        raft.start(raftTransport);
        network.handle(RangeRpc.RequestFrame.class, (from, frame) ->
                store.handle(RangeRpc.decodeRequest(frame.payload()),
                                storeByAddress.getOrDefault(from.listenAddress(), 0L))
                        .thenApply(response -> new RangeRpc.ResponseFrame(RangeRpc.encode(response))));
        refresher.scheduleWithFixedDelay(this::refreshDirectory, directoryRefreshMillis, directoryRefreshMillis,
                TimeUnit.MILLISECONDS);
        leaseWorker.scheduleWithFixedDelay(this::balanceLeases, leaseBalanceIntervalMillis, leaseBalanceIntervalMillis,
                TimeUnit.MILLISECONDS);
        metaWorker.scheduleWithFixedDelay(this::checkSplits, splitCheckIntervalMillis, splitCheckIntervalMillis,
                TimeUnit.MILLISECONDS);
        metaWorker.scheduleWithFixedDelay(this::reconcileMeta, metaReconcileIntervalMillis, metaReconcileIntervalMillis,
                TimeUnit.MILLISECONDS);
        metaWorker.execute(this::register);
        network.subscribe(event -> {
            io.starlingdb.cluster.membership.MembershipEvent.Type type = event.type();
            if (type == io.starlingdb.cluster.membership.MembershipEvent.Type.SUSPECT
                    || type == io.starlingdb.cluster.membership.MembershipEvent.Type.DEAD
                    || type == io.starlingdb.cluster.membership.MembershipEvent.Type.LEFT) {
                // The ranges it leads elect a new leader as soon as their voters allow, not at a
                // random time up to twice the election timeout (RaftCore.leaderSuspected).
                long suspect = storeOf(event.member());
                if (suspect > 0 && suspect != storeId) {
                    raft.leaderSuspected(suspect);
                }
            }
            // A member that left gracefully will not finish its transactions either.
            if (event.type() == io.starlingdb.cluster.membership.MembershipEvent.Type.DEAD
                    || event.type() == io.starlingdb.cluster.membership.MembershipEvent.Type.LEFT) {
                String member = event.member().id();
                try {
                    recoveryWorker.execute(() -> recoverTransactionsOf(member));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // this node is stopping: the other nodes resolve that member's transactions
                }
            }
        });
        recoveryWorker.scheduleWithFixedDelay(this::sweepExpiredLocks, recoverySweepMillis, recoverySweepMillis,
                TimeUnit.MILLISECONDS);
        recoveryWorker.scheduleWithFixedDelay(this::collectVersions, versionGcIntervalMillis, versionGcIntervalMillis,
                TimeUnit.MILLISECONDS);
        // Stores check at slightly different moments, so they seldom act on the same counts at once.
        long jitter = Math.floorMod(storeId * 7919, placementIntervalMillis / 2);
        metaWorker.scheduleWithFixedDelay(this::checkPlacement, placementIntervalMillis + jitter, placementIntervalMillis
                + jitter, TimeUnit.MILLISECONDS);
    }

    /** The store id a member gossips ({@link StoreDirectory#storeKey}), 0 if none. */
    private static long storeOf(io.starlingdb.cluster.membership.Member member) {
        String id = member.metadata().get(StoreDirectory.storeKey);
        try {
            return id == null ? 0 : Long.parseLong(id);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How often the ranges led here are swept for locks past their TTL (2PC recovery). */
    public static final long recoverySweepMillis = 1_000;

    private void recoverTransactionsOf(String member) {
        try {
            long before = recovery.resolved();
            recovery.coordinatorDead(member);
            log.info("store {}: member {} is dead; resolved {} locks of its transactions", storeId, member,
                    recovery.resolved() - before);
        } catch (RuntimeException e) {
            log.warn("store {}: resolving the transactions of dead member {} failed: {}", storeId, member, e.toString());
        }
    }

    private void sweepExpiredLocks() {
        try {
            recovery.sweepExpired(System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("store {}: sweeping expired locks failed: {}", storeId, e.toString());
        }
    }

    /** How often the ranges led here are swept for versions no transaction can read (version GC). */
    public static final long versionGcIntervalMillis = 30_000;

    private void collectVersions() {
        try {
            versionGc.collect(System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("store {}: version GC failed: {}", storeId, e.toString());
        }
    }

    /** Version GC of the ranges led here. */
    public RangeVersionGc versionGc() {
        return versionGc;
    }

    /** 2PC recovery here: what it resolved so far. */
    public TransactionRecoveryManager recovery() {
        return recovery;
    }

    /**
     * Carries out the first placement step ({@link Placement#decide}) among the ranges this
     * store leads: one step per check, so placement moves one replica at a time per store and
     * each check sees the effect of the last.
     */
    private void checkPlacement() {
        try {
            List<RangeDescriptor> all = meta.descriptors();
            Map<Long, Integer> replicas = new java.util.HashMap<>();
            for (RangeDescriptor d : all) {
                for (long s : d.conf().voters()) {
                    replicas.merge(s, 1, Integer::sum);
                }
                for (long s : d.conf().learners()) {
                    replicas.merge(s, 1, Integer::sum);
                }
            }
            Map<Long, Placement.StoreView> views = storeViews(meta.stores(), replicas.keySet());
            lastViews = views;
            for (RangeDescriptor d : store.descriptors()) {
                if (raft.leader(d.rangeId()) != storeId) {
                    continue;
                }
                GroupStatus status = raft.status(d.rangeId()).get(placementStepTimeoutMillis, TimeUnit.MILLISECONDS);
                if (status.role() != Role.LEADER) {
                    continue;
                }
                int factor = d.rangeId() == MetaKeys.metaRangeId ? metaReplicationFactor : placement.replicationFactor();
                Placement.Action step = Placement.decide(d, storeId, factor, status.matched(), status.committed(), views,
                        replicas);
                if (step != null) {
                    carryOut(d, step);
                    return;
                }
                hostMissingReplicas(d, status);
            }
            collectRemovedReplicas();
        } catch (Exception e) {
            log.debug("store {}: placement check failed: {}", storeId, e.toString());
        }
    }

    /**
     * Deletes the replicas here of ranges that removed this store: the replica applied its own
     * removal, or meta holds a newer descriptor of the same range (higher generation) that does
     * not name this store (a replica cut off before the removal reached it never learns of it
     * from its group, so it asks meta). A replica this store leads is never collected.
     */
    private void collectRemovedReplicas() {
        for (RangeDescriptor d : store.descriptors()) {
            if (raft.leader(d.rangeId()) == storeId) {
                continue;
            }
            if (!d.conf().isMember(storeId)) {
                store.destroyReplica(d.rangeId()); // this replica applied its own removal
                continue;
            }
            RangeDescriptor current = meta.rangeOf(d.start());
            if (current != null && current.rangeId() == d.rangeId() && current.generation() > d.generation()
                    && !current.conf().isMember(storeId)) {
                store.destroyReplica(d.rangeId());
            }
        }
    }

    /**
     * Asks every other member that has received nothing yet (as far as this leader knows) to
     * host a replica of the range (idempotent: a store that has one changes nothing). A
     * learner's first request may have been lost, or its store discarded the replica while it
     * was not a member; a voter's store may have skipped the split that created the range by
     * installing a later snapshot of the left half, so it holds no replica of this one: an empty
     * replica gets the range by snapshot.
     */
    private void hostMissingReplicas(RangeDescriptor d, GroupStatus status) {
        java.util.Set<Long> members = new java.util.TreeSet<>(d.conf().voters());
        members.addAll(d.conf().learners());
        members.remove(storeId);
        members.retainAll(directory.alive());
        for (long member : members) {
            if (status.matched().getOrDefault(member, 0L) == 0) {
                try {
                    gateway.sendTo(member, RangeRpc.Request.host(d.rangeId(), false), placementStepTimeoutMillis);
                } catch (RangeUnavailableException e) {
                    log.debug("store {}: store {} did not answer hosting range {}: {}", storeId, member, d.rangeId(),
                            e.getMessage());
                }
            }
        }
    }

    /**
     * What placement knows of each store: meta's registry, and liveness from the membership.
     * A store that holds replicas but has not registered yet (it just started, or meta was
     * unreachable) is active, and live until it has been missing for store.dead.after: a
     * cluster starting up must not remove the replicas of its last store to register.
     */
    private Map<Long, Placement.StoreView> storeViews(List<StoreRecord> registry, java.util.Set<Long> members) {
        long now = System.nanoTime();
        for (long s : directory.alive()) {
            lastAlive.put(s, now);
        }
        lastAlive.put(storeId, now);
        Map<Long, Placement.StoreView> views = new java.util.HashMap<>();
        for (StoreRecord r : registry) {
            long seen = lastAlive.getOrDefault(r.storeId(), startedNanos);
            boolean live = now - seen < TimeUnit.MILLISECONDS.toNanos(placement.deadAfterMillis());
            views.put(r.storeId(), new Placement.StoreView(r.storeId(), r.zone(), r.state(), live));
        }
        java.util.Set<Long> unregistered = new java.util.TreeSet<>(members);
        unregistered.addAll(directory.alive());
        for (long s : unregistered) {
            long seen = lastAlive.getOrDefault(s, startedNanos);
            boolean live = now - seen < TimeUnit.MILLISECONDS.toNanos(placement.deadAfterMillis());
            views.putIfAbsent(s, new Placement.StoreView(s, "", StoreRecord.State.ACTIVE, live));
        }
        return views;
    }

    private void carryOut(RangeDescriptor d, Placement.Action step) throws Exception {
        log.info("store {} placement of {}: {}", storeId, d, step);
        long range = d.rangeId();
        if (step instanceof Placement.AddLearner add) {
            RangeRpc.Response r = gateway.sendTo(add.storeId(), RangeRpc.Request.host(range, true),
                    placementStepTimeoutMillis);
            if (r.status() != RangeRpc.Status.OK) {
                throw new IllegalStateException("store " + add.storeId() + " did not host range " + range + ": " + r.error());
            }
            raft.proposeConfChange(range, new ConfChange(ConfChange.Type.ADD_LEARNER, add.storeId()))
                    .get(placementStepTimeoutMillis, TimeUnit.MILLISECONDS);
        } else if (step instanceof Placement.Promote p) {
            raft.proposeConfChange(range, new ConfChange(ConfChange.Type.PROMOTE, p.storeId()))
                    .get(placementStepTimeoutMillis, TimeUnit.MILLISECONDS);
        } else if (step instanceof Placement.Remove rm) {
            raft.proposeConfChange(range, new ConfChange(ConfChange.Type.REMOVE, rm.storeId()))
                    .get(placementStepTimeoutMillis, TimeUnit.MILLISECONDS);
        } else {
            raft.transferLeadership(range, ((Placement.TransferLease) step).storeId())
                    .get(placementStepTimeoutMillis, TimeUnit.MILLISECONDS);
            return;
        }
        // Meta at once, not at the next reconcile: the other stores' next placement checks
        // count replicas from it, and stale counts move replicas back and forth.
        RangeStateMachine sm = store.replica(range);
        if (sm != null && sm.descriptor() != null) {
            meta.record(List.of(sm.descriptor()));
        }
    }

    /** Registers this store in meta's registry, retrying until meta answers (it may not have a leader yet). */
    private void register() {
        try {
            StoreRecord r = meta.register(storeId, address, zone);
            log.info("store {} is registered in meta: {}", storeId, r);
        } catch (RuntimeException e) {
            log.debug("store {}: registering in meta failed, retrying: {}", storeId, e.toString());
            if (!metaWorker.isShutdown()) {
                metaWorker.schedule(this::register, metaReconcileIntervalMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Makes meta hold the descriptor of every range this store leads, as this store has it. The
     * split's own meta update (right after the split applies) normally does it; this repairs
     * meta after a crash between the two, and records membership changes.
     */
    private void reconcileMeta() {
        try {
            List<RangeDescriptor> led = new java.util.ArrayList<>();
            for (RangeDescriptor d : store.descriptors()) {
                if (raft.leader(d.rangeId()) == storeId) {
                    led.add(d);
                }
            }
            int changed = meta.record(led);
            if (changed > 0) {
                log.info("store {} corrected {} descriptors in meta", storeId, changed);
            }
        } catch (RuntimeException e) {
            log.debug("store {}: reconciling meta failed: {}", storeId, e.toString());
        }
    }

    /** Splits a range this store leads at key under a new id from meta, then records both halves in meta. */
    private void split(RangeDescriptor d, byte[] key, String why) {
        long newId = meta.allocateRangeId();
        log.info("store {} splits {} at {} as range {}: {}", storeId, d, RangeDescriptor.hex(key), newId, why);
        RangeRpc.Response r = store.split(d, key, newId).join();
        if (r.result() instanceof RangeResult.SplitDone done) {
            meta.record(List.of(done.left(), done.right()));
        } else {
            log.info("store {}: the split of {} did not happen: {}", storeId, d,
                    r.result() != null ? r.result() : r.status() + " " + r.error());
        }
    }

    /** Splits the ranges this store leads that grew past range.max.bytes or stayed above range.split.qps. */
    private void checkSplits() {
        try {
            for (RangeDescriptor d : store.descriptors()) {
                if (raft.leader(d.rangeId()) != storeId || d.rangeId() == MetaKeys.metaRangeId) {
                    loadChecks.remove(d.rangeId());
                    continue;
                }
                RangeStateMachine sm = store.replica(d.rangeId());
                if (sm == null) {
                    continue;
                }
                byte[] key = null;
                String why = null;
                long bytes = sm.approximateBytes();
                if (bytes > splits.maxBytes()) {
                    key = sm.middleKey();
                    why = "its size, about " + bytes + " bytes, passed range.max.bytes " + splits.maxBytes();
                } else if (splits.splitQps() > 0) {
                    RangeLoad load = store.load(d.rangeId());
                    long requests = load == null ? 0 : load.requests();
                    long[] state = loadChecks.computeIfAbsent(d.rangeId(), id -> new long[] {requests, 0});
                    double qps = (requests - state[0]) * 1000.0 / splitCheckIntervalMillis;
                    state[0] = requests;
                    state[1] = qps > splits.splitQps() ? state[1] + 1 : 0;
                    if (state[1] >= loadSplitChecks && load != null) {
                        key = load.takeMedianKey();
                        why = "it served about " + Math.round(qps) + " requests/s for " + state[1]
                                + " checks, above range.split.qps " + splits.splitQps();
                        state[1] = 0;
                    }
                }
                if (key != null && d.contains(key) && !java.util.Arrays.equals(key, d.start())) {
                    split(d, key, why);
                }
            }
        } catch (RuntimeException e) {
            log.warn("store {}: checking ranges for splits failed: {}", storeId, e.toString());
        }
    }

    /** What the lease balancer sees from this store (see {@link LeaseBalancer}). */
    private record LeaseView(Map<Long, Long> leaders, Map<Long, java.util.Set<Long>> voters,
                             java.util.Set<Long> changing, java.util.Set<Long> stores) {
    }

    private LeaseView leaseView() {
        Map<Long, Long> leaders = new java.util.HashMap<>();
        Map<Long, java.util.Set<Long>> voters = new java.util.HashMap<>();
        java.util.Set<Long> changing = new java.util.HashSet<>();
        for (RangeDescriptor d : store.descriptors()) {
            leaders.put(d.rangeId(), raft.leader(d.rangeId()));
            voters.put(d.rangeId(), d.conf().voters());
            int factor = d.rangeId() == MetaKeys.metaRangeId ? metaReplicationFactor : placement.replicationFactor();
            if (!d.conf().learners().isEmpty() || d.conf().voters().size() > factor) {
                changing.add(d.rangeId()); // placement moves these leases itself
            }
        }
        // Not to a suspect store: a node just killed is suspect until the membership declares
        // it dead, and a transfer to it would stop the range's writes for an election timeout.
        java.util.Set<Long> stores = new java.util.TreeSet<>(directory.unsuspected());
        stores.add(storeId);
        // Draining and removed stores take no leases (placement moves theirs away).
        Map<Long, Placement.StoreView> views = lastViews;
        stores.removeIf(st -> views.containsKey(st) && views.get(st).state() != StoreRecord.State.ACTIVE);
        return new LeaseView(leaders, voters, changing, stores);
    }

    /**
     * How long a lease asked for or granted counts as on its way: while it does, this store asks
     * for no other lease, and grants no other. So each store's count is exact when it asks or
     * grants, which the balancer's proof of an end needs ({@link LeaseBalancer}).
     */
    private static final long leaseOnItsWayNanos = TimeUnit.MILLISECONDS.toNanos(3 * leaseBalanceIntervalMillis);
    private volatile LeaseBalancer.Pull leaseAskedFor;
    private volatile long leaseAskedForNanos;
    private long leaseGranted; // guarded by this
    /** Stores that refused this store a lease, until when (System.nanoTime): asked again after. */
    private final Map<Long, Long> leaseRefusedUntil = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long leaseRefusalNanos = TimeUnit.MILLISECONDS.toNanos(5 * leaseBalanceIntervalMillis);
    private long leaseGrantedNanos; // guarded by this
    /** The store of each peer address (the directory's, reversed): whose gateway sent a request. */
    private volatile Map<NodeAddress, Long> storeByAddress = Map.of();
    /**
     * Of each range this store leads, the store whose gateway sent more than half of its requests
     * in the last lease-balancing interval ({@link LeaseBalancer#dominantSource}), if one did.
     */
    private volatile Map<Long, Long> dominantSources = Map.of();
    /** The store last asked for a lease that follows this store's workload (asked in turn). */
    private long lastFollowAsked;
    /**
     * Lease-balancing intervals in a row one store must send most of the meta range's requests
     * (above all the timestamps its oracle gives) before its lease follows them there: moving it
     * stops the oracle, hence every transaction, until the new leaseholder has loaded the mark,
     * so a workload that moves from store to store must not drag it along.
     */
    static final int metaFollowIntervals = 5;
    /** The store that sent most of the meta range's requests in the last interval (0: none), and for how many in a row. */
    private long metaDominant;
    private int metaDominantIntervals;

    /**
     * Asks the leaseholder of one of the ranges this store holds for its lease, the store seen
     * leading the most first (the lease balancer's pull); the leaseholder grants it if it leads at
     * least two more ranges than this store, and transfers it.
     */
    private void balanceLeases() {
        try {
            measureWorkload();
            LeaseView v = leaseView();
            LeaseBalancer.Pull asked = leaseAskedFor;
            if (asked != null && v.leaders().getOrDefault(asked.rangeId(), 0L) == asked.from()
                    && System.nanoTime() - leaseAskedForNanos < leaseOnItsWayNanos) {
                return; // the last lease asked for is still on its way
            }
            leaseAskedFor = null;
            long now = System.nanoTime();
            leaseRefusedUntil.values().removeIf(until -> until - now < 0);
            LeaseBalancer.Pull pull = LeaseBalancer.choose(storeId, v.leaders(), v.voters(), v.stores(), v.changing(),
                    leaseRefusedUntil.keySet());
            int mine = LeaseBalancer.leasesOf(storeId, v.leaders());
            if (pull == null) {
                askToFollow(v, mine);
                return;
            }
            RangeRpc.Response r;
            try {
                r = gateway.sendTo(pull.from(), RangeRpc.Request.lease(pull.rangeId(), storeId, mine),
                        leaseBalanceIntervalMillis);
            } catch (RangeUnavailableException e) {
                r = RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, e.getMessage()); // as a refusal
            }
            if (r.status() == RangeRpc.Status.OK) {
                leaseAskedForNanos = System.nanoTime();
                leaseAskedFor = pull;
                log.info("store {} takes the lease of range {} from store {} (spreading leases; it leads {})", storeId,
                        pull.rangeId(), pull.from(), mine);
            } else {
                leaseRefusedUntil.put(pull.from(), System.nanoTime() + leaseRefusalNanos);
                log.debug("store {}: store {} keeps the lease of range {}: {} {}", storeId, pull.from(), pull.rangeId(),
                        r.status(), r.error());
            }
        } catch (RuntimeException e) {
            log.warn("store {}: lease balancing failed: {}", storeId, e.toString());
        }
    }

    /**
     * Counts, for each range this store leads, whose gateway sent most of its requests since the
     * last count. The meta range's (timestamps asked of its oracle, and lookups) counts only once
     * the same store dominated it for {@link #metaFollowIntervals} intervals in a row.
     */
    private void measureWorkload() {
        Map<Long, Long> dominant = new java.util.HashMap<>();
        long metaSource = 0;
        for (RangeDescriptor d : store.descriptors()) {
            RangeLoad load = store.load(d.rangeId());
            if (load == null) {
                continue;
            }
            Map<Long, Long> sources = load.takeSources();
            long source = LeaseBalancer.dominantSource(sources);
            if (source != 0 && raft.leader(d.rangeId()) == storeId) {
                if (d.rangeId() == MetaKeys.metaRangeId) {
                    metaSource = source;
                } else {
                    dominant.put(d.rangeId(), source);
                }
            }
        }
        metaDominantIntervals = metaSource != 0 && metaSource == metaDominant ? metaDominantIntervals + 1
                : metaSource != 0 ? 1 : 0;
        metaDominant = metaSource;
        if (metaDominantIntervals >= metaFollowIntervals) {
            dominant.put(MetaKeys.metaRangeId, metaSource);
        }
        dominantSources = Map.copyOf(dominant);
    }

    /**
     * Asks one leaseholder (each in turn, one per interval) for the lease of a range whose requests
     * come mostly from this store's gateway: the lease follows the workload
     * ({@link LeaseBalancer#follows}). The leaseholder, which counts where its requests come from,
     * picks the range; a LEASE request for range 0 asks so.
     */
    private void askToFollow(LeaseView v, int mine) {
        if (!v.stores().contains(storeId)) {
            return; // draining, removed or suspect: it takes no leases
        }
        java.util.TreeSet<Long> holders = new java.util.TreeSet<>();
        for (Map.Entry<Long, Long> e : v.leaders().entrySet()) {
            long leader = e.getValue();
            if (leader != 0 && leader != storeId && !v.changing().contains(e.getKey())) {
                holders.add(leader);
            }
        }
        if (holders.isEmpty()) {
            return;
        }
        Long next = holders.higher(lastFollowAsked);
        long from = next != null ? next : holders.first();
        lastFollowAsked = from;
        RangeRpc.Response r;
        try {
            r = gateway.sendTo(from, RangeRpc.Request.lease(0, storeId, mine), leaseBalanceIntervalMillis);
        } catch (RangeUnavailableException e) {
            return;
        }
        if (r.status() == RangeRpc.Status.OK && r.leaderHint() != 0) {
            leaseAskedForNanos = System.nanoTime();
            leaseAskedFor = new LeaseBalancer.Pull(r.leaderHint(), from);
            log.info("store {} takes the lease of range {} from store {} (its requests come mostly from here)",
                    storeId, r.leaderHint(), from);
        }
    }

    /** Answers a LEASE request: hands the lease over if {@link LeaseBalancer#grants} says so. */
    private synchronized RangeRpc.Response grantLease(RangeRpc.Request r) {
        try {
            LeaseView v = leaseView();
            if (leaseGranted != 0 && v.leaders().getOrDefault(leaseGranted, 0L) == storeId
                    && System.nanoTime() - leaseGrantedNanos < leaseOnItsWayNanos) {
                return RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, storeId,
                        "store " + storeId + " is handing over the lease of range " + leaseGranted);
            }
            long requester = r.maxBytes();
            Map<Long, Long> dominant = dominantSources;
            if (r.rangeId() == 0) {
                long range = LeaseBalancer.follows(storeId, requester, v.leaders(), v.voters(), v.stores(), v.changing(),
                        dominant);
                if (range == 0) {
                    return RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0,
                            "store " + storeId + " leads no range whose requests come mostly from store " + requester);
                }
                leaseGranted = range;
                leaseGrantedNanos = System.nanoTime();
                log.info("store {} hands the lease of range {} to store {} (its requests come mostly from there)",
                        storeId, range, requester);
                raft.transferLeadership(range, requester);
                return RangeRpc.Response.of(RangeRpc.Status.OK, range, null);
            }
            if (!LeaseBalancer.grants(storeId, r.rangeId(), requester, r.maxRows(), v.leaders(), v.voters(), v.stores(),
                    v.changing(), dominant)) {
                return RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, v.leaders().getOrDefault(r.rangeId(), 0L),
                        "store " + storeId + " keeps the lease of range " + r.rangeId() + " (it leads "
                                + LeaseBalancer.leasesOf(storeId, v.leaders()) + ", store " + requester + " "
                                + r.maxRows() + ")");
            }
            leaseGranted = r.rangeId();
            leaseGrantedNanos = System.nanoTime();
            log.info("store {} hands the lease of range {} to store {} (spreading leases)", storeId, r.rangeId(),
                    requester);
            raft.transferLeadership(r.rangeId(), requester);
            return RangeRpc.Response.ok(null, null);
        } catch (RuntimeException e) {
            return RangeRpc.Response.of(RangeRpc.Status.UNAVAILABLE, 0, "granting a lease failed: " + e);
        }
    }

    private void refreshDirectory() {
        try {
            directory.refresh(network);
            Map<NodeAddress, Long> byAddress = new java.util.HashMap<>();
            for (Map.Entry<Long, NodeAddress> e : directory.snapshot().entrySet()) {
                raftTransport.setAddress(e.getKey(), e.getValue());
                byAddress.put(e.getValue(), e.getKey());
            }
            storeByAddress = Map.copyOf(byAddress);
        } catch (RuntimeException e) {
            log.warn("store {}: refreshing the store directory failed: {}", storeId, e.toString());
        }
    }

    public long storeId() {
        return storeId;
    }

    /** This node's gateway to the replicated key space. */
    public DistSender gateway() {
        return gateway;
    }

    public RangeStore store() {
        return store;
    }

    /** The meta range, read and written through this node's gateway. */
    public Meta meta() {
        return meta;
    }

    /** Timestamps from the cluster's oracle, batched per node. */
    public io.starlingdb.engine.txn.TimestampClient timestamps() {
        return timestamps;
    }

    /** Begins transactions on the replicated key space from this node. */
    public io.starlingdb.engine.txn.ClusterTransactions transactions() {
        return transactions;
    }

    @Override
    public void close() {
        transactions.close();
        timestamps.close();
        oracle.close();
        metaWorker.shutdownNow();
        leaseWorker.shutdownNow();
        recoveryWorker.shutdownNow();
        refresher.shutdownNow();
        raft.close();
    }
}
