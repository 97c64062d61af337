package io.starlingdb.server.config;

import io.starlingdb.cluster.transport.NettyTransport;
import io.starlingdb.cluster.transport.TransportOptions;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The validated configuration of one node. Values come, highest precedence first, from
 * command-line flags, environment variables ({@code STARLING_*}), the configuration file,
 * the chosen preset, and the defaults below. Every value is checked once, here; a bad one
 * fails start-up with a {@link ConfigException} naming the setting, its source and the
 * allowed range.
 */
public final class NodeConfig {

    public static final Setting NODE_ID = Setting.string("node.id", "", "this node's id; default: node-<client port>");
    public static final Setting HOST = Setting.string("host", "127.0.0.1", "address the client, HTTP and peer listeners bind to");
    public static final Setting CLIENT_PORT = Setting.integer("client.port", 7432, 0, 65535, "JDBC client port; 0 picks a free port");
    public static final Setting HTTP_PORT = Setting.integer("http.port", 7480, 0, 65535, "HTTP port for /health and /metrics; 0 picks a free port");
    public static final Setting PEER_PORT = Setting.integer("peer.port", 0, 0, 65535, "cluster peer port; 0 disables the cluster network (single node)");
    public static final Setting JOIN = Setting.string("join", "", "comma-separated host:port peer addresses of seed nodes to join");
    public static final Setting CLUSTER_SECRET = Setting.string("cluster.secret", "starling-dev-secret", "shared secret peers prove in the handshake; change it in production");
    public static final Setting PEER_TLS_KEYSTORE = Setting.string("peer.tls.keystore", "", "PKCS12 key store of this node's certificate; set with peer.tls.truststore to require mutual TLS 1.3 between nodes");
    public static final Setting PEER_TLS_TRUSTSTORE = Setting.string("peer.tls.truststore", "", "PKCS12 trust store of the certificates (or CA) peers must present");
    public static final Setting PEER_TLS_PASSWORD = Setting.string("peer.tls.password", "", "password of both TLS stores");
    public static final Setting PEER_LOW_LANE_BYTES_PER_SECOND = Setting.bytes("peer.low.lane.bytes.per.second",
            TransportOptions.DEFAULT_LOW_LANE_BYTES_PER_SECOND, 0, 4L << 30,
            "pace of bulk transfers (snapshots) to each peer; 0 unpaced. Unpaced bulk takes the CPU that Raft and SWIM frames need");
    public static final Setting NETTY_TRANSPORT = Setting.string(NettyTransport.SETTING, "auto",
            "Netty I/O transport of every socket of this process (peers, JDBC clients, HTTP): auto (Linux's native epoll where it loads, else Java NIO), epoll (or fail to start) or nio");
    public static final Setting STORE_ID = Setting.integer("store.id", 0, 0, 1_000_000,
            "this node's store id in the replicated key space (needs peer.port); 0: the node holds no range replicas");
    public static final Setting STORE_INITIAL_MEMBERS = Setting.string("store.initial.members", "",
            "comma-separated store ids that hold the meta range and the first user range when the cluster first starts (each of them writes both once); empty: this store alone (a new cluster of one) unless join is set (the store joins a running cluster and receives replicas from it)");
    public static final Setting RANGE_MAX_BYTES = Setting.bytes("range.max.bytes", 64L << 20, 16L << 10, 1L << 34,
            "a range larger than this splits at its middle key");
    public static final Setting RANGE_SPLIT_QPS = Setting.integer("range.split.qps", 2500, 0, 10_000_000,
            "a range serving more requests per second than this for three checks in a row (6 s) splits at the median key of its requests; 0: never by load");
    public static final Setting REPLICATION_FACTOR = Setting.integer("replication.factor", 3, 1, 7,
            "replicas of each user range (the meta range keeps up to 5), at most the usable stores; placement adds and removes replicas to reach it");
    public static final Setting STORE_DEAD_AFTER_MS = Setting.integer("store.dead.after.ms", 300_000, 1_000, 86_400_000,
            "a store the membership has not held alive for this long is dead: placement replaces its replicas on other stores");
    public static final Setting SQL_STORAGE = Setting.string("sql.storage", "local",
            "where SQL keeps its tables: local (this node's own store) or cluster (the replicated key space, in transactions across ranges; needs store.id)");
    public static final Setting SQL_WARMUP_STATEMENTS = Setting.integer("sql.warmup.statements", 2_000, 0, 1_000_000,
            "statements of common shapes the node runs at start through the whole client path against a scratch database of its own (DATA_DIR/warmup, deleted after), before it accepts SQL clients (its /health answers 503 meanwhile), so that clients' first new statements run compiled code, not the JVM's interpreter; at most sql.warmup.max.ms; 0: none");
    public static final Setting SQL_WARMUP_MAX_MS = Setting.integer("sql.warmup.max.ms", 15_000, 0, 600_000,
            "the longest the start-up SQL warm-up (sql.warmup.statements) may delay accepting clients; it stops there, however many statements remain");
    public static final Setting SQL_CATALOG_LEASE_MS = Setting.integer("sql.catalog.lease.ms", 5_000, 1_000, 600_000,
            "SQL on the cluster: a node commits writes only while it confirmed its catalog with the cluster within this long (it re-reads it every 200 ms); a DDL statement waits at most this long for nodes that do not confirm the new catalog");
    public static final Setting TXN_LOCK_TTL_MS = Setting.integer("txn.lock.ttl.ms", 3_000, 100, 600_000,
            "a transaction's locks expire this long after its coordinator's last heartbeat (every third of it): then any reader or the recovery sweep rolls it back");
    public static final Setting TXN_MAX_DURATION_MS = Setting.integer("txn.max.duration.ms", 600_000, 1_000, 86_400_000,
            "a transaction older than this may not read or commit (version GC removes what only older ones could read)");
    public static final Setting TXN_MAX_BYTES = Setting.bytes("txn.max.bytes", 64L << 20, 1L << 10, 1L << 30,
            "keys and values one transaction may write at most");
    public static final Setting TXN_MAX_WRITES = Setting.integer("txn.max.writes", 1_000_000, 1, 10_000_000,
            "keys one transaction may write (and lock) at most");
    public static final Setting TXN_SCAN_PAGE_ROWS = Setting.integer("txn.scan.page.rows",
            io.starlingdb.engine.txn.ClusterTransactions.Settings.defaultScanPageRows, 1,
            io.starlingdb.engine.range.RangeStore.maxScanRows,
            "rows a scan in a transaction (SQL's scans on the cluster) asks each range for at a time");
    public static final Setting DATACENTER = Setting.string("node.datacenter", "dc1", "datacenter this node reports in its cluster metadata");
    public static final Setting RACK = Setting.string("node.rack", "rack1", "rack this node reports in its cluster metadata");
    public static final Setting SWIM_PERIOD_MS = Setting.integer("swim.period.ms", 500, 10, 60_000, "SWIM protocol period: one probe per member per period");
    public static final Setting SWIM_PING_TIMEOUT_MS = Setting.integer("swim.ping.timeout.ms", 200, 1, 59_999, "wait for a direct ack before probing through other members; below swim.period.ms");
    public static final Setting SWIM_INDIRECT_PROBES = Setting.integer("swim.indirect.probes", 3, 0, 16, "members asked to probe an unresponsive member");
    public static final Setting SWIM_SUSPICION_TIMEOUT_MS = Setting.integer("swim.suspicion.timeout.ms", 1500, 10, 600_000, "a suspect that does not refute within this is declared dead (scaled up above 7 members)");
    public static final Setting DATA_DIR = Setting.path("data.dir", "data/node", "directory of the node's RocksDB and logs");
    public static final Setting SYNC_COMMITS = Setting.bool("sync.commits", true, "fsync every commit before acknowledging it");
    public static final Setting BLOCK_CACHE_BYTES = Setting.bytes("storage.block.cache.bytes", 128L << 20, 1L << 20, 1L << 40, "RocksDB block cache");
    public static final Setting WRITE_BUFFER_BYTES = Setting.bytes("storage.write.buffer.bytes", 64L << 20, 64L << 10, 1L << 32, "RocksDB memtable size per column family");
    public static final Setting GC_INTERVAL_MS = Setting.integer("storage.gc.interval.ms", 30_000, 0, 86_400_000,
            "pause between passes of MVCC version garbage collection, which removes row versions no open transaction can read; 0 turns it off (versions then accumulate)");
    public static final Setting MAX_FRAME_BYTES = Setting.bytes("client.max.frame.bytes", 16L << 20, 1L << 10, 1L << 30, "largest client protocol frame accepted");
    public static final Setting MAX_CONNECTIONS = Setting.integer("client.max.connections", 1024, 1, 100_000, "concurrent client connections accepted");
    public static final Setting SQL_THREADS = Setting.integer("sql.threads", 8, 1, 4096, "threads executing SQL statements (about 4 per core: more costs point reads in context switches, fewer caps how many commits share an fsync); with sql.storage = cluster and not set, " + NodeConfig.CLUSTER_SQL_THREADS + " (a statement's thread waits for its range requests and its commit's replication)");

