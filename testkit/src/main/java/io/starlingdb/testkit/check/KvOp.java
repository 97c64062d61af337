package io.starlingdb.testkit.check;

import java.util.Objects;

/** A client operation on one key of the simulated KV store. */
public record KvOp(Kind kind, String key, String value, String expected) {

    public enum Kind {
        GET,
        PUT,
        /** Compare-and-set: set value if the current value equals expected (null: absent). */
        CAS
    }

    public KvOp {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
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

    public boolean isWrite() {
        return kind != Kind.GET;
    }

    @Override
    public String toString() {
        switch (kind) {
            case GET:
                return "get(" + key + ")";
            case PUT:
                return "put(" + key + "=" + value + ")";
            default:
                return "cas(" + key + ": " + expected + "->" + value + ")";
        }
    }
}
