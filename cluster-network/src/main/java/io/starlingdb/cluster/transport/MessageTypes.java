package io.starlingdb.cluster.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classes that may cross the wire, each with a stable id. Both ends must register the
 * same classes with the same ids; nothing else is ever instantiated from a peer's bytes.
 * Ids below {@link #firstApplicationId} are reserved for the transport's own types.
 */
public final class MessageTypes {

    /** Smallest id an application type may use. */
    public static final int firstApplicationId = 100;
    /** Largest id accepted, so a registry stays small and ids stay one or two varint bytes. */
    public static final int lastApplicationId = 16_383;

    private final Map<Class<?>, Integer> ids = new LinkedHashMap<>();

    /** Registers {@code type} under {@code id}; returns this for chaining. */
    public synchronized MessageTypes register(Class<?> type, int id) {
        if (id < firstApplicationId || id > lastApplicationId) {
            throw new IllegalArgumentException("message type id must be in " + firstApplicationId + ".."
                    + lastApplicationId + ", got " + id + " for " + type.getName());
        }
        if (ids.containsValue(id)) {
            throw new IllegalArgumentException("message type id " + id + " is already taken");
        }
        Integer previous = ids.putIfAbsent(type, id);
        if (previous != null && previous != id) {
            throw new IllegalArgumentException(type.getName() + " is already registered as " + previous);
        }
        return this;
    }

    synchronized Map<Class<?>, Integer> snapshot() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(ids));
    }
}
