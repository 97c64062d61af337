package io.starlingdb.cluster.membership;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The small map a node gossips about itself (roles, addresses, datacenter, rack, load), with a
 * version that only its owner increases; the higher version wins everywhere.
 */
public record Metadata(long version, HashMap<String, String> entries) {

    public static final String roles = "roles";
    public static final String datacenter = "datacenter";
    public static final String rack = "rack";
    public static final String load = "load";
    public static final String addresses = "addresses";

    public Metadata {
        Objects.requireNonNull(entries, "entries");
        if (version < 0) {
            throw new IllegalArgumentException("metadata version must be >= 0, got " + version);
        }
    }

    public static Metadata of(Map<String, String> entries) {
        return new Metadata(0, new HashMap<>(entries));
    }

    public static Metadata empty() {
        return new Metadata(0, new HashMap<>());
    }

    /** The next version of this metadata with {@code newEntries}. */
    public Metadata next(Map<String, String> newEntries) {
        return new Metadata(version + 1, new HashMap<>(newEntries));
    }

    public String get(String key) {
        return entries.get(key);
    }
}
