package io.starlingdb.engine.raft;

/** What a log entry carries. */
public enum EntryType {
    /** An application command, or an empty entry a new leader appends to commit its term. */
    NORMAL,
    /** An encoded {@link ConfChange}; takes effect when applied. */
    CONF_CHANGE
}
