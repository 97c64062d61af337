package io.starlingdb.jdbc;

import static io.starlingdb.jdbc.LostConnectionPolicy.Outcome.DONE;
import static io.starlingdb.jdbc.LostConnectionPolicy.Outcome.LOST;
import static io.starlingdb.jdbc.LostConnectionPolicy.Outcome.RESEND;
import static io.starlingdb.jdbc.LostConnectionPolicy.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the driver does with each kind of request when its node is lost under it. */
class LostConnectionPolicyTest {

    @ParameterizedTest(name = "{0} sent={1} transaction={2} autoCommit={3} -> {4}")
    @CsvSource({
            // Between transactions: reads and unsent requests move to another node.
            "READ,     true,  false, true,  RESEND",
            "READ,     false, false, true,  RESEND",
            "SESSION,  true,  false, true,  RESEND",
            "BEGIN,    true,  false, true,  RESEND",
            "WRITE,    false, false, true,  RESEND",
            "WRITE,    false, false, false, RESEND",
            // A write that may have reached the node: never sent twice.
            "WRITE,    true,  false, true,  UNKNOWN",
            // ...unless nothing commits it: in manual mode it is the first statement of a transaction now lost.
            "WRITE,    true,  false, false, LOST",
            // Inside a transaction, everything but its end is lost with it.
            "READ,     false, true,  false, LOST",
            "READ,     true,  true,  false, LOST",
            "WRITE,    false, true,  false, LOST",
            "SESSION,  false, true,  false, LOST",
            "FETCH,    false, false, true,  LOST",
            "COMMIT,   true,  true,  false, UNKNOWN",
            "COMMIT,   false, true,  false, LOST",
            "COMMIT,   true,  false, false, DONE",
            "ROLLBACK, true,  true,  false, DONE",
            "ROLLBACK, false, false, false, DONE",
            "RELEASE,  true,  true,  false, DONE",
            "RELEASE,  true,  false, true,  DONE",
    })
    void decidesByKindDeliveryAndTransaction(RequestKind kind, boolean sent, boolean transactionOpen, boolean autoCommit,
                                             LostConnectionPolicy.Outcome expected) {
        assertEquals(expected, LostConnectionPolicy.decide(kind, sent, transactionOpen, autoCommit));
    }

    @ParameterizedTest
    @CsvSource({"READ, false", "WRITE, true", "COMMIT, true", "ROLLBACK, false", "SESSION, false", "FETCH, false"})
    void onlyWritesAndCommitsLookWhetherTheNodeClosedTheConnectionFirst(RequestKind kind, boolean checks) {
        assertEquals(checks, kind.checksDelivery());
    }
}
