package io.starlingdb.engine;

/**
 * An input exceeded one of the {@link Limits}. The message names the limit, the allowed
 * maximum and the actual size; the SQL layer maps it to SQLState 22001 (value too long)
 * or 54000 (program limit exceeded).
 */
public final class LimitExceededException extends IllegalArgumentException {

    private final String limitName;
    private final long limit;
    private final long actual;

    public LimitExceededException(String limitName, long limit, long actual) {
        super(limitName + " exceeded: " + actual + " > " + limit);
        this.limitName = limitName;
        this.limit = limit;
        this.actual = actual;
    }

    /** The name of the constant in {@link Limits}, e.g. {@code maxKeyBytes}. */
    public String limitName() {
        return limitName;
    }

    public long limit() {
        return limit;
    }

    public long actual() {
        return actual;
    }

    /** Throws if actual exceeds limit. */
    public static void check(String limitName, long limit, long actual) {
        if (actual > limit) {
            throw new LimitExceededException(limitName, limit, actual);
        }
    }
}
