package io.starlingdb.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.mvcc.MvccStore;
import io.starlingdb.engine.storage.ColumnFamily;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;
import io.starlingdb.jdbc.StarlingDriver;
import io.starlingdb.server.client.ClientListener;
import io.starlingdb.server.client.ClientListenerOptions;
import io.starlingdb.sql.SqlOptions;
import io.starlingdb.sql.StarlingSqlEngine;
import io.starlingdb.sql.exec.PlannerWarmUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Warms a fresh node's JIT before it accepts clients (issue 13, {@code sql.warmup.statements}):
 * runs statements it has never seen, and some it has, through the whole path a client's statement
 * takes (the JDBC driver, the client protocol over loopback, the server's session handler, SQL
 * planning, execution over RocksDB, result encoding) against a scratch database of its own: a
 * RocksDB directory under the node's data directory, deleted before and after, served by a
 * listener of its own on an ephemeral loopback port. No client can see or reach it, and nothing
 * of it stays. Planning alone warmed too little: a fresh node's first few hundred new statements
 * ran 3.5-4.8x slower than a warmed node's, execution and the server's path still interpreted
 * (docs/benchmarks.md, "where the mean goes beyond the p50").
 */
public final class ExecutionWarmUp {

    /** Rows of the scratch table: enough that scans, filters and results do real work. */
    static final int TABLE_ROWS = 50;

    /** What one warm-up did. */
    public record Result(int statements, long rowsRead, long millis) {
    }

    private ExecutionWarmUp() {
    }

    /**
     * Runs up to {@code statements} statements in {@code scratch} (which must not hold anything
     * else: it is deleted), or as many as {@code maxMillis} of wall time allow.
     */
    public static Result run(Path scratch, int statements, long maxMillis) throws IOException, SQLException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        delete(scratch);
        int run = 0;
        long rows = 0;
        try (RocksStorage storage = RocksStorage.open(scratch, StorageOptions.small());
             MvccStore store = new MvccStore(storage.store(ColumnFamily.DATA), new HybridClock(Clock.systemUTC()), false);
             StarlingSqlEngine sql = StarlingSqlEngine.open(store, new SimpleMeterRegistry(),
                     new SqlOptions(Math.max(1, maxMillis), Math.max(1, maxMillis)));
             ClientListener listener = new ClientListener(sql, ClientListenerOptions.defaults(), new SimpleMeterRegistry())) {
            InetSocketAddress address = listener.start("127.0.0.1", 0);
            Properties properties = new Properties();
            properties.setProperty("discoverNodes", "false");
            try (Connection c = new StarlingDriver().connect(
                    "jdbc:starling://127.0.0.1:" + address.getPort() + "/", properties);
                 Statement s = c.createStatement()) {
                s.execute(PlannerWarmUp.CREATE_TABLE);
                for (int id = 1; id <= TABLE_ROWS && System.nanoTime() < deadline; id++) {
                    s.executeUpdate("INSERT INTO starling_warmup VALUES (" + id + ", " + (id % 7 == 0 ? "NULL" : id * 10) + ", 'b"
                            + id + "', " + id + ".5)");
                }
                SplittableRandom random = new SplittableRandom(42);
                try (PreparedStatement point = c.prepareStatement("SELECT id, a, b, c FROM starling_warmup WHERE id = ?")) {
                    for (int i = 0; i < statements && System.nanoTime() < deadline; i++) {
                        rows += statement(i, random, s, point);
                        run++;
                    }
                }
            }
        } finally {
            delete(scratch);
        }
        return new Result(run, rows, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Runs the {@code i}th statement: mostly SELECTs never seen before, each eighth a write never
     * seen before (an UPDATE, or an INSERT and its DELETE in turn), each eighth a prepared point
     * select; returns the rows it read.
     */
    private static long statement(int i, SplittableRandom random, Statement s, PreparedStatement point) throws SQLException {
        switch (i % 8) {
            case 6 -> {
                int id = TABLE_ROWS + 1 + (i / 16) % 1_000;
                s.executeUpdate((i / 8) % 2 == 0
                        ? "INSERT INTO starling_warmup VALUES (" + id + ", " + random.nextInt(1000) + ", 'w" + i + "', " + i + ".25)"
                        : "DELETE FROM starling_warmup WHERE id = " + id);
                return 0;
            }
            case 7 -> {
                if ((i / 8) % 2 == 0) {
                    s.executeUpdate("UPDATE starling_warmup SET a = a + " + (1 + random.nextInt(9)) + " WHERE id = "
                            + (1 + random.nextInt(TABLE_ROWS)));
                    return 0;
                }
                point.setInt(1, 1 + random.nextInt(TABLE_ROWS));
                return rows(point.executeQuery());
            }
            default -> {
                return rows(s.executeQuery(PlannerWarmUp.statement(i, random)));
            }
        }
    }

    private static long rows(ResultSet results) throws SQLException {
        long rows = 0;
        try (results) {
            int columns = results.getMetaData().getColumnCount();
            while (results.next()) {
                for (int column = 1; column <= columns; column++) {
                    results.getObject(column);
                }
                rows++;
            }
        }
        return rows;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
