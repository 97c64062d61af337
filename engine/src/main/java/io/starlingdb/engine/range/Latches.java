package io.starlingdb.engine.range;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The keys a leaseholder is writing in one phase right now, from before their commit timestamp
 * is taken from the oracle until the write has applied. A read at the leaseholder first waits
 * for the latches on its keys held when it arrives: a write whose timestamp is below the read's
 * is therefore applied before the read sees the keys, and one that latches later gets a
 * timestamp above the read's (the oracle's order), so no read misses a version below its
 * timestamp that appears afterwards. Writers of one key take its latch in turn.
 *
 * <p>Thread-safe; waiting is asynchronous (futures), never on a thread.
 */
final class Latches {

    private final Map<ByteBuffer, CompletableFuture<Void>> held = new HashMap<>();

    /** Latches every key, once the latches held on any of them now are released; complete with the handle to release. */
    CompletableFuture<CompletableFuture<Void>> acquire(List<byte[]> keys) {
        CompletableFuture<Void> busy;
        synchronized (this) {
            busy = heldOn(keys);
            if (busy == null) {
                CompletableFuture<Void> mine = new CompletableFuture<>();
                for (byte[] k : keys) {
                    held.put(ByteBuffer.wrap(k), mine);
                }
                return CompletableFuture.completedFuture(mine);
            }
        }
        return busy.thenCompose(v -> acquire(keys));
    }

    /** Releases what {@link #acquire} gave. */
    void release(List<byte[]> keys, CompletableFuture<Void> handle) {
        synchronized (this) {
            for (byte[] k : keys) {
                held.remove(ByteBuffer.wrap(k), handle);
            }
        }
        handle.complete(null);
    }

    /** Completes once the latches held now on any of keys are released. */
    CompletableFuture<Void> awaitKeys(List<byte[]> keys) {
        synchronized (this) {
            CompletableFuture<Void> busy = heldOn(keys);
            return busy == null ? CompletableFuture.completedFuture(null) : busy;
        }
    }

    /** Whether a write holds the latch of key now (a read of it would wait): asks without waiting or registering a wait. */
    synchronized boolean latched(byte[] key) {
        return !held.isEmpty() && held.containsKey(ByteBuffer.wrap(key));
    }

    /**
     * Completes once the latches held now on keys in [from, to) (to null: no bound) that belong
     * to range are released. The latches are the store's, over all its ranges, and a gateway
     * asks each range for the whole rest of a scan: without the range's bounds, a read here
     * would wait for a write to another range, which may hold its latch until the proposal
     * times out when this store lost that range's leadership (seed 1293 of the KV simulator).
     */
    CompletableFuture<Void> awaitSpan(RangeDescriptor range, byte[] from, byte[] to) {
        if (range != null) {
            if (java.util.Arrays.compareUnsigned(from, range.start()) < 0) {
                from = range.start();
            }
            if (range.end() != null && (to == null || java.util.Arrays.compareUnsigned(to, range.end()) > 0)) {
                to = range.end();
            }
        }
        return awaitSpan(from, to);
    }

    /** Completes once the latches held now on keys in [from, to) (to null: no bound) are released. */
    CompletableFuture<Void> awaitSpan(byte[] from, byte[] to) {
        List<CompletableFuture<Void>> busy = new ArrayList<>();
        synchronized (this) {
            if (held.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            for (Map.Entry<ByteBuffer, CompletableFuture<Void>> e : held.entrySet()) {
                byte[] k = e.getKey().array();
                if (java.util.Arrays.compareUnsigned(k, from) >= 0 && (to == null || java.util.Arrays.compareUnsigned(k, to) < 0)) {
                    busy.add(e.getValue());
                }
            }
        }
        return CompletableFuture.allOf(busy.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> heldOn(List<byte[]> keys) {
        if (held.isEmpty()) {
            return null;
        }
        List<CompletableFuture<Void>> busy = new ArrayList<>();
        for (byte[] k : keys) {
            CompletableFuture<Void> f = held.get(ByteBuffer.wrap(k));
            if (f != null) {
                busy.add(f);
            }
        }
        return busy.isEmpty() ? null : CompletableFuture.allOf(busy.toArray(CompletableFuture[]::new));
    }
}
