package io.starlingdb.cluster.membership;

/** A member's state as this node believes it. */
public enum MemberState {
    /** Answers probes. */
    ALIVE,
    /** Missed a probe and its indirect probes; declared dead unless it refutes in time. */
    SUSPECT,
    /** Suspected for the whole suspicion timeout. Still counts toward the last known membership. */
    DEAD,
    /** Left gracefully; no longer part of the membership. */
    LEFT
}
