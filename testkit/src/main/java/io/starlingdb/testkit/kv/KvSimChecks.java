package io.starlingdb.testkit.kv;

import io.starlingdb.engine.range.RangeStateMachine;
import io.starlingdb.testkit.raft.SafetyChecker;

import java.util.Arrays;

/** The checks of one range's Raft group: Raft safety, and the state digest replicas must agree on. */
record KvSimChecks(SafetyChecker safety) {

    /** A broken invariant of the replicated store (beyond Raft's own). */
    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message);
        }
    }

    /**
     * The replica's state (descriptor, applied index, and every stored pair of its span: versions,
     * locks and rollback markers) as one number: replicas at one applied index must agree.
     */
    int digest(RangeStateMachine sm) {
        return Arrays.hashCode(sm.snapshot());
    }
}
