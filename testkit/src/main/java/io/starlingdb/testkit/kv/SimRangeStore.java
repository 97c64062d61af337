package io.starlingdb.testkit.kv;

import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The RANGES column family on a {@link SimDisk}: each batch is one write in the disk's ordered
 * stream. Reads see the disk's current image; the simulator is single-threaded, so nothing
 * writes while a snapshot is open.
 */
final class SimRangeStore implements KvStore {

    private final SimDisk disk;
    /** The broken variant "applied index not in the data batch": local state goes in a later write. */
    private final boolean splitLocalState;
    /**
     * The log positions whose commands the batches since the last write come from (by range, the
     * highest), recorded beside them for the exactly-once check: with a turn's applies in one
     * write (TurnBatchedStore), every entry of the turn.
     */
    private final Map<Long, Long> applying = new java.util.HashMap<>();
    private long batches;

    SimRangeStore(SimDisk disk, boolean splitLocalState) {
        this.disk = disk;
        this.splitLocalState = splitLocalState;
    }

    /**
     * The log position whose command the next batches come from, recorded beside them for the
     * exactly-once check; range 0: none (what was noted since the last write is dropped).
     */
    void applying(long rangeId, long index) {
        if (rangeId == 0) {
            applying.clear();
        } else {
            applying.merge(rangeId, index, Math::max);
        }
    }

    /** Batches written so far. */
    long batches() {
        return batches;
    }

    @Override
    public KvSnapshot snapshot() {
        NavigableMap<byte[], byte[]> kv = disk.current().kv;
        return new KvSnapshot() {
            @Override
            public byte[] get(byte[] key) {
                return kv.get(key);
            }

            @Override
            public KvCursor scan(byte[] from, byte[] to) {
                NavigableMap<byte[], byte[]> view = from == null && to == null ? kv
                        : from == null ? kv.headMap(to, false)
                        : to == null ? kv.tailMap(from, true) : kv.subMap(from, true, to, false);
                // Nothing writes while a cursor is open (the simulator runs one thing at a time).
                Iterator<Map.Entry<byte[], byte[]>> it = view.entrySet().iterator();
                return new KvCursor() {
                    private Map.Entry<byte[], byte[]> e;

                    @Override
                    public boolean next() {
                        e = it.hasNext() ? it.next() : null;
                        return e != null;
                    }

                    @Override
                    public byte[] key() {
                        return e.getKey();
                    }

                    @Override
                    public byte[] value() {
                        return e.getValue();
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void apply(KvBatch batch, boolean sync) {
        batches++;
        List<KvBatch.Op> data = new ArrayList<>();
        List<KvBatch.Op> local = new ArrayList<>();
        for (KvBatch.Op op : batch.ops()) {
            (splitLocalState && op.key().length > 0 && op.key()[0] == 0 ? local : data).add(copy(op));
        }
        Map<Long, Long> marks = new java.util.HashMap<>(applying);
        applying.clear();
        if (!splitLocalState) {
            data.addAll(local);
            local.clear();
        }
        disk.write(image -> {
            write(image, data);
            marks.forEach((range, index) -> image.shadowApplied.merge(range, index, Math::max));
        }, sync);
        if (!local.isEmpty()) {
            disk.write(image -> write(image, local), sync);
        }
    }

    private static KvBatch.Op copy(KvBatch.Op op) {
        return new KvBatch.Op(op.key().clone(), op.value() == null ? null : op.value().clone());
    }

    private static void write(SimDisk.Image image, List<KvBatch.Op> ops) {
        for (KvBatch.Op op : ops) {
            if (op.isDelete()) {
                image.kv.remove(op.key());
            } else {
                image.kv.put(op.key(), op.value());
            }
        }
    }

    @Override
    public void close() {
    }
}
