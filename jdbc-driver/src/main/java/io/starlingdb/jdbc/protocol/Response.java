package io.starlingdb.jdbc.protocol;

import java.util.List;

/** Messages from server to client. */
public sealed interface Response {

    /**
     * The session is open. {@code clientAddresses} lists the client listeners ({@code host:port}) of
     * the cluster's live nodes as this node sees them, this node first; empty when the node is not
     * part of a cluster.
     */
    record HelloOk(int version, String product, String productVersion, String nodeId, List<String> clientAddresses)
            implements Response {
        public HelloOk {
            clientAddresses = List.copyOf(clientAddresses);
        }
    }

    record Ok() implements Response {
    }

    /** The request failed; sqlState is the five-character SQLState. */
    record Error(String sqlState, String message) implements Response {
    }

    record UpdateCount(long count) implements Response {
    }

    record UpdateCounts(List<Long> counts) implements Response {
    }

    /**
     * A result set: its columns and first rows; cursorId is -1 when hasMore is false (nothing to
     * fetch or close). columns is null in the answer to an ExecutePrepared whose result has the
     * columns the statement's Prepared answer named ({@link #asPrepared}): a point select then
     * carries its row, not a description of its columns each time.
     */
    record RowsHeader(int cursorId, List<ColumnInfo> columns, List<Object[]> rows, boolean hasMore) implements Response {

        /** The header of a prepared statement's result whose columns are those its Prepared answer named. */
        public static RowsHeader asPrepared(int cursorId, List<Object[]> rows, boolean hasMore) {
            return new RowsHeader(cursorId, null, rows, hasMore);
        }

        /** Whether the columns are left out: those of the prepared statement executed. */
        public boolean columnsAsPrepared() {
            return columns == null;
        }
    }

    record Rows(List<Object[]> rows, boolean hasMore) implements Response {
    }

    record Prepared(int statementId, List<ColumnInfo> parameters, List<ColumnInfo> columns) implements Response {
    }

    record Catalog(long version, List<TableDescription> tables) implements Response {
    }
}
