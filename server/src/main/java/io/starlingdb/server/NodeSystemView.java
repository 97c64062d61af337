package io.starlingdb.server;

import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeService;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.StoreDirectory;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.sql.system.SystemView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The node's answer to the SYS tables (and to the HTTP cluster endpoints): the membership as
 * this node sees it, the ranges from meta with the leaseholder this node knows (its own
 * replica's, else its gateway's, else asked of the range), and the locks in the key space.
 * Reads that need the cluster run on a few threads of their own and are bounded by
 * {@link #clusterReadTimeoutMillis}: past it the statement fails (08006) instead of hanging.
 */
final class NodeSystemView implements SystemView, AutoCloseable {

    /** How long one read of the cluster's ranges, registry or locks may take. */
    static final long clusterReadTimeoutMillis = 5_000;
    /** Reads of the cluster at once (further ones are refused: the cluster is not answering). */
    static final int maxConcurrentReads = 4;

    private final NodeConfig config;
    private final Supplier<ClusterNetworkManager> network;
    private final Supplier<RangeService> ranges;
    private final Supplier<InetSocketAddress> clientAddress;
    private final Supplier<InetSocketAddress> httpAddress;
    private final Supplier<List<OpenTransaction>> openTransactions;
    private final ThreadPoolExecutor readers = new ThreadPoolExecutor(0, maxConcurrentReads, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "starling-sys-view");
                t.setDaemon(true);
                return t;
            });

    NodeSystemView(NodeConfig config, Supplier<ClusterNetworkManager> network, Supplier<RangeService> ranges,
                   Supplier<InetSocketAddress> clientAddress, Supplier<InetSocketAddress> httpAddress,
                   Supplier<List<OpenTransaction>> openTransactions) {
        this.openTransactions = openTransactions;
        this.config = config;
        this.network = network;
        this.ranges = ranges;
        this.clientAddress = clientAddress;
        this.httpAddress = httpAddress;
    }

    @Override
    public List<Node> nodes() {
        ClusterNetworkManager net = network.get();
        if (net == null) {
            // Alone: the node itself, without a store or a peer address.
            return List.of(new Node(config.nodeId(), "alive", "sql", null, null, zone(config.datacenter(), config.rack()),
                    null, text(clientAddress.get()), text(httpAddress.get()), true));
        }
        Map<Long, StoreRecord.State> registry = storeStates();
        List<Node> out = new ArrayList<>();
        for (MemberView m : net.members()) {
            Map<String, String> meta = m.metadata();
            Long store = storeOf(meta);
            StoreRecord.State state = store == null ? null : registry.get(store);
            Map<String, String> addresses = addresses(meta.get(Metadata.addresses));
            out.add(new Node(m.id(), m.state().name().toLowerCase(Locale.ROOT), meta.getOrDefault(Metadata.roles, ""), store,
                    state == null ? null : state.name().toLowerCase(Locale.ROOT),
                    zone(meta.getOrDefault(Metadata.datacenter, ""), meta.getOrDefault(Metadata.rack, "")), m.address(),
                    addresses.get("client"), addresses.get("http"), m.id().equals(net.nodeId())));
        }
        return out;
    }

    /** Meta's store registry, or nothing (states unknown) when meta does not answer in time. */
    private Map<Long, StoreRecord.State> storeStates() {
        RangeService service = ranges.get();
        if (service == null) {
            return Map.of();
        }
        try {
            Map<Long, StoreRecord.State> out = new HashMap<>();
            for (StoreRecord r : bounded("the store registry", () -> service.meta().stores())) {
                out.put(r.storeId(), r.state());
            }
            return out;
        } catch (RangeUnavailableException e) {
            return Map.of(); // the membership part is still true; STORE_STATE shows NULL (unknown)
        }
    }

    @Override
    public List<Range> ranges() {
        RangeService service = ranges.get();
        if (service == null) {
            return List.of();
        }
        return bounded("the ranges", () -> {
            DistSender gateway = service.gateway();
            Set<Long> local = new HashSet<>();
            for (RangeDescriptor d : service.store().descriptors()) {
                local.add(d.rangeId());
            }
            List<Range> out = new ArrayList<>();
            for (RangeDescriptor d : gateway.ranges()) {
                long leaseholder = local.contains(d.rangeId()) ? service.store().leaseholder(d.rangeId()) : 0;
                if (leaseholder == 0) {
                    leaseholder = gateway.cache().leaseholder(d.rangeId());
                }
                if (leaseholder == 0) {
                    leaseholder = askLeaseholder(gateway, d);
                }
                out.add(new Range(d.rangeId(), d.start(), d.end(), List.copyOf(d.conf().voters()),
                        List.copyOf(d.conf().learners()), leaseholder, d.generation(),
                        service.store().approximateBytes(d.rangeId())));
            }
            return out;
        });
    }

    /**
     * The store that answers a range as its leaseholder now: a request that reads nothing (the
     * locks of an empty span at the range's start) goes where every read goes, and the gateway
     * records who answered. 0 if nobody did.
     */
    private static long askLeaseholder(DistSender gateway, RangeDescriptor d) {
        byte[] from = d.start();
        byte[] to = java.util.Arrays.copyOf(from, from.length + 1);
        try {
            gateway.request(from, r -> RangeRpc.Request.locks(r.rangeId(), from, to, 1), false);
        } catch (RangeUnavailableException e) {
            return 0;
        }
        return gateway.cache().leaseholder(d.rangeId());
    }

    @Override
    public List<Lock> locks() {
        RangeService service = ranges.get();
        if (service == null) {
            return List.of();
        }
        return bounded("the locks", () -> {
            List<Lock> out = new ArrayList<>();
            for (RangeResult.LockInfo l : service.gateway().locks(new byte[0], null, maxListedLocks)) {
                out.add(new Lock(l.key(), l.startTs(), l.primary(), l.ttlMillis(), l.coordinator()));
            }
            return out;
        });
    }

    @Override
    public List<OpenTransaction> openTransactions() {
        return openTransactions.get();
    }

    private <T> T bounded(String what, Callable<T> read) {
        Future<T> f;
        try {
            f = readers.submit(read);
        } catch (RejectedExecutionException e) {
            throw new RangeUnavailableException(maxConcurrentReads + " reads of the cluster's state are already waiting"
                    + " for it; not reading " + what);
        }
        try {
            return f.get(clusterReadTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new RangeUnavailableException("the cluster did not give " + what + " within " + clusterReadTimeoutMillis
                    + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new RangeUnavailableException("interrupted while reading " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RangeUnavailableException r) {
                throw r;
            }
            throw new RangeUnavailableException("reading " + what + " failed: " + cause);
        }
    }

    private static Long storeOf(Map<String, String> metadata) {
        String s = metadata.get(StoreDirectory.storeKey);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The gossiped addresses ("client=h:p,http=h:p") by kind. */
    private static Map<String, String> addresses(String gossiped) {
        Map<String, String> out = new HashMap<>();
        if (gossiped == null) {
            return out;
        }
        for (String part : gossiped.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static String zone(String datacenter, String rack) {
        return datacenter.isEmpty() && rack.isEmpty() ? "" : datacenter + "/" + rack;
    }

    private static String text(InetSocketAddress a) {
        return a == null ? null : a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
