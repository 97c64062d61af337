package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * SQL has one zero: {@code -0.0 = 0.0}. Java's {@code ==} agrees, but the hash sets, hash maps
 * and {@code compareTo} behind Calcite's hash joins, semi-joins, grouping, DISTINCT and set
 * operations (and the interpreter's grouping) compare boxed {@code Double}s, which tell
 * {@code -0.0} from {@code 0.0}: {@code WHERE -x IN (SELECT x ...)} missed the rows where
 * {@code x} is 0. So a negative zero never travels between operators: stored values are
 * normalised where rows are encoded and decoded ({@code TableStorage}), and every DOUBLE an
 * operator computes (arithmetic, casts, functions, parameters in a Calc or Project) is passed
 * through {@code + 0.0}, which turns {@code -0.0} into {@code 0.0} (IEEE 754, rounding to nearest)
 * and leaves every other value, NaN included, as it was. Applied to the finished physical plan,
 * after every simplification that could remove the addition; the interpreter and the generated
 * code both evaluate it.
 */
final class SignedZeros {

    private SignedZeros() {
    }

    /** The plan with every computed DOUBLE, REAL or FLOAT output of a Calc or Project normalised. */
    static RelNode apply(RelNode plan) {
        return rewrite(plan, new IdentityHashMap<>());
    }

    private static RelNode rewrite(RelNode rel, Map<RelNode, RelNode> done) {
        RelNode seen = done.get(rel);
        if (seen != null) {
            return seen;
        }
        List<RelNode> inputs = new ArrayList<>(rel.getInputs().size());
        boolean changed = false;
        for (RelNode input : rel.getInputs()) {
            RelNode rewritten = rewrite(input, done);
            changed |= rewritten != input;
            inputs.add(rewritten);
        }
        RelNode result = changed ? rel.copy(rel.getTraitSet(), inputs) : rel;
        if (result instanceof EnumerableCalc calc) {
            RexProgram program = normalised(calc.getProgram(), calc.getCluster().getRexBuilder());
            if (program != calc.getProgram()) {
                result = calc.copy(calc.getTraitSet(), calc.getInput(), program);
            }
        } else if (result instanceof EnumerableProject project) {
            List<RexNode> projects = new ArrayList<>(project.getProjects());
            boolean wrapped = false;
            for (int i = 0; i < projects.size(); i++) {
                RexNode e = projects.get(i);
                if (computesApproximate(e)) {
                    RexBuilder rex = project.getCluster().getRexBuilder();
                    projects.set(i, rex.makeCall(e.getType(), SqlStdOperatorTable.PLUS, List.of(e, zero(rex, e.getType()))));
                    wrapped = true;
                }
            }
            if (wrapped) {
                result = project.copy(project.getTraitSet(), project.getInput(), projects, project.getRowType());
            }
        }
        done.put(rel, result);
        return result;
    }

    /** The program with {@code + 0.0} around each computed approximate-number output; the same program if it has none. */
    static RexProgram normalised(RexProgram program, RexBuilder rex) {
        List<RexNode> exprs = null;
        List<RexLocalRef> projects = program.getProjectList();
        Map<RelDataType, RexLocalRef> zeros = null;
        for (int i = 0; i < projects.size(); i++) {
            RexLocalRef ref = projects.get(i);
            RexNode expr = program.getExprList().get(ref.getIndex());
            if (!computesApproximate(expr)) {
                continue;
            }
            if (exprs == null) {
                exprs = new ArrayList<>(program.getExprList());
                projects = new ArrayList<>(projects);
                zeros = new HashMap<>();
            }
            RelDataType type = ref.getType();
            List<RexNode> list = exprs;
            RexLocalRef zero = zeros.computeIfAbsent(type, t -> {
                list.add(zero(rex, t));
                return new RexLocalRef(list.size() - 1, list.get(list.size() - 1).getType());
            });
            exprs.add(rex.makeCall(type, SqlStdOperatorTable.PLUS, List.of(ref, zero)));
            projects.set(i, new RexLocalRef(exprs.size() - 1, type));
        }
        if (exprs == null) {
            return program;
        }
        // Normalised (expressions in first-use order, none twice, no simplification that could drop
        // the additions), as a Calc's program must be: the zeros were appended after every other expression.
        return new RexProgram(program.getInputRowType(), exprs, projects, program.getCondition(), program.getOutputRowType())
                .normalize(rex, null);
    }

    /** Whether an expression computes a value of an approximate type (not a column or a literal, which are never -0.0). */
    private static boolean computesApproximate(RexNode expr) {
        if (expr instanceof RexInputRef || expr instanceof RexLiteral) {
            return false;
        }
        SqlTypeName type = expr.getType().getSqlTypeName();
        return type == SqlTypeName.DOUBLE || type == SqlTypeName.FLOAT || type == SqlTypeName.REAL;
    }

    private static RexLiteral zero(RexBuilder rex, RelDataType type) {
        return rex.makeApproxLiteral(BigDecimal.ZERO, rex.getTypeFactory().createTypeWithNullability(type, false));
    }
}
