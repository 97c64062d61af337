package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A Starling node in its own JVM ({@code NodeMain start}), on free ports, with the test JVM's
 * class path. Readiness is the node's own answer: the ports file it writes once serving, then
 * 200 from /health, awaited with a deadline.
 */
final class NodeProcess implements AutoCloseable {

    /** Start-up includes JVM start, class loading and RocksDB recovery on a slow, shared CI machine. */
    static final Duration startTimeout = Duration.ofSeconds(60);
    /** A graceful stop flushes RocksDB and lets in-flight statements finish. */
    static final Duration stopTimeout = Duration.ofSeconds(30);
    /** System property: more JVM options for every node process, space-separated. */
    static final String nodeJvmOptionsProperty = "starling.test.nodeJvmOptions";
    /** Between two readiness probes: waits on the process, so an early exit is seen at once. */
    private static final long probeIntervalMillis = 100;

    private final Process process;
    private final Path output;
    private final int clientPort;

    private NodeProcess(Process process, Path output, int clientPort) {
        this.process = process;
        this.output = output;
        this.clientPort = clientPort;
    }

    /** Starts a node on {@code dataDir} with fsynced commits and waits until it serves SQL. */
    static NodeProcess start(Path dataDir, Path output) throws Exception {
        return start(dataDir, output, List.of());
    }

    /**
     * Starts store i of a cluster whose first stores 1-3 hold the first ranges: its data in
     * {@code dir/n<i>}, its output in {@code dir/n<i>.out}, peer port peerPorts[i], joining
     * store 1 (store 1 joins store 2), with more settings as flags.
     */
    static NodeProcess startStore(Path dir, int i, int[] peerPorts, String... more) throws Exception {
        Files.createDirectories(dir.resolve("n" + i));
        String join = "127.0.0.1:" + peerPorts[i == 1 ? 2 : 1];
        List<String> settings = new ArrayList<>(List.of("--node-id", "n" + i, "--peer-port", String.valueOf(peerPorts[i]),
                "--join", join, "--store-id", String.valueOf(i), "--store-initial-members", "1,2,3"));
        settings.addAll(List.of(more));
        return start(dir.resolve("n" + i), dir.resolve("n" + i + ".out"), settings);
    }

    /** As {@link #start(Path, Path)}, with more settings as flags ({@code --store-id 2 ...}). */
    static NodeProcess start(Path dataDir, Path output, List<String> settings) throws Exception {
        Path portsFile = dataDir.resolve("node.ports");
        Files.deleteIfExists(portsFile);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        // More JVM options for every node, space-separated: e.g. a logback configuration that logs
        // the gateway's retries at DEBUG when investigating a failover.
        String extra = System.getProperty(nodeJvmOptionsProperty, "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                "io.starlingdb.server.NodeMain", "start",
                "--preset", "development",
                "--data-dir", dataDir.toString(),
                "--client-port", "0",
                "--http-port", "0",
                "--sync-commits", "true",
                // The start-up JIT warm-up would compete with the test's workload for the CPU.
                "--sql-warmup-statements", "0"));
        command.addAll(settings);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(portsFile)) {
                Properties ports = new Properties();
                try (var reader = Files.newBufferedReader(portsFile)) {
                    ports.load(reader);
                }
                int httpPort = Integer.parseInt(ports.getProperty("http.port"));
                if (healthy(http, httpPort)) {
                    return new NodeProcess(process, output, Integer.parseInt(ports.getProperty("client.port")));
                }
            }
            if (process.waitFor(probeIntervalMillis, TimeUnit.MILLISECONDS)) {
                fail("node exited with " + process.exitValue() + " while starting:\n" + Files.readString(output));
            }
        }
        process.destroyForcibly().waitFor();
        fail("node did not become healthy within " + startTimeout + ":\n" + Files.readString(output));
        throw new AssertionError();
    }

    private static boolean healthy(HttpClient http, int port) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    String jdbcUrl() {
        return "jdbc:starling://127.0.0.1:" + clientPort + "/";
    }

    /** SIGTERM, then the exit code of the graceful stop. */
    int terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("node did not stop within " + stopTimeout + " of SIGTERM:\n" + Files.readString(output));
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush; only what was fsynced survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
