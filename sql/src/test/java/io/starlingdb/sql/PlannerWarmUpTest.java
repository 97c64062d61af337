package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starlingdb.sql.exec.PlannerWarmUp;
import org.junit.jupiter.api.Test;

/** The start-up warm-up plans every statement it generates: none of its shapes is refused. */
class PlannerWarmUpTest {

    @Test
    void everyWarmUpStatementPlans() {
        assertEquals(30, PlannerWarmUp.run(30)); // five of each shape
    }
}
