package io.starlingdb.cluster.transport;

/**
 * One unit on the wire: {@code [int length][byte type][byte lane][long streamId][payload]},
 * where length counts everything after itself. Payloads are byte arrays: a frame is built
 * once by the sender's thread and then only read.
 */
record Frame(FrameType type, Lane lane, long streamId, byte[] payload) {

    /** Bytes after the length field and before the payload. */
    static final int headerBytes = 1 + 1 + 8;
    /** The length field itself. */
    static final int lengthFieldBytes = 4;

    static final byte[] empty = new byte[0];

    /** Bytes this frame occupies on the wire. */
    int wireBytes() {
        return lengthFieldBytes + headerBytes + payload.length;
    }
}
