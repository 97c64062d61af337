package io.starlingdb.engine.raft;

/**
 * One piece of a snapshot streamed to a follower. {@code header} is the SNAPSHOT message with
 * the snapshot's data left out; the receiver appends the chunks in offset order and steps the
 * whole message once the last one arrives. A missing chunk spoils that stream only: the leader
 * sends the snapshot again when it is not acknowledged.
 */
public record SnapshotChunk(long group, Message header, long offset, byte[] bytes, boolean last) {
}