    /**
     * sql.threads where it is not set and SQL runs on the cluster: a thread there mostly waits (its
     * statement's range requests, its commit's Raft write on two nodes), and point reads answered
     * at the leaseholder run on the event loop without one. With 8, 16 clients' auto-commit UPDATEs
     * queued for a thread: 962 and 1,330 updates/s at p50 10.6 and 9.4 ms, against 2,048 at 6.1 ms
     * with 32 (bench compare --cluster 3, 2026-12-05, load 13-17; docs/cluster.md, "Durable updates").
     */
    public static final int CLUSTER_SQL_THREADS = 32;
    public static final Setting FETCH_SIZE = Setting.integer("client.fetch.size", 1000, 1, 100_000, "rows per result batch when the client asks for no size");
    public static final Setting SQL_MAX_QUEUED_STATEMENTS = Setting.integer("sql.max.queued.statements", 10_000, 1, 1_000_000,
            "requests waiting for a SQL thread beyond the running ones; more are refused with SQLState 53000 and the connection stays open");
    public static final Setting SQL_MEMORY_STOP_PERCENT = Setting.integer("sql.memory.stop.percent",
            io.starlingdb.sql.SqlOptions.DEFAULT_MEMORY_STOP_PERCENT, 0, 100,
            "while the heap is this full (percent of its maximum, after garbage collection) the longest-running statement is stopped with SQLState 53200, one a second, so that a statement holding too many rows cannot take the node down; 0: never");
    public static final Setting STATEMENT_TIMEOUT_MS = Setting.integer("statement.timeout.ms", 300_000, 0, 86_400_000,
            "a statement (or one fetch of its rows) running longer is stopped with SQLState 57014; 0 for no limit. Statement.setQueryTimeout sets a shorter one per statement");
    public static final Setting STATEMENT_PLANNING_TIMEOUT_MS = Setting.integer("statement.planning.timeout.ms", 60_000, 0, 86_400_000,
            "planning one statement longer than this is stopped with SQLState 57014 (the cap on planner work); 0 for no limit beyond statement.timeout.ms");

