package io.starlingdb.sql.exec;

import io.starlingdb.sql.CancelSignal;
import org.apache.calcite.tools.Program;

/**
 * A planning phase that only rewrites a plan into an equivalent, faster one (join ordering):
 * when Calcite fails inside it, the statement is planned without it rather than refused. The
 * differential SQL tests found valid queries that the bushy join optimizer cannot handle
 * (AssertionError in rowCountDiff); their joins then run in the order written.
 */
final class OptionalPhase {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OptionalPhase.class);

    private OptionalPhase() {
    }

    static Program of(String name, Program phase) {
        return (planner, rel, traits, materializations, lattices) -> {
            try {
                return phase.run(planner, rel, traits, materializations, lattices);
            } catch (CancelSignal.Stopped e) {
                throw e; // a cancelled or timed-out statement stops planning; it does not plan on without the phase
            } catch (RuntimeException | AssertionError e) {
                log.debug("planning phase {} failed; planning without it", name, e);
                return rel;
            }
        };
    }
}
