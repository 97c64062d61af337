package io.starlingdb.testkit.raft;

import java.nio.file.Path;

/**
 * The outcome of one seed: ok, or the first failure (a safety violation, a liveness timeout,
 * a non-linearizable history, or an exception) and, once written, the trace file.
 */
public record SimResult(long seed, boolean ok, String failure, Path traceFile, Stats stats) {

    /** What the run did, to see that seeds exercise the protocol. */
    public record Stats(int replicas, long steps, long messages, long committed, long leaders, int crashes,
                        int partitions, int membershipChanges, int operations, int unknownOperations) {
    }

    public SimResult withTrace(Path file) {
        return new SimResult(seed, ok, failure, file, stats);
    }
}
