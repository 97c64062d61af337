package io.starlingdb.engine.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampOracleTest {

    /** What a host does: extend the mark (durably) whenever asked, then take the batch. */
    private static TimestampOracle.Granted take(TimestampOracle o, int count, long now, long[] durable) {
        while (true) {
            TimestampOracle.Answer a = o.next(count, now);
            if (a instanceof TimestampOracle.Granted g) {
                return g;
            }
            long mark = ((TimestampOracle.Extend) a).newMark();
            assertTrue(mark > durable[0], "marks only grow");
            durable[0] = mark;
            o.extended(mark);
        }
    }

    @Test
    void timestampsGrowStrictlyAcrossBatchesFailoversAndAClockThatStepsBack() {
        Random random = new Random(7);
        long[] durable = {0};
        TimestampOracle oracle = new TimestampOracle(durable[0]);
        long previous = -1;
        long now = 1_000_000;
        for (int i = 0; i < 100_000; i++) {
            now += random.nextInt(3) - 1; // the wall clock may even step back
            if (random.nextInt(1_000) == 0) {
                oracle = new TimestampOracle(durable[0]); // failover: a new oracle from the durable mark
            }
            TimestampOracle.Granted g = take(oracle, 1 + random.nextInt(50), now, durable);
            assertTrue(g.first() > previous, "batch " + i + " starts at " + g.first() + " after " + previous);
            previous = g.first() + g.count() - 1;
            assertTrue(previous < durable[0], "every timestamp given is below the durable mark");
        }
    }

    @Test
    void aNewOracleAsksToPersistAMarkAheadOfTheClockBeforeItsFirstTimestamp() {
        TimestampOracle o = new TimestampOracle(5L << 16);
        TimestampOracle.Extend e = assertInstanceOf(TimestampOracle.Extend.class, o.next(1, 10));
        assertEquals((10 + TimestampOracle.windowMillis) << 16, e.newMark());
        o.extended(e.newMark());
        TimestampOracle.Granted g = assertInstanceOf(TimestampOracle.Granted.class, o.next(3, 10));
        assertEquals(10L << 16, g.first());
        assertEquals(3, g.count());
        assertThrows(IllegalArgumentException.class, () -> o.extended(e.newMark()), "a mark never moves back");
        assertThrows(IllegalArgumentException.class, () -> o.next(0, 10));
    }
}
