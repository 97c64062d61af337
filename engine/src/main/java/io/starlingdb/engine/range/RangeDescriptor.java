package io.starlingdb.engine.range;

import io.starlingdb.engine.raft.ConfState;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One range of the ordered key space: the keys in {@code [start, end)} (an empty start is the
 * lowest key, a null end the end of the key space), replicated by the Raft group {@code rangeId}
 * on the members of {@code conf}. The generation grows with every split, so of two descriptors
 * of one range the newer wins; a membership change raises it too.
 */
public record RangeDescriptor(long rangeId, byte[] start, byte[] end, ConfState conf, long generation) {

    public RangeDescriptor {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(conf, "conf");
        if (rangeId <= 0) {
            throw new IllegalArgumentException("rangeId must be > 0, got " + rangeId);
        }
        if (end != null && Arrays.compareUnsigned(start, end) >= 0) {
            throw new IllegalArgumentException("range " + rangeId + " is empty: start " + hex(start) + " >= end " + hex(end));
        }
    }

    /** Whether key falls in [start, end). */
    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(key, start) >= 0 && (end == null || Arrays.compareUnsigned(key, end) < 0);
    }

    /** Whether [from, to) lies inside this range (to null: the end of the key space). */
    public boolean containsSpan(byte[] from, byte[] to) {
        if (Arrays.compareUnsigned(from, start) < 0) {
            return false;
        }
        if (end == null) {
            return true;
        }
        return to != null && Arrays.compareUnsigned(to, end) <= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeDescriptor d && d.rangeId == rangeId && d.generation == generation
                && Arrays.equals(d.start, start) && Arrays.equals(d.end, end) && d.conf.equals(conf);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(rangeId) * 31 + Long.hashCode(generation);
    }

    @Override
    public String toString() {
        return "r" + rangeId + "[" + hex(start) + ", " + (end == null ? "end" : hex(end)) + ") gen " + generation + " "
                + conf.voters() + (conf.learners().isEmpty() ? "" : " learners " + conf.learners());
    }

    public static String hex(byte[] key) {
        return key.length == 0 ? "''" : HexFormat.of().formatHex(key);
    }
}
