package io.starlingdb.cluster.membership;

import io.starlingdb.cluster.transport.PeerIdentity;

/**
 * Decides which inbound membership messages reach the SWIM state machine. A node admits every
 * message ({@link #admitAll}); fault-injection harnesses (the testkit module) pass a filter that
 * drops some, to run real processes over a lossy or partitioned network without a special
 * transport. Called on transport threads, concurrently: an implementation must be thread-safe
 * and must not block.
 */
@FunctionalInterface
public interface InboundFilter {

    /** The production filter: nothing is dropped. */
    InboundFilter admitAll = (from, message) -> true;

    /** True to hand {@code message} from {@code from} to SWIM, false to drop it as if lost. */
    boolean admit(PeerIdentity from, SwimMessage message);
}
