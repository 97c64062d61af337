package io.starlingdb.server.client;

import io.starlingdb.jdbc.protocol.Limits;

/**
 * Limits of the client listener.
 *
 * @param maxFrameBytes       largest frame body accepted; a larger one closes the connection
 * @param maxConnections      connections beyond this are refused with SQLState 53300
 * @param defaultFetchSize    rows per batch when the client asks for 0
 * @param sqlThreads          threads running statements (not the event loop: commits fsync; only
 *                            point reads that never wait are answered on the event loop)
 * @param maxOpenCursors      open result cursors per connection
 * @param maxPreparedStatements prepared statements per connection
 * @param handshakeTimeoutMillis a connection that has not said hello by then is closed
 * @param maxQueuedStatements requests waiting for a SQL thread beyond the running ones; more are
 *                            refused with SQLState 53000 (the connection stays open)
 */
public record ClientListenerOptions(int maxFrameBytes, int maxConnections, int defaultFetchSize, int sqlThreads,
                                    int maxOpenCursors, int maxPreparedStatements, int handshakeTimeoutMillis,
                                    String nodeId, int maxQueuedStatements) {

    /** Default of {@code maxQueuedStatements}. */
    public static final int DEFAULT_MAX_QUEUED_STATEMENTS = 10_000;

    public ClientListenerOptions {
        check("maxFrameBytes", maxFrameBytes, 1024, Integer.MAX_VALUE - 8);
        check("maxConnections", maxConnections, 1, 1_000_000);
        check("defaultFetchSize", defaultFetchSize, 1, Limits.MAX_BATCH_ROWS);
        check("sqlThreads", sqlThreads, 1, 4096);
        check("maxOpenCursors", maxOpenCursors, 1, 100_000);
        check("maxPreparedStatements", maxPreparedStatements, 1, 1_000_000);
        check("handshakeTimeoutMillis", handshakeTimeoutMillis, 100, 600_000);
        check("maxQueuedStatements", maxQueuedStatements, 1, 1_000_000);
    }

    public static ClientListenerOptions defaults() {
        return new ClientListenerOptions(Limits.DEFAULT_MAX_FRAME_BYTES, 1024, 1000, 32, 256, 4096, 10_000, "node",
                DEFAULT_MAX_QUEUED_STATEMENTS);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
