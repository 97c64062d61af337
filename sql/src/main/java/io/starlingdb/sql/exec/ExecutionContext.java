package io.starlingdb.sql.exec;

import io.starlingdb.engine.txn.Transaction;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.schema.SchemaPlus;

/**
 * What a running plan sees: the transaction its scans read from, and the values of its
 * dynamic parameters (named "?0", "?1", ... as Calcite's generated code asks for them).
 */
public final class ExecutionContext implements DataContext {

    /** The name under which scans find the statement's transaction. */
    public static final String TRANSACTION = "starling.transaction";

    private final SchemaPlus rootSchema;
    private final JavaTypeFactory typeFactory;
    private final Transaction transaction;
    private final List<Object> parameters;
    private final Map<String, Object> stash;
    private final long startMillis = System.currentTimeMillis();

    public ExecutionContext(SchemaPlus rootSchema, JavaTypeFactory typeFactory, Transaction transaction, List<Object> parameters,
                            Map<String, Object> stash) {
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
        Object stashed = stash.get(name);
        if (stashed != null) {
            return stashed;
        }
        if (name.startsWith("?")) {
            int index = Integer.parseInt(name.substring(1));
            return index < parameters.size() ? parameters.get(index) : null;
        }
        if (name.equals(Variable.CURRENT_TIMESTAMP.camelName) || name.equals(Variable.LOCAL_TIMESTAMP.camelName)
                || name.equals(Variable.UTC_TIMESTAMP.camelName)) {
            return startMillis;
        }
        if (name.equals(Variable.TIME_ZONE.camelName)) {
            return java.util.TimeZone.getTimeZone("UTC");
        }
        if (name.equals(Variable.CANCEL_FLAG.camelName)) {
            return new java.util.concurrent.atomic.AtomicBoolean(false);
        }
        return null;
    }

    public Transaction transaction() {
        return transaction;
    }
}
