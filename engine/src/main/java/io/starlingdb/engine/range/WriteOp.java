package io.starlingdb.engine.range;

import java.util.Objects;

/** One write of a batch a range applies atomically. */
public sealed interface WriteOp {

    byte[] key();

    /** Sets key to value. */
    record Put(byte[] key, byte[] value) implements WriteOp {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes key (nothing happens if it is absent). */
    record Delete(byte[] key) implements WriteOp {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Sets key to newValue (null: deletes it) if its current value equals expected (null: the
     * key is absent); otherwise the whole batch fails and nothing of it is applied.
     */
    record CompareAndSet(byte[] key, byte[] expected, byte[] newValue) implements WriteOp {
        public CompareAndSet {
            Objects.requireNonNull(key, "key");
        }
    }
}
