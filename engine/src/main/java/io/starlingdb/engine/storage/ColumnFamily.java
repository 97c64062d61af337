package io.starlingdb.engine.storage;

import java.nio.charset.StandardCharsets;

/** The column families of a node's one RocksDB instance. */
public enum ColumnFamily {
    /** MVCC row versions and index entries. */
    DATA("data"),
    /** Raft log entries of every group on this node. */
    RAFT_LOG("raft_log"),
    /** Raft hard state (term, vote, commit) and other per-group Raft metadata. */
    RAFT_STATE("raft_state"),
    /** Node-local metadata (node id, storage format version). */
    META("meta"),
    /** Replicated ranges: each range's applied index and descriptor, and the key-value data of every range here. */
    RANGES("ranges");

    private final String rocksName;

    ColumnFamily(String rocksName) {
        this.rocksName = rocksName;
    }

    /** The column family's name inside RocksDB; stable across releases. */
    public String rocksName() {
        return rocksName;
    }

    byte[] rocksNameBytes() {
        return rocksName.getBytes(StandardCharsets.UTF_8);
    }
}
