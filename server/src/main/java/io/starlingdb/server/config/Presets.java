package io.starlingdb.server.config;

import java.util.Map;

/**
 * Named bundles of defaults. development: durable and small, for a laptop. testing: small and
 * without fsync, for fast throw-away nodes (acknowledged data can be lost on power failure).
 * production: durable, larger caches and more connections.
 */
final class Presets {

    private Presets() {
    }

    static Map<String, String> values(String preset) {
        return switch (preset) {
            case "development" -> Map.of(
                    NodeConfig.BLOCK_CACHE_BYTES.key(), "64m",
                    NodeConfig.WRITE_BUFFER_BYTES.key(), "16m");
            case "testing" -> Map.of(
                    NodeConfig.SYNC_COMMITS.key(), "false",
                    NodeConfig.BLOCK_CACHE_BYTES.key(), "8m",
                    NodeConfig.WRITE_BUFFER_BYTES.key(), "4m",
                    NodeConfig.SQL_THREADS.key(), "8",
                    // Throw-away nodes start at once: the JIT warm-up would delay every test's node by seconds.
                    NodeConfig.SQL_WARMUP_STATEMENTS.key(), "0",
                    // Five times faster failure detection for throw-away clusters on one machine.
                    NodeConfig.SWIM_PERIOD_MS.key(), "100",
                    NodeConfig.SWIM_PING_TIMEOUT_MS.key(), "40",
                    NodeConfig.SWIM_SUSPICION_TIMEOUT_MS.key(), "400");
            case "production" -> Map.of(
                    NodeConfig.BLOCK_CACHE_BYTES.key(), "1g",
                    NodeConfig.WRITE_BUFFER_BYTES.key(), "64m",
                    NodeConfig.MAX_CONNECTIONS.key(), "4096",
                    NodeConfig.SQL_THREADS.key(), "32");
            default -> throw new ConfigException("preset must be development, testing or production, got '" + preset + "'");
        };
    }
}
