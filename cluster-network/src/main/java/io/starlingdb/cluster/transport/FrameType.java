package io.starlingdb.cluster.transport;

/** What a frame carries. The code is the first header byte on the wire. */
enum FrameType {
    /** Dialer's greeting: protocol version, node id, listen address, nonce. */
    HELLO,
    /** Acceptor's answer: its identity and its nonce. */
    CHALLENGE,
    /** Dialer's proof of the secret. */
    PROOF,
    /** The acceptor verified the proof and proves the secret in turn; application frames may flow. */
    ACCEPT,
    /** The handshake was refused; the payload is a short reason, then the connection closes. */
    REJECT,
    /** A request awaiting a RESPONSE or ERROR with the same stream id. */
    REQUEST,
    RESPONSE,
    /** The request failed at the receiver; the payload is a short UTF-8 reason. */
    ERROR,
    /** Fire-and-forget. */
    ONEWAY,
    /** Delivered at most once to the handler, acknowledged by ACK with the same stream id. */
    RELIABLE,
    ACK;

    private static final FrameType[] BY_CODE = values();

    static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    boolean isHandshake() {
        return ordinal() <= REJECT.ordinal();
    }
}
