package io.starlingdb.jdbc;

import java.sql.SQLNonTransientConnectionException;

/**
 * The connection to a node was lost (SQLState 08006): the node died, stopped or became
 * unreachable. {@link #requestSent()} says whether the request in hand may have reached the node
 * (its outcome is then unknown) or certainly did not (it may be sent to another node).
 */
final class ConnectionLostException extends SQLNonTransientConnectionException {

    private final transient StarlingUrl.HostPort address;
    private final boolean requestSent;

    ConnectionLostException(StarlingUrl.HostPort address, String nodeId, String reason, boolean requestSent, Throwable cause) {
        super("connection to node " + (nodeId == null ? "" : nodeId + " at ") + address + " lost: " + reason, "08006", cause);
        this.address = address;
        this.requestSent = requestSent;
    }

    /**
     * This loss as seen by a request that was to follow the failed one (a statement whose
     * re-prepare was lost): that request never left.
     */
    ConnectionLostException beforeSending() {
        return requestSent ? new ConnectionLostException(this) : this;
    }

    private ConnectionLostException(ConnectionLostException sent) {
        super(sent.getMessage(), sent.getSQLState(), sent);
        this.address = sent.address;
        this.requestSent = false;
    }

    StarlingUrl.HostPort address() {
        return address;
    }

    boolean requestSent() {
        return requestSent;
    }
}
