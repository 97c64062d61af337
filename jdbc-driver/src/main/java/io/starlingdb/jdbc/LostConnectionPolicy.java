package io.starlingdb.jdbc;

/**
 * What the driver does when the connection to its node is lost under a request
 * (docs/cluster.md, "Connecting applications"). Pure: the connection acts on the answer.
 *
 * <p>The rules: a transaction open on the lost node is gone (its writes were buffered there, and
 * a node commits nothing it was not asked to), so a request inside it fails with 08006, except a
 * commit that was sent, whose outcome is unknown (40003). Between transactions, a request that
 * certainly did not reach the node, or a read, is sent again to another node; a write in
 * auto-commit mode that may have reached the node is never sent again (40003).
 */
final class LostConnectionPolicy {

    enum Outcome {
        /** Reconnect to another node and send the request there. */
        RESEND,
        /** The loss did what the request asked (a rollback, freeing a cursor): answer it as done. */
        DONE,
        /** 08006: the transaction or result the request belonged to was lost; the application runs it again. */
        LOST,
        /** 40003: the request may or may not have taken effect on the lost node. */
        UNKNOWN
    }

    private LostConnectionPolicy() {
    }

    /**
     * @param kind            what the request does
     * @param sent            whether the request may have reached the node
     * @param transactionOpen whether the node held a transaction of this session
     * @param autoCommit      whether the session is in auto-commit mode
     */
    static Outcome decide(RequestKind kind, boolean sent, boolean transactionOpen, boolean autoCommit) {
        switch (kind) {
            case RELEASE:
            case ROLLBACK:
                return Outcome.DONE;
            case FETCH:
                return Outcome.LOST;
            case COMMIT:
                if (!transactionOpen) {
                    return Outcome.DONE;
                }
                return sent ? Outcome.UNKNOWN : Outcome.LOST;
            default:
                break;
        }
        if (transactionOpen) {
            return Outcome.LOST;
        }
        if (kind == RequestKind.WRITE && sent) {
            // In auto-commit mode the write commits by itself; in a transaction it only would at commit.
            return autoCommit ? Outcome.UNKNOWN : Outcome.LOST;
        }
        return Outcome.RESEND;
    }
}
