package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.range.DistSender;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.ClusterTransactionalStore;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.server.StarlingNode;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.sql.PreparedSql;
import io.starlingdb.sql.SqlSession;
import io.starlingdb.sql.StatementResult;
import io.starlingdb.sql.catalog.TableDef;
import io.starlingdb.sql.schema.TableStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a point select and a one-row UPDATE spend their time on a three-node cluster, step by
 * step (docs/cluster.md, "Cost of a point statement"): the oracle, the read, the one-phase
 * commit, the SQL session around them, and JDBC around that. A measurement, not a check: it
 * runs only with {@code -Dstarling.probe.clusterpoint=true} and prints its figures.
 */
@EnabledIfSystemProperty(named = "starling.probe.clusterpoint", matches = "true")
class ClusterPointCostProbe {

    private static final int ROWS = Integer.getInteger("starling.probe.rows", 1_000);
    private static final int WARMUP = Integer.getInteger("starling.probe.warmup", 3_000);
    private static final int MEASURED = Integer.getInteger("starling.probe.measured", 2_000);

    @TempDir
    Path dir;

    private interface Step {
        void run(int id, Timer timer) throws Exception;
    }

    /** Splits a run of a step into parts, each timed on its own. */
    private static class Timer {
        private final Map<String, long[]> parts;
        private final int sample;
        private long last = System.nanoTime();

        Timer(Map<String, long[]> parts, int sample) {
            this.parts = parts;
            this.sample = sample;
        }

        void lap(String part) {
            long now = System.nanoTime();
            long[] samples = parts.computeIfAbsent(part, p -> new long[MEASURED]);
            if (sample >= 0) {
                samples[sample] = now - last;
            }
            last = now;
        }
    }

    /**
     * Runs every step once per round, round after round (so that the machine's load, which moves,
     * weighs on every step alike), and prints each step's and part's latency.
     */
    private static void measure(Map<String, Step> steps) throws Exception {
        Map<String, long[]> parts = new java.util.LinkedHashMap<>();
        for (int round = -WARMUP; round < MEASURED; round++) {
            for (Map.Entry<String, Step> e : steps.entrySet()) {
                String name = e.getKey();
                Timer total = new Timer(parts, round);
                Timer laps = new Timer(parts, round);
                e.getValue().run(ThreadLocalRandom.current().nextInt(ROWS), new Timer(parts, -1) {
                    @Override
                    void lap(String part) {
                        laps.lap(name + " / " + part);
                    }
                });
                total.lap(name);
            }
        }
        for (Map.Entry<String, long[]> e : parts.entrySet()) {
            long[] samples = e.getValue().clone();
            java.util.Arrays.sort(samples);
            double mean = java.util.Arrays.stream(samples).average().orElse(0) / 1_000.0;
            System.out.printf("PROBE %-60s mean %8.1f us  p50 %8.1f us  p99 %8.1f us%n", e.getKey(), mean,
                    samples[MEASURED / 2] / 1_000.0, samples[MEASURED * 99 / 100] / 1_000.0);
        }
    }

