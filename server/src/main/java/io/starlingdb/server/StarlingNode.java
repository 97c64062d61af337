package io.starlingdb.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starlingdb.cluster.ClusterNetworkManager;
import io.starlingdb.cluster.ClusterNetworkOptions;
import io.starlingdb.cluster.MemberView;
import io.starlingdb.cluster.health.HealthOptions;
import io.starlingdb.cluster.health.HealthSnapshot;
import io.starlingdb.cluster.membership.Metadata;
import io.starlingdb.cluster.membership.SwimOptions;
import io.starlingdb.cluster.transport.NettyTransport;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.TlsOptions;
import io.starlingdb.cluster.transport.TransportOptions;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.raft.ClusterTransport;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeService;
import io.starlingdb.engine.range.StoreDirectory;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.engine.txn.TransactionStepTimes;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksMetrics;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.server.client.ClientListener;
import io.starlingdb.server.client.ClientListenerOptions;
import io.starlingdb.server.client.HandshakeInfo;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.server.http.HttpReply;
import io.starlingdb.server.http.HttpRoutes;
import io.starlingdb.server.http.HttpServer;
import io.starlingdb.sql.SqlOptions;
import io.starlingdb.sql.StarlingSqlEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Starling node: storage, MVCC, the SQL engine, the client listener and the HTTP
 * endpoints, started in that order and closed in reverse. Usable in-process (tests bind
 * port 0 and read the bound ports back) and from {@link NodeMain}.
 */
