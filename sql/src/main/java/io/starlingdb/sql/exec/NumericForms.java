package io.starlingdb.sql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableProject;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexLocalRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * One value, one form, wherever an operator computes a number. Calcite's hash joins,
 * semi-joins, grouping, DISTINCT and set operations (and the interpreter's grouping) compare
 * boxed values with {@code equals}, which tells apart values that SQL holds equal:
 * <ul>
 * <li>SQL has one zero, {@code -0.0 = 0.0}, but {@code Double.equals} tells {@code -0.0} from
 * {@code 0.0}: {@code WHERE -x IN (SELECT x ...)} missed the rows where {@code x} is 0. So every
 * DOUBLE an operator computes is passed through {@code + 0.0}, which turns {@code -0.0} into
 * {@code 0.0} (IEEE 754, rounding to nearest) and leaves every other value, NaN included, as it
 * was. Stored values are normalised where rows are encoded and decoded ({@code TableStorage}).</li>
 * <li>{@code BigDecimal.equals} tells 1.50 from 1.5000: a DECIMAL quotient kept its dividend's
 * scale, not its type's, so {@code SELECT c1 / x ... EXCEPT SELECT c1 ...} kept every row. So
 * every DECIMAL an operator computes is cast to its own type, which gives it the type's scale
 * (digits past the scale cut, as by every cast to DECIMAL in the generated code). Stored values and literals have their
 * type's scale already.</li>
 * </ul>
 * Applied to the outputs of every Calc and Project of the finished physical plan, after every
 * simplification that could remove the addition or the cast; the interpreter and the generated
 * code both evaluate the addition (a plan with the cast is compiled).
 */
final class NumericForms {

    private NumericForms() {
    }

    /** The plan with every computed DOUBLE, REAL, FLOAT or DECIMAL output of a Calc or Project normalised. */
    static RelNode apply(RelNode plan) {
        return BottomUp.apply(plan, NumericForms::normalised);
    }

    private static RelNode normalised(RelNode result) {
        if (result instanceof EnumerableCalc calc) {
            RexProgram program = normalised(calc.getProgram(), calc.getCluster().getRexBuilder());
            if (program != calc.getProgram()) {
                return calc.copy(calc.getTraitSet(), calc.getInput(), program);
            }
        } else if (result instanceof EnumerableProject project) {
            List<RexNode> projects = new ArrayList<>(project.getProjects());
            boolean wrapped = false;
            for (int i = 0; i < projects.size(); i++) {
                RexNode e = projects.get(i);
                RexBuilder rex = project.getCluster().getRexBuilder();
                if (computesApproximate(e)) {
                    projects.set(i, rex.makeCall(e.getType(), SqlStdOperatorTable.PLUS, List.of(e, zero(rex, e.getType()))));
                    wrapped = true;
                } else if (computesDecimal(e)) {
                    projects.set(i, rex.makeAbstractCast(e.getType(), e, false));
                    wrapped = true;
                }
            }
            if (wrapped) {
                return project.copy(project.getTraitSet(), project.getInput(), projects, project.getRowType());
            }
        }
        return result;
    }

    /**
     * The program with {@code + 0.0} around each computed approximate-number output and a cast
     * to its own type around each computed DECIMAL output; the same program if it has neither.
     */
    static RexProgram normalised(RexProgram program, RexBuilder rex) {
        List<RexNode> exprs = null;
        List<RexLocalRef> projects = program.getProjectList();
        Map<RelDataType, RexLocalRef> zeros = null;
        for (int i = 0; i < projects.size(); i++) {
            RexLocalRef ref = projects.get(i);
            RexNode expr = program.getExprList().get(ref.getIndex());
            boolean approximate = computesApproximate(expr);
            if (!approximate && !computesDecimal(expr)) {
                continue;
            }
            if (exprs == null) {
                exprs = new ArrayList<>(program.getExprList());
                projects = new ArrayList<>(projects);
                zeros = new HashMap<>();
            }
            RelDataType type = ref.getType();
            if (!approximate) {
                exprs.add(rex.makeAbstractCast(type, ref, false));
                projects.set(i, new RexLocalRef(exprs.size() - 1, type));
                continue;
            }
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
        // the additions or casts), as a Calc's program must be: the zeros were appended after every other expression.
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

    /**
     * Whether an expression computes a DECIMAL whose scale may not be its type's: not a column, a
     * literal or a cast to DECIMAL (a cast sets the scale), nor a negated column or literal.
     */
    private static boolean computesDecimal(RexNode expr) {
        if (expr instanceof RexInputRef || expr instanceof RexLiteral || expr.getType().getSqlTypeName() != SqlTypeName.DECIMAL) {
            return false;
        }
        if (!(expr instanceof RexCall call)) {
            return true;
        }
        RexNode operand = call.getOperands().isEmpty() ? null : call.getOperands().get(0);
        boolean negatedValue = call.getKind() == SqlKind.MINUS_PREFIX && (operand instanceof RexInputRef || operand instanceof RexLiteral)
                && operand.getType().getScale() == call.getType().getScale();
        return call.getKind() != SqlKind.CAST && !negatedValue;
    }

    private static RexLiteral zero(RexBuilder rex, RelDataType type) {
        return rex.makeApproxLiteral(BigDecimal.ZERO, rex.getTypeFactory().createTypeWithNullability(type, false));
    }
}
