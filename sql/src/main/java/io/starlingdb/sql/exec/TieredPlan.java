package io.starlingdb.sql.exec;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableInterpretable;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.runtime.Bindable;

/**
 * How an executable plan runs, in two tiers as a JIT compiler does: its first
 * {@link #INTERPRETED_RUNS} runs are interpreted ({@link PlanInterpreter}), which costs nothing
 * to prepare; the run after those generates and compiles Java code for the plan (Janino, some
 * milliseconds) and every later run uses that code. A statement an application sends once
 * never pays for code generation; a reused one (prepared, or of a shape that recurs) runs
 * compiled. A plan the interpreter does not know is compiled when it is planned.
 */
public final class TieredPlan {

    /** Runs of a plan that are interpreted before its code is generated. */
    public static final int INTERPRETED_RUNS = 2;

    private final PlanInterpreter interpreter;
    private final AtomicInteger runs = new AtomicInteger();
    /** The plan to compile; dropped once compiled, so a cached plan does not keep its planner's objects. */
    private EnumerableRel physical;
    private volatile Generated generated;

    /** Compiled code and the objects it finds through {@link DataContext#get}. */
    record Generated(Bindable<Object> bindable, Map<String, Object> stash) {
    }

    private TieredPlan(EnumerableRel physical, PlanInterpreter interpreter, Generated generated) {
        this.physical = physical;
        this.interpreter = interpreter;
        this.generated = generated;
    }

    /** A plan for {@code physical}: interpreted first if the interpreter knows it, else compiled now. */
    static TieredPlan of(EnumerableRel physical) {
        PlanInterpreter interpreter = PlanInterpreter.of(physical);
        return interpreter == null ? new TieredPlan(null, null, generate(physical)) : new TieredPlan(physical, interpreter, null);
    }

    /** A plan that is always compiled (no interpreted runs). */
    static TieredPlan compiled(EnumerableRel physical) {
        return new TieredPlan(null, null, generate(physical));
    }

    private static Generated generate(EnumerableRel physical) {
        Map<String, Object> stash = new HashMap<>();
        @SuppressWarnings("unchecked")
        Bindable<Object> bindable = (Bindable<Object>) (Bindable<?>) EnumerableInterpretable.toBindable(stash, null, physical,
                EnumerableRel.Prefer.ARRAY);
        return new Generated(bindable, Map.copyOf(stash));
    }

    /** Whether a run now would be interpreted. */
    public boolean interpreted() {
        return generated == null;
    }

    /** The stash generated code reads (empty while the plan is interpreted). */
    Map<String, Object> stash() {
        Generated g = generated;
        return g == null ? Map.of() : g.stash();
    }

    /** Starts one run: interpreted while the plan is young, then compiled code. */
    Enumerator<Object> open(ContextFactory contexts) {
        Generated g = generated;
        if (g == null && runs.incrementAndGet() <= INTERPRETED_RUNS) {
            return interpreter.open(contexts.create(Map.of()));
        }
        g = generatedCode();
        return g.bindable().bind(contexts.create(g.stash())).enumerator();
    }

    /**
     * Starts one run of the generated code, or returns null if the code is not generated yet
     * (nothing counted): for a thread that must not spend milliseconds generating it, which then
     * runs the plan with {@link #open} elsewhere.
     */
    Enumerator<Object> openGenerated(ContextFactory contexts) {
        Generated g = generated;
        return g == null ? null : g.bindable().bind(contexts.create(g.stash())).enumerator();
    }

    /** One run in a forced tier (tests compare the tiers); null if the plan cannot be interpreted. */
    Enumerator<Object> open(ContextFactory contexts, boolean interpret) {
        if (interpret) {
            return interpreter == null ? null : interpreter.open(contexts.create(Map.of()));
        }
        Generated g = generatedCode();
        return g.bindable().bind(contexts.create(g.stash())).enumerator();
    }

    private Generated generatedCode() {
        Generated g = generated;
        if (g == null) {
            synchronized (this) {
                g = generated;
                if (g == null) {
                    g = generate(physical);
                    generated = g;
                    physical = null;
                }
            }
        }
        return g;
    }

    /** Makes the data context of a run, given the stash its code reads. */
    @FunctionalInterface
    interface ContextFactory {
        DataContext create(Map<String, Object> stash);
    }
}
