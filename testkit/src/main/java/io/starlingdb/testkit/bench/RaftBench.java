package io.starlingdb.testkit.bench;

import io.starlingdb.engine.raft.ClusterTransport;
import io.starlingdb.engine.raft.ConfState;
import io.starlingdb.engine.raft.InMemoryTransport;
import io.starlingdb.engine.raft.MultiRaft;
import io.starlingdb.engine.raft.RaftConfig;
import io.starlingdb.engine.raft.RaftLogStore;
import io.starlingdb.engine.raft.StateMachine;
import io.starlingdb.engine.storage.RocksStorage;
import io.starlingdb.engine.storage.StorageOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Proposal throughput and commit latency of one 3-replica group: three {@link MultiRaft} nodes
 * in this process, each over its own RocksDB directory (synced writes), connected by the
 * cluster network over loopback TCP ({@code --transport tcp}, the default) or by the in-memory
 * transport ({@code --transport memory}). N proposer threads each propose a 100-byte command to
 * the leader and wait until it is applied there, in a loop. See docs/raft.md for how to run it.
 *
 * <p>Arguments: [--seconds S (10)] [--concurrency 1,16,128] [--transport tcp|memory] [--dir PARENT (java.io.tmpdir)]
 */
public final class RaftBench {

    public static final int commandBytes = 100;
    static final int warmupSeconds = 2;

    private RaftBench() {
    }

    /** Applies nothing: the benchmark measures replication, not a state machine. */
    static final class NullMachine implements StateMachine {
        long applied;

        @Override
        public Object apply(long index, byte[] command) {
            applied++;
            return null;
        }

        @Override
        public byte[] snapshot() {
            return new byte[8];
        }

        @Override
        public void restore(byte[] snapshot) {
            applied = 0;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int[] concurrency = {1, 16, 128};
        Path parent = Path.of(System.getProperty("java.io.tmpdir"));
        boolean tcp = true;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--seconds":
                    seconds = Integer.parseInt(args[i + 1]);
                    break;
                case "--concurrency":
                    concurrency = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                    break;
                case "--dir":
                    parent = Path.of(args[i + 1]);
                    break;
                case "--transport":
                    if (!args[i + 1].equals("tcp") && !args[i + 1].equals("memory")) {
                        throw new IllegalArgumentException("--transport must be tcp or memory, got " + args[i + 1]);
                    }
                    tcp = args[i + 1].equals("tcp");
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: RaftBench [--seconds S] [--concurrency 1,16,128] [--transport tcp|memory] [--dir PARENT]");
            }
        }
        System.out.printf("3 replicas, %s, RocksDB synced writes, %d-byte commands, %d s per run%n",
                tcp ? "cluster network over loopback TCP" : "in-memory transport", commandBytes, seconds);
        System.out.printf("%-12s %14s %10s %10s %14s %8s%n", "proposers", "proposals/s", "p50 ms", "p99 ms", "fsyncs/prop",
                "errors");
        for (int c : concurrency) {
            run(parent, c, seconds, tcp);
        }
    }

    private static void run(Path parent, int proposers, int seconds, boolean tcp) throws Exception {
        Path dir = Files.createTempDirectory(parent, "raft-bench");
        InMemoryTransport hub = new InMemoryTransport();
        io.starlingdb.cluster.transport.Transport[] nets = new io.starlingdb.cluster.transport.Transport[4];
        io.starlingdb.cluster.transport.NodeAddress[] addresses = new io.starlingdb.cluster.transport.NodeAddress[4];
        if (tcp) {
            for (int i = 1; i <= 3; i++) {
                io.starlingdb.cluster.transport.MessageTypes types = new io.starlingdb.cluster.transport.MessageTypes();
                ClusterTransport.registerTypes(types);
                nets[i] = new io.starlingdb.cluster.transport.Transport("raft" + i,
                        io.starlingdb.cluster.transport.TransportOptions.defaults("127.0.0.1", 0, "raft-bench-secret"), types,
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
                addresses[i] = nets[i].start();
            }
        }
        RaftConfig config = RaftConfig.defaults();
        ConfState conf = ConfState.ofVoters(1L, 2L, 3L);
        RocksStorage[] storages = new RocksStorage[4];
        MultiRaft[] nodes = new MultiRaft[4];
        try {
            for (int i = 1; i <= 3; i++) {
                storages[i] = RocksStorage.open(dir.resolve("n" + i), StorageOptions.small());
                nodes[i] = new MultiRaft(i, config, new RaftLogStore(storages[i]), i);
                nodes[i].createGroup(1, conf, new NullMachine());
                if (tcp) {
                    ClusterTransport t = new ClusterTransport(i, nets[i]);
                    for (int j = 1; j <= 3; j++) {
                        t.setAddress(j, addresses[j]);
                    }
                    t.bind(nodes[i]);
                    nodes[i].start(t);
                } else {
                    nodes[i].start(hub.connect(i, nodes[i]));
                }
            }
            int[] leader = {awaitLeader(nodes)};
            java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
            byte[] command = new byte[commandBytes];
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            long[][] latencies = new long[proposers][];
            int[] counts = new int[proposers];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < proposers; t++) {
                int id = t;
                latencies[id] = new long[1 << 16];
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            nodes[leader[0]].propose(1, command).get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            // Leadership moved (an overloaded machine can miss heartbeats): find the leader again.
                            if (measuring.get()) {
                                errors.incrementAndGet();
                            }
                            try {
                                leader[0] = awaitLeader(nodes);
                            } catch (InterruptedException ie) {
                                return;
                            }
                            continue;
                        }
                        if (measuring.get()) {
                            if (counts[id] == latencies[id].length) {
                                latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                            }
                            latencies[id][counts[id]++] = System.nanoTime() - start;
                        }
                    }
                }, "proposer-" + t);
                threads.add(th);
                th.start();
            }
            Thread.sleep(warmupSeconds * 1000L);
            int measuredLeader = leader[0];
            long syncsBefore = nodes[measuredLeader].syncCount();
            long started = System.nanoTime();
            measuring.set(true);
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            long elapsed = System.nanoTime() - started;
            long syncs = nodes[measuredLeader].syncCount() - syncsBefore;
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
            int total = 0;
            for (int n : counts) {
                total += n;
            }
            long[] all = new long[total];
            int k = 0;
            for (int t = 0; t < proposers; t++) {
                System.arraycopy(latencies[t], 0, all, k, counts[t]);
                k += counts[t];
            }
            Arrays.sort(all);
            double perSecond = total / (elapsed / 1e9);
            System.out.printf("%-12d %14.0f %10.2f %10.2f %14.3f %8d%n", proposers, perSecond, percentile(all, 0.50) / 1e6,
                    percentile(all, 0.99) / 1e6, total == 0 ? 0.0 : (double) syncs / total, errors.get());
        } finally {
            for (int i = 1; i <= 3; i++) {
                if (nodes[i] != null) {
                    nodes[i].close();
                }
                if (storages[i] != null) {
                    storages[i].close();
                }
                if (nets[i] != null) {
                    nets[i].close();
                }
            }
            delete(dir);
        }
    }

    private static int awaitLeader(MultiRaft[] nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (int i = 1; i <= 3; i++) {
                if (nodes[i].leader(1) == i) {
                    return i;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader elected within 30 s");
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
