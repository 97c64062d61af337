package io.starlingdb.testkit.check;

import java.util.Objects;

/** A client operation on one key of the simulated KV store (filter: of GET_WHERE only). */
public record KvOp(Kind kind, String key, String value, String expected, ValueFilter filter) {

    public enum Kind {
        GET,
        PUT,
        /** Compare-and-set: set value if the current value equals expected (null: absent). */
        CAS,
        /**
         * The read of one key by a filtered scan: its value, which meets the filter, or null when
         * the key is absent or its value does not meet the filter.
         */
        GET_WHERE,
        /** Whether the key holds a value ("true", "false"): what a first-keys answer says of it. */
        EXISTS
    }

    public KvOp {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if ((kind == Kind.GET_WHERE) != (filter != null)) {
            throw new IllegalArgumentException("a filter belongs to GET_WHERE, and GET_WHERE has one: " + kind);
        }
    }

    public KvOp(Kind kind, String key, String value, String expected) {
        this(kind, key, value, expected, null);
    }

    public static KvOp get(String key) {
        return new KvOp(Kind.GET, key, null, null);
    }

    public static KvOp put(String key, String value) {
        return new KvOp(Kind.PUT, key, value, null);
    }

    public static KvOp cas(String key, String expected, String value) {
        return new KvOp(Kind.CAS, key, value, expected);
    }

    public static KvOp getWhere(String key, ValueFilter filter) {
        return new KvOp(Kind.GET_WHERE, key, null, null, filter);
    }

    public static KvOp exists(String key) {
        return new KvOp(Kind.EXISTS, key, null, null);
    }

    public boolean isWrite() {
        return kind == Kind.PUT || kind == Kind.CAS;
    }

    @Override
    public String toString() {
        switch (kind) {
            case GET:
                return "get(" + key + ")";
            case PUT:
                return "put(" + key + "=" + value + ")";
            case GET_WHERE:
                return "get(" + key + " where " + filter + ")";
            case EXISTS:
                return "exists(" + key + ")";
            default:
                return "cas(" + key + ": " + expected + "->" + value + ")";
        }
    }
}
