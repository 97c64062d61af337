package io.starlingdb.cluster.membership;

/**
 * SWIM timing and limits, validated at start-up. docs/cluster-network.md explains each.
 *
 * @param protocolPeriodMillis   one probe per period; a probe unanswered by the end of its period raises a suspicion
 * @param pingTimeoutMillis      wait for a direct ack before asking {@code indirectProbes} members to probe
 * @param indirectProbes         k, the members asked to probe on our behalf
 * @param suspicionTimeoutMillis a suspect that does not refute within this (scaled up for large clusters) is dead
 * @param retransmitMultiplier   an update is piggybacked retransmitMultiplier * ceil(log2(N + 1)) times
 * @param maxPiggyback           updates carried by one message
 * @param gossipIntervalMillis   while there is news, it is also sent on its own this often ...
 * @param gossipFanout           ... to this many random members (0: piggyback only)
 * @param joinRetryMillis        interval between join attempts to the seeds until one answers
 * @param deadProbePeriods       every this many periods one dead member is pinged, so healed partitions merge
 * @param leftRetentionMillis    a member that left is forgotten after this
 * @param maxMembers             members kept; joins beyond are ignored
 * @param maxMetadataEntries     metadata entries accepted per member
 * @param maxMetadataChars       characters accepted per metadata key or value
 */
public record SwimOptions(
        long protocolPeriodMillis,
        long pingTimeoutMillis,
        int indirectProbes,
        long suspicionTimeoutMillis,
        int retransmitMultiplier,
        int maxPiggyback,
        long gossipIntervalMillis,
        int gossipFanout,
        long joinRetryMillis,
        int deadProbePeriods,
        long leftRetentionMillis,
        int maxMembers,
        int maxMetadataEntries,
        int maxMetadataChars) {

    /** Cluster size at and below which the suspicion timeout is not scaled up. */
    public static final int suspicionScaleFreeMembers = 7;

    public SwimOptions {
        check("protocolPeriodMillis", protocolPeriodMillis, 10, 60_000);
        check("pingTimeoutMillis", pingTimeoutMillis, 1, protocolPeriodMillis - 1);
        check("indirectProbes", indirectProbes, 0, 16);
        check("suspicionTimeoutMillis", suspicionTimeoutMillis, protocolPeriodMillis, 600_000);
        check("retransmitMultiplier", retransmitMultiplier, 1, 16);
        check("maxPiggyback", maxPiggyback, 1, 256);
        check("gossipIntervalMillis", gossipIntervalMillis, 1, 60_000);
        check("gossipFanout", gossipFanout, 0, 16);
        check("joinRetryMillis", joinRetryMillis, 10, 600_000);
        check("deadProbePeriods", deadProbePeriods, 1, 10_000);
        check("leftRetentionMillis", leftRetentionMillis, 0, 7 * 86_400_000L);
        check("maxMembers", maxMembers, 1, 100_000);
        check("maxMetadataEntries", maxMetadataEntries, 0, 256);
        check("maxMetadataChars", maxMetadataChars, 1, 4096);
    }

    /** Production and development: a SIGKILLed member is dead everywhere in about 2.5 s on a LAN. */
    public static SwimOptions defaults() {
        return new SwimOptions(500, 200, 3, 1_500, 4, 16, 200, 3, 1_000, 10, 60_000, 10_000, 32, 256);
    }

    /** The testing preset: five times faster, for in-process clusters on loopback. */
    public static SwimOptions fast() {
        return new SwimOptions(100, 40, 3, 400, 4, 16, 40, 3, 200, 10, 10_000, 10_000, 32, 256);
    }

    public SwimOptions withTiming(long periodMillis, long pingTimeout, int k, long suspicionMillis) {
        return new SwimOptions(periodMillis, pingTimeout, k, suspicionMillis, retransmitMultiplier, maxPiggyback,
                gossipIntervalMillis, gossipFanout, joinRetryMillis, deadProbePeriods, leftRetentionMillis, maxMembers, maxMetadataEntries,
                maxMetadataChars);
    }

    public SwimOptions withGossip(long intervalMillis, int fanout) {
        return new SwimOptions(protocolPeriodMillis, pingTimeoutMillis, indirectProbes, suspicionTimeoutMillis,
                retransmitMultiplier, maxPiggyback, intervalMillis, fanout, joinRetryMillis, deadProbePeriods,
                leftRetentionMillis, maxMembers, maxMetadataEntries, maxMetadataChars);
    }

    /** Suspicion timeout for a cluster of {@code members}: longer in large clusters, where refutations travel further. */
    long suspicionTimeoutMillis(int members) {
        int rounds = ceilLog2(members + 1);
        int free = ceilLog2(suspicionScaleFreeMembers + 1);
        return rounds <= free ? suspicionTimeoutMillis : suspicionTimeoutMillis * rounds / free;
    }

    /** How often an update is piggybacked before it is dropped from the broadcast queue. */
    int retransmitLimit(int members) {
        return retransmitMultiplier * ceilLog2(members + 1);
    }

    static int ceilLog2(int n) {
        return n <= 1 ? 1 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("swim." + name + " must be in " + min + ".." + max + ", got " + value);
        }
    }
}
