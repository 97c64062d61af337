package io.starlingdb.engine.txn;

import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.RangeResult;
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

    public TimestampClient(DistSender gateway) {
        this.gateway = gateway;
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
        CompletableFuture<Long> f = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            waiting.add(f);
            start = !sending;
            sending = true;
        }
        if (start) {
            try {
                sender.execute(this::sendAll);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                f.completeExceptionally(new RangeUnavailableException("the timestamp client is closed"));
            }
        }
        return f;
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
                synchronized (this) {
                    if (t.first() + batch.size() - 1 > newest) {
                        newest = t.first() + batch.size() - 1;
                        newestReceivedNanos = System.nanoTime();
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).complete(t.first() + i);
                }
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
