package io.starlingdb.cluster.transport;

/**
 * The lane's queue to that peer is full: the sender is going faster than the link drains.
 * This is backpressure, not a failure of the peer; slow down and retry.
 */
public final class LaneFullException extends TransportException {

    public LaneFullException(Lane lane, NodeAddress peer) {
        super("lane " + lane + " to " + peer + " is full");
    }
}
