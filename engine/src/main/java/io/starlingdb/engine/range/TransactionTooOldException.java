package io.starlingdb.engine.range;

/**
 * A range refused a read at a timestamp below its GC threshold, or a transaction's write whose
 * start timestamp is below it ({@link RangeResult.BelowGcThreshold}): versions the transaction
 * would see may have been removed by version GC. Nothing was read or applied. The transaction is
 * older than {@code txn.max.duration.ms} allows (GC runs below that age only); retry it, with a
 * new start timestamp (SQL answers 40001, as for a write conflict).
 */
public final class TransactionTooOldException extends RuntimeException {
    public TransactionTooOldException(String message) {
        super(message);
    }

    static TransactionTooOldException of(RangeResult.BelowGcThreshold g, long rangeId) {
        return new TransactionTooOldException("timestamp " + g.timestamp() + " is below the GC threshold "
                + g.gcThreshold() + " of range " + rangeId + ": versions it would read may be gone (the transaction"
                + " is older than txn.max.duration.ms allows); nothing was read or written: retry the transaction");
    }
}
