package io.starlingdb.engine.storage;

import java.util.Map;

/** A consistent, read-only view of a {@link KvStore} at one point in time. */
public interface KvSnapshot extends AutoCloseable {
    /** The value stored under key, or null. */
    byte[] get(byte[] key);

    /** Pairs with fromInclusive &lt;= key &lt; toExclusive, ascending; null bounds mean unbounded. */
    KvCursor scan(byte[] fromInclusive, byte[] toExclusive);

    /**
     * The first pair with fromInclusive &lt;= key &lt; toExclusive (null: unbounded above), or
     * null: a bounded scan's first pair, which an implementation may find without opening a
     * cursor each time (MVCC point reads and conflict checks ask this once per key).
     */
    default Map.Entry<byte[], byte[]> first(byte[] fromInclusive, byte[] toExclusive) {
        try (KvCursor c = scan(fromInclusive, toExclusive)) {
            return c.next() ? Map.entry(c.key(), c.value()) : null;
        }
    }

    @Override
    void close();
}
