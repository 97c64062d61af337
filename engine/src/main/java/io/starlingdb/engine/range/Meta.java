package io.starlingdb.engine.range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes the meta range ({@link MetaKeys}) through a gateway: the range-id
 * allocator, the descriptors that gateways look ranges up in, and the store registry. Every
 * update is a compare-and-set against what was just read, so concurrent writers (two stores
 * recording the halves of a split, a reconciler and a late split) never move meta backwards:
 * a descriptor replaces the entry under its end key only if it is newer (higher generation).
 *
 * <p>Thread-safe (the gateway is); calls block for at most the gateway's request timeout.
 */
public final class Meta {

    /**
     * Compare-and-set rounds an update tries before giving up (each round re-reads what it
     * replaces); between lost rounds it pauses a random time up to {@link #maxRoundPauseMillis},
     * so a contender that keeps losing to faster ones gets its turn.
     */
    static final int maxUpdateRounds = 64;
    static final int maxRoundPauseMillis = 20;

    private static void pauseAfterLostRound(int round) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1 + Math.min(maxRoundPauseMillis, 1 << round)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RangeUnavailableException("interrupted");
        }
    }

    private final DistSender gateway;

    public Meta(DistSender gateway) {
        this.gateway = gateway;
    }

    /** A range id never given out before, from meta's allocator. */
    public long allocateRangeId() {
        byte[] key = MetaKeys.allocatorKey();
        for (int round = 0; round < maxUpdateRounds; round++) {
            byte[] current = gateway.getKey(key);
            long next = MetaKeys.decodeLong(current);
            if (gateway.writeOps(List.of(new WriteOp.CompareAndSet(key, current, MetaKeys.encodeLong(next + 1)))) < 0) {
                return next;
            }
            pauseAfterLostRound(round);
        }
        throw new RangeUnavailableException("the range-id allocator stayed contended for " + maxUpdateRounds + " rounds");
    }

    /**
     * Makes meta hold each descriptor under its end key unless it holds a newer one there.
     * Idempotent: recording what meta already holds writes nothing. Returns how many entries
     * it changed.
     */
    public int record(List<RangeDescriptor> descriptors) {
        if (descriptors.isEmpty()) {
            return 0;
        }
        List<byte[]> keys = new ArrayList<>(descriptors.size());
        for (RangeDescriptor d : descriptors) {
            keys.add(MetaKeys.descriptorKey(d.end()));
        }
        for (int round = 0; round < maxUpdateRounds; round++) {
            List<byte[]> current = gateway.getAllKeys(keys);
            List<WriteOp> ops = new ArrayList<>();
            for (int i = 0; i < descriptors.size(); i++) {
                RangeDescriptor d = descriptors.get(i);
                byte[] held = current.get(i);
                RangeDescriptor there = held == null ? null : RangeCodec.decodeDescriptor(held);
                if (there == null || newer(d, there)) {
                    ops.add(new WriteOp.CompareAndSet(keys.get(i), held, RangeCodec.encodeDescriptor(d)));
                }
            }
            if (ops.isEmpty()) {
                return 0;
            }
            if (gateway.writeOps(ops) < 0) {
                return ops.size();
            }
            pauseAfterLostRound(round);
        }
        throw new RangeUnavailableException("meta's descriptors stayed contended for " + maxUpdateRounds + " rounds");
    }

    /**
     * Whether d should replace there under the same end key. Without merges, a higher generation
     * is newer (splits and membership changes both raise it). Of two ranges with the same end
     * and generation, the narrower is newer: it was split off the wider one.
     */
    static boolean newer(RangeDescriptor d, RangeDescriptor there) {
        if (d.generation() != there.generation()) {
            return d.generation() > there.generation();
        }
        return d.rangeId() != there.rangeId() && Arrays.compareUnsigned(d.start(), there.start()) > 0;
    }

    /** The descriptor meta holds for the range containing key, or null if meta has none (yet). */
    public RangeDescriptor rangeOf(byte[] key) {
        List<RangeResult.KeyValue> rows = gateway.scanKeys(MetaKeys.lookupStart(key), MetaKeys.descriptorsEnd(), 1,
                deadline());
        if (rows.isEmpty()) {
            return null;
        }
        RangeDescriptor d = RangeCodec.decodeDescriptor(rows.get(0).value());
        return d.contains(key) ? d : null;
    }

    /** Every descriptor meta holds, in key order. */
    public List<RangeDescriptor> descriptors() {
        List<RangeDescriptor> out = new ArrayList<>();
        for (RangeResult.KeyValue kv : gateway.scanKeys(MetaKeys.descriptorsStart(), MetaKeys.descriptorsEnd(),
                Integer.MAX_VALUE, deadline())) {
            out.add(RangeCodec.decodeDescriptor(kv.value()));
        }
        return out;
    }

    /** Registers a store or updates its address and zone; its state stays what meta holds. Returns the record now held. */
    public StoreRecord register(long storeId, String address, String zone) {
        byte[] key = MetaKeys.storeKey(storeId);
        for (int round = 0; round < maxUpdateRounds; round++) {
            byte[] held = gateway.getKey(key);
            StoreRecord there = held == null ? null : StoreRecord.decode(held);
            StoreRecord want = new StoreRecord(storeId, address, zone,
                    there == null ? StoreRecord.State.ACTIVE : there.state());
            if (want.equals(there)) {
                return there;
            }
            if (gateway.writeOps(List.of(new WriteOp.CompareAndSet(key, held, want.encode()))) < 0) {
                return want;
            }
            pauseAfterLostRound(round);
        }
        throw new RangeUnavailableException("store " + storeId + "'s record stayed contended");
    }

    /** Sets a registered store's state (an operator draining or removing it). */
    public StoreRecord setState(long storeId, StoreRecord.State state) {
        byte[] key = MetaKeys.storeKey(storeId);
        for (int round = 0; round < maxUpdateRounds; round++) {
            byte[] held = gateway.getKey(key);
            if (held == null) {
                throw new IllegalArgumentException("store " + storeId + " is not registered in meta");
            }
            StoreRecord there = StoreRecord.decode(held);
            if (there.state() == state) {
                return there;
            }
            if (there.state() == StoreRecord.State.REMOVED) {
                throw new IllegalStateException("store " + storeId + " was removed; a removed store does not come back");
            }
            StoreRecord want = there.withState(state);
            if (gateway.writeOps(List.of(new WriteOp.CompareAndSet(key, held, want.encode()))) < 0) {
                return want;
            }
            pauseAfterLostRound(round);
        }
        throw new RangeUnavailableException("store " + storeId + "'s record stayed contended");
    }

    /** The timestamp oracle's durable high-water mark (0 before the first). */
    public long timestampMark() {
        byte[] held = gateway.getKey(MetaKeys.timestampMarkKey());
        return held == null ? 0 : MetaKeys.decodeLong(held);
    }

    /** Moves the oracle's mark from expected to next; false if it is not at expected (another oracle moved it). */
    public boolean replaceTimestampMark(long expected, long next) {
        byte[] key = MetaKeys.timestampMarkKey();
        return gateway.writeOps(List.of(new WriteOp.CompareAndSet(key, expected == 0 ? null : MetaKeys.encodeLong(expected),
                MetaKeys.encodeLong(next)))) < 0;
    }

    /** Every registered store, by id. */
    public List<StoreRecord> stores() {
        List<StoreRecord> out = new ArrayList<>();
        for (RangeResult.KeyValue kv : gateway.scanKeys(MetaKeys.storesStart(), MetaKeys.storesEnd(),
                Integer.MAX_VALUE, deadline())) {
            out.add(StoreRecord.decode(kv.value()));
        }
        return out;
    }

    private long deadline() {
        return gateway.requestDeadline();
    }

    /** The meta entries of a new cluster's two ranges and its allocator, for the bootstrap. */
    public static List<RangeResult.KeyValue> initialEntries(RangeDescriptor meta, RangeDescriptor user) {
        return List.of(
                new RangeResult.KeyValue(MetaKeys.descriptorKey(meta.end()), RangeCodec.encodeDescriptor(meta)),
                new RangeResult.KeyValue(MetaKeys.descriptorKey(user.end()), RangeCodec.encodeDescriptor(user)),
                new RangeResult.KeyValue(MetaKeys.allocatorKey(), MetaKeys.encodeLong(MetaKeys.firstAllocatedRangeId)));
    }
}
