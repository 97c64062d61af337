package io.starlingdb.server.ranges;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.range.RangeStore;
import io.starlingdb.engine.txn.ClusterTransaction;
import io.starlingdb.engine.txn.Isolation;
import io.starlingdb.engine.txn.TransactionStepTimes;
import io.starlingdb.engine.txn.WriteConflictException;
import io.starlingdb.server.StarlingNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a one-client two-range SERIALIZABLE transfer spends its time on three nodes in one JVM
 * (docs/transactions.md, "Where a transfer's time goes"): the coordinator's steps
 * ({@link TransactionStepTimes}), and inside the prewrite the leaseholders' wait for their oracle
 * timestamp, in blocks of modes in turn: back to back with the background commits held by the
 * leaseholders for the range's next proposal (as the stores do), back to back with each proposed
 * at once (as before 2026-12-05 13:00, {@link RangeStore#commitDeferralMillis} 0), and with a
 * pause between transfers (which lets the previous transfer's background commit finish first).
 * A measurement, not a check: it runs only with {@code -Dstarling.probe.transfer=true} and
 * prints its figures.
 */
@EnabledIfSystemProperty(named = "starling.probe.transfer", matches = "true")
class ClusterTransferCostProbe {

    /** As bench kv's transfers: two transfers seldom meet on an account. */
    private static final int ACCOUNTS = Integer.getInteger("starling.probe.accounts", 10_000);
    private static final int WARMUP = Integer.getInteger("starling.probe.warmup", 1_000);
    private static final int BLOCK = Integer.getInteger("starling.probe.block", 250);
    private static final int BLOCKS = Integer.getInteger("starling.probe.blocks", 4);
    /** development: every commit fsynced, as the bench's node processes ("testing" syncs nothing). */
    private static final String PRESET = System.getProperty("starling.probe.preset", "development");
    private static final int PAUSE_MILLIS = Integer.getInteger("starling.probe.pause", 10);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] num(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long num(byte[] v) {
        return ByteBuffer.wrap(v).getLong();
    }

    private static String account(int i) {
        return String.format("acct%05d", i);
    }

    /** Times every oracle timestamp a store's leaseholder takes for its writes (one-phase, prewrites). */
    private static final class TimedSource implements Supplier<CompletableFuture<Long>> {
        final Supplier<CompletableFuture<Long>> inner;
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();

        TimedSource(Supplier<CompletableFuture<Long>> inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Long> get() {
            long began = System.nanoTime();
            return inner.get().whenComplete((ts, e) -> {
                calls.increment();
                nanos.add(System.nanoTime() - began);
            });
        }
    }

    /** What one block of transfers measured; carried, alone: background commits held and then carried by a proposal, or proposed alone. */
    private record Block(Map<TransactionStepTimes.Step, double[]> steps, double oracleMillis, long oracleCalls,
                         double[] latencies, long carried, long alone) {
    }

    /** How the transfers of a block run. */
    private enum Run {
        HELD_BACK_TO_BACK("back to back, background commits held for the next proposal", RangeStore.defaultCommitDeferralMillis, 0),
        AT_ONCE_BACK_TO_BACK("back to back, background commits proposed at once", 0, 0),
        AT_ONCE_PAUSED("pause between transfers, background commits proposed at once", 0, PAUSE_MILLIS);

        final String text;
        final long deferralMillis;
        final int pauseMillis;

        Run(String text, long deferralMillis, int pauseMillis) {
            this.text = text;
            this.deferralMillis = deferralMillis;
            this.pauseMillis = pauseMillis;
        }
    }

    @Test
    void transferCostsPerStepWithAndWithoutAPause() throws Exception {
        List<TimedSource> sources = new ArrayList<>();
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir, PRESET)) {
            StarlingNode[] nodes = cluster.nodes;
            for (int i = 1; i <= 3; i++) {
                RangeStore store = nodes[i].ranges().store();
                TimedSource source = new TimedSource(nodes[i].ranges().timestamps()::nextAsync);
                store.useTimestamps(source);
                sources.add(source);
            }
            try (StarlingClient client = cluster.connect()) {
                List<io.starlingdb.engine.range.RangeResult.KeyValue> batch = new ArrayList<>();
                for (int i = 0; i < ACCOUNTS; i++) {
                    batch.add(new io.starlingdb.engine.range.RangeResult.KeyValue(b(account(i)), num(1_000)));
                    if (batch.size() == 500 || i == ACCOUNTS - 1) {
                        client.putAll(batch);
                        batch.clear();
                    }
                }
                client.split(b(account(ACCOUNTS / 2)));
                Random random = new Random(1);
                if (Boolean.getBoolean("starling.probe.rawonly")) {
                    run(client, random, WARMUP, 0);
                    comparePrewrites(nodes[1].ranges().gateway(), nodes[1].ranges().timestamps(), random);
                    return;
                }
                TransactionStepTimes times = client.transactions().stepTimes();
                run(client, random, WARMUP, 0);
                Map<Run, List<Block>> blocks = new java.util.EnumMap<>(Run.class);
                for (int round = 0; round < BLOCKS; round++) {
                    for (Run mode : Run.values()) {
                        for (int i = 1; i <= 3; i++) {
                            nodes[i].ranges().store().commitDeferralMillis(mode.deferralMillis);
                        }
                        blocks.computeIfAbsent(mode, m -> new ArrayList<>()).add(block(client, random, times, sources, mode,
                                nodes));
                    }
                }
                for (Run mode : Run.values()) {
                    print(mode.text, blocks.get(mode));
                }
                long total = 0;
                for (int i = 0; i < ACCOUNTS; i++) {
                    total += num(client.get(b(account(i))));
                }
                assertEquals(ACCOUNTS * 1_000L, total);
                if (Boolean.getBoolean("starling.probe.alone")) {
                    comparePrewrites(nodes[1].ranges().gateway(), nodes[1].ranges().timestamps(), random);
                }
            }
        }
    }

    /** Background commits the stores held and then had carried (index 0) or proposed alone (1), so far. */
    private static long[] heldCommits(StarlingNode[] nodes) {
        long[] out = new long[2];
        for (int i = 1; i <= 3; i++) {
            out[0] += nodes[i].ranges().store().commitsCarried();
            out[1] += nodes[i].ranges().store().commitsProposedAlone();
        }
        return out;
    }

    private static Block block(StarlingClient client, Random random, TransactionStepTimes times,
                               List<TimedSource> sources, Run mode, StarlingNode[] nodes) throws Exception {
        times.reset();
        long calls0 = 0;
        long nanos0 = 0;
        for (TimedSource s : sources) {
            calls0 += s.calls.sum();
            nanos0 += s.nanos.sum();
        }
        long[] held0 = heldCommits(nodes);
        double[] latencies = run(client, random, BLOCK, mode.pauseMillis);
        awaitBackgroundCommits(times, BLOCK); // the last ones land in this block, not in the next mode's
        long calls = -calls0;
        long nanos = -nanos0;
        for (TimedSource s : sources) {
            calls += s.calls.sum();
            nanos += s.nanos.sum();
        }
        long[] held = heldCommits(nodes);
        Map<TransactionStepTimes.Step, double[]> steps = new java.util.EnumMap<>(TransactionStepTimes.Step.class);
        for (TransactionStepTimes.Total t : times.totals()) {
            steps.put(t.step(), new double[] {t.count(), t.meanMillis()});
        }
        return new Block(steps, calls == 0 ? 0 : nanos / 1e6 / calls, calls, latencies, held[0] - held0[0],
                held[1] - held0[1]);
    }

    /** Waits (at most 30 s) until the coordinator counted the background commits of transfers transfers since the last reset. */
    private static void awaitBackgroundCommits(TransactionStepTimes times, int transfers) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (times.totals().get(TransactionStepTimes.Step.BACKGROUND_COMMIT.ordinal()).count() < transfers) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("background commits not done after 30 s: " + times.totals());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** How a raw transfer of {@link #comparePrewrites} prewrites and commits. */
    private enum Mode {
        PARALLEL_THEN_PRIMARY_THEN_OTHER("parallel prewrite; background: primary, then the other key"),
        PARALLEL_THEN_ALL_AT_ONCE("parallel prewrite; background: both ranges at once"),
        PARALLEL_COMMIT_WITH_NEXT_PREWRITE("parallel prewrite; commit sent with the next prewrites"),
        PARALLEL_NO_BACKGROUND("parallel prewrite; commit waited for, untimed"),
        FLOOR_NO_BACKGROUND("prewrite with floor (oracle beside); commit waited for"),
        ONE_RANGE_PARALLEL("parallel prewrite of the first key's range only; commit waited for"),
        ONE_KEY_PUT("a one-phase put of the first key (as bench kv's puts), no prewrite");

        final String text;

        Mode(String text) {
            this.text = text;
        }
    }

    /**
     * Two-range transfers built from the range commands through node 1's gateway, back to back,
     * in blocks of each mode in turn (so that the machine's moving load weighs on each alike): a
     * start timestamp, a read of both accounts, the prewrites, and the commit of both keys. The
     * modes tell the suspects apart: the oracle call before proposing (a parallel prewrite)
     * against beside it (a prewrite with a commit floor), and the previous transfer's commit in
     * the background, in two rounds in a row or both ranges at once, against none.
     */
    private static void comparePrewrites(io.starlingdb.engine.range.DistSender gateway,
                                         io.starlingdb.engine.txn.TimestampClient oracle, Random random)
            throws Exception {
        int n = BLOCK * BLOCKS;
        Mode[] modes = Mode.values();
        double[][][] samples = new double[modes.length][3][n];
        Runnable[] held = {null};
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newFixedThreadPool(16);
        List<java.util.concurrent.Future<?>> inBackground = new ArrayList<>();
        try {
            for (int block = 0; block < BLOCKS; block++) {
                for (Mode mode : modes) {
                    for (int j = 0; j < BLOCK; j++) {
                        int i = block * BLOCK + j;
                        byte[] a = b(account(random.nextInt(ACCOUNTS / 2)));
                        byte[] c = b(account(ACCOUNTS / 2 + random.nextInt(ACCOUNTS / 2)));
                        long began = System.nanoTime();
                        long startTs = oracle.next();
                        long t1 = System.nanoTime();
                        List<byte[]> keys = List.of(a, c);
                        List<byte[]> values = gateway.getAllAt(keys, startTs);
                        long t2 = System.nanoTime();
                        List<io.starlingdb.engine.range.WriteOp> ops = List.of(
                                new io.starlingdb.engine.range.WriteOp.Put(a, num(num(values.get(0)) - 1)),
                                new io.starlingdb.engine.range.WriteOp.Put(c, num(num(values.get(1)) + 1)));
                        boolean parallel = mode != Mode.FLOOR_NO_BACKGROUND;
                        long commitTs = 0;
                        if (held[0] != null) {
                            inBackground.add(background.submit(held[0]));
                            held[0] = null;
                        }
                        if (mode == Mode.ONE_KEY_PUT) {
                            gateway.write(List.of(ops.get(0)));
                            samples[mode.ordinal()][0][i] = (t1 - began) / 1e6;
                            samples[mode.ordinal()][1][i] = (t2 - t1) / 1e6;
                            samples[mode.ordinal()][2][i] = (System.nanoTime() - t2) / 1e6;
                            continue;
                        }
                        List<byte[]> prewriteKeys = mode == Mode.ONE_RANGE_PARALLEL ? List.of(a) : keys;
                        for (io.starlingdb.engine.range.DistSender.GroupAnswer ans : gateway.sendGrouped(prewriteKeys, true, (d, idx) -> {
                            List<io.starlingdb.engine.range.WriteOp> part = idx.stream().map(ops::get).toList();
                            return io.starlingdb.engine.range.RangeRpc.Request.write(d.rangeId(), parallel
                                    ? io.starlingdb.engine.range.RangeCommand.Prewrite.parallel(startTs, a, 3_000, "probe",
                                            part, d.contains(a) ? (mode == Mode.ONE_RANGE_PARALLEL ? List.of() : List.of(c)) : null)
                                    : new io.starlingdb.engine.range.RangeCommand.Prewrite(startTs, a, 3_000, "probe", part));
                        }, startTs)) {
                            commitTs = Math.max(commitTs,
                                    ((io.starlingdb.engine.range.RangeResult.Prewritten) ans.response().result()).commitFloorTs());
                        }
                        long t3 = System.nanoTime();
                        samples[mode.ordinal()][0][i] = (t1 - began) / 1e6;
                        samples[mode.ordinal()][1][i] = (t2 - t1) / 1e6;
                        samples[mode.ordinal()][2][i] = (t3 - t2) / 1e6;
                        long ts = commitTs;
                        switch (mode) {
                            case PARALLEL_THEN_PRIMARY_THEN_OTHER -> inBackground.add(background.submit(() -> {
                                gateway.resolver().commit(startTs, ts, List.of(a));
                                gateway.resolver().commit(startTs, ts, List.of(c));
                            }));
                            case PARALLEL_THEN_ALL_AT_ONCE -> inBackground.add(background.submit(() -> gateway.resolver().commit(startTs, ts, keys)));
                            case PARALLEL_COMMIT_WITH_NEXT_PREWRITE -> held[0] = () -> gateway.resolver().commit(startTs, ts, keys);
                            default -> gateway.resolver().commit(startTs, ts, prewriteKeys);
                        }
                    }
                    if (held[0] != null) {
                        inBackground.add(background.submit(held[0]));
                        held[0] = null;
                    }
                    // The background commits land before the next mode begins.
                    for (java.util.concurrent.Future<?> f : inBackground) {
                        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    inBackground.clear();
                }
            }
        } finally {
            background.shutdown();
            background.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        String[] parts = {"start timestamp", "read", "prewrite"};
        for (Mode mode : modes) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "PROBE raw: %-58s", mode.text));
            double total = 0;
            for (int part = 0; part < 3; part++) {
                double[] s = samples[mode.ordinal()][part].clone();
                java.util.Arrays.sort(s);
                double mean = java.util.Arrays.stream(s).average().orElse(0);
                total += mean;
                line.append(String.format(Locale.ROOT, " %s %.3f (p50 %.3f)", parts[part], mean, s[n / 2]));
            }
            System.out.println(line.append(String.format(Locale.ROOT, " sum %.3f ms", total)));
        }
    }

    /** Runs n transfers one at a time (between an account of each range); answers each one's latency in ms. */
    private static double[] run(StarlingClient client, Random random, int n, int pauseMillis) throws Exception {
        double[] latencies = new double[n];
        for (int i = 0; i < n; i++) {
            int from = random.nextInt(ACCOUNTS / 2);
            int to = ACCOUNTS / 2 + random.nextInt(ACCOUNTS / 2);
            if (random.nextBoolean()) {
                int x = from;
                from = to;
                to = x;
            }
            byte[] a = b(account(from));
            byte[] c = b(account(to));
            long began = System.nanoTime();
            while (true) {
                try (ClusterTransaction t = client.begin(Isolation.SERIALIZABLE)) {
                    List<byte[]> v = t.getAll(List.of(a, c));
                    t.put(a, num(num(v.get(0)) - 1));
                    t.put(c, num(num(v.get(1)) + 1));
                    t.commit();
                    break;
                } catch (WriteConflictException e) {
                    // again
                }
            }
            latencies[i] = (System.nanoTime() - began) / 1e6;
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
        return latencies;
    }

    private static void print(String mode, List<Block> blocks) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "PROBE %s (%d blocks of %d transfers):%n", mode, blocks.size(), BLOCK));
        for (TransactionStepTimes.Step step : TransactionStepTimes.Step.values()) {
            double count = 0;
            double millis = 0;
            for (Block b : blocks) {
                double[] s = b.steps().get(step);
                count += s[0];
                millis += s[0] * s[1];
            }
            if (count > 0) {
                out.append(String.format(Locale.ROOT, "PROBE   %-18s %6.0f x mean %6.3f ms (per transfer %6.3f ms)%n",
                        step.name().toLowerCase(Locale.ROOT), count, millis / count, millis / (blocks.size() * BLOCK)));
            }
        }
        double oracleMillis = 0;
        long oracleCalls = 0;
        List<Double> all = new ArrayList<>();
        for (Block b : blocks) {
            oracleMillis += b.oracleMillis() * b.oracleCalls();
            oracleCalls += b.oracleCalls();
            for (double l : b.latencies()) {
                all.add(l);
            }
        }
        all.sort(Double::compare);
        double mean = all.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        out.append(String.format(Locale.ROOT, "PROBE   leaseholder oracle wait %d x mean %.3f ms%n", oracleCalls,
                oracleCalls == 0 ? 0 : oracleMillis / oracleCalls));
        out.append(String.format(Locale.ROOT, "PROBE   transfer mean %.3f ms p50 %.3f ms p99 %.3f ms%n", mean,
                all.get(all.size() / 2), all.get(all.size() * 99 / 100)));
        out.append(String.format(Locale.ROOT, "PROBE   background commits held and carried %d, proposed alone %d%n",
                blocks.stream().mapToLong(Block::carried).sum(), blocks.stream().mapToLong(Block::alone).sum()));
        System.out.print(out);
    }
}
