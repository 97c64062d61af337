package io.starlingdb.cluster.transport;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Requests waiting for their RESPONSE or ERROR, by stream id: each completes exactly once, by
 * the answer, its timeout, an unreachable peer or the transport closing. Bounded: beyond
 * {@code capacity} new requests are refused.
 */
final class PendingRequests {

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final int capacity;
    private final ScheduledExecutorService timer;
    private final TransportMetrics metrics;

    private static final class Pending {
        final CompletableFuture<Object> future;
        final NodeAddress peer;
        volatile ScheduledFuture<?> timeout;

        Pending(CompletableFuture<Object> future, NodeAddress peer) {
            this.future = future;
            this.peer = peer;
        }
    }

    PendingRequests(int capacity, ScheduledExecutorService timer, TransportMetrics metrics) {
        this.capacity = capacity;
        this.timer = timer;
        this.metrics = metrics;
    }

    /** Starts waiting for the answer to request {@code id}; throws if too many are waiting. */
    CompletableFuture<Object> await(long id, NodeAddress peer, Lane lane, String what, long timeoutMillis) {
        if (pending.size() >= capacity) {
            throw new LaneFullException(lane, peer);
        }
        CompletableFuture<Object> future = new CompletableFuture<>();
        Pending entry = new Pending(future, peer);
        entry.timeout = timer.schedule(() -> {
            if (pending.remove(id) != null) {
                metrics.timedOut();
                future.completeExceptionally(new TransportException("request " + what + " to " + peer
                        + " timed out after " + timeoutMillis + " ms"));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        pending.put(id, entry);
        // A caller that gives up (cancels) frees the slot at once.
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                take(id);
            }
        });
        return future;
    }

    /** The response arrived; a late one (already timed out) is ignored. */
    void answer(long id, MessageCodec codec, byte[] payload) {
        Pending entry = take(id);
        if (entry == null) {
            return;
        }
        try {
            entry.future.complete(codec.decode(payload));
        } catch (MessageCodec.UndecodableException e) {
            metrics.refused(RefusalReason.UNDECODABLE_PAYLOAD);
            entry.future.completeExceptionally(new TransportException("undecodable response from " + entry.peer + ": "
                    + e.getMessage()));
        }
    }

    /** The request failed at the peer (ERROR frame) or could not be sent. */
    void fail(long id, String reason) {
        Pending entry = take(id);
        if (entry != null) {
            entry.future.completeExceptionally(new TransportException("peer " + entry.peer + " failed the request: "
                    + reason));
        }
    }

    void fail(long id, TransportException failure) {
        Pending entry = take(id);
        if (entry != null) {
            entry.future.completeExceptionally(failure);
        }
    }

    /** The connection to peer closed: its requests will get no answer on it (they may have been delivered). */
    void failPeer(NodeAddress peer, TransportException failure) {
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            if (e.getValue().peer.equals(peer)) {
                fail(e.getKey(), failure);
            }
        }
    }

    void failAll(TransportException failure) {
        for (Long id : pending.keySet()) {
            fail(id, failure);
        }
    }

    private Pending take(long id) {
        Pending entry = pending.remove(id);
        if (entry != null) {
            entry.timeout.cancel(false);
        }
        return entry;
    }
}
