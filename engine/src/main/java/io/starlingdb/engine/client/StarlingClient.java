package io.starlingdb.engine.client;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.ClusterNetworkOptions;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.health.HealthOptions;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.cluster.membership.SwimOptions;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.TransportOptions;
import io.starlingdb.engine.raft.ClusterTransport;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.Meta;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.StoreDirectory;
import io.starlingdb.engine.range.WriteOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster manager API for Java programs: a client that joins the cluster as a member that
 * holds no data, and reads and writes the replicated key space through its own gateway.
 *
 * <pre>{@code
 * try (StarlingClient client = StarlingClient.connect("127.0.0.1:7400,127.0.0.1:7401")) {
 *     client.put(key, value);
 *     byte[] v = client.get(key);
 *     boolean swapped = client.compareAndSet(key, v, newValue);
 * }
 * }</pre>
 *
 * Every single-key operation is linearizable; a {@link #write} batch within one range is atomic.
 * A write that fails with {@link io.starlingdb.engine.raft.OutcomeUnknownException} may or may
 * not have applied (the node died with it in flight): read before retrying anything that must
 * not apply twice. {@link io.starlingdb.engine.range.RangeUnavailableException} means it did not
 * apply. Thread-safe.
 */
public final class StarlingClient implements AutoCloseable {

    /** How often the client re-reads the membership to find the stores. */
    static final long directoryRefreshMillis = 250;
    /** How long {@link #connect} waits to learn at least one store. */
    static final long connectTimeoutMillis = 15_000;

    /** System property: how long a thread waiting alone for an answer spins before it parks, in µs (0: off). */
    public static final String spinMicrosProperty = "starling.client.spinMicros";
    /** Its default (docs/ranges.md, "What a hop costs"). */
    static final long defaultSpinMicros = 0;

    /** The spin of {@link DistSender#spinBeforeParking}: {@link #spinMicrosProperty}, validated. */
    static long spinMicros() {
        String v = System.getProperty(spinMicrosProperty);
        long micros;
        try {
            micros = v == null ? defaultSpinMicros : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spinMicrosProperty + " must be a number of microseconds, got '" + v + "'");
        }
        if (micros < 0 || micros > 1_000_000) {
            throw new IllegalArgumentException(spinMicrosProperty + " must be between 0 and 1000000 µs, got " + micros);
        }
        return micros;
    }

    private final ClusterNetworkManager network;
    private final StoreDirectory directory = new StoreDirectory();
    private final DistSender sender;
    private final ScheduledExecutorService refresher;
    private final Meta meta;
    private final io.starlingdb.engine.txn.TimestampClient timestamps;
    private final io.starlingdb.engine.txn.ClusterTransactions transactions;

    private StarlingClient(ClusterNetworkManager network) {
        this.network = network;
        this.sender = new DistSender(network.transport(), directory, null, DistSender.Options.defaults());
        sender.spinBeforeParking(spinMicros());
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "starling-client-directory");
            t.setDaemon(true);
            return t;
        });
        this.meta = new Meta(sender);
        this.timestamps = new io.starlingdb.engine.txn.TimestampClient(sender);
        this.transactions = new io.starlingdb.engine.txn.ClusterTransactions(sender, timestamps,
                io.starlingdb.engine.txn.ClusterTransactions.Settings.defaults(), network.nodeId());
    }

    /** Connects with the development cluster secret. */
    public static StarlingClient connect(String seeds) throws InterruptedException {
        return connect(seeds, "starling-dev-secret");
    }

    /**
     * Joins the cluster through the given peer addresses ({@code host:port,...}) and waits until
     * it knows at least one store; binds the loopback address (a client on a node's host).
     */
    public static StarlingClient connect(String seeds, String clusterSecret) throws InterruptedException {
        return connect(seeds, clusterSecret, defaultBindHost);
    }

    /** Where a client listens for the cluster's messages unless told otherwise. */
    public static final String defaultBindHost = "127.0.0.1";

    /**
     * Joins the cluster as {@link #connect(String, String)} does, listening on bindHost (an
     * address of this machine the nodes can reach: a client on another machine than the nodes).
     */
    public static StarlingClient connect(String seeds, String clusterSecret, String bindHost)
            throws InterruptedException {
        spinMicros(); // a bad setting fails here, before anything starts
        List<NodeAddress> seedAddresses = new ArrayList<>();
        for (String s : seeds.split(",")) {
            if (!s.isBlank()) {
                seedAddresses.add(NodeAddress.parse(s.trim()));
            }
        }
        if (seedAddresses.isEmpty()) {
            throw new IllegalArgumentException("connect needs at least one host:port peer address");
        }
        MessageTypes types = new MessageTypes();
        ClusterTransport.registerTypes(types);
        io.starlingdb.engine.range.RangeRpc.registerTypes(types);
        String id = "client-" + UUID.randomUUID().toString().substring(0, 8);
        ClusterNetworkOptions options = new ClusterNetworkOptions(id,
                TransportOptions.defaults(bindHost, 0, clusterSecret), SwimOptions.defaults(), HealthOptions.defaults(),
                seedAddresses, Map.of(Metadata.roles, "client"));
        ClusterNetworkManager network = new ClusterNetworkManager(options, types, new SimpleMeterRegistry());
        network.start();
        StarlingClient client = new StarlingClient(network);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis);
        while (true) {
            client.directory.refresh(network);
            if (!client.directory.stores().isEmpty()) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                client.close();
                throw new IllegalStateException("no store found through " + seeds + " within " + connectTimeoutMillis + " ms");
            }
            Thread.sleep(50);
        }
        client.refresher.scheduleWithFixedDelay(() -> client.directory.refresh(network), directoryRefreshMillis,
                directoryRefreshMillis, TimeUnit.MILLISECONDS);
        return client;
    }

    public byte[] get(byte[] key) {
        return sender.get(key);
    }

    public void put(byte[] key, byte[] value) {
        sender.put(key, value);
    }

    public void delete(byte[] key) {
        sender.delete(key);
    }

    /** Sets key to newValue (null deletes) if it holds expected (null: absent); true if it did. */
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
        return sender.compareAndSet(key, expected, newValue);
    }

    /** Applies the operations atomically (all keys in one range); -1 if applied, else the failed condition's index. */
    public int write(List<WriteOp> ops) {
        return sender.write(ops);
    }

    /** The values of keys (null where absent), in order: one request per range, in parallel. */
    public List<byte[]> getAll(List<byte[]> keys) {
        return sender.getAll(keys);
    }

    /** Writes every pair: one atomic batch per range, in parallel; not atomic across ranges. */
    public void putAll(List<RangeResult.KeyValue> pairs) {
        sender.putAll(pairs);
    }

    /** Pairs with from &lt;= key &lt; to (to null: the end), at most limit. */
    public List<RangeResult.KeyValue> scan(byte[] from, byte[] to, int limit) {
        return sender.scan(from, to, limit);
    }

    // ------------------------------------------------------------------ cluster operations

    /** The cluster's members as this client sees them (nodes and clients). */
    public List<MemberView> members() {
        return network.members();
    }

    /** Every range in key order, with its members. */
    public List<RangeDescriptor> ranges() {
        return sender.ranges();
    }

    /** The store that last answered for the range holding key as its leaseholder, 0 if none yet. */
    public long leaseholder(byte[] key) {
        RangeDescriptor d = sender.cache().lookup(key);
        return d == null ? 0 : sender.cache().leaseholder(d.rangeId());
    }

    /**
     * Splits the range holding key at key under a range id from meta's allocator, and records
     * both halves in meta; returns them. (If this client dies between the split and the meta
     * update, the left half's leaseholder records them within a few seconds.)
     */
    public List<RangeDescriptor> split(byte[] key) {
        List<RangeDescriptor> halves = sender.split(key, meta.allocateRangeId());
        meta.record(halves);
        return halves;
    }

    /**
     * Starts draining a store: placement moves its replicas and leases to other stores (as
     * long as others can take them) and gives it no new ones. Returns at once.
     */
    public StoreRecord drainStore(long storeId) {
        return meta.setState(storeId, StoreRecord.State.DRAINING);
    }

    /**
     * Removes a store from the cluster: drains it, waits until no range has a replica on it
     * (meta's descriptors), then marks it removed, so it never receives a replica again. The
     * node can then be stopped without any range losing a replica.
     *
     * @throws java.util.concurrent.TimeoutException if replicas are still on it after timeout
     *         (it stays draining: there may be no other store to take them)
     */
    public StoreRecord removeStore(long storeId, java.time.Duration timeout)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        drainStore(storeId);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = meta.descriptors().stream().filter(d -> d.conf().isMember(storeId)).count();
            if (left == 0) {
                return meta.setState(storeId, StoreRecord.State.REMOVED);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new java.util.concurrent.TimeoutException("store " + storeId + " still holds " + left
                        + " replicas after " + timeout.toMillis() + " ms; it stays draining");
            }
            Thread.sleep(removePollMillis);
        }
    }

    /** How often {@link #removeStore} checks whether the store is empty. */
    static final long removePollMillis = 250;

    /**
     * A timestamp from the cluster's oracle: above every timestamp it gave before this call
     * began, on any node. Calls from many threads at once share one round trip.
     */
    public long timestamp() throws InterruptedException {
        return timestamps.next();
    }

    /**
     * Begins a transaction at isolation: it reads one snapshot of the whole key space and
     * commits its writes atomically across ranges and nodes. On {@link io.starlingdb.engine.txn.WriteConflictException}
     * (40001) nothing was committed: run the whole transaction again (re-reading). On
     * {@link io.starlingdb.engine.raft.OutcomeUnknownException} (40003) the commit may or may not
     * have happened: read what it wrote to find out before running it again.
     */
    public io.starlingdb.engine.txn.ClusterTransaction begin(io.starlingdb.engine.txn.Isolation isolation) {
        return transactions.begin(isolation);
    }

    /**
     * The transaction locks on keys in [from, to) (to null: the end), at most max: which
     * transactions (start timestamp, primary key, coordinator) hold which keys now.
     */
    public List<RangeResult.LockInfo> locks(byte[] from, byte[] to, int max) {
        return sender.locks(from, to, max);
    }

    /** The transactions this client coordinates (what {@link #begin} uses), for SQL over this client. */
    public io.starlingdb.engine.txn.ClusterTransactions transactions() {
        return transactions;
    }

    /** This client's member id in the cluster (SWIM): the coordinator recorded in its transactions' locks. */
    public String memberId() {
        return network.nodeId();
    }

    /** The stores registered in meta, with their address, zone and state. */
    public List<StoreRecord> stores() {
        return meta.stores();
    }

    @Override
    public void close() {
        transactions.close();
        timestamps.close();
        refresher.shutdownNow();
        network.close();
    }
}
