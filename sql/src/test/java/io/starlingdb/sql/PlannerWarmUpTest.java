package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.sql.exec.PlannerWarmUp;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up warm-up plans every statement it generates, and stops at its time bound. */
class PlannerWarmUpTest {

    @Test
    void everyWarmUpStatementPlans() {
        assertEquals(30, PlannerWarmUp.run(30, 600_000)); // five of each shape
    }

    @Test
    void theWarmUpStopsAtItsTimeBound() {
        long start = System.nanoTime();
        // A million statements take minutes; the bound ends the warm-up after the statement in progress.
        int planned = PlannerWarmUp.run(1_000_000, 300);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(planned < 1_000_000, "planned " + planned);
        assertTrue(millis < 30_000, "took " + millis + " ms"); // one cold statement on a loaded machine, at most
    }
}
