package io.starlingdb.jdbc.protocol;

/** The byte that precedes each value on the wire and says its type. */
final class ValueTag {
    static final int NULL = 0;
    static final int BOOLEAN = 1;
    static final int INTEGER = 2;
    static final int BIGINT = 3;
    static final int DOUBLE = 4;
    static final int DECIMAL = 5;
    static final int VARCHAR = 6;
    static final int DATE = 7;
    static final int TIMESTAMP = 8;

    private ValueTag() {
    }
}
