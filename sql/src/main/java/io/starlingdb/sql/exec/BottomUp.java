package io.starlingdb.sql.exec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.calcite.rel.RelNode;

/**
 * A rewrite of a finished physical plan, node by node from the leaves up: each node is given its
 * rewritten inputs first (copied only if one changed), then handed to the rewrite, which returns
 * it or its replacement. A node reached twice (a plan is a DAG) is rewritten once.
 */
public final class BottomUp {

    private BottomUp() {
    }

    public static RelNode apply(RelNode plan, UnaryOperator<RelNode> rewrite) {
        return apply(plan, rewrite, new IdentityHashMap<>());
    }

    private static RelNode apply(RelNode rel, UnaryOperator<RelNode> rewrite, Map<RelNode, RelNode> done) {
        RelNode seen = done.get(rel);
        if (seen != null) {
            return seen;
        }
        List<RelNode> inputs = new ArrayList<>(rel.getInputs().size());
        boolean changed = false;
        for (RelNode input : rel.getInputs()) {
            RelNode rewritten = apply(input, rewrite, done);
            changed |= rewritten != input;
            inputs.add(rewritten);
        }
        RelNode result = rewrite.apply(changed ? rel.copy(rel.getTraitSet(), inputs) : rel);
        done.put(rel, result);
        return result;
    }
}
