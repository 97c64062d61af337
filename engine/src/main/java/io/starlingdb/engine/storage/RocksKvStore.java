package io.starlingdb.engine.storage;

import java.util.Map;

/** A {@link KvStore} over one column family of a {@link RocksStorage}. */
final class RocksKvStore implements KvStore {

    private final RocksStorage storage;
    private final ColumnFamily cf;

    RocksKvStore(RocksStorage storage, ColumnFamily cf) {
        this.storage = storage;
        this.cf = cf;
    }

    @Override
    public KvSnapshot snapshot() {
        return storage.openSnapshot(cf);
    }

    @Override
    public void apply(KvBatch batch, boolean sync) {
        storage.applyAtomically(Map.of(cf, batch), sync);
    }

    @Override
    public void compactRange(byte[] fromInclusive, byte[] toExclusive) {
        storage.compactRange(cf, fromInclusive, toExclusive);
    }

    @Override
    public long approximateBytes(byte[] fromInclusive, byte[] toExclusive) {
        return storage.approximateBytes(cf, fromInclusive, toExclusive);
    }

    /** The storage owns the database; closing one family's view leaves it open. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "KvStore(" + cf + " at " + storage.dataDir() + ")";
    }
}