public final class StarlingNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StarlingNode.class);

    /** What /health reports. */
    public enum State { STARTING, SERVING, STOPPING, STOPPED }

    private final NodeConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** Null when version garbage collection is off. */
    private volatile VersionCollector versionCollector;
    private volatile State state = State.STARTING;
    private volatile InetSocketAddress clientAddress;
    private volatile InetSocketAddress httpAddress;
    private volatile ClusterNetworkManager cluster;
    /** Null unless store.id is set. */
    private volatile RangeService ranges;
    private static final ObjectMapper json = new ObjectMapper();

    private StarlingSqlEngine sqlEngine;
    /** The cluster as this node sees it (SYS tables, HTTP cluster endpoints); set once storage opened. */
    private volatile NodeSystemView systemView;
    /** The SQL store with its register of open transactions (SYS.TRANSACTIONS). */
    private TrackedTransactionalStore openTransactions;
    /** Statements the start-up warm-up ran (sql.warmup.statements), for tests. */
    private volatile int warmedUp;

    public StarlingNode(NodeConfig config) {
        this.config = config;
    }

    /** Starts every component; on failure, closes what had started and rethrows. */
    public StarlingNode start() throws Exception {
        log.info("Node {} starting (data {}, client port {}, HTTP port {})", config.nodeId(),
                config.dataDir().toAbsolutePath(), config.clientPort(), config.httpPort());
        try {
            startComponents();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        state = State.SERVING;
        // Loading Calcite's cost-based planner and Janino takes seconds and is not bounded, so it
        // runs beside clients; the bounded warm-up of the common shapes ran before they came.
        Thread warmUp = new Thread(() -> sqlEngine.warmUp(), "starling-sql-warmup");
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.setDaemon(true);
        warmUp.start();
        log.info("Node {} serving SQL on {} and HTTP on {} (data {}, preset {}, sync commits {})", config.nodeId(),
                clientAddress, httpAddress, config.dataDir().toAbsolutePath(), config.preset(), config.syncCommits());
        return this;
    }

    private void startComponents() throws Exception {
        // Before the first event loop group: every socket of the process runs on this transport.
        NettyTransport.useForProcess(config.nettyTransport());
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        toClose.push(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        // HTTP first and closed last, so load balancers see 503 while the node starts and stops.
        OperatorActions actions = new OperatorActions(() -> ranges);
        HttpRoutes routes = new HttpRoutes()
                .get("/health", this::health)
                .get("/metrics", () -> new HttpReply(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()))
                .get("/cluster/members", this::clusterMembers)
                .post("/cluster/stores/drain", actions::drain)
                .post("/cluster/stores/remove", actions::remove);
        HttpServer http = new HttpServer(routes, config.clusterSecret());
        toClose.push(http);
        httpAddress = http.start(config.host(), config.httpPort());

        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new IOException("cannot create data directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        StorageOptions defaults = StorageOptions.defaults();
        StorageOptions storageOptions = new StorageOptions(config.blockCacheBytes(), config.writeBufferBytes(),
                defaults.maxWriteBuffers(), defaults.maxBackgroundJobs(), defaults.bloomFilterBitsPerKey(), defaults.maxOpenFiles());
        RocksStorage storage = RocksStorage.open(config.dataDir().resolve("db"), storageOptions);
        toClose.push(storage);
        new RocksMetrics(storage).bindTo(registry);
        SqlOptions sqlOptions = new SqlOptions(config.statementTimeoutMillis(), config.statementPlanningTimeoutMillis(),
                config.sqlMemoryStopPercent());
        StarlingSqlEngine sql;
        if (config.sqlOnCluster()) {
            // SQL on the replicated key space: the node joins first, since its tables live there.
            startClusterNetwork(storage);
            bindStepTimes(ranges.transactions().stepTimes());
            TrackedTransactionalStore tracked = new TrackedTransactionalStore(new ClusterTransactionalStore(ranges.transactions()));
            openTransactions = tracked;
            sql = StarlingSqlEngine.openShared(tracked, registry, sqlOptions, config.sqlCatalogLeaseMillis());
            toClose.push(sql);
            CatalogSync sync = new CatalogSync(cluster, config.nodeId(), sql, config.sqlCatalogLeaseMillis());
            toClose.push(sync);
            sql.schemaSync(sync);
            CatalogRefresher refresher = new CatalogRefresher(sql, catalogRefreshMillis);
            toClose.push(refresher);
        } else {
            MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()),
                    config.syncCommits());
            toClose.push(store);
            if (config.gcIntervalMillis() > 0) {
                versionCollector = new VersionCollector(store, config.gcIntervalMillis(), registry);
                toClose.push(versionCollector);
            }
            TrackedTransactionalStore tracked = new TrackedTransactionalStore(store);
            openTransactions = tracked;
            sql = StarlingSqlEngine.open(tracked, registry, sqlOptions);
            toClose.push(sql);
        }
        sqlEngine = sql;
        NodeSystemView view = new NodeSystemView(config, () -> cluster, () -> ranges, () -> clientAddress, () -> httpAddress,
                openTransactions::open);
        toClose.push(view);
        sql.useSystemView(view);
        systemView = view;

        ClientListenerOptions limits = ClientListenerOptions.defaults();
        ClientListenerOptions clientOptions = new ClientListenerOptions(config.maxFrameBytes(), config.maxConnections(),
                config.fetchSize(), config.sqlThreads(), limits.maxOpenCursors(), limits.maxPreparedStatements(),
                limits.handshakeTimeoutMillis(), config.nodeId(), config.sqlMaxQueuedStatements());
        // Only nodes sharing one database name each other to clients: nodes that merely share a
        // cluster network keep a store each.
        HandshakeInfo handshake = config.sqlOnCluster() ? new ClusterHandshake(() -> cluster, () -> sqlEngine.catalog().loaded())
                : HandshakeInfo.STANDALONE;
        if (config.sqlWarmupStatements() > 0) {
            // Before the client port opens, so that no client's statement competes with the warm-up
            // for the CPU or runs in the JVM's interpreter (a node restarted in a rolling restart
            // takes traffic warm); /health answers 503 until start() returns.
            warmUp();
        }
        ClientListener clients = new ClientListener(sql, clientOptions, handshake, registry);
        toClose.push(clients);
        clientAddress = clients.start(config.host(), config.clientPort());

        if (config.peerPort() != 0 && !config.sqlOnCluster()) {
            startClusterNetwork(storage);
        } else if (cluster != null) {
            cluster.updateMetadata(nodeMetadata()); // now with the client address
        }
    }

    /**
     * The steps of the transactions this node coordinates (its SQL statements'), as two counters
     * per step: how many ran and the seconds they took in all, so that a scrape before and after a
     * benchmark's window gives each step's mean (tests/bench/sql-cpu.sh; docs/cluster.md).
     */
    private void bindStepTimes(TransactionStepTimes times) {
        for (TransactionStepTimes.Step step : TransactionStepTimes.Step.values()) {
            String tag = step.name().toLowerCase(java.util.Locale.ROOT);
            FunctionCounter.builder("starling.txn.steps", times, t -> t.count(step))
                    .description("Steps of transactions this node coordinates, by step").tag("step", tag).register(registry);
            FunctionCounter.builder("starling.txn.steps.seconds", times, t -> t.nanos(step) / 1e9)
                    .description("Time the steps of transactions this node coordinates took, by step").tag("step", tag)
                    .register(registry);
        }
    }

    /**
     * Runs the start-up warm-up (sql.warmup.statements) on a scratch database of its own; a
     * failure costs only the warm-up, so it is logged and the node starts.
     */
    private void warmUp() {
        try {
            ExecutionWarmUp.Result done = ExecutionWarmUp.run(config.dataDir().resolve("warmup"), config.sqlWarmupStatements(),
                    config.sqlWarmupMaxMillis());
            warmedUp = done.statements();
            log.info("SQL warm-up ran {} statements ({} rows read) in {} ms", done.statements(), done.rowsRead(), done.millis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("SQL warm-up failed; the node starts without it: {}", e.toString());
        }
    }

    /** Joins the cluster last, so peers only see this node once it can serve; it leaves first on close. */
    private void startClusterNetwork(RocksStorage storage) throws InterruptedException {
        TransportOptions transport = TransportOptions.defaults(config.host(), config.peerPort(), config.clusterSecret())
                .withLowLanePace(config.peerLowLaneBytesPerSecond());
        if (!config.peerTlsKeyStore().isEmpty()) {
            char[] password = config.peerTlsPassword().toCharArray();
            transport = transport.withTls(new TlsOptions(Path.of(config.peerTlsKeyStore()), password,
                    Path.of(config.peerTlsTrustStore()), password));
        }
        SwimOptions swim = SwimOptions.defaults().withTiming(config.swimPeriodMillis(), config.swimPingTimeoutMillis(),
                config.swimIndirectProbes(), config.swimSuspicionTimeoutMillis());
        List<NodeAddress> seeds = new ArrayList<>();
        for (String seed : config.joinAddresses()) {
            seeds.add(NodeAddress.parse(seed));
        }
        Map<String, String> metadata = nodeMetadata();
        MessageTypes types = new MessageTypes();
        ClusterTransport.registerTypes(types);
        RangeRpc.registerTypes(types);
        CatalogSync.registerTypes(types);
        ClusterNetworkManager network = new ClusterNetworkManager(new ClusterNetworkOptions(config.nodeId(), transport,
                swim, HealthOptions.defaults(), seeds, metadata), types, registry);
        toClose.push(network);
        network.start();
        if (config.storeId() != 0) {
            RangeService service = new RangeService(config.storeId(), config.datacenter() + "/" + config.rack(),
                    config.storeInitialMembers(), storage, network,
                    RaftConfig.defaults(), new RangeService.SplitOptions(config.rangeMaxBytes(), config.rangeSplitQps()),
                    new RangeService.PlacementOptions(config.replicationFactor(), config.storeDeadAfterMillis()),
                    config.transactionSettings());
            toClose.push(service);
            service.start();
            ranges = service;
            log.info("Node {} holds store {} (range 1 initially on stores {})", config.nodeId(), config.storeId(),
                    config.storeInitialMembers());
        }
        network.refreshMetadata(this::nodeMetadata, metadataRefreshMillis);
        cluster = network;
    }

    /** The version garbage collector, or null when {@code storage.gc.interval.ms} is 0. */
    VersionCollector versionCollector() {
        return versionCollector;
    }

    /**
     * How often a node running SQL on the cluster checks whether another node changed the
     * catalog, which also renews its catalog lease (sql.catalog.lease.ms, far longer). DDL does
     * not wait for it: the node that ran it asks the others to adopt the new catalog at once.
     */
    static final long catalogRefreshMillis = 200;

    /** How often the gossiped metadata (its load figure) is re-read. */
    private static final long metadataRefreshMillis = 10_000;

    /** What this node gossips about itself; load is the 1-minute load average per core. */
    private Map<String, String> nodeMetadata() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                / Runtime.getRuntime().availableProcessors();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Metadata.roles, "sql,storage");
        m.put(Metadata.datacenter, config.datacenter());
        m.put(Metadata.rack, config.rack());
        m.put(Metadata.load, String.format(Locale.ROOT, "%.2f", Math.max(0, load)));
        // SQL on the cluster joins before its client listener starts: the client address follows.
        m.put(Metadata.addresses, (clientAddress == null ? "" : "client=" + clientAddress.getHostString() + ":"
                + clientAddress.getPort() + ",") + "http=" + httpAddress.getHostString() + ":" + httpAddress.getPort());
        if (config.storeId() != 0) {
            m.put(StoreDirectory.storeKey, Long.toString(config.storeId()));
        }
        if (config.sqlOnCluster()) {
            m.put(CatalogSync.sharedCatalogKey, CatalogSync.sharedCatalogValue);
        }
        return Map.copyOf(m);
    }

    /** GET /cluster/members: every member with its state, metadata and link health, as JSON. */
    private HttpReply clusterMembers() {
        ClusterNetworkManager network = cluster;
        if (network == null) {
            return HttpReply.json(404, "{\"error\":\"the cluster network is off on this node (peer.port = 0)\"}\n");
        }
        List<Map<String, Object>> members = new ArrayList<>();
        for (MemberView m : network.members()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("id", m.id());
            member.put("address", m.address());
            member.put("state", m.state().name());
            member.put("incarnation", m.incarnation());
            member.put("metadata", new LinkedHashMap<>(m.metadata()));
            HealthSnapshot h = m.health();
            if (h == null || Double.isNaN(h.rttP50Ms())) {
                member.put("health", null);
            } else {
                Map<String, Object> health = new LinkedHashMap<>();
                health.put("rttP50Ms", h.rttP50Ms());
                health.put("rttP99Ms", h.rttP99Ms());
                health.put("lossRate", h.lossRate());
                health.put("bytesInPerSec", h.bytesInPerSec());
                health.put("bytesOutPerSec", h.bytesOutPerSec());
                health.put("score", h.score());
                member.put("health", health);
            }
            members.add(member);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("self", network.nodeId());
        body.put("hasMajority", network.hasMajority());
        body.put("members", members);
        try {
            return HttpReply.json(200, json.writeValueAsString(body) + "\n");
        } catch (JsonProcessingException e) {
            return HttpReply.json(500, "{\"error\":\"cannot render the membership\"}\n");
        }
    }

    /** The replicated key space on this node, or null when store.id is 0. */
    public RangeService ranges() {
        return ranges;
    }

    /** The SQL engine; valid after start. */
    public StarlingSqlEngine sqlEngine() {
        return sqlEngine;
    }

    /** The cluster network, or null when peer.port is 0. */
    public ClusterNetworkManager cluster() {
        return cluster;
    }

    private HttpReply health() {
        State s = state;
        // SQL on the cluster serves once it has read the catalog (the cluster's ranges answer).
        boolean ready = s == State.SERVING && (!config.sqlOnCluster() || sqlEngine.catalog().loaded());
        String status = s == State.SERVING && !ready ? "joining" : s.name().toLowerCase(Locale.ROOT);
        String body = "{\"status\":\"" + status + "\",\"node\":\"" + config.nodeId().replace("\"", "") + "\"}\n";
        return HttpReply.json(ready ? 200 : 503, body);
    }

    public State state() {
        return state;
    }

    public NodeConfig config() {
        return config;
    }

    /** The bound client (JDBC) address; valid after start. */
    /** How many statements the start-up warm-up ran. */
    int warmedUp() {
        return warmedUp;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /** The bound HTTP address; valid after start. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** The JDBC URL of this node. */
    public String jdbcUrl() {
        return "jdbc:starling://" + clientAddress.getHostString() + ":" + clientAddress.getPort() + "/";
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops accepting clients, lets in-flight statements finish (bounded by the listener), closes
     * the SQL engine, MVCC and RocksDB, and the HTTP server last. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state == State.STOPPED) {
            return;
        }
        boolean wasServing = state == State.SERVING;
        state = State.STOPPING;
        if (wasServing) {
            log.info("Node {} stopping", config.nodeId());
        }
        while (!toClose.isEmpty()) {
            AutoCloseable component = toClose.pop();
            try {
                component.close();
            } catch (Exception e) {
                log.warn("Closing {} failed", component.getClass().getSimpleName(), e);
            }
        }
        registry.close();
        state = State.STOPPED;
        if (wasServing) {
            log.info("Node {} stopped", config.nodeId());
        }
    }
}
