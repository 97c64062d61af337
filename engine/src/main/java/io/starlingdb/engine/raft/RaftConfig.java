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
 */
public record RaftConfig(
        int electionTicks,
        int heartbeatTicks,
        int maxInflightMsgs,
        int maxBatchBytes,
        boolean preVote,
        boolean checkQuorum) {

    public static final int defaultElectionTicks = 10;
    public static final int defaultHeartbeatTicks = 1;
    public static final int defaultMaxInflightMsgs = 256;
    public static final int defaultMaxBatchBytes = 1024 * 1024;

    public RaftConfig {
        requireRange("heartbeatTicks", heartbeatTicks, 1, 1_000);
        requireRange("electionTicks", electionTicks, heartbeatTicks + 1, 100_000);
        requireRange("maxInflightMsgs", maxInflightMsgs, 1, 65_536);
        requireRange("maxBatchBytes", maxBatchBytes, 1, 64 * 1024 * 1024);
    }

    /** Production defaults: election after 10 ticks, heartbeat every tick, 256 appends in flight, 1 MiB per append. */
    public static RaftConfig defaults() {
        return new RaftConfig(defaultElectionTicks, defaultHeartbeatTicks, defaultMaxInflightMsgs,
                defaultMaxBatchBytes, true, true);
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
