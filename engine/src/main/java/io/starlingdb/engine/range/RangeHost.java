package io.starlingdb.engine.range;

/** What a range tells the node that hosts it, from the thread that applies its commands. */
public interface RangeHost {

    /**
     * A split was applied (and written): right is a new range on the same replicas, whose state
     * is already stored; the host starts a replica of it here, with right's membership.
     */
    void splitApplied(RangeDescriptor left, RangeDescriptor right);

    /** An uninitialised replica (created empty) installed its first snapshot: it now holds descriptor's range. */
    default void initialised(RangeDescriptor descriptor) {
    }
}
