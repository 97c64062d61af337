package io.starlingdb.sql.exec;

import io.starlingdb.sql.schema.StarlingTableScan;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.adapter.enumerable.EnumerableBatchNestedLoopJoin;
import org.apache.calcite.adapter.enumerable.EnumerableLimit;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Calc;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Tells each table scan of a finished plan which of its columns the operators above it read,
 * so that it decodes only those and, on the cluster, leaves the others at each range's
 * leaseholder (the projection half of "a scan sends its filter and projection to the
 * leaseholder"). The columns a node needs of its input follow from the columns its parent needs
 * of it, from the top (which needs every column of the result) down: a Project or Calc needs
 * what its expressions (all of them: it computes each) and its condition reference; a Filter
 * what its parent needs and its condition; an Aggregate its grouping keys and arguments; a Sort
 * what its parent needs and its keys; the right side of a semi or anti join what its condition
 * reads. Any other operator (a join builds its rows from all the columns of its inputs), and
 * any node two parents share, needs every column of its inputs: a column left out where it is
 * read would be NULL instead of its value, so only the operators listed narrow.
 */
final class ScanColumns {

    private ScanColumns() {
    }

    /** The plan with each Starling table scan told the columns it must read. */
    static RelNode apply(RelNode plan) {
        Map<RelNode, Integer> parents = new IdentityHashMap<>();
        countParents(plan, parents);
        return narrow(plan, ImmutableBitSet.range(plan.getRowType().getFieldCount()), parents, new IdentityHashMap<>());
    }

    private static void countParents(RelNode rel, Map<RelNode, Integer> parents) {
        for (RelNode input : rel.getInputs()) {
            if (parents.merge(input, 1, Integer::sum) == 1) {
                countParents(input, parents);
            }
        }
    }

    private static RelNode narrow(RelNode rel, ImmutableBitSet needed, Map<RelNode, Integer> parents, Map<RelNode, RelNode> done) {
        boolean shared = parents.getOrDefault(rel, 0) > 1;
        if (shared) {
            RelNode seen = done.get(rel);
            if (seen != null) {
                return seen;
            }
            needed = ImmutableBitSet.range(rel.getRowType().getFieldCount());
        }
        RelNode result;
        if (rel instanceof StarlingTableScan scan) {
            // A one-column row travels as its bare value, which the generated code may unbox even
            // where nothing reads it (an aggregate's adder for COUNT(*)): a NOT NULL column left
            // NULL there failed, so such a row is always read whole.
            boolean bare = rel.getRowType().getFieldCount() == 1;
            result = bare || needed.cardinality() == rel.getRowType().getFieldCount() ? scan : scan.withReadColumns(needed);
        } else {
            List<ImmutableBitSet> inputNeeds = inputNeeds(rel, needed);
            List<RelNode> inputs = new ArrayList<>(rel.getInputs().size());
            boolean changed = false;
            for (int i = 0; i < rel.getInputs().size(); i++) {
                RelNode input = rel.getInput(i);
                RelNode narrowed = narrow(input, inputNeeds.get(i), parents, done);
                changed |= narrowed != input;
                inputs.add(narrowed);
            }
            result = changed ? rel.copy(rel.getTraitSet(), inputs) : rel;
        }
        if (shared) {
            done.put(rel, result);
        }
        return result;
    }

    /**
     * The input columns a program's outputs and condition read: the input references reachable
     * from them through the program's local references. The same columns as expanding each
     * output into a tree and collecting its input references, without copying the trees (JFR
     * showed the copies as 7 % of what a new statement allocates).
     */
    static ImmutableBitSet programReads(RexProgram program) {
        List<RexNode> exprs = program.getExprList();
        boolean[] used = new boolean[exprs.size()];
        for (RexLocalRef project : program.getProjectList()) {
            used[project.getIndex()] = true;
        }
        if (program.getCondition() != null) {
            used[program.getCondition().getIndex()] = true;
        }
        ImmutableBitSet.Builder read = ImmutableBitSet.builder();
        RexVisitorImpl<Void> marker = new RexVisitorImpl<>(true) {
            @Override
            public Void visitLocalRef(RexLocalRef localRef) {
                used[localRef.getIndex()] = true;
                return null;
            }

            @Override
            public Void visitInputRef(RexInputRef inputRef) {
                read.set(inputRef.getIndex());
                return null;
            }
        };
        // A local reference names an earlier expression, so one sweep from the last marks them all.
        for (int i = exprs.size() - 1; i >= 0; i--) {
            if (used[i]) {
                exprs.get(i).accept(marker);
            }
        }
        return read.build();
    }

    /** The columns of each input that {@code rel} reads to produce the columns {@code needed} of its output. */
    static List<ImmutableBitSet> inputNeeds(RelNode rel, ImmutableBitSet needed) {
        if (!rel.getVariablesSet().isEmpty() && !(rel instanceof Correlate)) {
            return everything(rel); // a correlation variable reads its input's row by name
        }
        // A Calc or Project evaluates every expression it outputs, needed above or not, and the
        // generated code converts each column it reads to its type: a NOT NULL column left NULL
        // fails ("Cannot convert null to int"), so each reads what all its expressions reference.
        if (rel instanceof Calc calc) {
            return List.of(programReads(calc.getProgram()));
        }
        if (rel instanceof Project project) {
            return List.of(RelOptUtil.InputFinder.bits(project.getProjects(), null));
        }
        if (rel instanceof Filter filter) {
            return List.of(needed.union(RelOptUtil.InputFinder.bits(filter.getCondition())));
        }
        if (rel instanceof Aggregate aggregate) {
            ImmutableBitSet.Builder read = aggregate.getGroupSet().rebuild();
            for (AggregateCall call : aggregate.getAggCallList()) {
                read.addAll(call.getArgList());
                if (call.filterArg >= 0) {
                    read.set(call.filterArg);
                }
                for (RelFieldCollation c : call.collation.getFieldCollations()) {
                    read.set(c.getFieldIndex());
                }
                if (call.distinctKeys != null) {
                    read.addAll(call.distinctKeys);
                }
            }
            return List.of(read.build());
        }
        if (rel instanceof Sort sort && isPlain(sort.offset) && isPlain(sort.fetch)) {
            ImmutableBitSet.Builder read = needed.rebuild();
            for (RelFieldCollation c : sort.getCollation().getFieldCollations()) {
                read.set(c.getFieldIndex());
            }
            return List.of(read.build());
        }
        if (rel instanceof EnumerableLimit limit && isPlain(limit.offset) && isPlain(limit.fetch)) {
            return List.of(needed);
        }
        // A join builds its output rows from every column of its inputs it outputs, converting
        // each to its type, so it needs them all; only the right side of a semi or anti join,
        // which it does not output, is read for the condition alone.
        if (rel instanceof Correlate correlate && !correlate.getJoinType().projectsRight()) {
            return List.of(ImmutableBitSet.range(correlate.getLeft().getRowType().getFieldCount()), ImmutableBitSet.of());
        }
        if (rel instanceof Join join && !join.getJoinType().projectsRight() && !(rel instanceof EnumerableBatchNestedLoopJoin)) {
            int left = join.getLeft().getRowType().getFieldCount();
            return List.of(ImmutableBitSet.range(left), shiftDown(RelOptUtil.InputFinder.bits(join.getCondition()), left));
        }
        return everything(rel);
    }

    /** Whether an offset or fetch reads no column (a literal or a parameter, as they are). */
    private static boolean isPlain(RexNode node) {
        return node == null || RelOptUtil.InputFinder.bits(node).isEmpty();
    }

    private static ImmutableBitSet shiftDown(ImmutableBitSet bits, int by) {
        ImmutableBitSet.Builder shifted = ImmutableBitSet.builder();
        for (int i : bits) {
            if (i >= by) {
                shifted.set(i - by);
            }
        }
        return shifted.build();
    }

    private static List<ImmutableBitSet> everything(RelNode rel) {
        List<ImmutableBitSet> all = new ArrayList<>(rel.getInputs().size());
        for (RelNode input : rel.getInputs()) {
            all.add(ImmutableBitSet.range(input.getRowType().getFieldCount()));
        }
        return all;
    }
}
