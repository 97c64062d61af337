package io.starlingdb.engine.raft;

import java.util.List;

/**
 * Carries Raft messages between nodes. The cluster network's CRITICAL lane implements it in a
 * deployment; tests use {@link InMemoryTransport}. Raft tolerates loss, duplication and
 * reordering, so an implementation may drop a batch (a full queue, a broken connection) rather
 * than block the caller.
 */
public interface Transport {

    /** Receives the batches addressed to one node. Called from transport threads: must not block. */
    interface Receiver {
        void receive(long fromNode, List<GroupMessage> batch);
    }

    /** Sends the messages of several groups to one node in one batch. Never blocks. */
    void send(long toNode, List<GroupMessage> batch);
}
