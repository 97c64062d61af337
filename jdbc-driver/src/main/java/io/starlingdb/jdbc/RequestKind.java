package io.starlingdb.jdbc;

/**
 * What a request does to the session and the data, which decides what the driver may do when
 * the connection is lost under it ({@link LostConnectionPolicy}).
 */
enum RequestKind {
    /** A statement that only reads (SELECT, VALUES, WITH, EXPLAIN, SHOW): sending it twice is harmless. */
    READ,
    /** Any other statement (INSERT, UPDATE, DELETE, DDL), and every batch: it may change data. */
    WRITE,
    /** BEGIN or START TRANSACTION as SQL: opens a transaction, changes nothing. */
    BEGIN,
    /** Ends the open transaction by committing it: Commit, COMMIT as SQL, SetAutoCommit(true) inside a transaction. */
    COMMIT,
    /** Ends the open transaction without effect: Rollback, ROLLBACK as SQL. */
    ROLLBACK,
    /** Reads or sets session state only: Prepare, Metadata, Ping, SetAutoCommit, SET as SQL. */
    SESSION,
    /** The next rows of a result: the cursor lives on one node and dies with its connection. */
    FETCH,
    /** Frees what the node holds for the session (CloseCursor, CloseStatement): a lost connection freed it already. */
    RELEASE;

    /**
     * Whether to look, before sending, if the node has already closed the connection: only where
     * "never sent" and "outcome unknown" lead to different answers.
     */
    boolean checksDelivery() {
        return this == WRITE || this == COMMIT;
    }
}
