package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.raft.OutcomeUnknownException;
import io.starlingdb.engine.range.TransactionTooOldException;
import io.starlingdb.engine.txn.WriteConflictException;
import org.junit.jupiter.api.Test;

/** The SQLSTATEs applications retry on: what the transaction layer's refusals become. */
class ErrorsTest {

    @Test
    void refusalsThatARetryCuresAre40001AndAnUnknownOutcomeIs40003() {
        assertEquals("40001", Errors.execution(new WriteConflictException("conflict")).sqlState());
        var tooOld = Errors.execution(new TransactionTooOldException("timestamp 5 is below the GC threshold 9"));
        assertEquals("40001", tooOld.sqlState());
        assertTrue(tooOld.getMessage().contains("GC threshold"), tooOld.getMessage());
        assertEquals("40003", Errors.execution(new OutcomeUnknownException("lost")).sqlState());
    }
}
