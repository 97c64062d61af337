package io.starlingdb.sql;

/**
 * How a SQL engine that shares its store with other nodes (SQL on the cluster) waits for them to
 * adopt a catalog version its DDL committed: the DDL statement returns only once every live node
 * runs its statements against the new version (or can no longer commit with an older one: its
 * catalog lease ran out). The node supplies it; an engine of its own store has nothing to wait for.
 */
public interface SchemaSync {

    /** Nothing to wait for: no other node shares the store. */
    SchemaSync NONE = version -> {
    };

    /**
     * Returns once every other live node that shares the store has adopted {@code version} or a
     * later one, or once a node that did not answer can no longer commit with an older version.
     */
    void awaitAdopted(long version) throws InterruptedException;
}
