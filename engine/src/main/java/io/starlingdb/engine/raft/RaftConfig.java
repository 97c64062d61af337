package io.starlingdb.engine.raft;

/**
 * Tuning of one Raft group, validated at construction: a bad value fails with a message that
 * names the setting and the allowed range. Times are in ticks; the driver decides how long a
 * tick lasts (see docs/raft.md).
 *
 * @param electionTicks    a follower that hears nothing from a leader for a random time in
 *                         [electionTicks, 2 * electionTicks) ticks starts a (pre-)election; a leader
 *                         that does not hear from a quorum for electionTicks steps down (check-quorum)
 * @param heartbeatTicks   a leader sends heartbeats every heartbeatTicks ticks; must be well below
 *                         electionTicks so that a few lost heartbeats do not cause an election
 * @param maxInflightMsgs  append messages a leader keeps in flight to one follower (pipelining window)
 * @param maxBatchBytes    payload bytes of entries in one append message (at least one entry is sent)
 * @param preVote          run a pre-vote round before incrementing the term
 * @param checkQuorum      leaders step down without a quorum, and voters ignore vote requests while
 *                         they hear from a leader (a leader lease on votes)
 * @param tickMillis       length of one tick in the driver, in milliseconds (the core itself has no clock)
 * @param compactAfterEntries the driver snapshots the state machine and compacts the log once this
 *                         many entries were applied since the last snapshot
 * @param snapshotChunkBytes the driver streams a snapshot to a follower in chunks of this many bytes
 *                         on the transport's low-priority path
 * @param leaseTicks       a leader serves reads without a round trip while a quorum acknowledged a
 *                         heartbeat sent less than leaseTicks ticks ago (0: no lease). Voters refuse
 *                         to elect anyone for electionTicks after hearing from the leader, so the lease
 *                         must be shorter than electionTicks by the clock drift and pause allowance;
 *                         needs checkQuorum
 * @param maxUncommittedBytes a leader refuses proposals (backpressure) while the payload of its entries
 *                         not yet committed exceeds this many bytes; one proposal is always accepted
 *                         when nothing is uncommitted (etcd's MaxUncommittedEntriesSize)
 */
public record RaftConfig(
        int electionTicks,
        int heartbeatTicks,
        int maxInflightMsgs,
        int maxBatchBytes,
        boolean preVote,
        boolean checkQuorum,
        int tickMillis,
        int compactAfterEntries,
        int snapshotChunkBytes,
        int leaseTicks,
        long maxUncommittedBytes) {

    public static final int defaultElectionTicks = 10;
    public static final int defaultHeartbeatTicks = 1;
    public static final int defaultMaxInflightMsgs = 256;
    public static final int defaultMaxBatchBytes = 1024 * 1024;
    public static final int defaultTickMillis = 100;
    public static final int defaultCompactAfterEntries = 10_000;
    public static final int defaultSnapshotChunkBytes = 256 * 1024;
    /** With 100 ms ticks and a 10-tick election timeout: an 800 ms lease, renewed every heartbeat. */
    public static final int defaultLeaseTicks = defaultElectionTicks - 2;
    public static final long defaultMaxUncommittedBytes = 32L * 1024 * 1024;

    public RaftConfig {
        requireRange("heartbeatTicks", heartbeatTicks, 1, 1_000);
        requireRange("electionTicks", electionTicks, heartbeatTicks + 1, 100_000);
        requireRange("maxInflightMsgs", maxInflightMsgs, 1, 65_536);
        requireRange("maxBatchBytes", maxBatchBytes, 1, 64 * 1024 * 1024);
        requireRange("tickMillis", tickMillis, 1, 60_000);
        requireRange("compactAfterEntries", compactAfterEntries, 1, 100_000_000);
        requireRange("snapshotChunkBytes", snapshotChunkBytes, 1, 64 * 1024 * 1024);
        requireRange("leaseTicks", leaseTicks, 0, electionTicks - 1);
        if (leaseTicks > 0 && !checkQuorum) {
            throw new IllegalArgumentException("leaseTicks needs checkQuorum: without it a voter may elect a new leader"
                    + " while the old one still serves reads from its lease");
        }
        requireRange("maxUncommittedBytes", maxUncommittedBytes, 1, 1L << 40);
    }

    /** Without a read lease, and with the default uncommitted-bytes limit. */
    public RaftConfig(int electionTicks, int heartbeatTicks, int maxInflightMsgs, int maxBatchBytes, boolean preVote,
                      boolean checkQuorum, int tickMillis, int compactAfterEntries, int snapshotChunkBytes) {
        this(electionTicks, heartbeatTicks, maxInflightMsgs, maxBatchBytes, preVote, checkQuorum, tickMillis,
                compactAfterEntries, snapshotChunkBytes, 0, defaultMaxUncommittedBytes);
    }

    /**
     * Production defaults: 100 ms ticks, heartbeat every tick, election after 10 to 20 ticks
     * (1 to 2 s), 256 appends in flight, 1 MiB per append, pre-vote and check-quorum on, an
     * 800 ms read lease, 32 MiB of uncommitted entries at most.
     */
    public static RaftConfig defaults() {
        return new RaftConfig(defaultElectionTicks, defaultHeartbeatTicks, defaultMaxInflightMsgs,
                defaultMaxBatchBytes, true, true, defaultTickMillis, defaultCompactAfterEntries,
                defaultSnapshotChunkBytes, defaultLeaseTicks, defaultMaxUncommittedBytes);
    }

    /** The same settings with another tick length. */
    public RaftConfig withTickMillis(int millis) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightMsgs, maxBatchBytes, preVote, checkQuorum, millis,
                compactAfterEntries, snapshotChunkBytes, leaseTicks, maxUncommittedBytes);
    }

    /** The same settings with another compaction threshold and snapshot chunk size. */
    public RaftConfig withSnapshots(int compactAfter, int chunkBytes) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightMsgs, maxBatchBytes, preVote, checkQuorum, tickMillis,
                compactAfter, chunkBytes, leaseTicks, maxUncommittedBytes);
    }

    /** The same settings with another read lease length (0: none) and uncommitted-bytes limit. */
    public RaftConfig withLease(int ticks, long uncommittedBytes) {
        return new RaftConfig(electionTicks, heartbeatTicks, maxInflightMsgs, maxBatchBytes, preVote, checkQuorum, tickMillis,
                compactAfterEntries, snapshotChunkBytes, ticks, uncommittedBytes);
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
