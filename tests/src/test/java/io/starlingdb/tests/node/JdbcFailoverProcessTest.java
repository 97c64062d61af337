package io.starlingdb.tests.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.MessageCodec;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import io.starlingdb.testkit.check.HistoryOp;
import io.starlingdb.testkit.check.KvOp;
import io.starlingdb.testkit.check.LinearizabilityChecker;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's process test: three node processes with {@code --sql-storage cluster}, an
 * application on two HikariCP pools whose URL names node 1 only (the driver learns the others
 * from the handshake), running point reads, bank transfers in SERIALIZABLE, inserts, updates and
 * a register workload (read, write, compare-and-set through UPDATE ... WHERE v = ?), while each
 * node in turn is SIGKILLed and restarted. The bank total holds in every snapshot and at the end,
 * every acknowledged insert and update is there, the register history is linearizable, the
 * application saw only 40001, 40003 and 08xxx errors and each failed operation succeeded when
 * retried, and the longest time without a successful statement after each kill is reported.
 */
class JdbcFailoverProcessTest {

    static final int accounts = 20;
    static final long initialBalance = 1_000;
    static final int registers = 3;
    static final int bankWorkers = 3;
    static final int registerWorkers = 3;
    /** Rounds of killing every node once; -Plong runs more (starling.failover.rounds). */
    static final int rounds = Integer.getInteger("starling.failover.rounds", 1);
    /** Workload before a kill and after a restart, so every phase starts from a serving cluster. */
    static final long steadyMillis = 3_000;
    /** How long the workload runs on two nodes after a kill, before the victim is restarted. */
    static final long afterKillMillis = 6_000;
    /** The longest time without a successful statement after a kill that the test accepts (the aim is 3 s). */
    static final long availabilityBoundMillis = 20_000;
    /** How long one operation may keep failing before the test counts it as never succeeding. */
    static final long retryDeadlineMillis = 60_000;

    @TempDir
    Path dir;

    private final NodeProcess[] nodes = new NodeProcess[4];
    private final int[] peerPorts = new int[4];
    private final int[] clientPorts = new int[4];
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** When statements succeeded (nanoTime), all workers together. */
    private final ConcurrentLinkedQueue<Long> successes = new ConcurrentLinkedQueue<>();
    /** SQLStates the application saw, with counts. */
    private final Map<String, AtomicLong> errorStates = new ConcurrentHashMap<>();
    /** Errors outside 40001, 40003 and 08xxx. */
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    /** Every error the application saw: when (nanoTime), which worker, which SQLState. */
    private final ConcurrentLinkedQueue<String[]> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong retriedThenSucceeded = new AtomicLong();
    private final AtomicLong snapshotsChecked = new AtomicLong();

