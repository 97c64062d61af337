package io.starlingdb.sql.exec;

import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.ColumnMeta;
import io.starlingdb.sql.RowCursor;
import io.starlingdb.sql.SqlException;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Streams a running plan's rows in batches, converting each value to the session's form.
 * Closing it closes the plan's enumerator and then runs the on-close action (which ends an
 * auto-commit read transaction).
 */
public final class QueryCursor implements RowCursor {

    private final List<ColumnMeta> columns;
    private final List<RelDataType> types;
    private final Enumerator<Object> enumerator;
    private final CancelSignal cancel;
    private final Runnable onClose;
    private boolean closed;

    /** @param cancel the session's signal: each fetch is a request of its own, with its own deadline */
    public QueryCursor(List<ColumnMeta> columns, List<RelDataType> types, Enumerator<Object> enumerator, CancelSignal cancel,
                       Runnable onClose) {
        this.columns = columns;
        this.cancel = cancel;
        this.types = types;
        this.enumerator = enumerator;
        this.onClose = onClose;
    }

    @Override
    public List<ColumnMeta> columns() {
        return columns;
    }

    @Override
    public List<Object[]> fetch(int maxRows) throws SqlException {
        List<Object[]> rows = new ArrayList<>(Math.min(maxRows, 1024));
        if (closed) {
            return rows;
        }
        try (CancelSignal.Running fetch = cancel.start()) {
            while (rows.size() < maxRows && enumerator.moveNext()) {
                cancel.check();
                rows.add(row(enumerator.current()));
            }
        } catch (RuntimeException | LinkageError e) {
            close();
            throw Errors.execution(e);
        }
        return rows;
    }

    private Object[] row(Object current) {
        Object[] values = columns.size() == 1 && !(current instanceof Object[]) ? new Object[] {current} : ((Object[]) current).clone();
        for (int i = 0; i < values.length; i++) {
            values[i] = Values.toSession(values[i], types.get(i));
        }
        return values;
    }

    /**
     * Reads every row of a plan that reads at most a few (a point read), converted as
     * {@link #fetch} converts them, on the calling thread and outside any request of the cancel
     * signal (the caller runs the whole statement at once); closes the enumerator.
     */
    public static List<Object[]> readAll(Enumerator<Object> enumerator, List<ColumnMeta> columns, List<RelDataType> types) {
        QueryCursor cursor = new QueryCursor(columns, types, enumerator, null, () -> {
        });
        try {
            List<Object[]> rows = new ArrayList<>();
            while (enumerator.moveNext()) {
                rows.add(cursor.row(enumerator.current()));
            }
            return rows;
        } finally {
            cursor.close();
        }
    }

    /** Reads every remaining row (used by DML, whose source rows are bounded by the transaction limits). */
    public static List<Object[]> drain(Enumerator<Object> enumerator, int width) {
        List<Object[]> rows = new ArrayList<>();
        while (enumerator.moveNext()) {
            Object current = enumerator.current();
            rows.add(width == 1 && !(current instanceof Object[]) ? new Object[] {current} : (Object[]) current);
        }
        return rows;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                enumerator.close();
            } finally {
                onClose.run();
            }
        }
    }
}
