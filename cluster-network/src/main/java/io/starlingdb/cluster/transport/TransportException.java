package io.starlingdb.cluster.transport;

/** A send that could not be carried out: peer unreachable, lane full, timeout or remote failure. */
public class TransportException extends RuntimeException {

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
