package io.starlingdb.sql.exec;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.txn.WriteConflictException;
import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.schema.InvalidViewException;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.tools.ValidationException;

/** Maps what Calcite and the engine throw to SQLStates with one-line messages. */
public final class Errors {

    private Errors() {
    }

    static SqlException validation(ValidationException e) {
        SqlException view = invalidView(e);
        if (view != null) {
            return view;
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause instanceof CalciteContextException c && c.getMessage() != null ? c.getMessage() : cause.getMessage();
        return new SqlException(stateOf(message), QueryCompiler.firstLine(message));
    }

    private static String stateOf(String message) {
        String m = message == null ? "" : message;
        if (m.contains("Object '") && m.contains("not found")) {
            return "42S02";
        }
        if (m.contains("Table '") && m.contains("not found")) {
            return "42S02";
        }
        if (m.contains("Column '") && m.contains("not found")) {
            return "42S22";
        }
        if (m.contains("Cannot apply") || m.contains("Cannot assign") || m.contains("cannot be cast")
                || m.contains("Cannot infer")) {
            return "42804";
        }
        return "42000";
    }

    /** The error of a view that cannot be read, if that is why the statement failed. */
    private static SqlException invalidView(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidViewException invalid) {
                return invalid.error();
            }
        }
        return null;
    }

    static SqlException planning(Throwable e) {
        SqlException view = invalidView(e);
        if (view != null) {
            return view;
        }
        if (e instanceof CalciteContextException c) {
            return new SqlException(stateOf(c.getMessage()), QueryCompiler.firstLine(c.getMessage()));
        }
        // Constant folding evaluates expressions while planning: their data errors keep their data SQLStates.
        SqlException asData = execution(e);
        // 22000 is any IllegalArgumentException: inside the planner that is Calcite refusing a plan, not bad data.
        if (asData.sqlState().startsWith("22") && !asData.sqlState().equals("22000")) {
            return asData;
        }
        return new SqlException("42000", "cannot plan the statement: " + QueryCompiler.firstLine(String.valueOf(e.getMessage())), e);
    }

    /** An exception thrown while a statement ran. */
    public static SqlException execution(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CancelSignal.Stopped stopped) {
                return new SqlException(stopped.sqlState(), stopped.getMessage());
            }
            if (t instanceof RangeFrames.Refused refused) {
                return new SqlException(refused.sqlState, refused.getMessage());
            }
        }
        if (e instanceof WriteConflictException) {
            return new SqlException("40001", "write conflict with a concurrent transaction; retry: " + e.getMessage());
        }
        if (e instanceof io.starlingdb.engine.range.TransactionTooOldException) {
            return new SqlException("40001", "the transaction is too old to read or write: " + e.getMessage());
        }
        if (e instanceof LimitExceededException l) {
            return new SqlException("54000", l.getMessage());
        }
        if (e instanceof io.starlingdb.engine.raft.OutcomeUnknownException) {
            return new SqlException("40003", "the outcome of the commit is unknown (it may or may not have happened):"
                    + " read what it wrote before retrying: " + e.getMessage());
        }
        if (e instanceof io.starlingdb.engine.range.RangeUnavailableException) {
            return new SqlException("08006", "the cluster could not answer in time; retry (on another node if this"
                    + " one is cut off): " + e.getMessage());
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof ArithmeticException)) {
            t = t.getCause();
        }
        String arithmetic = t instanceof ArithmeticException a ? String.valueOf(a.getMessage()) : failedConstant(t);
        if (arithmetic != null) {
            String m = arithmetic;
            if (m.contains("by zero")) {
                return new SqlException("22012", "division by zero");
            }
            String refused = DoubleFunctions.sqlState(m);
            if (refused != null) {
                return new SqlException(refused, m);
            }
            return new SqlException("22003", "numeric value out of range: " + m);
        }
        if (t instanceof NumberFormatException n) {
            return new SqlException("22018", "invalid number: " + n.getMessage());
        }
        if (t instanceof IllegalArgumentException || t instanceof ClassCastException) {
            String message = QueryCompiler.firstLine(t.getMessage());
            if (message.startsWith("Invalid DATE") || message.startsWith("Invalid TIMESTAMP") || message.startsWith("Invalid TIME")) {
                return new SqlException("22007", "invalid datetime value: " + message);
            }
            return new SqlException("22000", message, t);
        }
        return new SqlException("XX000", "internal error: " + QueryCompiler.firstLine(String.valueOf(t)), t);
    }

    private static final String ARITHMETIC_PREFIX = "Exception " + ArithmeticException.class.getName() + ": ";

    /**
     * The message of the ArithmeticException that a generated plan's constant expression threw,
     * or null. The generated code computes constant expressions once, when its class is
     * initialised; once that failed, every later run gets an error that keeps only the original
     * exception's text ({@code NoClassDefFoundError} caused by an {@code ExceptionInInitializerError}
     * whose message is "Exception java.lang.ArithmeticException: ... [in thread ...]").
     */
    private static String failedConstant(Throwable t) {
        if (!(t instanceof ExceptionInInitializerError) || t.getMessage() == null || !t.getMessage().startsWith(ARITHMETIC_PREFIX)) {
            return null;
        }
        String m = t.getMessage().substring(ARITHMETIC_PREFIX.length());
        int thread = m.lastIndexOf(" [in thread ");
        return thread < 0 ? m : m.substring(0, thread);
    }
}
