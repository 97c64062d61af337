package io.starlingdb.engine.raft;

/**
 * The state a replica must persist before it sends a message that depends on it: its term,
 * whom it voted for in that term (0: nobody) and the highest index it knows to be committed.
 */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);
}
