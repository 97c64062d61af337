package io.starlingdb.sql;

/**
 * The SQL layer's entry point for the server: one per node, thread-safe.
 * Sessions are per client connection and not thread-safe.
 */
public interface SqlEngine extends AutoCloseable {
    SqlSession openSession();

    @Override
    void close();
}