    /** Every setting, in documentation order. */
    public static final List<Setting> SETTINGS = List.of(NODE_ID, HOST, CLIENT_PORT, HTTP_PORT, PEER_PORT, JOIN, CLUSTER_SECRET,
            PEER_TLS_KEYSTORE, PEER_TLS_TRUSTSTORE, PEER_TLS_PASSWORD, PEER_LOW_LANE_BYTES_PER_SECOND, NETTY_TRANSPORT, STORE_ID, STORE_INITIAL_MEMBERS, RANGE_MAX_BYTES, RANGE_SPLIT_QPS, REPLICATION_FACTOR, STORE_DEAD_AFTER_MS, SQL_STORAGE, SQL_CATALOG_LEASE_MS, SQL_WARMUP_STATEMENTS, SQL_WARMUP_MAX_MS, TXN_LOCK_TTL_MS, TXN_MAX_DURATION_MS, TXN_MAX_BYTES, TXN_MAX_WRITES, TXN_SCAN_PAGE_ROWS, DATACENTER, RACK, SWIM_PERIOD_MS, SWIM_PING_TIMEOUT_MS,
            SWIM_INDIRECT_PROBES, SWIM_SUSPICION_TIMEOUT_MS, DATA_DIR, SYNC_COMMITS, BLOCK_CACHE_BYTES, WRITE_BUFFER_BYTES, GC_INTERVAL_MS, MAX_FRAME_BYTES, MAX_CONNECTIONS, SQL_THREADS,
            FETCH_SIZE, SQL_MAX_QUEUED_STATEMENTS, STATEMENT_TIMEOUT_MS, STATEMENT_PLANNING_TIMEOUT_MS, SQL_MEMORY_STOP_PERCENT);