    @AfterEach
    void stop() throws InterruptedException {
        running.set(false);
        for (NodeProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    private NodeProcess start(int i) throws Exception {
        return NodeProcess.startStore(dir, i, peerPorts, "--sql-storage", "cluster",
                "--client-port", String.valueOf(clientPorts[i]));
    }

    @Test
    void bankTotalAcknowledgedWritesAndRegistersHoldWhileEachNodeIsKilledUnderHikari() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(6);
        System.arraycopy(ports, 0, peerPorts, 1, 3);
        System.arraycopy(ports, 3, clientPorts, 1, 3);
        long started = System.nanoTime();
        startAll();
        System.out.println("three nodes serving after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        awaitHandshakeNamesEveryNode();
        createSchema();

        String url = "jdbc:starling://127.0.0.1:" + clientPorts[1] + "/";
        List<Thread> workers = new ArrayList<>();
        List<HistoryOp> history = Collections.synchronizedList(new ArrayList<>());
        Set<Long> ackedInserts = ConcurrentHashMap.newKeySet();
        AtomicLong ackedUpdate = new AtomicLong(-1);
        AtomicLong attemptedUpdate = new AtomicLong(-1);
        Set<Long> unknownUpdates = ConcurrentHashMap.newKeySet();
        long t0 = System.nanoTime();
        for (int k = 1; k <= registers; k++) {
            history.add(HistoryOp.completed(-1, KvOp.put(String.valueOf(k), "init"), t0, t0, null));
        }
        List<String> kills = new ArrayList<>();
        try (HikariDataSource pool = pool(url, "app", 8, false); HikariDataSource bank = pool(url, "bank", bankWorkers, true)) {
            for (int w = 0; w < bankWorkers; w++) {
                workers.add(worker("transfers-" + w, () -> transfer(bank)));
            }
            workers.add(worker("reads", () -> pointRead(pool)));
            workers.add(worker("snapshots", () -> checkTotal(pool)));
            AtomicLong nextInsert = new AtomicLong();
            workers.add(worker("inserts", () -> insert(pool, nextInsert.getAndIncrement(), ackedInserts)));
            AtomicLong nextUpdate = new AtomicLong();
            workers.add(worker("updates", () -> update(pool, nextUpdate.getAndIncrement(), attemptedUpdate, ackedUpdate,
                    unknownUpdates)));
            for (int w = 0; w < registerWorkers; w++) {
                int id = w;
                AtomicLong seq = new AtomicLong();
                Map<String, String> lastRead = new ConcurrentHashMap<>();
                workers.add(worker("registers-" + w, () -> registerOp(pool, id, seq.getAndIncrement(), lastRead, history)));
            }
            workers.forEach(Thread::start);

            for (int round = 0; round < rounds; round++) {
                for (int victim = 1; victim <= 3; victim++) {
                    Thread.sleep(steadyMillis);
                    nodes[victim].kill();
                    long killed = System.nanoTime();
                    // The wall clock of the kill, to read the nodes' logs against.
                    java.time.Instant killedAt = java.time.Instant.now();
                    Thread.sleep(afterKillMillis);
                    awaitServing(killed);
                    long restarting = System.nanoTime();
                    long gap = longestGapMillis(killed, restarting);
                    kills.add("n" + victim + " " + gap + " ms");
                    System.out.println("SIGKILL n" + victim + " at " + killedAt + ": longest time without a successful statement " + gap
                            + " ms; successes per 500 ms since the kill " + timeline(killed, restarting) + "; errors "
                            + errorsBetween(killed, restarting));
                    assertTrue(gap < availabilityBoundMillis, "no statement succeeded for " + gap + " ms after n" + victim
                            + " was killed; errors " + errorStates);
                    nodes[victim] = start(victim);
                    System.out.println("n" + victim + " restarted and serving after "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting) + " ms");
                }
            }
            Thread.sleep(steadyMillis);
            running.set(false);
            for (Thread t : workers) {
                t.join(retryDeadlineMillis + 30_000);
                assertTrue(!t.isAlive(), t.getName() + " did not stop");
            }

            assertTrue(unexpected.isEmpty(), "errors other than 40001, 40003, 08xxx: " + unexpected);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(balance) FROM accounts")) {
                    assertTrue(rs.next());
                    assertEquals(accounts, rs.getLong(1));
                    assertEquals(accounts * initialBalance, rs.getLong(2), "the bank's total changed");
                }
                Set<Long> present = new TreeSet<>();
                try (ResultSet rs = s.executeQuery("SELECT id FROM events")) {
                    while (rs.next()) {
                        present.add(rs.getLong(1));
                    }
                }
                Set<Long> lost = new TreeSet<>(ackedInserts);
                lost.removeAll(present);
                assertTrue(lost.isEmpty(), lost.size() + " acknowledged inserts lost: " + lost);
                try (ResultSet rs = s.executeQuery("SELECT seq FROM counters WHERE worker = 1")) {
                    assertTrue(rs.next());
                    long seq = rs.getLong(1);
                    assertTrue((seq >= ackedUpdate.get() || unknownUpdates.contains(seq)) && seq <= attemptedUpdate.get(),
                            "the counter holds " + seq + ", the last acknowledged update wrote " + ackedUpdate.get()
                            + ", the last attempted " + attemptedUpdate.get() + ", of unknown outcome " + unknownUpdates);
                }
            }
        }
        LinearizabilityChecker.Result result = new LinearizabilityChecker().check(new ArrayList<>(history));
        assertTrue(result.ok(), result.explanation());
        assertTrue(ackedInserts.size() > 20 && snapshotsChecked.get() > 10, "too little work to mean anything: "
                + ackedInserts.size() + " inserts, " + snapshotsChecked.get() + " snapshots");
        System.out.println("JdbcFailoverProcessTest: longest time without a successful statement after each SIGKILL: "
                + kills + "; " + successes.size() + " successful statements, " + ackedInserts.size() + " acknowledged inserts, "
                + snapshotsChecked.get() + " snapshots with the right total, " + history.size() + " register operations ("
                + history.stream().filter(HistoryOp::unknown).count() + " of unknown outcome) linearizable; errors seen "
                + new TreeMap<>(errorStates) + ", " + retriedThenSucceeded.get() + " operations succeeded when retried");
    }

    /** Starts the three nodes at once: each serves SQL only when the cluster's ranges answer, which takes two. */
    private void startAll() throws Exception {
        Exception[] failures = new Exception[4];
        Thread[] starters = new Thread[4];
        for (int i = 1; i <= 3; i++) {
            int n = i;
            starters[i] = new Thread(() -> {
                try {
                    nodes[n] = start(n);
                } catch (Exception | AssertionError e) {
                    failures[n] = e instanceof Exception x ? x : new Exception(e);
                }
            });
            starters[i].start();
        }
        for (int i = 1; i <= 3; i++) {
            starters[i].join();
        }
        for (Exception e : failures) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** Node 1's handshake names the client addresses of all three nodes (gossiped in SWIM metadata), itself first. */
    private void awaitHandshakeNamesEveryNode() throws Exception {
        List<String> expected = List.of("127.0.0.1:" + clientPorts[1], "127.0.0.1:" + clientPorts[2], "127.0.0.1:" + clientPorts[3]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> named;
        do {
            named = helloAddresses(clientPorts[1]);
            if (named.size() == 3 && named.get(0).equals(expected.get(0)) && new TreeSet<>(named).equals(new TreeSet<>(expected))) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail("node 1's handshake named " + named + ", not " + expected);
    }

    private static List<String> helloAddresses(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] hello = MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "test", ""));
            out.writeInt(hello.length);
            out.write(hello);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            Response response = MessageCodec.decodeResponse(answer);
            return response instanceof Response.HelloOk ok ? ok.clientAddresses() : List.of();
        }
    }

    private void createSchema() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:starling://127.0.0.1:" + clientPorts[1] + "/");
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < accounts; i++) {
                rows.append(i == 0 ? "" : ", ").append("(").append(i).append(", ").append(initialBalance).append(")");
            }
            s.executeUpdate("INSERT INTO accounts VALUES " + rows);
            s.execute("CREATE TABLE events (id BIGINT PRIMARY KEY, payload VARCHAR(32) NOT NULL)");
            s.execute("CREATE TABLE counters (worker INT PRIMARY KEY, seq BIGINT NOT NULL)");
            s.executeUpdate("INSERT INTO counters VALUES (1, -1)");
            s.execute("CREATE TABLE registers (k INT PRIMARY KEY, v VARCHAR(32) NOT NULL)");
            s.executeUpdate("INSERT INTO registers VALUES (1, 'init'), (2, 'init'), (3, 'init')");
        }
    }

    private static HikariDataSource pool(String url, String name, int size, boolean serializableTransactions) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(30_000);
        config.setValidationTimeout(2_000);
        if (serializableTransactions) {
            config.setAutoCommit(false);
            config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
        }
        return new HikariDataSource(config);
    }

    /** One unit of work; returns normally when it succeeded. */
    private interface Operation {
        void run() throws SQLException, InterruptedException;
    }

    /** Runs op over and over until the test stops; each run is retried on 40001, 40003 and 08xxx until it succeeds. */
    private Thread worker(String name, Operation op) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDeadlineMillis);
                boolean failed = false;
                while (true) {
                    try {
                        op.run();
                        if (failed) {
                            retriedThenSucceeded.incrementAndGet();
                        }
                        break;
                    } catch (SQLException e) {
                        failed = true;
                        String state = String.valueOf(e.getSQLState());
                        sawError(name, state);
                        if (!retryable(state)) {
                            unexpected.add(name + ": " + state + " " + e.getMessage());
                            return;
                        }
                        if (!running.get()) {
                            return;
                        }
                        if (System.nanoTime() > deadline) {
                            unexpected.add(name + ": still failing after " + retryDeadlineMillis + " ms: " + state + " "
                                    + e.getMessage());
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (AssertionError e) {
                        unexpected.add(name + ": " + e.getMessage());
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void sawError(String worker, String state) {
        errorStates.computeIfAbsent(state, k -> new AtomicLong()).incrementAndGet();
        errors.add(new String[] {Long.toString(System.nanoTime()), worker, state});
    }

    /** The errors seen in [from, to], as "state worker @ms since from". */
    private List<String> errorsBetween(long from, long to) {
        List<String> out = new ArrayList<>();
        for (String[] e : errors) {
            long t = Long.parseLong(e[0]);
            if (t >= from && t < to) {
                out.add(e[2] + " " + e[1] + " @" + (t - from) / 1_000_000);
            }
        }
        return out;
    }

    private static boolean retryable(String state) {
        return state.equals("40001") || state.equals("40003") || state.startsWith("08");
    }

    private void succeeded() {
        successes.add(System.nanoTime());
    }

    private void transfer(HikariDataSource bank) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int from = random.nextInt(accounts);
        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
        long amount = 1 + random.nextInt(10);
        try (Connection c = bank.getConnection()) {
            try (PreparedStatement read = c.prepareStatement("SELECT balance FROM accounts WHERE id = ?");
                 PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                read.setInt(1, from);
                try (ResultSet rs = read.executeQuery()) {
                    assertTrue(rs.next(), "account " + from);
                }
                move.setLong(1, -amount);
                move.setInt(2, from);
                assertEquals(1, move.executeUpdate());
                move.setLong(1, amount);
                move.setInt(2, to);
                assertEquals(1, move.executeUpdate());
                c.commit();
                succeeded();
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The pool evicts a broken connection; the transaction is gone either way.
        }
    }

    private void pointRead(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT balance FROM accounts WHERE id = ?")) {
            ps.setInt(1, ThreadLocalRandom.current().nextInt(accounts));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
            }
            succeeded();
        }
    }

    /** Every snapshot of the bank holds its total: a transfer is never seen half done. */
    private void checkTotal(HikariDataSource pool) throws SQLException, InterruptedException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(balance) FROM accounts")) {
            assertTrue(rs.next());
            assertEquals(accounts, rs.getLong(1));
            assertEquals(accounts * initialBalance, rs.getLong(2), "a snapshot saw a transfer half done");
            snapshotsChecked.incrementAndGet();
            succeeded();
        }
        Thread.sleep(200);
    }

    /**
     * Inserts row id, retried until it succeeds. After an attempt of unknown outcome, a duplicate
     * key on the retry means that attempt committed.
     */
    private void insert(HikariDataSource pool, long id, Set<Long> acked) throws SQLException {
        boolean ambiguous = false;
        boolean retried = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDeadlineMillis);
        while (true) {
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, "event " + id);
                assertEquals(1, ps.executeUpdate());
                acked.add(id);
                if (retried) {
                    retriedThenSucceeded.incrementAndGet();
                }
                succeeded();
                return;
            } catch (SQLException e) {
                if (ambiguous && "23505".equals(e.getSQLState())) {
                    acked.add(id); // the earlier attempt of unknown outcome had committed it
                    retriedThenSucceeded.incrementAndGet();
                    succeeded();
                    return;
                }
                if (!retryable(String.valueOf(e.getSQLState())) || !running.get() || System.nanoTime() > deadline) {
                    throw e;
                }
                sawError("inserts", e.getSQLState());
                ambiguous |= !"40001".equals(e.getSQLState());
                retried = true;
                continue;
            }
        }
    }

    /**
     * Sets the counter to seq, each a larger number than the last. An update of unknown outcome
     * may still take effect after later ones were acknowledged (it is concurrent with them).
     */
    private void update(HikariDataSource pool, long seq, AtomicLong attempted, AtomicLong acked, Set<Long> unknown)
            throws SQLException {
        attempted.set(seq);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE counters SET seq = ? WHERE worker = 1")) {
            ps.setLong(1, seq);
            assertEquals(1, ps.executeUpdate());
            acked.set(seq);
            succeeded();
        } catch (SQLException e) {
            if (!"40001".equals(e.getSQLState())) {
                unknown.add(seq);
            }
            throw e;
        }
    }

    /**
     * One register operation on a random key: a read, a write of a value never written before, or
     * a compare-and-set from the value this worker last read. A failed read took no effect; a
     * failed write or compare-and-set may have (its outcome is unknown to the checker), except
     * a conflict (40001), which wrote nothing.
     */
    private void registerOp(HikariDataSource pool, int worker, long seq, Map<String, String> lastRead, List<HistoryOp> history)
            throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String key = String.valueOf(1 + random.nextInt(registers));
        String value = "w" + worker + "-" + seq;
        int kind = random.nextInt(3);
        KvOp op = kind == 0 ? KvOp.get(key) : kind == 1 ? KvOp.put(key, value) : KvOp.cas(key, lastRead.getOrDefault(key, "init"), value);
        long call = System.nanoTime();
        try (Connection c = pool.getConnection()) {
            String output;
            if (op.kind() == KvOp.Kind.GET) {
                try (PreparedStatement ps = c.prepareStatement("SELECT v FROM registers WHERE k = ?")) {
                    ps.setInt(1, Integer.parseInt(key));
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        output = rs.getString(1);
                    }
                }
                lastRead.put(key, output);
            } else if (op.kind() == KvOp.Kind.PUT) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE registers SET v = ? WHERE k = ?")) {
                    ps.setString(1, value);
                    ps.setInt(2, Integer.parseInt(key));
                    assertEquals(1, ps.executeUpdate());
                }
                output = null;
            } else {
                try (PreparedStatement ps = c.prepareStatement("UPDATE registers SET v = ? WHERE k = ? AND v = ?")) {
                    ps.setString(1, value);
                    ps.setInt(2, Integer.parseInt(key));
                    ps.setString(3, op.expected());
                    output = String.valueOf(ps.executeUpdate() == 1);
                }
            }
            history.add(HistoryOp.completed(worker, op, call, System.nanoTime(), output));
            succeeded();
        } catch (SQLException e) {
            if (op.isWrite() && !"40001".equals(e.getSQLState())) {
                history.add(HistoryOp.timedOut(worker, op, call));
            }
            throw e;
        }
    }

    /**
     * Waits until statements succeed again (one in the last second) or the availability bound since
     * the kill has passed, so that an outage longer than the phase is measured whole.
     */
    private void awaitServing(long killed) throws InterruptedException {
        long deadline = killed + TimeUnit.MILLISECONDS.toNanos(availabilityBoundMillis);
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (successes.stream().anyMatch(t -> t > killed && now - t < 1_000_000_000L)) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** How many statements succeeded in each 500 ms of [from, to]. */
    private List<Integer> timeline(long from, long to) {
        int buckets = (int) Math.max(1, (to - from) / 500_000_000L);
        Integer[] counts = new Integer[buckets];
        java.util.Arrays.fill(counts, 0);
        for (long t : successes) {
            if (t >= from && t < to) {
                int b = (int) Math.min(buckets - 1, (t - from) / 500_000_000L);
                counts[b]++;
            }
        }
        return List.of(counts);
    }

    /** The longest time in [from, to] without a successful statement, in milliseconds. */
    private long longestGapMillis(long from, long to) {
        long longest = 0;
        long previous = from;
        for (long t : new TreeSet<>(successes)) {
            if (t > from && t <= to) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
        }
        return Math.max(longest, to - previous) / 1_000_000;
    }
}
