package io.starlingdb.engine.raft;

/** A Raft message addressed to one group; the unit the transport batches per destination node. */
public record GroupMessage(long group, Message message) {
}
