package io.starlingdb.engine.raft;

import java.util.List;

/**
 * Carries Raft messages between nodes. The cluster network implements it in a deployment
 * (messages on the CRITICAL lane, snapshot chunks on the LOW lane); tests use
 * {@link InMemoryTransport}. Raft tolerates loss, duplication and reordering, so an
 * implementation may drop (a full queue, a broken connection) rather than block the caller.
 */
public interface Transport {

    /** Receives what is addressed to one node. Called from transport threads: must not block. */
    interface Receiver {
        void receive(long fromNode, List<GroupMessage> batch);

        void receiveSnapshotChunk(long fromNode, SnapshotChunk chunk);
    }

    /** Sends the messages of several groups to one node in one batch. Never blocks. */
    void send(long toNode, List<GroupMessage> batch);

    /** Sends one snapshot chunk on the low-priority path, in order with the other chunks to that node. Never blocks. */
    void sendSnapshotChunk(long toNode, SnapshotChunk chunk);
}