    private final Map<String, Object> values;
    private final String preset;

    private NodeConfig(Map<String, Object> values, String preset) {
        this.values = Collections.unmodifiableMap(values);
        this.preset = preset;
    }

    /**
     * Loads and validates a configuration.
     *
     * @param flags       settings given on the command line, by key (without their dashes)
     * @param environment the process environment (only STARLING_* variables are read)
     * @param configFile  the configuration file, or null for none
     * @param preset      development, testing or production; null for the file's or development
     */
    public static NodeConfig load(Map<String, String> flags, Map<String, String> environment, Path configFile, String preset) {
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + configFile + ": " + e.getMessage());
            }
            for (String key : file.stringPropertyNames()) {
                if (!key.equals("preset") && SETTINGS.stream().noneMatch(s -> s.key().equals(key))) {
                    throw new ConfigException("unknown setting '" + key + "' in " + configFile + "; known: " + Setting.keys(SETTINGS));
                }
            }
        }
        for (String key : flags.keySet()) {
            if (SETTINGS.stream().noneMatch(s -> s.key().equals(key))) {
                throw new ConfigException("unknown option --" + key.replace('.', '-'));
            }
        }
        String chosenPreset = preset != null ? preset
                : environment.getOrDefault("STARLING_PRESET", file.getProperty("preset", "development"));
        Map<String, String> presetValues = Presets.values(chosenPreset);

        Map<String, Object> values = new LinkedHashMap<>();
        java.util.Set<String> defaulted = new java.util.HashSet<>();
        for (Setting setting : SETTINGS) {
            String raw;
            String source;
            if (flags.containsKey(setting.key())) {
                raw = flags.get(setting.key());
                source = setting.flag();
            } else if (environment.containsKey(setting.environmentVariable())) {
                raw = environment.get(setting.environmentVariable());
                source = setting.environmentVariable();
            } else if (file.containsKey(setting.key())) {
                raw = file.getProperty(setting.key());
                source = String.valueOf(configFile);
            } else if (presetValues.containsKey(setting.key())) {
                raw = presetValues.get(setting.key());
                source = "preset " + chosenPreset;
            } else {
                raw = setting.defaultValue();
                source = "default";
                defaulted.add(setting.key());
            }
            if (raw.isEmpty() && setting.kind() == Setting.Kind.STRING && setting.defaultValue().isEmpty()) {
                values.put(setting.key(), "");
                continue;
            }
            values.put(setting.key(), setting.parse(raw, source));
        }
        if (defaulted.contains(SQL_THREADS.key()) && "cluster".equals(values.get(SQL_STORAGE.key()))) {
            values.put(SQL_THREADS.key(), CLUSTER_SQL_THREADS);
        }
        NodeConfig config = new NodeConfig(values, chosenPreset);
        config.checkConsistency();
        return config;
    }

    /** Defaults of the given preset with a few overrides; for tests and embedded nodes. */
    public static NodeConfig of(String preset, Map<String, String> overrides) {
        return load(overrides, Map.of(), null, preset);
    }

    private void checkConsistency() {
        int client = clientPort();
        int http = httpPort();
        int peer = peerPort();
        if (client != 0 && (client == http || client == peer)) {
            throw new ConfigException("client.port " + client + " must differ from http.port and peer.port");
        }
        if (http != 0 && http == peer) {
            throw new ConfigException("http.port " + http + " must differ from peer.port");
        }
        if (!join().isEmpty() && peer == 0) {
            throw new ConfigException("join needs peer.port: a node joins a cluster through its peer port");
        }
        for (String seed : joinAddresses()) {
            int colon = seed.lastIndexOf(':');
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(seed.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException("join must be host:port[,host:port...] with ports 1..65535, got '" + seed + "'");
            }
        }
        if (swimPingTimeoutMillis() >= swimPeriodMillis()) {
            throw new ConfigException("swim.ping.timeout.ms " + swimPingTimeoutMillis() + " must be below swim.period.ms "
                    + swimPeriodMillis());
        }
        if (swimSuspicionTimeoutMillis() < swimPeriodMillis()) {
            throw new ConfigException("swim.suspicion.timeout.ms " + swimSuspicionTimeoutMillis()
                    + " must be at least swim.period.ms " + swimPeriodMillis());
        }
        if (peerTlsKeyStore().isEmpty() != peerTlsTrustStore().isEmpty()) {
            throw new ConfigException("peer.tls.keystore and peer.tls.truststore must be set together (mutual TLS)");
        }
        if (storeId() != 0 && peer == 0) {
            throw new ConfigException("store.id needs peer.port: range replicas talk to each other through the peer port");
        }
        if (storeId() != 0) {
            storeInitialMembers();
        }
        try {
            NettyTransport.resolve(nettyTransport());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (!sqlStorage().equals("local") && !sqlStorage().equals("cluster")) {
            throw new ConfigException("sql.storage must be local or cluster, not '" + sqlStorage() + "'");
        }
        if (sqlOnCluster() && storeId() == 0) {
            throw new ConfigException("sql.storage=cluster needs store.id: the node must hold a store of the cluster");
        }
        if (peer != 0 && clusterSecret().length() < 8) {
            throw new ConfigException("cluster.secret must have at least 8 characters");
        }
    }

    public String preset() {
        return preset;
    }

    public String nodeId() {
        String id = (String) values.get(NODE_ID.key());
        return id.isEmpty() ? "node-" + clientPort() : id;
    }

    public String host() {
        return (String) values.get(HOST.key());
    }

    public int clientPort() {
        return (Integer) values.get(CLIENT_PORT.key());
    }

    public int httpPort() {
        return (Integer) values.get(HTTP_PORT.key());
    }

    public int peerPort() {
        return (Integer) values.get(PEER_PORT.key());
    }

    public String join() {
        return (String) values.get(JOIN.key());
    }

    /** The seed addresses of {@link #join()}, trimmed, empty entries dropped. */
    public List<String> joinAddresses() {
        return java.util.Arrays.stream(join().split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
    }

    public String clusterSecret() {
        return (String) values.get(CLUSTER_SECRET.key());
    }

    public String peerTlsKeyStore() {
        return (String) values.get(PEER_TLS_KEYSTORE.key());
    }

    public String peerTlsTrustStore() {
        return (String) values.get(PEER_TLS_TRUSTSTORE.key());
    }

    public String peerTlsPassword() {
        return (String) values.get(PEER_TLS_PASSWORD.key());
    }

    public long storeId() {
        return (Integer) values.get(STORE_ID.key());
    }

    /**
     * The store ids of {@link #STORE_INITIAL_MEMBERS}. When it is empty: this store alone if the
     * node joins nobody (it starts a cluster of one), none if it joins a cluster (it must not
     * start a cluster of its own beside it: placement gives it replicas once it is a member).
     */
    public List<Long> storeInitialMembers() {
        String raw = (String) values.get(STORE_INITIAL_MEMBERS.key());
        List<Long> ids = new java.util.ArrayList<>();
        for (String part : raw.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                long id = Long.parseLong(part.trim());
                if (id < 1 || id > 1_000_000) {
                    throw new NumberFormatException();
                }
                ids.add(id);
            } catch (NumberFormatException e) {
                throw new ConfigException("store.initial.members must be store ids 1..1000000 separated by commas, got '"
                        + raw + "'");
            }
        }
        if (ids.isEmpty()) {
            return joinAddresses().isEmpty() ? List.of(storeId()) : List.of();
        }
        return List.copyOf(ids);
    }

    public long rangeMaxBytes() {
        return (Long) values.get(RANGE_MAX_BYTES.key());
    }

    public int rangeSplitQps() {
        return (Integer) values.get(RANGE_SPLIT_QPS.key());
    }

    public int replicationFactor() {
        return (Integer) values.get(REPLICATION_FACTOR.key());
    }

    public long storeDeadAfterMillis() {
        return (Integer) values.get(STORE_DEAD_AFTER_MS.key());
    }

    /** auto, epoll or nio ({@link NettyTransport#resolve}). */
    public String nettyTransport() {
        return (String) values.get(NETTY_TRANSPORT.key());
    }

    public String sqlStorage() {
        return (String) values.get(SQL_STORAGE.key());
    }

    /** Whether SQL runs on the replicated key space (sql.storage=cluster). */
    public boolean sqlOnCluster() {
        return sqlStorage().equals("cluster");
    }

    /** The limits and lock TTL of the cluster transactions this node coordinates. */
    /** sql.warmup.statements: statements planned at start to warm the JIT. */
    public int sqlWarmupStatements() {
        return (Integer) values.get(SQL_WARMUP_STATEMENTS.key());
    }

    /** sql.warmup.max.ms: the longest the start-up SQL warm-up may delay accepting clients. */
    public long sqlWarmupMaxMillis() {
        return (Integer) values.get(SQL_WARMUP_MAX_MS.key());
    }

    /** sql.catalog.lease.ms: how long a confirmed catalog may be used to commit writes, SQL on the cluster. */
    public long sqlCatalogLeaseMillis() {
        return (Integer) values.get(SQL_CATALOG_LEASE_MS.key());
    }

    public io.starlingdb.engine.txn.ClusterTransactions.Settings transactionSettings() {
        return new io.starlingdb.engine.txn.ClusterTransactions.Settings((Integer) values.get(TXN_LOCK_TTL_MS.key()),
                (Integer) values.get(TXN_MAX_DURATION_MS.key()), (Long) values.get(TXN_MAX_BYTES.key()),
                (Integer) values.get(TXN_MAX_WRITES.key()), (Integer) values.get(TXN_SCAN_PAGE_ROWS.key()));
    }

    public String datacenter() {
        return (String) values.get(DATACENTER.key());
    }

    public String rack() {
        return (String) values.get(RACK.key());
    }

    public long peerLowLaneBytesPerSecond() {
        return (Long) values.get(PEER_LOW_LANE_BYTES_PER_SECOND.key());
    }

    public int swimPeriodMillis() {
        return (Integer) values.get(SWIM_PERIOD_MS.key());
    }

    public int swimPingTimeoutMillis() {
        return (Integer) values.get(SWIM_PING_TIMEOUT_MS.key());
    }

    public int swimIndirectProbes() {
        return (Integer) values.get(SWIM_INDIRECT_PROBES.key());
    }

    public int swimSuspicionTimeoutMillis() {
        return (Integer) values.get(SWIM_SUSPICION_TIMEOUT_MS.key());
    }

    public Path dataDir() {
        return Path.of((String) values.get(DATA_DIR.key()));
    }

    public boolean syncCommits() {
        return (Boolean) values.get(SYNC_COMMITS.key());
    }

    public int gcIntervalMillis() {
        return (Integer) values.get(GC_INTERVAL_MS.key());
    }

    public long blockCacheBytes() {
        return (Long) values.get(BLOCK_CACHE_BYTES.key());
    }

    public long writeBufferBytes() {
        return (Long) values.get(WRITE_BUFFER_BYTES.key());
    }

    public int maxFrameBytes() {
        return Math.toIntExact((Long) values.get(MAX_FRAME_BYTES.key()));
    }

    public int maxConnections() {
        return (Integer) values.get(MAX_CONNECTIONS.key());
    }

    public int sqlThreads() {
        return (Integer) values.get(SQL_THREADS.key());
    }

    public int fetchSize() {
        return (Integer) values.get(FETCH_SIZE.key());
    }

    public int sqlMaxQueuedStatements() {
        return (Integer) values.get(SQL_MAX_QUEUED_STATEMENTS.key());
    }

    public int sqlMemoryStopPercent() {
        return (Integer) values.get(SQL_MEMORY_STOP_PERCENT.key());
    }

    public long statementTimeoutMillis() {
        return (Integer) values.get(STATEMENT_TIMEOUT_MS.key());
    }

    public long statementPlanningTimeoutMillis() {
        return (Integer) values.get(STATEMENT_PLANNING_TIMEOUT_MS.key());
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>(values);
        shown.put(CLUSTER_SECRET.key(), "***");
        shown.put(PEER_TLS_PASSWORD.key(), "***");
        return "NodeConfig" + shown + " preset=" + preset;
    }
}
