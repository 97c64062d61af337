package io.starlingdb.engine.range;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.engine.raft.ClusterTransport;
import io.starlingdb.engine.raft.ConfState;
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
    private final java.util.concurrent.atomic.AtomicLong nextRangeId;

    /**
     * @param initialMembers the stores that form range 1 when the cluster starts; a store in it
     *                       whose storage holds no range writes range 1 (the same on each of them)
     */
    public RangeService(long storeId, List<Long> initialMembers, RocksStorage storage, ClusterNetworkManager network,
                        RaftConfig raftConfig, SplitOptions splits) {
        this.storeId = storeId;
        this.network = network;
        this.splits = splits;
        this.raft = new MultiRaft(storeId, raftConfig, new RaftLogStore(storage), System.nanoTime() ^ storeId);
        this.raftTransport = new ClusterTransport(storeId, network.transport());
        this.store = new RangeStore(storeId, storage.store(ColumnFamily.RANGES), raft);
        if (initialMembers.contains(storeId)) {
            RangeDescriptor first = new RangeDescriptor(1, new byte[0], null,
                    new ConfState(new java.util.TreeSet<>(initialMembers), java.util.Set.of()), 1);
            if (RangeStore.bootstrapIfEmpty(storage.store(ColumnFamily.RANGES), first)) {
                log.info("store {} bootstrapped range 1 on stores {}", storeId, initialMembers);
            }
        }
        this.gateway = new DistSender(network.transport(), directory, store, DistSender.Options.defaults());
        this.nextRangeId = new java.util.concurrent.atomic.AtomicLong(firstRangeId(storeId,
                RangeStateMachine.storedRanges(storage.store(ColumnFamily.RANGES))));
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "starling-store-directory");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the replicas, starts Raft and starts answering gateways. */
    public void start() {
        refreshDirectory();
        raftTransport.bind(raft);
        store.open();
        raft.start(raftTransport);
        network.handle(RangeRpc.RequestFrame.class, (from, frame) ->
                store.handle(RangeRpc.decodeRequest(frame.payload()))
                        .thenApply(response -> new RangeRpc.ResponseFrame(RangeRpc.encode(response))));
        refresher.scheduleWithFixedDelay(this::refreshDirectory, directoryRefreshMillis, directoryRefreshMillis,
                TimeUnit.MILLISECONDS);
        refresher.scheduleWithFixedDelay(this::balanceLeases, leaseBalanceIntervalMillis, leaseBalanceIntervalMillis,
                TimeUnit.MILLISECONDS);
        refresher.scheduleWithFixedDelay(this::checkSplits, splitCheckIntervalMillis, splitCheckIntervalMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Bits of a range id this store chooses; the store id fills the bits above. */
    private static final int storeIdShift = 40;

    /**
     * Range ids this store gives the ranges it splits off: its store id in the high bits, then
     * an increasing number that starts above every such id it already holds and above the
     * current time in milliseconds, so a split proposed before a restart and applied after it
     * never shares its id with a later one (assuming the clock does not move back). The meta
     * range's allocator replaces this (docs/ranges.md, next steps).
     */
    static long firstRangeId(long storeId, List<RangeDescriptor> stored) {
        long mask = (1L << storeIdShift) - 1;
        long next = System.currentTimeMillis() & mask;
        for (RangeDescriptor d : stored) {
            if (d.rangeId() >>> storeIdShift == storeId) {
                next = Math.max(next, (d.rangeId() & mask) + 1);
            }
        }
        return (storeId << storeIdShift) | next;
    }

    /** Splits the ranges this store leads that grew past range.max.bytes or stayed above range.split.qps. */
    private void checkSplits() {
        try {
            for (RangeDescriptor d : store.descriptors()) {
                if (raft.leader(d.rangeId()) != storeId) {
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
                    long newId = nextRangeId.getAndIncrement();
                    log.info("store {} splits {} at {} as range {}: {}", storeId, d, RangeDescriptor.hex(key), newId, why);
                    store.split(d, key, newId);
                }
            }
        } catch (RuntimeException e) {
            log.warn("store {}: checking ranges for splits failed: {}", storeId, e.toString());
        }
    }

    /** Hands one lease to a less loaded voter when this store leads more than its share. */
    private void balanceLeases() {
        try {
            Map<Long, Long> leaders = new java.util.HashMap<>();
            Map<Long, java.util.Set<Long>> voters = new java.util.HashMap<>();
            for (RangeDescriptor d : store.descriptors()) {
                leaders.put(d.rangeId(), raft.leader(d.rangeId()));
                voters.put(d.rangeId(), d.conf().voters());
            }
            java.util.Set<Long> stores = new java.util.TreeSet<>(directory.stores());
            stores.add(storeId);
            LeaseBalancer.Move move = LeaseBalancer.choose(storeId, leaders, voters, stores);
            if (move != null) {
                log.info("store {} hands the lease of range {} to store {} (spreading leases)", storeId, move.rangeId(),
                        move.target());
                raft.transferLeadership(move.rangeId(), move.target());
            }
        } catch (RuntimeException e) {
            log.warn("store {}: lease balancing failed: {}", storeId, e.toString());
        }
    }

    private void refreshDirectory() {
        try {
            directory.refresh(network);
            for (Map.Entry<Long, NodeAddress> e : directory.snapshot().entrySet()) {
                raftTransport.setAddress(e.getKey(), e.getValue());
            }
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

    @Override
    public void close() {
        refresher.shutdownNow();
        raft.close();
    }
}
