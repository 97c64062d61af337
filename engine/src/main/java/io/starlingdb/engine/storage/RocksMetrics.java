package io.starlingdb.engine.storage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.TickerType;

/**
 * Exposes RocksDB properties and statistics of a {@link RocksStorage} for /metrics. Values are
 * read when the registry is scraped; after the storage closes, gauges report NaN and counters
 * keep their last value.
 */
public final class RocksMetrics implements MeterBinder {

    private final RocksStorage storage;

    public RocksMetrics(RocksStorage storage) {
        this.storage = storage;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (ColumnFamily cf : ColumnFamily.values()) {
            String tag = cf.rocksName();
            property(registry, "starling.storage.keys.estimated", "Estimated number of keys (RocksDB estimate-num-keys)",
                    null, cf, "rocksdb.estimate-num-keys", tag);
            property(registry, "starling.storage.sst.live", "Size of live SST files", "bytes",
                    cf, "rocksdb.live-sst-files-size", tag);
            property(registry, "starling.storage.memtable.size", "Size of active and unflushed memtables", "bytes",
                    cf, "rocksdb.cur-size-all-mem-tables", tag);
        }
        Gauge.builder("starling.storage.block.cache.usage", storage, s -> nanIfClosed(s.blockCacheUsageBytes()))
                .description("Bytes held by the shared block cache").baseUnit("bytes").register(registry);
        ticker(registry, "starling.storage.written", "Bytes written by puts and deletes", "bytes", TickerType.BYTES_WRITTEN);
        ticker(registry, "starling.storage.read", "Bytes read by point lookups", "bytes", TickerType.BYTES_READ);
        ticker(registry, "starling.storage.wal.written", "Bytes written to the write-ahead log", "bytes", TickerType.WAL_FILE_BYTES);
        ticker(registry, "starling.storage.wal.syncs", "fsyncs of the write-ahead log", null, TickerType.WAL_FILE_SYNCED);
        ticker(registry, "starling.storage.writes", "Atomic write batches (RocksDB writes, one WAL record each)", null,
                TickerType.WRITE_DONE_BY_SELF, TickerType.WRITE_DONE_BY_OTHER);
    }

    private void property(MeterRegistry registry, String name, String description, String unit,
                          ColumnFamily cf, String property, String tag) {
        Gauge.builder(name, storage, s -> nanIfClosed(s.longProperty(cf, property)))
                .description(description).baseUnit(unit).tag("cf", tag).register(registry);
    }

    /** A counter of the sum of RocksDB tickers. */
    private void ticker(MeterRegistry registry, String name, String description, String unit, TickerType... tickers) {
        AtomicLong last = new AtomicLong();
        FunctionCounter.builder(name, storage, s -> last.accumulateAndGet(sum(s, tickers), Math::max))
                .description(description).baseUnit(unit).register(registry);
    }

    private static long sum(RocksStorage storage, TickerType[] tickers) {
        long total = 0;
        for (TickerType t : tickers) {
            total += storage.tickerCount(t);
        }
        return total;
    }

    private static double nanIfClosed(long value) {
        return value < 0 ? Double.NaN : value;
    }
}
