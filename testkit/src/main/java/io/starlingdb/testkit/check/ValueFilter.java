package io.starlingdb.testkit.check;

import java.util.Objects;

/**
 * A condition on the number a simulated value ends with ("c1-7": 7, "live-3": 3), the model's
 * side of the row predicate a filtered scan sends to the leaseholder: a filtered scan's answer
 * must equal the model's rows filtered by it.
 */
public record ValueFilter(Op op, long bound) {

    public enum Op { EQ, NE, LT, LE, GT, GE }

    public ValueFilter {
        Objects.requireNonNull(op, "op");
    }

    /** The number after a value's last '-'. */
    public static long numberOf(String value) {
        return Long.parseLong(value.substring(value.lastIndexOf('-') + 1));
    }

    public boolean test(String value) {
        long n = numberOf(value);
        return switch (op) {
            case EQ -> n == bound;
            case NE -> n != bound;
            case LT -> n < bound;
            case LE -> n <= bound;
            case GT -> n > bound;
            case GE -> n >= bound;
        };
    }

    @Override
    public String toString() {
        return "n " + op + " " + bound;
    }
}
