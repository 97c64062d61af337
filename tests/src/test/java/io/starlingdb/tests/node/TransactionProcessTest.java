package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.engine.storage.KvCursor;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.testkit.examples.BankWorkload;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's process test: three node processes, bank transfers in SERIALIZABLE from the test
 * JVM and from a coordinator process of its own, while the leaseholder of each accounts range
 * and then the meta range's (the timestamp oracle) is SIGKILLed and restarted, and finally the
 * coordinator process is SIGKILLed in the middle of its transactions. The bank's total never
 * changes in any snapshot, every balance is what the committed transfer records say, every
 * acknowledged transfer is there, and the dead coordinator's locks are gone within their TTL.
 */
class TransactionProcessTest {

    static final int accounts = 10;
    /** How long transfers run before, between and after the kills. */
    static final long phaseMillis = 3_000;
    /** A lock's TTL (ClusterTransactions.Settings.defaults) plus one recovery sweep and a second of slack. */
    static final long lockGoneMillis = 3_000 + 1_000 + 1_000;

    @TempDir
    Path dir;

    private final NodeProcess[] nodes = new NodeProcess[4];
    private final int[] peerPorts = new int[4];
    private Process coordinator;

    private void start(int i) throws Exception {
        nodes[i] = NodeProcess.startStore(dir, i, peerPorts);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (coordinator != null) {
            coordinator.destroyForcibly().waitFor();
        }
        for (NodeProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void bankTotalHoldsThroughKillsOfLeaseholdersTheOracleAndACoordinator() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        System.arraycopy(ports, 0, peerPorts, 1, 3);
        for (int i = 1; i <= 3; i++) {
            start(i);
        }
        String seeds = "127.0.0.1:" + peerPorts[1] + ",127.0.0.1:" + peerPorts[2] + ",127.0.0.1:" + peerPorts[3];
        try (StarlingClient client = StarlingClient.connect(seeds)) {
            BankWorkload.open(client, accounts);
            client.split(BankWorkload.account(accounts / 2)); // transfers between the halves take two phases
            Path coordinatorOut = dir.resolve("coordinator.out");
            coordinator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), BankWorkload.class.getName(), "--seeds", seeds,
                    "--worker", "p", "--accounts", String.valueOf(accounts), "--threads", "2")
                    .redirectErrorStream(true).redirectOutput(coordinatorOut.toFile()).start();

            Path localOut = dir.resolve("local.out");
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads;
            int snapshots = 0;
            try (PrintStream out = new PrintStream(Files.newOutputStream(localOut), true, StandardCharsets.UTF_8)) {
                threads = BankWorkload.start(client, "t", accounts, 3, running, out);
                snapshots += checkSnapshotsFor(client, phaseMillis);
                byte[][] killed = {BankWorkload.account(0), BankWorkload.account(accounts - 1), new byte[] {0}};
                for (byte[] key : killed) {
                    if (key.length == 1) {
                        client.ranges(); // reads meta, so the client knows the meta range's leaseholder
                    }
                    int victim = (int) client.leaseholder(key);
                    assertTrue(victim >= 1 && victim <= 3, "leaseholder known: " + victim);
                    nodes[victim].kill();
                    snapshots += checkSnapshotsFor(client, phaseMillis);
                    start(victim);
                    snapshots += checkSnapshotsFor(client, phaseMillis);
                }
                running.set(false);
                for (Thread t : threads) {
                    t.join(120_000);
                }
            }

            String member = firstLine(coordinatorOut, "member ");
            assertNotNull(member, "the coordinator process never connected: " + Files.readString(coordinatorOut));
            coordinator.destroyForcibly().waitFor(); // SIGKILL, in the middle of its transactions
            long killed = System.nanoTime();
            long gone;
            while (true) {
                List<RangeResult.LockInfo> left = client.locks(BankWorkload.account(0), BankWorkload.recordsEnd(), 1_000)
                        .stream().filter(l -> l.coordinator().equals(member)).toList();
                gone = (System.nanoTime() - killed) / 1_000_000;
                if (left.isEmpty()) {
                    break;
                }
                assertTrue(gone < lockGoneMillis, left.size() + " locks of the dead coordinator left after " + gone + " ms");
                Thread.sleep(20);
            }
            System.out.println("the dead coordinator's locks were gone " + gone + " ms after its SIGKILL; "
                    + snapshots + " snapshots checked");

            checkSnapshotsFor(client, 0);
            checkBalancesAgainstRecords(client, List.of(localOut, dir.resolve("coordinator.out")));
        }
    }

    /** Reads the whole bank in snapshots for millis (at least once); each must hold the total. */
    private static int checkSnapshotsFor(StarlingClient client, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int n = 0;
        do {
            try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT);
                 KvCursor c = t.scan(BankWorkload.account(0), BankWorkload.accountsEnd())) {
                long total = 0;
                int count = 0;
                while (c.next()) {
                    total += BankWorkload.amount(c.value());
                    count++;
                }
                assertEquals(accounts, count);
                assertEquals(accounts * BankWorkload.initialBalance, total, "a snapshot saw a transfer half done");
                n++;
            } catch (io.starlingdb.engine.range.RangeUnavailableException e) {
                // a range is between leaseholders: read again
            }
        } while (System.nanoTime() < deadline);
        return n;
    }

    private static void checkBalancesAgainstRecords(StarlingClient client, List<Path> outputs) throws Exception {
        Map<String, BankWorkload.Transfer> records = new HashMap<>();
        long[] expected = new long[accounts];
        java.util.Arrays.fill(expected, BankWorkload.initialBalance);
        try (ClusterTransaction t = client.begin(Isolation.SNAPSHOT)) {
            try (KvCursor c = t.scan(BankWorkload.recordsStart(), BankWorkload.recordsEnd())) {
                while (c.next()) {
                    BankWorkload.Transfer x = BankWorkload.Transfer.decode(c.value());
                    records.put(new String(c.key(), StandardCharsets.UTF_8).substring("bank/xfer/".length()), x);
                    expected[x.from()] -= x.amount();
                    expected[x.to()] += x.amount();
                }
            }
            for (int i = 0; i < accounts; i++) {
                assertEquals(expected[i], BankWorkload.amount(t.get(BankWorkload.account(i))),
                        "account " + i + " against the " + records.size() + " committed transfer records");
            }
        }
        Set<String> acknowledged = new HashSet<>();
        for (Path p : outputs) {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(line.substring(4));
                }
            }
        }
        List<String> lost = new ArrayList<>();
        for (String id : acknowledged) {
            if (!records.containsKey(id)) {
                lost.add(id);
            }
        }
        assertTrue(lost.isEmpty(), lost.size() + " acknowledged transfers lost: " + lost);
        assertTrue(acknowledged.size() > 10, "too few transfers to mean anything: " + acknowledged.size());
        System.out.println(acknowledged.size() + " acknowledged transfers, " + records.size() + " committed");
    }

    private static String firstLine(Path file, String prefix) throws Exception {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        return null;
    }
}
