package io.starlingdb.sql.differential;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The differential test's comparison of decimal answers given at different scales. */
class CoarserScaleTest {

    @Test
    void decimalsAgreeAtTheFewerPlacesRoundedOrTruncated() {
        assertTrue(DifferentialSqlTest.sameAtCoarserScale("1.91379", "1.913793103"));
        assertTrue(DifferentialSqlTest.sameAtCoarserScale("-1.167", "-1.166666667"));
        assertTrue(DifferentialSqlTest.sameAtCoarserScale("0.4166666667", "0.41"));
        assertTrue(DifferentialSqlTest.sameAtCoarserScale("0.4166666667", "0.42"));
    }

    @Test
    void differentValuesAndTooFewPlacesDoNotAgree() {
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("2.91379", "1.913793103"));
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("0.4166666667", "0.43"));
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("0.4166666667", "0.4"), "one decimal place hides too much");
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("5", "5.25"));
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("1.25", "1.26"), "the same scale is compared exactly");
        assertFalse(DifferentialSqlTest.sameAtCoarserScale("'a'", "'b'"));
    }
}
