package io.starlingdb.server.config;

/** A setting is missing, malformed or out of range; the message says which and what is allowed. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
