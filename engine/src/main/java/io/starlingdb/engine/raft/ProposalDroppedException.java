package io.starlingdb.engine.raft;

/**
 * The proposal did not take effect: refused by the leader (transfer or membership change in
 * progress), or overwritten by another leader's entry. Retrying is safe.
 */
public final class ProposalDroppedException extends RuntimeException {
    public ProposalDroppedException(String message) {
        super(message);
    }
}
