package io.starlingdb.cluster.transport;

/**
 * The four priority lanes every message travels on. The writer serves them by weight, so a
 * busy low lane still gets a share of each round but never delays a higher one for long.
 */
public enum Lane {
    /** Raft and SWIM: small, latency-critical messages. */
    CRITICAL(8),
    /** Two-phase commit and transaction recovery. */
    HIGH(4),
    /** Queries and key-value requests. */
    NORMAL(2),
    /** Snapshots and bulk transfer. */
    LOW(1);

    private static final Lane[] BY_CODE = values();

    /** Frames this lane may write per scheduling round while others wait. */
    final int weight;

    Lane(int weight) {
        this.weight = weight;
    }

    /** The lane with the given wire code, or null if the code names no lane. */
    static Lane fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    byte code() {
        return (byte) ordinal();
    }
}
