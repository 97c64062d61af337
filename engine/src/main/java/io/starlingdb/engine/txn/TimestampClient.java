package io.starlingdb.engine.txn;

import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.range.RangeRpc;
import io.starlingdb.engine.range.RangeUnavailableException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A node's (or client's) way to the timestamp oracle, batched: callers that ask while a request
 * is on its way wait together, and the next request asks for all of them at once, so one round
 * trip serves every transaction waiting on this node. Thread-safe.
 */
public final class TimestampClient implements AutoCloseable {

    /** At DEBUG, one line per request to the oracle that failed or took longer than {@link #slowRequestMillis}. */
    private static final Logger log = LoggerFactory.getLogger(TimestampClient.class);
    /** A request to the oracle that takes longer than this is logged at DEBUG. */
    static final long slowRequestMillis = 250;

    /** Timestamps one request asks for at most (callers beyond it wait for the next). */
    static final int maxBatch = 10_000;

    private final DistSender gateway;
    private final ArrayDeque<CompletableFuture<Long>> waiting = new ArrayDeque<>();
    private boolean sending;
    /** The newest timestamp received from the oracle (-1: none yet) and when, by System.nanoTime(). */
    private long newest = -1;
    private long newestReceivedNanos;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "starling-timestamp-client");
        t.setDaemon(true);
        return t;
    });

    /** Timestamps asked of this client (each served by the oracle, alone or in a batch). */
    private final java.util.concurrent.atomic.LongAdder asked = new java.util.concurrent.atomic.LongAdder();

    public TimestampClient(DistSender gateway) {
        this.gateway = gateway;
    }

    /** Timestamps asked of this client since it started: for tests and operators. */
    public long asked() {
        return asked.sum();
    }

    /** A timestamp above every timestamp the oracle gave before this call began. */
    public long next() throws InterruptedException {
        CompletableFuture<Long> f = nextAsync();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new RangeUnavailableException(String.valueOf(e.getCause()));
        }
    }

    /** {@link #next} without waiting: completes with the timestamp (or the oracle's failure). */
    public CompletableFuture<Long> nextAsync() {
        asked.increment();
        CompletableFuture<Long> f = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            waiting.add(f);
            start = !sending;
            sending = true;
        }
        if (start) {
            sendNext();
        }
        return f;
    }

    /**
     * Sends the next request for everyone waiting (this thread holds the sending turn): at once from
     * this thread, and completed from the thread the answer arrives on, when the gateway knows the
     * oracle; else, and after any failure of that one attempt, from the sender's thread, which waits
     * through routing and retries. The fast way costs no thread hand-off on either side of the call.
     */
    private void sendNext() {
        while (true) {
            List<CompletableFuture<Long>> batch = takeBatch();
            if (batch.isEmpty()) {
                return;
            }
            CompletableFuture<RangeRpc.Response> answer = gateway.timestampsFromKnownLeaseholder(batch.size());
            if (answer == null) {
                handToSender(batch);
                return;
            }
            if (!answer.isDone()) {
                answer.whenComplete((r, e) -> {
                    if (delivered(batch, r, e)) {
                        sendNext();
                    }
                });
                return;
            }
            // Answered at once (this store's own oracle under its lease): loop rather than recurse.
            RangeRpc.Response r;
            try {
                r = answer.join();
            } catch (RuntimeException e) {
                r = null;
            }
            if (!delivered(batch, r, null)) {
                return;
            }
        }
    }

    /** Completes batch from the answer if it holds its timestamps (true), else hands batch to the sender's thread. */
    private boolean delivered(List<CompletableFuture<Long>> batch, RangeRpc.Response r, Throwable failure) {
        if (failure == null && r != null && r.status() == RangeRpc.Status.OK
                && r.result() instanceof RangeResult.Timestamps t && t.count() == batch.size()) {
            deliver(batch, t);
            return true;
        }
        handToSender(batch);
        return false;
    }

    /** The waiting callers, up to {@link #maxBatch}; when none wait, gives up the sending turn. */
    private synchronized List<CompletableFuture<Long>> takeBatch() {
        List<CompletableFuture<Long>> batch = new ArrayList<>();
        while (!waiting.isEmpty() && batch.size() < maxBatch) {
            batch.add(waiting.poll());
        }
        if (batch.isEmpty()) {
            sending = false;
        }
        return batch;
    }

    /** Puts batch back at the head of the queue and lets the sender's thread ask (with routing and retries). */
    private void handToSender(List<CompletableFuture<Long>> batch) {
        synchronized (this) {
            for (int i = batch.size() - 1; i >= 0; i--) {
                waiting.addFirst(batch.get(i));
            }
        }
        try {
            sender.execute(this::sendAll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            List<CompletableFuture<Long>> failed;
            synchronized (this) {
                failed = new ArrayList<>(waiting);
                waiting.clear();
                sending = false;
            }
            for (CompletableFuture<Long> f : failed) {
                f.completeExceptionally(new RangeUnavailableException("the timestamp client is closed"));
            }
        }
    }

    private void deliver(List<CompletableFuture<Long>> batch, RangeResult.Timestamps t) {
        synchronized (this) {
            if (t.first() + batch.size() - 1 > newest) {
                newest = t.first() + batch.size() - 1;
                newestReceivedNanos = System.nanoTime();
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(t.first() + i);
        }
    }

    /**
     * The newest timestamp this client received from the oracle, if it arrived within the last
     * {@code maxAgeNanos}; else -1. Asks nothing. Any read at it is consistent: the oracle issued
     * it, so every write it will ever give a lower timestamp was already latched or locked.
     */
    public synchronized long recent(long maxAgeNanos) {
        return newest >= 0 && System.nanoTime() - newestReceivedNanos <= maxAgeNanos ? newest : -1;
    }

    /** Sends requests until nobody waits. */
    private void sendAll() {
        while (true) {
            List<CompletableFuture<Long>> batch = new ArrayList<>();
            synchronized (this) {
                while (!waiting.isEmpty() && batch.size() < maxBatch) {
                    batch.add(waiting.poll());
                }
                if (batch.isEmpty()) {
                    sending = false;
                    return;
                }
            }
            long asked = System.nanoTime();
            try {
                RangeResult.Timestamps t = gateway.timestamps(batch.size());
                long took = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
                if (took > slowRequestMillis) {
                    log.debug("{} timestamps from the oracle took {} ms", batch.size(), took);
                }
                if (t.count() != batch.size()) {
                    throw new RangeUnavailableException("the oracle gave " + t.count() + " timestamps for " + batch.size());
                }
                deliver(batch, t);
            } catch (RuntimeException e) {
                log.debug("{} timestamps from the oracle failed after {} ms: {}", batch.size(),
                        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked), e.toString());
                for (CompletableFuture<Long> f : batch) {
                    f.completeExceptionally(e);
                }
            }
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
