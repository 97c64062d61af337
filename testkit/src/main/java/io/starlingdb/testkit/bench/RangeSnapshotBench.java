package io.starlingdb.testkit.bench;

import io.starlingdb.engine.raft.ConfChange;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeCommand;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeStore;
import io.starlingdb.engine.range.WriteOp;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time and heap a range snapshot to a new replica costs: store 1 holds the first user range
 * with {@code --mb} MiB of data (1 KiB random values), store 2 hosts an empty replica, the range
 * adds it as a learner, and the bench measures until the learner is initialised by the
 * snapshot (SST files streamed in chunks, ingested). A sampler records the heap used during the
 * transfer; run it with a heap smaller than the range (e.g. {@code -Xmx128m} for 200 MiB) to show
 * nothing holds the range in memory. In-memory transport between the two stores, one process.
 *
 * <p>Arguments: [--mb 200] [--dir PARENT (java.io.tmpdir)]
 */
public final class RangeSnapshotBench {

    static final int valueBytes = 1024;
    /** Bytes of keys and values per write command while loading. */
    static final long loadCommandBytes = 2L << 20;
    static final int compactAfterEntries = 8;

    private RangeSnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        long mb = 200;
        Path parent = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mb" -> mb = Long.parseLong(args[i + 1]);
                case "--dir" -> parent = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory(parent, "range-snapshot-bench");
        // Compact often: the Raft log holds its entries in memory until compaction, and the
        // load's 2 MiB commands would otherwise fill a small heap before the snapshot starts.
        RaftConfig config = RaftConfig.defaults().withTickMillis(25)
                .withSnapshots(compactAfterEntries, RaftConfig.defaultSnapshotChunkBytes);
        InMemoryTransport hub = new InMemoryTransport();
        RocksStorage[] storages = new RocksStorage[3];
        MultiRaft[] rafts = new MultiRaft[3];
        RangeStore[] stores = new RangeStore[3];
        long range = MetaKeys.firstUserRangeId;
        ConfState one = ConfState.ofVoters(1L);
        for (int id = 1; id <= 2; id++) {
            storages[id] = RocksStorage.open(dir.resolve("n" + id), StorageOptions.small());
            if (id == 1) {
                RangeStore.bootstrapIfEmpty(storages[id].store(ColumnFamily.RANGES), MetaKeys.initialMeta(one),
                        MetaKeys.initialUserRange(one));
            }
            rafts[id] = new MultiRaft(id, config, new RaftLogStore(storages[id]), id);
            stores[id] = new RangeStore(id, storages[id].store(ColumnFamily.RANGES), rafts[id],
                    storages[id].sstFiles(ColumnFamily.RANGES));
            stores[id].open();
            rafts[id].start(hub.connect(id, rafts[id]));
        }
        try {
            while (rafts[1].leader(range) != 1) {
                Thread.sleep(10);
            }
            Random random = new Random(1);
            long total = mb << 20;
            long written = 0;
            long key = 0;
            long loadStart = System.nanoTime();
            while (written < total) {
                List<WriteOp> ops = new ArrayList<>();
                long bytes = 0;
                while (bytes < loadCommandBytes && written + bytes < total) {
                    byte[] value = new byte[valueBytes];
                    random.nextBytes(value);
                    byte[] k = ByteBuffer.allocate(9).put(MetaKeys.initialUserRange(one).start()[0]).putLong(key++).array();
                    ops.add(new WriteOp.Put(k, value));
                    bytes += k.length + value.length;
                }
                RangeRpc.Response r = stores[1].handle(RangeRpc.Request.write(range, new RangeCommand.Write(ops)))
                        .get(60, TimeUnit.SECONDS);
                if (r.status() != RangeRpc.Status.OK) {
                    throw new IllegalStateException("load failed: " + r);
                }
                written += bytes;
            }
            System.out.printf("loaded %d MiB (%d keys) in %.1f s%n", written >> 20, key,
                    (System.nanoTime() - loadStart) / 1e9);

            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(heapBefore);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            long chunksBefore = hub.snapshotChunks();
            long start = System.nanoTime();
            stores[2].hostEmptyReplica(range).get(10, TimeUnit.SECONDS);
            rafts[1].proposeConfChange(range, new ConfChange(ConfChange.Type.ADD_LEARNER, 2)).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (stores[2].descriptors().stream().noneMatch(d -> d.rangeId() == range)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the learner was not initialised within 10 minutes");
                }
                Thread.sleep(2);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sampling.set(false);
            sampler.join();
            long chunks = hub.snapshotChunks() - chunksBefore;
            System.out.printf("snapshot of %d MiB to a new replica: %.1f s (%.0f MiB/s), %d chunks of at most %d KiB%n",
                    written >> 20, seconds, (written >> 20) / seconds, chunks, config.snapshotChunkBytes() >> 10);
            System.out.printf("heap: %d MiB used before, peak %d MiB during the transfer (max heap %d MiB)%n",
                    heapBefore >> 20, peak.get() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            for (int id = 1; id <= 2; id++) {
                rafts[id].close();
                storages[id].close();
            }
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
