package io.starlingdb.engine.raft;

/**
 * A confirmed read index: once the replica has applied up to {@code index}, the read request
 * {@code context} can be served from its state machine and is linearizable.
 */
public record ReadState(long context, long index) {
}
