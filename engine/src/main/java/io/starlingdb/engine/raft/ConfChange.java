package io.starlingdb.engine.raft;

import java.nio.ByteBuffer;

/**
 * One single-server membership change. Changes are made one at a time (see docs/raft.md): a
 * leader proposes the next only after it has applied the previous one.
 */
public record ConfChange(Type type, long nodeId) {

    public enum Type {
        /** Add a non-voting member that receives the log. */
        ADD_LEARNER,
        /** Turn a learner into a voter. */
        PROMOTE,
        /** Remove a voter or a learner. */
        REMOVE
    }

    public ConfChange {
        if (nodeId <= 0) {
            throw new IllegalArgumentException("nodeId must be > 0, got " + nodeId);
        }
    }

    public byte[] encode() {
        return ByteBuffer.allocate(9).put((byte) type.ordinal()).putLong(nodeId).array();
    }

    public static ConfChange decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        return new ConfChange(Type.values()[b.get()], b.getLong());
    }
}
