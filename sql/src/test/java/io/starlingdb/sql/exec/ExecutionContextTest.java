package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionContextTest {

    @Test
    void parameterNamesParseInPlaceAndOtherNamesAreNotParameters() {
        assertEquals(0, ExecutionContext.parameterIndex("?0"));
        assertEquals(12, ExecutionContext.parameterIndex("?12"));
        assertEquals(999_999_999, ExecutionContext.parameterIndex("?999999999"));
        for (String notOne : new String[] {"?", "0", "?a", "?1x", "v0stashed", "?99999999999", ""}) {
            assertEquals(-1, ExecutionContext.parameterIndex(notOne), notOne);
        }
    }

    @Test
    void getFindsParametersStashedValuesAndNothingElse() {
        Object stashed = new Object();
        ExecutionContext context = new ExecutionContext(null, null, null, null, Arrays.asList(5, null, "x"),
                Map.of("v0stashed", stashed));
        assertEquals(5, context.get("?0"));
        assertNull(context.get("?1"));
        assertEquals("x", context.get("?2"));
        assertNull(context.get("?3"), "a parameter past the end is null");
        assertEquals(stashed, context.get("v0stashed"));
        assertNull(context.get("unknown"));
    }
}
