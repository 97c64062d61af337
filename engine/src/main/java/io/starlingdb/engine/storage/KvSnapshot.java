package io.starlingdb.engine.storage;

/** A consistent, read-only view of a {@link KvStore} at one point in time. */
public interface KvSnapshot extends AutoCloseable {
    /** The value stored under key, or null. */
    byte[] get(byte[] key);

    /** Pairs with fromInclusive &lt;= key &lt; toExclusive, ascending; null bounds mean unbounded. */
    KvCursor scan(byte[] fromInclusive, byte[] toExclusive);

    @Override
    void close();
}
