package io.starlingdb.testkit.kv;

import io.starlingdb.engine.range.RangeResult;
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

    /** The replica's state (descriptor and data) as one number: replicas at one applied index must agree. */
    int digest(RangeStateMachine sm) {
        int h = sm.descriptor().hashCode() * 31 + Arrays.hashCode(sm.descriptor().end());
        RangeResult.Rows rows = (RangeResult.Rows) sm.scan(sm.descriptor().start(), null, Integer.MAX_VALUE, Long.MAX_VALUE);
        for (RangeResult.KeyValue kv : rows.rows()) {
            h = h * 31 + Arrays.hashCode(kv.key());
            h = h * 31 + Arrays.hashCode(kv.value());
        }
        return h;
    }
}
