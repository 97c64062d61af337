package io.starlingdb.engine.txn;

import io.starlingdb.engine.encoding.RowAggregate;
import io.starlingdb.engine.encoding.RowPredicate;
import io.starlingdb.engine.storage.KvCursor;

/** An aggregate of a transaction's rows computed by scanning them: {@link Transaction#aggregate}'s default. */
public final class RowFolds {

    /** Rows folded between two runs of a statement's check (its cancel and deadline). */
    public static final int ROWS_PER_CHECK = 1_024;

    private RowFolds() {
    }

    /**
     * Scans [fromInclusive, toExclusive) of txn (own writes merged in) with predicate's comparisons
     * and columns, and folds the rows it keeps into its aggregate; null if a row cannot be read so.
     */
    public static RowAggregate.Partial fold(Transaction txn, byte[] fromInclusive, byte[] toExclusive, RowPredicate predicate,
                                            Runnable beforeEachCheck) {
        RowAggregate aggregate = predicate.aggregate();
        if (aggregate == null) {
            throw new IllegalArgumentException("an aggregate needs an aggregating predicate");
        }
        RowAggregate.Partial total = aggregate.start();
        RowPredicate.Matcher matcher = predicate.matcher();
        beforeEachCheck.run();
        try (KvCursor c = txn.scan(fromInclusive, toExclusive, predicate.withoutAggregate())) {
            int sinceCheck = 0;
            while (c.next()) {
                if (++sinceCheck == ROWS_PER_CHECK) {
                    beforeEachCheck.run();
                    sinceCheck = 0;
                }
                byte[] row = c.value();
                boolean kept;
                try {
                    kept = matcher.test(row, 0, row.length);
                } catch (IllegalArgumentException unreadable) {
                    return null;
                }
                if (kept) {
                    total.fold(row, 0, row.length);
                    if (total.unreadable()) {
                        return null;
                    }
                }
            }
        }
        return total;
    }
}
