package io.starlingdb.engine.range;

import io.starlingdb.engine.mvcc.MergedCursor;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.storage.KvBatch;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.storage.KvSnapshot;
import io.starlingdb.engine.storage.KvStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The range replicas' store, writing the applies of one Raft driver turn in one write: between
 * {@link #begin} and {@link #end} (MultiRaft's apply of every group's committed entries), an
 * unsynced {@link #apply} is kept in a pending batch instead of written, and the turn's thread
 * reads through it (a {@link #snapshot} on that thread overlays the pending puts and deletes on
 * the store's snapshot), so each entry's apply sees the entries before it, as when each was
 * written at once. {@link #end} writes the pending batch in one write, then runs what waits for
 * it ({@link #afterWrite}); MultiRaft releases the turn's results (proposals' answers, hence the
 * latches, reads waiting for an applied index, leases) only after {@link #end}, so no other
 * thread acts on an apply it cannot read yet. A synced apply in a turn writes the pending batch
 * with it, ahead of it, in one write; {@link #flush} writes it at once (a split, before the new
 * range's Raft group is created). Outside a turn, and on other threads, everything goes straight
 * to the store. Each apply still writes its data and the range's applied index together, so a
 * restart replays exactly: a crash loses whole turns' applies, never part of one entry's.
 *
 * <p>Before (until 2026-12-05) each entry's apply was one RocksDB write: at 16 clients 0.9 of the
 * 1.1 writes per put on each node (docs/ranges.md, "What a put and a get cost in CPU").
 */
public final class TurnBatchedStore implements KvStore, MultiRaft.ApplyTurn {

    /** A pending batch larger than this is written in the middle of a turn (RocksStorage refuses batches past Limits.maxBatchBytes). */
    static final long maxPendingBytes = 16L * 1024 * 1024;

    private static final byte[] tombstone = new byte[0];

    private final KvStore store;
    /** The thread of the turn in progress; null outside a turn. */
    private Thread turn;
    private KvBatch pending = new KvBatch();
    private final NavigableMap<byte[], byte[]> overlay = new TreeMap<>(Arrays::compareUnsigned);
    /** Changes of the overlay: a snapshot of a turn fails loudly if it is written under it. */
    private long overlayVersion;
    private final List<Runnable> afterWrite = new ArrayList<>();
    private long writes;
    private long batchesWritten;

    public TurnBatchedStore(KvStore store) {
        this.store = store;
    }

    @Override
    public void begin() {
        turn = Thread.currentThread();
    }

    @Override
    public void end() {
        try {
            flush();
        } finally {
            turn = null;
        }
    }

    private boolean inTurn() {
        return turn == Thread.currentThread();
    }

    /** Writes the turn's pending batch now (no sync), then runs what waited for it. */
    public void flush() {
        if (!pending.isEmpty()) {
            KvBatch b = pending;
            pending = new KvBatch();
            overlay.clear();
            overlayVersion++;
            store.apply(b, false);
            writes++;
        }
        runAfterWrite();
    }

    /**
     * Runs r once what was applied so far is written: at once outside a turn, else after the
     * turn's write (a counter other threads compare with what they read, such as the range's
     * lock writes, moves only once they can read what it counts).
     */
    public void afterWrite(Runnable r) {
        if (inTurn() && !pending.isEmpty()) {
            afterWrite.add(r);
        } else {
            r.run();
        }
    }

    private void runAfterWrite() {
        if (afterWrite.isEmpty()) {
            return;
        }
        List<Runnable> due = new ArrayList<>(afterWrite);
        afterWrite.clear();
        for (Runnable r : due) {
            r.run();
        }
    }

    @Override
    public void apply(KvBatch batch, boolean sync) {
        if (!inTurn()) {
            store.apply(batch, sync);
            writes++;
            batchesWritten++;
            return;
        }
        batchesWritten++;
        for (KvBatch.Op op : batch.ops()) {
            if (op.isDelete()) {
                pending.delete(op.key());
                overlay.put(op.key(), tombstone);
            } else {
                pending.put(op.key(), op.value());
                overlay.put(op.key(), op.value());
            }
        }
        overlayVersion++;
        if (sync || pending.bytes() > maxPendingBytes) {
            KvBatch b = pending;
            pending = new KvBatch();
            overlay.clear();
            overlayVersion++;
            store.apply(b, sync);
            writes++;
            runAfterWrite();
        }
    }

    /** RocksDB writes made through this store (a turn's applies count once). */
    public long writes() {
        return writes;
    }

    /** Batches applied through this store (one per entry applied, written alone or with the turn's). */
    public long batches() {
        return batchesWritten;
    }

    @Override
    public KvSnapshot snapshot() {
        KvSnapshot under = store.snapshot();
        if (!inTurn() || overlay.isEmpty()) {
            return under;
        }
        return new Overlay(under, overlayVersion);
    }

    @Override
    public void compactRange(byte[] fromInclusive, byte[] toExclusive) {
        store.compactRange(fromInclusive, toExclusive);
    }

    @Override
    public long approximateBytes(byte[] fromInclusive, byte[] toExclusive) {
        return store.approximateBytes(fromInclusive, toExclusive);
    }

    @Override
    public void close() {
        store.close();
    }

    /** The smallest key after key. */
    private static byte[] after(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private static boolean below(byte[] key, byte[] toExclusive) {
        return toExclusive == null || Arrays.compareUnsigned(key, toExclusive) < 0;
    }

    /** The turn's pending writes over the store's snapshot, for the turn's thread. */
    private final class Overlay implements KvSnapshot {
        private final KvSnapshot under;
        private final long version;

        Overlay(KvSnapshot under, long version) {
            this.under = under;
            this.version = version;
        }

        private void unchanged() {
            if (overlayVersion != version) {
                throw new IllegalStateException("the turn's pending batch changed while a snapshot of it was open");
            }
        }

        @Override
        public byte[] get(byte[] key) {
            unchanged();
            byte[] v = overlay.get(key);
            if (v != null) {
                return v == tombstone ? null : v;
            }
            return under.get(key);
        }

        @Override
        public Map.Entry<byte[], byte[]> first(byte[] fromInclusive, byte[] toExclusive) {
            unchanged();
            byte[] from = fromInclusive;
            while (true) {
                Map.Entry<byte[], byte[]> u = under.first(from, toExclusive);
                Map.Entry<byte[], byte[]> o = from == null ? overlay.firstEntry() : overlay.ceilingEntry(from);
                if (o != null && !below(o.getKey(), toExclusive)) {
                    o = null;
                }
                if (o != null && (u == null || Arrays.compareUnsigned(o.getKey(), u.getKey()) <= 0)) {
                    if (o.getValue() != tombstone) {
                        return Map.entry(o.getKey(), o.getValue());
                    }
                    from = after(o.getKey()); // deleted in this turn (and whatever the store holds there)
                    continue;
                }
                return u;
            }
        }

        @Override
        public KvCursor scan(byte[] fromInclusive, byte[] toExclusive) {
            unchanged();
            NavigableMap<byte[], byte[]> view = fromInclusive == null && toExclusive == null ? overlay
                    : fromInclusive == null ? overlay.headMap(toExclusive, false)
                    : toExclusive == null ? overlay.tailMap(fromInclusive, true)
                    : Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0 ? java.util.Collections.emptyNavigableMap()
                    : overlay.subMap(fromInclusive, true, toExclusive, false);
            Iterator<Map.Entry<byte[], byte[]>> mine = view.entrySet().iterator();
            // The turn's writes over the store's pairs, as a transaction's own writes over its view.
            MergedCursor merged = new MergedCursor(mine, under.scan(fromInclusive, toExclusive), tombstone);
            return new KvCursor() {
                @Override
                public boolean next() {
                    unchanged();
                    return merged.next();
                }

                @Override
                public byte[] key() {
                    return merged.key();
                }

                @Override
                public byte[] value() {
                    return merged.value();
                }

                @Override
                public void close() {
                    merged.close();
                }
            };
        }

        @Override
        public void close() {
            under.close();
        }
    }
}
