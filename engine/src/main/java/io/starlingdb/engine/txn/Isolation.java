package io.starlingdb.engine.txn;

/** The isolation levels of cluster transactions (DESIGN.md, "Transactions"). */
public enum Isolation {
    /**
     * Reads see the snapshot at the transaction's start; a write-write conflict with a
     * transaction that committed meanwhile refuses the commit (40001). Write skew is possible.
     * JDBC's REPEATABLE_READ. The default.
     */
    SNAPSHOT,
    /**
     * SNAPSHOT plus read validation: before committing, the transaction checks that nothing it
     * read (keys and scanned spans) was written by a transaction that committed after its start,
     * so it is equivalent to running alone at its commit timestamp; else 40001.
     */
    SERIALIZABLE
}
