package io.starlingdb.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.shell.ExitCode;
import io.starlingdb.shell.StarlingCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code starling cluster status}, {@code drain} and {@code remove} against three nodes that
 * hold the replicated key space: status shows the stores with their replicas and leases and the
 * ranges with their leaseholders; remove drains store 3 until no range has a replica on it and
 * marks it removed; operator actions refuse a caller without the cluster secret and name an
 * unknown store.
 */
@Timeout(value = ClusterStoreCliTest.TEST_TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
class ClusterStoreCliTest {

    static final int TEST_TIMEOUT_SECONDS = 240;
    /** Three stores of the testing preset forming the first ranges and electing their leaseholders. */
    private static final long SETTLE_MILLIS = 60_000;

    @TempDir
    Path dir;

    private final List<StarlingNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StarlingCli.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String http(int i) {
        return "127.0.0.1:" + nodes.get(i).httpAddress().getPort();
    }

    private void startStores() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        List<Thread> starters = new ArrayList<>();
        Exception[] failures = new Exception[3];
        for (int i = 1; i <= 3; i++) {
            Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                    "peer.port", String.valueOf(ports[i - 1]), "data.dir", dir.resolve("n" + i).toString(),
                    "store.id", String.valueOf(i), "store.initial.members", "1,2,3",
                    "join", "127.0.0.1:" + ports[i == 1 ? 1 : 0]));
            StarlingNode node = new StarlingNode(NodeConfig.of("testing", settings));
            nodes.add(node);
            int n = i - 1;
            Thread t = new Thread(() -> {
                try {
                    node.start();
                } catch (Exception e) {
                    failures[n] = e;
                }
            });
            starters.add(t);
            t.start();
        }
        for (Thread t : starters) {
            t.join(120_000);
        }
        for (Exception e : failures) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** The rows (cells trimmed) of the table whose header starts with headerStart, up to the next empty line. */
    private static List<List<String>> table(String out, String headerStart) {
        List<List<String>> rows = new ArrayList<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.startsWith(headerStart)) {
                in = true;
            } else if (in && line.isEmpty()) {
                break;
            } else if (in && !line.startsWith("-")) {
                rows.add(java.util.Arrays.stream(line.split("\\|")).map(String::trim).toList());
            }
        }
        return rows;
    }

    /** The row of a store in the stores table of a status output; null if absent. */
    private static List<String> storeRow(String out, int store) {
        return table(out, "STORE | NODE").stream().filter(r -> r.get(0).equals(String.valueOf(store))).findFirst()
                .orElse(null);
    }

    /** True if the stores table lists three stores and each one's STORE STATE is known (not "-"). */
    private static boolean everyStoreStateKnown(String out) {
        List<List<String>> stores = table(out, "STORE | NODE");
        return stores.size() == 3 && stores.stream().allMatch(r -> r.size() > 3 && !r.get(3).equals("-"));
    }

    @Test
    void statusShowsStoresAndLeaseholdersAndRemoveDrainsAStoreFirst() throws Exception {
        startStores();
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        Run status = cli("cluster", "status", "--http", http(0));
        // Settled: every store holds both first ranges and each range has a leaseholder.
        // Settled also means each store has registered itself in meta (its state is known, not "-").
        while (!(status.code() == ExitCode.OK && status.out().contains("3 stores, 2 ranges")
                && leases(status.out()) == 2 && everyStoreStateKnown(status.out())) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            status = cli("cluster", "status", "--http", http(0));
        }
        assertEquals(ExitCode.OK, status.code(), status.err());
        System.out.println(status.out());
        List<String> lines = List.of(status.out().split("\n"));
        int stores = lines.indexOf("3 stores, 2 ranges");
        assertTrue(stores > 0, status.out());
        assertTrue(lines.get(stores + 1).startsWith("STORE | NODE | NODE STATE | STORE STATE | ZONE"), status.out());
        assertEquals(List.of("1", "n1", "alive", "active", "dc1/rack1", "2"), storeRow(status.out(), 1).subList(0, 6));
        List<List<String>> ranges = table(status.out(), "RANGE | START");
        assertEquals(List.of("1", "/min", "/kv/\\x01", "1,2,3", "-"), ranges.get(0).subList(0, 5), status.out());
        assertEquals(List.of("2", "/kv/\\x01", "/max", "1,2,3", "-"), ranges.get(1).subList(0, 5), status.out());
        assertEquals(2, leases(status.out()), "each range's lease on one store: " + status.out());

        // Operator actions need the cluster secret, and name what is wrong.
        HttpClient client = HttpClient.newHttpClient();
        URI drain = URI.create("http://" + http(1) + "/cluster/stores/drain?store=3");
        HttpResponse<String> none = client.send(HttpRequest.newBuilder(drain).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode(), none.body());
        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(drain).header("X-Starling-Secret", "not-the-secret")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertEquals(405, client.send(HttpRequest.newBuilder(drain).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        Run unknown = cli("cluster", "drain", "--store", "9", "--http", http(1));
        assertEquals(ExitCode.FAILURE, unknown.code());
        assertTrue(unknown.err().contains("answered 404: store 9 is not registered in the cluster"), unknown.err());
        assertEquals(List.of("1", "n1", "alive", "active"), storeRow(cli("cluster", "status", "--http", http(0)).out(), 1)
                .subList(0, 4), "a refused action changed nothing");

        Run drained = cli("cluster", "drain", "--store", "3", "--http", http(1));
        assertEquals(ExitCode.OK, drained.code(), drained.err());
        assertTrue(drained.out().startsWith("store 3 is draining; 2 replicas on it to move"), drained.out());

        Run removed = cli("cluster", "remove", "--store", "3", "--http", http(1), "--timeout", "120");
        assertEquals(ExitCode.OK, removed.code(), removed.out() + removed.err());
        assertTrue(removed.out().contains("store 3 is removed: it holds no replica and receives none"), removed.out());
        Run after = cli("cluster", "status", "--http", http(0));
        System.out.println(removed.out() + after.out());
        assertEquals(List.of("3", "n3", "alive", "removed", "dc1/rack1", "0", "0"), storeRow(after.out(), 3), after.out());
        List<List<String>> rangesAfter = table(after.out(), "RANGE | START");
        assertEquals(2, rangesAfter.size(), after.out());
        for (List<String> r : rangesAfter) {
            assertEquals("1,2", r.get(3), "no range names store 3: " + after.out());
            assertEquals("-", r.get(4), "no learner left: " + after.out());
        }
        Run again = cli("cluster", "remove", "--store", "3", "--http", http(0));
        assertEquals(ExitCode.OK, again.code(), "removing a removed store is done already: " + again.err());
    }

    /** The sum of the LEASES column of the stores table. */
    private static int leases(String out) {
        int total = 0;
        for (int store = 1; store <= 3; store++) {
            List<String> row = storeRow(out, store);
            if (row != null && row.get(6).matches("\\d+")) {
                total += Integer.parseInt(row.get(6));
            }
        }
        return total;
    }
}
