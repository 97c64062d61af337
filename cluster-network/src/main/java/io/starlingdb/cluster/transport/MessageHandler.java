package io.starlingdb.cluster.transport;

/**
 * Handles one registered message type. Runs on a transport I/O thread, so it must not block:
 * hand long work to an executor and return a {@link java.util.concurrent.CompletionStage}.
 * For a request the returned value (or the stage's value) is the response; for one-way and
 * reliable messages it is ignored.
 */
@FunctionalInterface
public interface MessageHandler<T> {
    Object handle(PeerIdentity from, T message) throws Exception;
}
