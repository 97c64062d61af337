package io.starlingdb.testkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Path;

/**
 * Five {@link PeerProcess} nodes on loopback with the default configuration.
 * <ul>
 * <li>{@code kill [trials]}: SIGKILL one node per trial (rotating), time until every other
 * node has declared it dead, restart it, wait until all see five alive; prints min, median
 * and max.</li>
 * <li>{@code loss [seconds]}: inject 5 % loss on every node's inbound membership traffic and
 * count live members declared dead (expected: none) and suspicions raised.</li>
 * </ul>
 */
public final class KillDetectionBenchmark {

    static final int nodes = 5;
    static final long convergeTimeoutMillis = 60_000;
    static final String secret = "kill-benchmark-secret";

    private final Process[] processes = new Process[nodes];
    private final int[] ports = new int[nodes];
    /** Per observer: the members it currently holds up (ALIVE or SUSPECT). */
    private final List<Set<String>> up = new ArrayList<>();
    /** Per observer: epoch millis of its last DEAD event per member. */
    private final List<Map<String, Long>> deadAt = new ArrayList<>();
    private final AtomicInteger deaths = new AtomicInteger();
    private final AtomicInteger suspicions = new AtomicInteger();
    private final double loss;

    private KillDetectionBenchmark(double loss) throws IOException {
        this.loss = loss;
        for (int i = 0; i < nodes; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports[i] = s.getLocalPort();
            }
            up.add(ConcurrentHashMap.newKeySet());
            deadAt.add(new ConcurrentHashMap<>());
        }
    }

    private static String id(int i) {
        return "n" + (i + 1);
    }

    private void start(int i, String seeds) throws IOException, InterruptedException {
        up.get(i).clear();
        up.get(i).add(id(i));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
                "-cp", System.getProperty("java.class.path"), PeerProcess.class.getName(), id(i),
                Integer.toString(ports[i]), seeds, Double.toString(loss), secret);
        builder.redirectErrorStream(true);
        Process p = builder.start();
        processes[i] = p;
        Thread reader = new Thread(() -> read(i, p), "read-" + id(i));
        reader.setDaemon(true);
        reader.start();
    }

    private void read(int observer, Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("EVENT ")) {
                    continue;
                }
                String[] f = line.split(" ");
                String type = f[1];
                String member = f[2];
                long at = Long.parseLong(f[4]);
                switch (type) {
                    case "JOINED", "ALIVE" -> up.get(observer).add(member);
                    case "SUSPECT" -> suspicions.incrementAndGet();
                    case "DEAD" -> {
                        up.get(observer).remove(member);
                        deadAt.get(observer).put(member, at);
                        deaths.incrementAndGet();
                    }
                    case "LEFT" -> up.get(observer).remove(member);
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            // the process died; nothing more to read
        }
    }

    private String seedsExcept(int skip) {
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            if (i != skip) {
                seeds.add("127.0.0.1:" + ports[i]);
            }
        }
        return String.join(",", seeds);
    }

    private void startAll() throws Exception {
        start(0, "-");
        for (int i = 1; i < nodes; i++) {
            start(i, "127.0.0.1:" + ports[0]);
        }
        awaitAllUp();
    }

    private void awaitAllUp() throws InterruptedException {
        long end = System.currentTimeMillis() + convergeTimeoutMillis;
        while (true) {
            boolean all = true;
            for (int i = 0; i < nodes; i++) {
                all &= up.get(i).size() == nodes;
            }
            if (all) {
                return;
            }
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("no convergence to " + nodes + " alive members: " + up);
            }
            Thread.sleep(20);
        }
    }

    private long killTrial(int victim) throws Exception {
        String victimId = id(victim);
        for (Map<String, Long> d : deadAt) {
            d.remove(victimId);
        }
        long killedAt = System.currentTimeMillis();
        processes[victim].destroyForcibly(); // SIGKILL
        processes[victim].waitFor();
        long end = killedAt + convergeTimeoutMillis;
        while (true) {
            long latest = 0;
            boolean all = true;
            for (int i = 0; i < nodes; i++) {
                if (i == victim) {
                    continue;
                }
                Long at = deadAt.get(i).get(victimId);
                if (at == null || at < killedAt) {
                    all = false;
                    break;
                }
                latest = Math.max(latest, at);
            }
            if (all) {
                return latest - killedAt;
            }
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException(victimId + " not declared dead by all within " + convergeTimeoutMillis + " ms");
            }
            Thread.sleep(5);
        }
    }

    private void stopAll() {
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "kill";
        if (mode.equals("kill")) {
            int trials = args.length > 1 ? Integer.parseInt(args[1]) : 10;
            KillDetectionBenchmark bench = new KillDetectionBenchmark(0.0);
            try {
                bench.startAll();
                long[] times = new long[trials];
                for (int t = 0; t < trials; t++) {
                    int victim = t % nodes;
                    times[t] = bench.killTrial(victim);
                    System.out.printf(Locale.ROOT, "trial %2d: SIGKILL %s, declared dead by all %d others after %d ms%n",
                            t + 1, id(victim), nodes - 1, times[t]);
                    bench.start(victim, bench.seedsExcept(victim));
                    bench.awaitAllUp();
                }
                Arrays.sort(times);
                System.out.printf(Locale.ROOT, "SIGKILL detection by all members, %d trials: min %d ms, median %d ms,"
                        + " max %d ms%n", trials, times[0], times[trials / 2], times[trials - 1]);
            } finally {
                bench.stopAll();
            }
        } else if (mode.equals("loss")) {
            long seconds = args.length > 1 ? Long.parseLong(args[1]) : 300;
            KillDetectionBenchmark bench = new KillDetectionBenchmark(0.05);
            try {
                bench.startAll();
                bench.deaths.set(0);
                bench.suspicions.set(0);
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                System.out.printf(Locale.ROOT, "%d nodes, 5%% inbound membership loss, %d s: %d suspicions raised,"
                        + " %d live members declared dead%n", nodes, seconds, bench.suspicions.get(), bench.deaths.get());
            } finally {
                bench.stopAll();
            }
        } else {
            System.err.println("usage: KillDetectionBenchmark kill [trials] | loss [seconds]");
            System.exit(2);
        }
    }
}
