package io.starlingdb.testkit.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The peer measurement for the Raft benchmark: puts of fixed-size values into an etcd
 * cluster with C concurrent clients, printing puts/s and commit latency p50/p99 in the same
 * format as Starling's Raft benchmark. It speaks etcd's v3 JSON gateway over HTTP/1.1 with
 * one keep-alive connection per client thread, so no gRPC library is needed; the gateway
 * adds a little per-request overhead, which favours neither side's consensus.
 *
 * <pre>EtcdBench --endpoints http://127.0.0.1:2379,... [--value-bytes 100] [--seconds 10] [--concurrency 1,16,128]</pre>
 */
public final class EtcdBench {

    private static final long MAX_TRACKED_LATENCY_NANOS = 60_000_000_000L;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public static void main(String[] args) throws Exception {
        List<String> endpoints = List.of("http://127.0.0.1:2379");
        int valueBytes = 100;
        int seconds = 10;
        List<Integer> concurrencies = List.of(1, 16, 128);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--endpoints" -> endpoints = List.of(args[i + 1].split(","));
                case "--value-bytes" -> valueBytes = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--concurrency" -> concurrencies = parseInts(args[i + 1]);
                default -> {
                    System.err.println("EtcdBench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        // etcd forwards proposals to its leader; sending to the leader directly is what a
        // fair client does (etcd's own benchmark tool spreads over endpoints; both work).
        String value = Base64.getEncoder().encodeToString("v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII));
        System.out.printf(Locale.ROOT, "%-8s %-12s %12s %10s %10s %8s%n", "target", "concurrency", "puts/s", "p50_ms", "p99_ms", "errors");
        for (int c : concurrencies) {
            run(endpoints, value, c, seconds);
        }
    }

    private static List<Integer> parseInts(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    private static void run(List<String> endpoints, String value, int concurrency, int seconds) throws InterruptedException {
        Recorder recorder = new Recorder(MAX_TRACKED_LATENCY_NANOS, 3);
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long warmupEnd = System.nanoTime() + 1_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            String endpoint = endpoints.get(t % endpoints.size());
            int id = t;
            Thread thread = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(REQUEST_TIMEOUT).build();
                long n = 0;
                long now;
                while ((now = System.nanoTime()) < end) {
                    String key = Base64.getEncoder().encodeToString(("k" + id + "-" + (n++ % 10_000)).getBytes(StandardCharsets.US_ASCII));
                    HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/v3/kv/put"))
                            .timeout(REQUEST_TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}"))
                            .build();
                    try {
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                        }
                    } catch (Exception e) {
                        if (now >= warmupEnd) {
                            errors.incrementAndGet();
                        }
                        continue;
                    }
                    if (now >= warmupEnd) {
                        recorder.recordValue(Math.min(System.nanoTime() - now, MAX_TRACKED_LATENCY_NANOS));
                        ops.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Histogram h = recorder.getIntervalHistogram();
        System.out.printf(Locale.ROOT, "%-8s %-12d %12.1f %10.3f %10.3f %8d%n", "etcd", concurrency,
                ops.get() / (double) seconds, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, errors.get());
    }
}
