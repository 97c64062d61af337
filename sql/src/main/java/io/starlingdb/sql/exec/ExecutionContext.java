package io.starlingdb.sql.exec;

import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.CancelSignal;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.schema.SchemaPlus;

/**
 * What a running plan sees: the transaction its scans read from, the signal that stops it,
 * and the values of its dynamic parameters (named "?0", "?1", ... as Calcite's generated code
 * asks for them).
 */
public final class ExecutionContext implements DataContext {

    /** The name under which scans find the statement's transaction. */
    public static final String TRANSACTION = "starling.transaction";
    /** The name under which scans find the session's {@link CancelSignal}, which they check per row. */
    public static final String CANCEL = "starling.cancel";

    /** "?" and up to 9 digits: every int index fits without overflow. */
    private static final int maxParameterNameLength = 10;

    private final SchemaPlus rootSchema;
    private final JavaTypeFactory typeFactory;
    private final Transaction transaction;
    private final CancelSignal cancel;
    private final List<Object> parameters;
    private final Map<String, Object> stash;
    private final long startMillis = System.currentTimeMillis();

    public ExecutionContext(SchemaPlus rootSchema, JavaTypeFactory typeFactory, Transaction transaction, CancelSignal cancel,
                            List<Object> parameters, Map<String, Object> stash) {
        this.cancel = cancel;
        this.stash = stash;
        this.rootSchema = rootSchema;
        this.typeFactory = typeFactory;
        this.transaction = transaction;
        this.parameters = parameters;
    }

    @Override
    public SchemaPlus getRootSchema() {
        return rootSchema;
    }

    @Override
    public JavaTypeFactory getTypeFactory() {
        return typeFactory;
    }

    @Override
    public QueryProvider getQueryProvider() {
        return null;
    }

    @Override
    public Object get(String name) {
        if (name.equals(TRANSACTION)) {
            return transaction;
        }
        if (name.equals(CANCEL)) {
            return cancel;
        }
        // Parameters first: generated code asks for one per row it filters. Stashed names never start with "?".
        int index = parameterIndex(name);
        if (index >= 0) {
            return index < parameters.size() ? parameters.get(index) : null;
        }
        Object stashed = stash.get(name);
        if (stashed != null) {
            return stashed;
        }
        if (name.equals(Variable.CURRENT_TIMESTAMP.camelName) || name.equals(Variable.LOCAL_TIMESTAMP.camelName)
                || name.equals(Variable.UTC_TIMESTAMP.camelName)) {
            return startMillis;
        }
        if (name.equals(Variable.TIME_ZONE.camelName)) {
            return java.util.TimeZone.getTimeZone("UTC");
        }
        if (name.equals(Variable.CANCEL_FLAG.camelName)) {
            return cancel.flag();
        }
        return null;
    }

    /**
     * The index N of a parameter named "?N", or -1 for any other name. Generated code asks for a
     * parameter once per row it filters, so this parses in place instead of allocating a substring.
     */
    static int parameterIndex(String name) {
        int length = name.length();
        if (length < 2 || length > maxParameterNameLength || name.charAt(0) != '?') {
            return -1;
        }
        int index = 0;
        for (int i = 1; i < length; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index;
    }

    public Transaction transaction() {
        return transaction;
    }
}
