package io.starlingdb.jdbc.protocol;

/** A frame broke the protocol: malformed, truncated, over a limit, or unexpected. */
public final class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }
}
