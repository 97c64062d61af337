package io.starlingdb.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreDurableAndUseDocumentedPorts() {
        NodeConfig config = NodeConfig.load(Map.of(), Map.of(), null, null);
        assertEquals("development", config.preset());
        assertTrue(config.syncCommits());
        assertEquals(7432, config.clientPort());
        assertEquals(7480, config.httpPort());
        assertEquals("node-7432", config.nodeId());
        assertEquals(64L << 20, config.blockCacheBytes(), "the development preset's cache");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsFileWhichBeatsPreset() throws Exception {
        Path file = dir.resolve("starling.conf");
        Files.writeString(file, "preset = testing\nclient.port = 1111\nhttp.port = 2222\nsql.threads = 3\n");
        NodeConfig config = NodeConfig.load(
                Map.of("client.port", "3333"),
                Map.of("STARLING_CLIENT_PORT", "4444", "STARLING_HTTP_PORT", "5555"),
                file, null);
        assertEquals(3333, config.clientPort(), "flag wins");
        assertEquals(5555, config.httpPort(), "environment beats the file");
        assertEquals(3, config.sqlThreads(), "file beats the preset");
        assertEquals("testing", config.preset(), "the file chooses the preset");
        assertFalse(config.syncCommits(), "the testing preset turns fsync off");
        assertEquals(8L << 20, config.blockCacheBytes(), "the preset beats the default");
    }

    /** On the cluster a SQL thread mostly waits (range requests, replicated commits): more of them by default. */
    @Test
    void sqlOnTheClusterRunsMoreSqlThreadsUnlessTheyAreSet() {
        assertEquals(8, NodeConfig.load(Map.of(), Map.of(), null, null).sqlThreads());
        assertEquals(NodeConfig.CLUSTER_SQL_THREADS,
                NodeConfig.load(Map.of("sql.storage", "cluster", "store.id", "1", "peer.port", "7400"), Map.of(), null, null).sqlThreads());
        assertEquals(8, NodeConfig.load(Map.of("sql.storage", "cluster", "store.id", "1", "peer.port", "7400", "sql.threads", "8"), Map.of(), null, null)
                .sqlThreads(), "set: kept");
        assertEquals(4, NodeConfig.load(Map.of("sql.storage", "cluster", "store.id", "1", "peer.port", "7400"), Map.of("STARLING_SQL_THREADS", "4"), null, null)
                .sqlThreads());
    }

    @Test
    void sizesAcceptUnitSuffixes() {
        NodeConfig config = NodeConfig.load(Map.of("storage.block.cache.bytes", "2g", "client.max.frame.bytes", "512k"), Map.of(), null, null);
        assertEquals(2L << 30, config.blockCacheBytes());
        assertEquals(512 * 1024, config.maxFrameBytes());
    }

    @Test
    void versionGcRunsEvery30SecondsByDefaultAndZeroTurnsItOff() {
        assertEquals(30_000, NodeConfig.load(Map.of(), Map.of(), null, null).gcIntervalMillis());
        assertEquals(0, NodeConfig.load(Map.of("storage.gc.interval.ms", "0"), Map.of(), null, null).gcIntervalMillis());
        assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("storage.gc.interval.ms", "-1"), Map.of(), null, null));
    }

    @Test
    void lowLanePaceDefaultsTo128MiBAndZeroTurnsItOff() {
        assertEquals(128L << 20, NodeConfig.load(Map.of(), Map.of(), null, null).peerLowLaneBytesPerSecond());
        assertEquals(64L << 20, NodeConfig.load(Map.of("peer.low.lane.bytes.per.second", "64m"), Map.of(), null, null)
                .peerLowLaneBytesPerSecond());
        assertEquals(0, NodeConfig.load(Map.of(), Map.of("STARLING_PEER_LOW_LANE_BYTES_PER_SECOND", "0"), null, null)
                .peerLowLaneBytesPerSecond());
        assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("peer.low.lane.bytes.per.second", "5g"), Map.of(), null, null));
    }

    @Test
    void nettyTransportIsAutoByDefaultAndTakesOnlyKnownTransports() {
        assertEquals("auto", NodeConfig.load(Map.of(), Map.of(), null, null).nettyTransport());
        assertEquals("nio", NodeConfig.load(Map.of(), Map.of("STARLING_NETTY_TRANSPORT", "nio"), null, null).nettyTransport());
        ConfigException e = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("netty.transport", "kqueue"), Map.of(), null, null));
        assertEquals("netty.transport must be auto, epoll or nio, not 'kqueue'", e.getMessage());
    }

    @Test
    void badValuesNameTheSettingSourceAndRange() {
        ConfigException port = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("client.port", "70000"), Map.of(), null, null));
        assertEquals("client.port (from --client-port) must be between 0 and 65535, got 70000", port.getMessage());

        ConfigException notNumber = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of(), Map.of("STARLING_SQL_THREADS", "many"), null, null));
        assertEquals("sql.threads (from STARLING_SQL_THREADS) must be a whole number, got 'many'", notNumber.getMessage());

        ConfigException bool = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("sync.commits", "yes"), Map.of(), null, null));
        assertTrue(bool.getMessage().startsWith("sync.commits (from --sync-commits) must be true or false"), bool.getMessage());

        ConfigException preset = assertThrows(ConfigException.class, () -> NodeConfig.load(Map.of(), Map.of(), null, "fast"));
        assertTrue(preset.getMessage().contains("development, testing or production"), preset.getMessage());
    }

    @Test
    void unknownSettingsInTheFileAreRefused() throws Exception {
        Path file = dir.resolve("starling.conf");
        Files.writeString(file, "client.prot = 1111\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(Map.of(), Map.of(), file, null));
        assertTrue(e.getMessage().startsWith("unknown setting 'client.prot'"), e.getMessage());
    }

    @Test
    void storeSettingsNeedThePeerPortAndValidMemberIds() {
        NodeConfig single = NodeConfig.of("testing", Map.of("peer.port", "7400", "store.id", "4"));
        assertEquals(java.util.List.of(4L), single.storeInitialMembers(), "a store alone is a cluster of one");
        assertEquals(java.util.List.of(), NodeConfig.of("testing", Map.of("peer.port", "7400", "store.id", "4",
                "join", "127.0.0.1:7401")).storeInitialMembers(), "a store that joins a cluster starts none of its own");
        assertEquals(java.util.List.of(1L, 2L, 3L), NodeConfig.of("testing", Map.of("peer.port", "7400", "store.id", "2",
                "store.initial.members", "1, 2,3")).storeInitialMembers());
        ConfigException noPeer = assertThrows(ConfigException.class, () -> NodeConfig.of("testing", Map.of("store.id", "1")));
        assertTrue(noPeer.getMessage().startsWith("store.id needs peer.port"), noPeer.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> NodeConfig.of("testing", Map.of("peer.port", "7400",
                "store.id", "1", "store.initial.members", "1,x")));
        assertTrue(bad.getMessage().startsWith("store.initial.members must be store ids"), bad.getMessage());
    }

    @Test
    void conflictingPortsAreRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("client.port", "9000", "http.port", "9000"), Map.of(), null, null));
        assertTrue(e.getMessage().contains("must differ"), e.getMessage());
        ConfigException join = assertThrows(ConfigException.class,
                () -> NodeConfig.load(Map.of("join", "127.0.0.1:7000"), Map.of(), null, null));
        assertTrue(join.getMessage().contains("peer.port"), join.getMessage());
    }

    @Test
    void theShippedConfigurationFileIsValid() {
        Path shipped = Path.of("..", "conf", "starling.conf");
        NodeConfig config = NodeConfig.load(Map.of(), Map.of(), shipped, null);
        assertEquals(7432, config.clientPort());
        assertTrue(config.syncCommits());
    }
}
