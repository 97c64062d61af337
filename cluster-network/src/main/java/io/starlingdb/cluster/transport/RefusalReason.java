package io.starlingdb.cluster.transport;

/** Why an inbound frame or connection was refused; each is counted under its own tag. */
public enum RefusalReason {
    /** The length field exceeds the current limit. */
    OVERSIZED,
    /** The length field is smaller than a header, or the type or lane code is unknown. */
    MALFORMED_HEADER,
    /** The payload names an unregistered class or does not decode. */
    UNDECODABLE_PAYLOAD,
    /** An application frame before the handshake, or a handshake frame after it. */
    OUT_OF_ORDER,
    /** The peer's proof does not match our cluster secret. */
    BAD_SECRET,
    /** The peer speaks another protocol version. */
    BAD_VERSION,
    /** The handshake did not complete in time. */
    HANDSHAKE_TIMEOUT,
    /** The handshake fields are out of range. */
    BAD_HANDSHAKE,
    /** No handler is registered for the message type. */
    NO_HANDLER,
    /** Connection limit reached. */
    TOO_MANY_CONNECTIONS,
    /** TLS failed (no or untrusted certificate, wrong protocol). */
    TLS
}
