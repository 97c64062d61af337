package io.starlingdb.engine.storage;

/**
 * A forward cursor over key-value pairs in ascending unsigned byte order of keys.
 * Starts before the first pair: call {@link #next()} first. Not thread-safe.
 */
public interface KvCursor extends AutoCloseable {
    /** Moves to the next pair; false when there is none. */
    boolean next();

    /** The current key; valid until the next call to {@link #next()}. */
    byte[] key();

    /** The current value; valid until the next call to {@link #next()}. */
    byte[] value();

    @Override
    void close();
}
