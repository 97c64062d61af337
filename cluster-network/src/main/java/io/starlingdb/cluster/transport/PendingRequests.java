package io.starlingdb.cluster.transport;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests waiting for their RESPONSE or ERROR, by stream id: each completes exactly once, by
 * the answer, its timeout, an unreachable peer or the transport closing. Bounded: beyond
 * {@code capacity} new requests are refused.
 *
 * <p>Timeouts are found by a sweep, not by a timer task per request: while any request waits,
 * one task on the timer runs every {@link #sweepMillis} and fails those past their deadline, so
 * a request fails between its timeout and {@link #sweepMillis} after it. A timer task per request
 * cost every request a scheduled task handed to an event loop and its cancellation (and, when
 * that loop slept with no earlier deadline, a wake-up of it): 5 % of a KV client's CPU samples
 * at 16 clients (docs/ranges.md, "What a hop costs").
 */
final class PendingRequests {

    /** Period of the timeout sweep while requests wait; the most a timeout can be late by. */
    static final long sweepMillis = 10;

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final int capacity;
    private final ScheduledExecutorService timer;
    private final TransportMetrics metrics;
    /** A sweep is scheduled; it schedules the next one while anything waits. */
    private final AtomicBoolean sweeping = new AtomicBoolean();

    private static final class Pending {
        final CompletableFuture<Object> future;
        final NodeAddress peer;
        final String what;
        final long timeoutMillis;
        final long deadlineNanos;

        Pending(CompletableFuture<Object> future, NodeAddress peer, String what, long timeoutMillis) {
            this.future = future;
            this.peer = peer;
            this.what = what;
            this.timeoutMillis = timeoutMillis;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
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
        pending.put(id, new Pending(future, peer, what, timeoutMillis));
        // A caller that gives up (cancels) frees the slot at once.
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                take(id);
            }
        });
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
            scheduleSweep();
        }
        return future;
    }

    private void scheduleSweep() {
        try {
            timer.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            sweeping.set(false); // the transport is closing: failAll answers what waits
        }
    }

    /** Fails the requests past their deadline; runs again while any request waits. Timer thread. */
    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (now - p.deadlineNanos >= 0 && pending.remove(e.getKey(), p)) {
                metrics.timedOut();
                p.future.completeExceptionally(new TransportException("request " + p.what + " to " + p.peer
                        + " timed out after " + p.timeoutMillis + " ms"));
            }
        }
        if (!pending.isEmpty()) {
            scheduleSweep();
            return;
        }
        sweeping.set(false);
        // A request that came in between the isEmpty and the set saw a sweep still scheduled.
        if (!pending.isEmpty() && sweeping.compareAndSet(false, true)) {
            scheduleSweep();
        }
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
        return pending.remove(id);
    }
}
