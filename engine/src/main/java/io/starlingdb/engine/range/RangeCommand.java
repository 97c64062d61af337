package io.starlingdb.engine.range;

import java.util.List;
import java.util.Objects;

/** What a range's Raft log holds: each command is applied by every replica, in log order. */
public sealed interface RangeCommand {

    /** A batch of writes, applied atomically: all or (if a condition fails, or a key left the range) none. */
    record Write(List<WriteOp> ops) implements RangeCommand {
        public Write {
            ops = List.copyOf(ops);
            if (ops.isEmpty()) {
                throw new IllegalArgumentException("a write batch needs at least one operation");
            }
        }
    }

    /**
     * Cuts the range at splitKey: the range keeps [start, splitKey) and a new range newRangeId,
     * on the same replicas, takes [splitKey, end). Applied only if the range is still at
     * expectedGeneration, so a retried or stale split does nothing.
     */
    record Split(byte[] splitKey, long newRangeId, long expectedGeneration) implements RangeCommand {
        public Split {
            Objects.requireNonNull(splitKey, "splitKey");
            if (newRangeId <= 0) {
                throw new IllegalArgumentException("newRangeId must be > 0, got " + newRangeId);
            }
        }
    }
}