    @Test
    void pointStatementCostsPerStep() throws Exception {
        int[] ports = io.starlingdb.testkit.FreePorts.below32768(3);
        StarlingNode[] nodes = new StarlingNode[4];
        Thread[] starters = new Thread[4];
        try {
            for (int i = 1; i <= 3; i++) {
                Map<String, String> settings = new HashMap<>(Map.of("client.port", "0", "http.port", "0", "node.id", "n" + i,
                        "peer.port", String.valueOf(ports[i - 1]), "data.dir", dir.resolve("n" + i).toString(),
                        "store.id", String.valueOf(i), "store.initial.members", "1,2,3",
                        "join", "127.0.0.1:" + ports[i == 1 ? 1 : 0], "sql.storage", "cluster"));
                nodes[i] = new StarlingNode(NodeConfig.of("development", settings));
                StarlingNode n = nodes[i];
                starters[i] = new Thread(() -> {
                    try {
                        n.start();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                starters[i].start();
            }
            for (int i = 1; i <= 3; i++) {
                starters[i].join(120_000);
            }
            StarlingNode first = nodes[1];
            String url = "jdbc:starling://127.0.0.1:" + first.clientAddress().getPort() + "/";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE bench (id BIGINT PRIMARY KEY, k INTEGER NOT NULL, v VARCHAR(100), n BIGINT)");
                    break;
                } catch (java.sql.SQLException e) {
                    assertTrue(System.nanoTime() < deadline, "no table: " + e.getMessage());
                    Thread.sleep(200);
                }
            }
            try (Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench VALUES (?, ?, ?, ?)")) {
                    for (int i = 0; i < ROWS; i++) {
                        ps.setLong(1, i);
                        ps.setInt(2, i % 100);
                        ps.setString(3, "value-" + i);
                        ps.setLong(4, 0);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
            TableDef table = first.sqlEngine().catalog().snapshot().tables().values().stream()
                    .filter(t -> t.name().equalsIgnoreCase("bench")).findFirst().orElseThrow();
            byte[] someKey = key(table, 1);
            long leader = leaderOf(first, someKey, nodes);
            long metaLeader = leaderOf(first, MetaKeys.timestampMarkKey(), nodes);
            // The statements run through a node that leads neither the table's range nor, where
            // it can, meta: as a client's node mostly is in a cluster of many ranges.
            int g = 0;
            for (int i = 1; i <= 3; i++) {
                if (i != leader && (g == 0 || g == metaLeader)) {
                    g = i;
                }
            }
            StarlingNode node = nodes[g];
            StarlingNode local = nodes[(int) leader];
            DistSender gateway = node.ranges().gateway();
            url = "jdbc:starling://127.0.0.1:" + node.clientAddress().getPort() + "/";
            System.out.printf("PROBE statements through store %d; the table's range is led by store %d, meta by store %d%n",
                    g, leader, metaLeader);
            var txns = node.ranges().transactions();
            Map<String, Step> steps = new java.util.LinkedHashMap<>();
            steps.put("oracle: one timestamp", (id, t) -> node.ranges().timestamps().next());
            steps.put("read: get at latest, remote leaseholder", (id, t) ->
                    gateway.getAt(key(table, id), io.starlingdb.engine.range.RangeRpc.latest));
            steps.put("read: get at latest, local leaseholder", (id, t) ->
                    local.ranges().gateway().getAt(key(table, id), io.starlingdb.engine.range.RangeRpc.latest));
            steps.put("txn read", (id, t) -> {
                ClusterTransaction txn = txns.begin(Isolation.SNAPSHOT);
                t.lap("begin (oracle)");
                txn.get(key(table, id));
                t.lap("get");
                txn.commit();
                t.lap("commit (read-only)");
            });
            steps.put("txn read-modify-write", (id, t) -> {
                ClusterTransaction txn = txns.begin(Isolation.SNAPSHOT);
                t.lap("begin (oracle)");
                byte[] k = key(table, id);
                byte[] v = txn.get(k);
                t.lap("get");
                txn.put(k, v);
                txn.commit();
                t.lap("commit (1PC)");
            });
            SqlSession session = node.sqlEngine().openSession();
            SqlSession localSession = local.sqlEngine().openSession();
            PreparedSql select = session.prepare("SELECT id, k, v, n FROM bench WHERE id = ?");
            PreparedSql update = session.prepare("UPDATE bench SET n = n + 1 WHERE id = ?");
            PreparedSql localSelect = localSession.prepare("SELECT id, k, v, n FROM bench WHERE id = ?");
            steps.put("sql session: prepared point select", (id, t) -> {
                StatementResult.Rows r = (StatementResult.Rows) session.execute(select, List.of((long) id));
                assertEquals(1, r.cursor().fetch(10).size());
                r.cursor().close();
            });
            steps.put("sql session at leaseholder: prepared point select", (id, t) -> {
                StatementResult.Rows r = (StatementResult.Rows) localSession.execute(localSelect, List.of((long) id));
                assertEquals(1, r.cursor().fetch(10).size());
                r.cursor().close();
            });
            steps.put("sql session: literal point select", (id, t) -> {
                StatementResult.Rows r = (StatementResult.Rows) session.execute("SELECT id, k, v, n FROM bench WHERE id = "
                        + id, List.of());
                r.cursor().fetch(10);
                r.cursor().close();
            });
            steps.put("sql session: prepared one-row update", (id, t) -> session.execute(update, List.of((long) id)));
            Connection c = DriverManager.getConnection(url);
            PreparedStatement jselect = c.prepareStatement("SELECT id, k, v, n FROM bench WHERE id = ?");
            PreparedStatement jupdate = c.prepareStatement("UPDATE bench SET n = n + 1 WHERE id = ?");
            steps.put("jdbc: prepared point select", (id, t) -> {
                jselect.setLong(1, id);
                try (ResultSet rs = jselect.executeQuery()) {
                    assertTrue(rs.next());
                }
            });
            steps.put("jdbc: prepared one-row update", (id, t) -> {
                jupdate.setLong(1, id);
                assertEquals(1, jupdate.executeUpdate());
            });
            for (String step : List.of("sql session: prepared point select", "sql session: literal point select",
                    "sql session: prepared one-row update", "jdbc: prepared point select", "jdbc: prepared one-row update")) {
                var store = local.ranges().store();
                long gets = store.served(io.starlingdb.engine.range.RangeRpc.Kind.GET);
                long scans = store.served(io.starlingdb.engine.range.RangeRpc.Kind.SCAN);
                long before = gateway.requestsSent();
                for (int i = 0; i < 10; i++) {
                    steps.get(step).run(i, new Timer(new HashMap<>(), -1));
                }
                System.out.printf("PROBE %-60s per statement: %.1f requests, %.1f GETs, %.1f SCANs at the leaseholder%n", step,
                        (gateway.requestsSent() - before) / 10.0,
                        (store.served(io.starlingdb.engine.range.RangeRpc.Kind.GET) - gets) / 10.0,
                        (store.served(io.starlingdb.engine.range.RangeRpc.Kind.SCAN) - scans) / 10.0);
            }
            long sent = gateway.requestsSent();
            measure(steps);
            System.out.printf("PROBE requests sent by node 1's gateway per round: %.1f%n",
                    (gateway.requestsSent() - sent) / (double) (WARMUP + MEASURED));
            c.close();
            session.close();
            localSession.close();
        } finally {
            for (StarlingNode n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    /** The store leading key's range, as the stores themselves see it. */
    private static long leaderOf(StarlingNode any, byte[] key, StarlingNode[] nodes) {
        long range = any.ranges().gateway().rangeOf(key).rangeId();
        for (int i = 1; i <= 3; i++) {
            long l = nodes[i].ranges().store().leaseholder(range);
            if (l != 0) {
                return l;
            }
        }
        throw new IllegalStateException("no leader for range " + range);
    }

    private static byte[] key(TableDef table, long id) {
        byte[] k = TableStorage.primaryKeyOf(table, new Object[] {id});
        byte[] outer = new byte[k.length + 1];
        outer[0] = ClusterTransactionalStore.sqlKeyPrefix;
        System.arraycopy(k, 0, outer, 1, k.length);
        return outer;
    }
}
