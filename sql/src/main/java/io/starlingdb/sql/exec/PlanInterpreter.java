package io.starlingdb.sql.exec;

import io.starlingdb.sql.schema.AccessPath;
import io.starlingdb.sql.schema.RowFilter;
import io.starlingdb.sql.schema.StarlingTable;
import io.starlingdb.sql.schema.StarlingTableScan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableLimit;
import org.apache.calcite.adapter.enumerable.EnumerableSort;
import org.apache.calcite.adapter.enumerable.EnumerableUnion;
import org.apache.calcite.adapter.enumerable.EnumerableValues;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Runs an executable plan without generating code for it: the first runs of a plan take this
 * tier, and only a plan that is run again pays for code generation (see {@link TieredPlan}).
 * It knows the operators of one-table plans (the Starling scan, Calc, VALUES, sort, limit and
 * grouping with COUNT, MIN and MAX) over the expressions {@link ScalarInterpreter} knows;
 * {@link #of} answers null for any other plan, which is then compiled at once. Rows come out as
 * {@code Object[]} with the values the generated code would produce.
 */
final class PlanInterpreter {

    /** One operator: opens a stream of rows for one execution. */
    @FunctionalInterface
    private interface Node {
        Enumerator<Object[]> open(DataContext context);
    }

    /** Thrown while building only: the plan has an operator or expression not interpreted. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

    private final Node root;

    private PlanInterpreter(Node root) {
        this.root = root;
    }

    /** The interpreted form of an executable plan, or null if it has something not interpreted. */
    static PlanInterpreter of(RelNode plan) {
        try {
            return new PlanInterpreter(build(plan));
        } catch (Unsupported e) {
            return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Enumerator<Object> open(DataContext context) {
        return (Enumerator) root.open(context);
    }

    private static Node build(RelNode rel) throws Unsupported {
        if (rel instanceof StarlingTableScan scan) {
            // The access path and row filter are chosen once, as the generated code stashes them.
            StarlingTable table = scan.starlingTable();
            AccessPath path = scan.accessPath();
            RowFilter filter = scan.rowFilter();
            return context -> table.scan(context, path, filter).enumerator();
        } else if (rel instanceof EnumerableCalc calc) {
            return calc(calc, build(calc.getInput()));
        } else if (rel instanceof EnumerableValues values) {
            List<Object[]> rows = new ArrayList<>();
            for (List<RexLiteral> tuple : values.getTuples()) {
                Object[] row = new Object[tuple.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = scalar(tuple.get(i)).eval(null, null);
                }
                rows.add(row);
            }
            return context -> new ListEnumerator(rows);
        } else if (rel instanceof EnumerableSort sort && sort.offset == null && sort.fetch == null) {
            return sort(sort, build(sort.getInput()));
        } else if (rel instanceof EnumerableLimit limit) {
            return limit(limit, build(limit.getInput()));
        } else if (rel instanceof EnumerableAggregate aggregate) {
            return aggregate(aggregate, build(aggregate.getInput()));
        } else if (rel instanceof EnumerableUnion union && union.all) {
            List<Node> inputs = new ArrayList<>();
            for (RelNode input : union.getInputs()) {
                inputs.add(build(input));
            }
            return context -> concatenation(inputs, context);
        }
        throw UNSUPPORTED;
    }

    /** The rows of each input in turn (UNION ALL: the rows an INSERT of several VALUES rows writes). */
    private static Enumerator<Object[]> concatenation(List<Node> inputs, DataContext context) {
        return new Enumerator<>() {
            private int next;
            private Enumerator<Object[]> rows;

            @Override
            public Object[] current() {
                return rows.current();
            }

            @Override
            public boolean moveNext() {
                while (rows == null || !rows.moveNext()) {
                    if (rows != null) {
                        rows.close();
                    }
                    if (next == inputs.size()) {
                        rows = null;
                        return false;
                    }
                    rows = inputs.get(next++).open(context);
                }
                return true;
            }

            @Override
            public void reset() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                if (rows != null) {
                    rows.close();
                    rows = null;
                }
                next = inputs.size();
            }
        };
    }

    private static ScalarInterpreter.Scalar scalar(RexNode node) throws Unsupported {
        return scalar(node, null);
    }

    /** {@code node} interpreted, its local references (if any) to {@code locals}, a Calc program's expressions. */
    private static ScalarInterpreter.Scalar scalar(RexNode node, List<RexNode> locals) throws Unsupported {
        ScalarInterpreter.Scalar scalar = ScalarInterpreter.of(node, locals);
        if (scalar == null) {
            throw UNSUPPORTED;
        }
        return scalar;
    }

    private static Node calc(EnumerableCalc calc, Node input) throws Unsupported {
        RexProgram program = calc.getProgram();
        List<RexNode> locals = program.getExprList();
        ScalarInterpreter.Scalar condition = program.getCondition() == null ? null : scalar(program.getCondition(), locals);
        List<RexLocalRef> projects = program.getProjectList();
        ScalarInterpreter.Scalar[] outputs = new ScalarInterpreter.Scalar[projects.size()];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = scalar(projects.get(i), locals);
        }
        return context -> new Enumerator<>() {
            private final Enumerator<Object[]> rows = input.open(context);
            private Object[] current;

            @Override
            public Object[] current() {
                return current;
            }

            @Override
            public boolean moveNext() {
                while (rows.moveNext()) {
                    Object[] row = rows.current();
                    if (condition != null && !Boolean.TRUE.equals(condition.eval(row, context))) {
                        continue;
                    }
                    Object[] out = new Object[outputs.length];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = outputs[i].eval(row, context);
                    }
                    current = out;
                    return true;
                }
                return false;
            }

            @Override
            public void reset() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                rows.close();
            }
        };
    }

    /** A stable sort by the collation, NULLs placed as it says (as the generated comparator does). */
    private static Node sort(EnumerableSort sort, Node input) throws Unsupported {
        Comparator<Object[]> order = null;
        for (RelFieldCollation field : sort.getCollation().getFieldCollations()) {
            if (family(sort.getInput().getRowType().getFieldList().get(field.getFieldIndex()).getType().getSqlTypeName()) == null) {
                throw UNSUPPORTED;
            }
            int index = field.getFieldIndex();
            boolean descending = field.getDirection().isDescending();
            RelFieldCollation.NullDirection nulls = field.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
                    ? field.getDirection().defaultNullDirection() : field.nullDirection;
            boolean nullsFirst = nulls == RelFieldCollation.NullDirection.FIRST;
            Comparator<Object[]> byField = (a, b) -> {
                Object x = a[index];
                Object y = b[index];
                if (x == null || y == null) {
                    return x == y ? 0 : (x == null) == nullsFirst ? -1 : 1;
                }
                @SuppressWarnings({"unchecked", "rawtypes"})
                int c = ((Comparable) x).compareTo(y);
                return descending ? -c : c;
            };
            order = order == null ? byField : order.thenComparing(byField);
        }
        Comparator<Object[]> comparator = order;
        return context -> {
            List<Object[]> rows = drain(input.open(context));
            if (comparator != null) {
                rows.sort(comparator);
            }
            return new ListEnumerator(rows);
        };
    }

    private static Node limit(EnumerableLimit limit, Node input) throws Unsupported {
        ScalarInterpreter.Scalar offset = limit.offset == null ? null : scalar(limit.offset);
        ScalarInterpreter.Scalar fetch = limit.fetch == null ? null : scalar(limit.fetch);
        return context -> {
            long skip = offset == null ? 0 : ((Number) offset.eval(null, context)).longValue();
            long take = fetch == null ? Long.MAX_VALUE : ((Number) fetch.eval(null, context)).longValue();
            Enumerator<Object[]> rows = input.open(context);
            return new Enumerator<>() {
                private long skipped;
                private long taken;

                @Override
                public Object[] current() {
                    return rows.current();
                }

                @Override
                public boolean moveNext() {
                    while (skipped < skip) {
                        if (!rows.moveNext()) {
                            return false;
                        }
                        skipped++;
                    }
                    if (taken >= take || !rows.moveNext()) {
                        return false;
                    }
                    taken++;
                    return true;
                }

                @Override
                public void reset() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                    rows.close();
                }
            };
        };
    }

    /** GROUP BY with COUNT, MIN and MAX; without a group key, one row even over no rows. */
    private static Node aggregate(EnumerableAggregate aggregate, Node input) throws Unsupported {
        if (aggregate.getGroupType() != org.apache.calcite.rel.core.Aggregate.Group.SIMPLE) {
            throw UNSUPPORTED;
        }
        int[] keys = aggregate.getGroupSet().toArray();
        List<AggregateCall> calls = aggregate.getAggCallList();
        for (AggregateCall call : calls) {
            boolean plain = !call.isDistinct() && !call.hasFilter() && !call.isApproximate()
                    && call.getCollation().getFieldCollations().isEmpty();
            SqlKind kind = call.getAggregation().getKind();
            SqlTypeName argType = call.getArgList().size() == 1
                    ? aggregate.getInput().getRowType().getFieldList().get(call.getArgList().get(0)).getType().getSqlTypeName() : null;
            boolean known = kind == SqlKind.COUNT || (kind == SqlKind.MIN || kind == SqlKind.MAX) && argType != null
                    && family(argType) != null;
            if (!plain || !known) {
                throw UNSUPPORTED;
            }
        }
        for (int key : keys) {
            if (family(aggregate.getInput().getRowType().getFieldList().get(key).getType().getSqlTypeName()) == null) {
                throw UNSUPPORTED;
            }
        }
        boolean[] doubles = new boolean[calls.size()];
        for (int i = 0; i < doubles.length; i++) {
            AggregateCall call = calls.get(i);
            doubles[i] = call.getAggregation().getKind() != SqlKind.COUNT && aggregate.getInput().getRowType().getFieldList()
                    .get(call.getArgList().get(0)).getType().getSqlTypeName() == SqlTypeName.DOUBLE;
        }
        return context -> {
            Map<List<Object>, Object[]> groups = new LinkedHashMap<>();
            try (Enumerator<Object[]> rows = input.open(context)) {
                while (rows.moveNext()) {
                    Object[] row = rows.current();
                    List<Object> key = new ArrayList<>(keys.length);
                    for (int k : keys) {
                        key.add(row[k]);
                    }
                    Object[] state = groups.computeIfAbsent(key, k -> initial(calls, doubles));
                    accumulate(calls, doubles, state, row);
                }
            }
            if (groups.isEmpty() && keys.length == 0) {
                groups.put(List.of(), initial(calls, doubles));
            }
            List<Object[]> out = new ArrayList<>(groups.size());
            for (Map.Entry<List<Object>, Object[]> group : groups.entrySet()) {
                Object[] row = new Object[keys.length + calls.size()];
                for (int i = 0; i < keys.length; i++) {
                    row[i] = group.getKey().get(i);
                }
                Object[] state = group.getValue();
                for (int i = 0; i < calls.size(); i++) {
                    row[keys.length + i] = state[i] instanceof DoubleExtreme d ? d.result() : state[i];
                }
                out.add(row);
            }
            return new ListEnumerator(out);
        };
    }

    /**
     * MIN or MAX of a DOUBLE, computed as the generated code computes it: the accumulator starts
     * at the largest finite value of the other sign and each value is folded in with
     * {@code acc > v ? acc : v} (MAX) or {@code acc > v ? v : acc} (MIN), in Java's double
     * comparison; NULL when no value came.
     */
    private static final class DoubleExtreme {
        private final boolean max;
        private double accumulator;
        private boolean any;

        DoubleExtreme(boolean max) {
            this.max = max;
            this.accumulator = max ? -Double.MAX_VALUE : Double.MAX_VALUE;
        }

        void add(double v) {
            any = true;
            accumulator = max ? (accumulator > v ? accumulator : v) : (accumulator > v ? v : accumulator);
        }

        Object result() {
            return any ? (Object) accumulator : null;
        }
    }

    private static Object[] initial(List<AggregateCall> calls, boolean[] doubles) {
        Object[] state = new Object[calls.size()];
        for (int i = 0; i < state.length; i++) {
            SqlKind kind = calls.get(i).getAggregation().getKind();
            state[i] = kind == SqlKind.COUNT ? (Object) 0L : doubles[i] ? new DoubleExtreme(kind == SqlKind.MAX) : null;
        }
        return state;
    }

    /** Folds one row into a group's state; MIN and MAX keep the value they have on a tie, as Calcite's do. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void accumulate(List<AggregateCall> calls, boolean[] doubles, Object[] state, Object[] row) {
        for (int i = 0; i < state.length; i++) {
            AggregateCall call = calls.get(i);
            if (call.getAggregation().getKind() == SqlKind.COUNT) {
                boolean counted = true;
                for (int arg : call.getArgList()) {
                    counted &= row[arg] != null;
                }
                if (counted) {
                    state[i] = (Long) state[i] + 1;
                }
                continue;
            }
            Object v = row[call.getArgList().get(0)];
            if (v == null) {
                continue;
            }
            if (doubles[i]) {
                ((DoubleExtreme) state[i]).add((Double) v);
            } else if (state[i] == null) {
                state[i] = v;
            } else {
                int c = ((Comparable) v).compareTo(state[i]);
                if (call.getAggregation().getKind() == SqlKind.MIN ? c < 0 : c > 0) {
                    state[i] = v;
                }
            }
        }
    }

    private static SqlTypeName family(SqlTypeName type) {
        return switch (type) {
            case INTEGER, BIGINT, DOUBLE, DECIMAL, CHAR, VARCHAR, BOOLEAN -> type;
            default -> null;
        };
    }

    private static List<Object[]> drain(Enumerator<Object[]> rows) {
        List<Object[]> out = new ArrayList<>();
        try (rows) {
            while (rows.moveNext()) {
                out.add(rows.current());
            }
        }
        return out;
    }

    /** Rows already in hand. */
    private static final class ListEnumerator implements Enumerator<Object[]> {
        private final List<Object[]> rows;
        private int next;
        private Object[] current;

        ListEnumerator(List<Object[]> rows) {
            this.rows = rows;
        }

        @Override
        public Object[] current() {
            return current;
        }

        @Override
        public boolean moveNext() {
            if (next >= rows.size()) {
                return false;
            }
            current = rows.get(next++);
            return true;
        }

        @Override
        public void reset() {
            next = 0;
        }

        @Override
        public void close() {
            next = rows.size();
        }
    }
}
