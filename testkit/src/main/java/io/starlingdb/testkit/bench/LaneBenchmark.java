package io.starlingdb.testkit.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.cluster.transport.Lane;
import io.starlingdb.cluster.transport.MessageTypes;
import io.starlingdb.cluster.transport.NodeAddress;
import io.starlingdb.cluster.transport.Transport;
import io.starlingdb.cluster.transport.TransportOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.time.Duration;

/**
 * Transport figures on loopback between two transports in one JVM:
 * <ol>
 * <li>CRITICAL round trips idle, then while a LOW-lane bulk transfer saturates the link (and
 * LOW round trips of small requests behind that transfer);</li>
 * <li>small NORMAL-lane request throughput and latency with 1 and 64 concurrent senders.</li>
 * </ol>
 * Arguments: [seconds per phase, default 10] [LOW-lane pace in MiB/s, 0 for unpaced, default
 * the transport's] [socketBufferBytes writeBufferHighWaterBytes].
 */
public final class LaneBenchmark {

    /** A small request and its echo. */
    public record Ping(long n) {
    }

    /** One bulk chunk. */
    public record Chunk(byte[] data) {
    }

    static final int chunkBytes = 64 << 10;
    /** Bulk chunks in flight at once: 2 MiB, more than the link holds between the two nodes. */
    static final int bulkWindowChunks = 32;

    private LaneBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        TransportOptions defaults = TransportOptions.defaults("127.0.0.1", 0, "benchmark-secret");
        TransportOptions options = args.length > 1 ? defaults.withLowLanePace(Long.parseLong(args[1]) << 20) : defaults;
        if (args.length > 3) {
            options = options.withBuffers(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
        MessageTypes types = new MessageTypes().register(Ping.class, 100).register(Chunk.class, 101);
        try (Transport a = new Transport("a", options, types, new SimpleMeterRegistry());
             Transport b = new Transport("b", options, types, new SimpleMeterRegistry())) {
            a.start();
            NodeAddress to = b.start();
            AtomicLong bulkBytes = new AtomicLong();
            b.handle(Ping.class, (from, m) -> m);
            b.handle(Chunk.class, (from, m) -> {
                bulkBytes.addAndGet(m.data().length);
                return new Ping(m.data().length);
            });
            warmUp(a, to);
            System.out.printf(Locale.ROOT, "Transport on loopback, %d s per phase, %d cores, socket buffers %d B,"
                    + " write high water %d B, LOW pace %s%n", seconds, Runtime.getRuntime().availableProcessors(),
                    options.socketBufferBytes(), options.writeBufferHighWaterBytes(),
                    options.lowLaneBytesPerSecond() == 0 ? "none" : (options.lowLaneBytesPerSecond() >> 20) + " MiB/s");

            Percentiles idle = roundTrips(a, to, Lane.CRITICAL, seconds);
            System.out.println("CRITICAL round trip, idle link:           " + idle.summary());

            AtomicBoolean bulkOn = new AtomicBoolean(true);
            // A bulk sender as a snapshot transfer would be: a window of chunks in flight, each
            // acknowledged; the window keeps the LOW lane and the link full without spinning.
            Semaphore window = new Semaphore(bulkWindowChunks);
            Thread bulk = new Thread(() -> {
                byte[] data = new byte[chunkBytes];
                while (bulkOn.get()) {
                    window.acquireUninterruptibly();
                    a.request(to, Lane.LOW, new Chunk(data), Duration.ofSeconds(30))
                            .whenComplete((r, t) -> window.release());
                }
            }, "bulk-low");
            bulk.start();
            long bulkStart = System.nanoTime();
            long bytesBefore = bulkBytes.get();
            Percentiles critical = roundTrips(a, to, Lane.CRITICAL, seconds);
            Percentiles low = roundTrips(a, to, Lane.LOW, Math.max(1, seconds / 2));
            double mbPerSec = (bulkBytes.get() - bytesBefore) / ((System.nanoTime() - bulkStart) / 1e9) / (1 << 20);
            bulkOn.set(false);
            bulk.join();
            System.out.println("CRITICAL round trip, LOW lane saturated: " + critical.summary());
            System.out.println("LOW round trip (small request behind the bulk transfer): " + low.summary());
            System.out.printf(Locale.ROOT, "LOW bulk throughput meanwhile: %.1f MiB/s (%d-chunk window of %d KiB)%n",
                    mbPerSec, bulkWindowChunks, chunkBytes >> 10);

            for (int senders : new int[] {1, 64}) {
                throughput(a, to, senders, seconds);
            }
        }
    }

    /** Runs every path measured (small requests, bulk chunks) until the JIT has compiled it. */
    private static void warmUp(Transport a, NodeAddress to) throws Exception {
        for (int i = 0; i < 20_000; i++) {
            a.request(to, Lane.NORMAL, new Ping(i)).get(5, TimeUnit.SECONDS);
        }
        byte[] data = new byte[chunkBytes];
        for (int i = 0; i < 500; i++) {
            a.request(to, Lane.LOW, new Chunk(data)).get(5, TimeUnit.SECONDS);
        }
    }

    private static Percentiles roundTrips(Transport a, NodeAddress to, Lane lane, int seconds) throws Exception {
        Percentiles p = new Percentiles();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long n = 0;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            a.request(to, lane, new Ping(n++)).get(5, TimeUnit.SECONDS);
            p.add(System.nanoTime() - start);
            LockSupport.parkNanos(200_000); // a probe every ~0.2 ms, not a flood
        }
        return p;
    }

    private static void throughput(Transport a, NodeAddress to, int senders, int seconds) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Percentiles> results = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int s = 0; s < senders; s++) {
            Percentiles p = new Percentiles();
            results.add(p);
            Thread t = new Thread(() -> {
                long n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        a.request(to, Lane.NORMAL, new Ping(n++)).get(10, TimeUnit.SECONDS);
                        p.add(System.nanoTime() - start);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Percentiles all = new Percentiles();
        results.forEach(all::addAll);
        System.out.printf(Locale.ROOT, "NORMAL small requests, %2d senders: %.0f requests/s, %s%n", senders,
                all.count() / elapsed, all.summary());
    }
}
