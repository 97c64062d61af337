package io.starlingdb.server.client;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Limits;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import io.starlingdb.jdbc.protocol.TableDescription;
import io.starlingdb.sql.CancelSignal;
import io.starlingdb.sql.CatalogView;
import io.starlingdb.sql.ColumnMeta;
import io.starlingdb.sql.PreparedSql;
import io.starlingdb.sql.RowCursor;
import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.SqlSession;
import io.starlingdb.sql.StatementResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's state after the handshake: its SQL session, open cursors and prepared
 * statements. Answers each request with exactly one response; never throws for bad SQL.
 * Requests of one connection run one at a time, so no locking is needed here.
 */
final class ClientSession implements AutoCloseable {

    private final SqlSession sql;
    private final ClientListenerOptions options;
    private final Map<Integer, RowCursor> cursors = new HashMap<>();
    private final Map<Integer, PreparedSql> prepared = new HashMap<>();
    private int nextCursorId = 1;
    /** Cursors with a smaller id were closed when a later statement started (see invalidateCursors). */
    private int firstLiveCursorId = 1;
    private int nextStatementId = 1;

    ClientSession(SqlSession sql, ClientListenerOptions options) {
        this.sql = sql;
        this.options = options;
    }

    /**
     * Answers a request, as request {@code number} of the session's cancel signal (numbered in
     * arrival order by {@link #received()}): a cancel received after it stops it.
     */
    Response handle(Request request, long number) {
        try (CancelSignal.Running running = sql.cancelSignal().start(number)) {
            return dispatch(request);
        } catch (SqlException e) {
            return new Response.Error(e.sqlState(), e.getMessage());
        }
    }

    /**
     * Answers a statement now, on the calling thread (the connection's event loop, with no other
     * request of this connection queued or running), if it is a point read the SQL session
     * answers without waiting ({@link SqlSession#executeNow}); null if it is not, and then nothing
     * happened: {@link #handle} runs it on a SQL thread. Only while no result is open here (an
     * open cursor belongs to a read transaction that the statement would have to close first).
     */
    Response handleNow(Request request) {
        if (!cursors.isEmpty()) {
            return null;
        }
        StatementResult result;
        List<ColumnMeta> preparedColumns = null;
        int fetchSize;
        if (request instanceof Request.ExecutePrepared e) {
            PreparedSql statement = prepared.get(e.statementId());
            if (statement == null) {
                return null;
            }
            result = sql.executeNow(statement, e.params());
            preparedColumns = statement.columns();
            fetchSize = e.fetchSize();
        } else if (request instanceof Request.Execute e) {
            result = sql.executeNow(e.sql(), e.params());
            fetchSize = e.fetchSize();
        } else {
            return null;
        }
        if (result == null) {
            return null;
        }
        invalidateCursors();
        try {
            return result(result, fetchSize, preparedColumns);
        } catch (SqlException e) {
            return new Response.Error(e.sqlState(), e.getMessage());
        }
    }

    /**
     * Starts a statement now, on the calling thread (as {@link #handleNow}), if it is a point write
     * the SQL session starts without waiting ({@link SqlSession#writeNow}), and answers the future
     * of its response, completed on the thread that applied its commit; null if it is not, and
     * then nothing happened: {@link #handle} runs it on a SQL thread. Nothing else of this session
     * may run until the future completes.
     */
    java.util.concurrent.CompletableFuture<Response> handleNowAsync(Request request) {
        if (!cursors.isEmpty() || !(request instanceof Request.ExecutePrepared e)) {
            return null;
        }
        PreparedSql statement = prepared.get(e.statementId());
        if (statement == null) {
            return null;
        }
        java.util.concurrent.CompletableFuture<StatementResult> started = sql.writeNow(statement, e.params());
        if (started == null) {
            return null;
        }
        return started.handle((result, failure) -> {
            if (failure == null) {
                return result instanceof StatementResult.UpdateCount u ? new Response.UpdateCount(u.count())
                        : new Response.Error("XX000", "internal error: a point write answered rows");
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            return cause instanceof SqlException s ? new Response.Error(s.sqlState(), s.getMessage())
                    : new Response.Error("XX000", "internal error: " + cause);
        });
    }

    /** Numbers a request as it arrives, on the connection's event loop. */
    long received() {
        return sql.cancelSignal().received();
    }

    /**
     * Stops the request running or waiting to run (a Cancel, or the connection went away); from
     * the event loop, while a SQL thread runs the request.
     */
    void cancel(String reason) {
        sql.cancelSignal().cancel(reason);
    }

    private Response dispatch(Request request) throws SqlException {
        if (request instanceof Request.Execute e) {
            invalidateCursors();
            return result(sql.execute(e.sql(), e.params()), e.fetchSize(), null);
        } else if (request instanceof Request.ExecutePrepared e) {
            PreparedSql statement = preparedStatement(e.statementId());
            invalidateCursors();
            return result(sql.execute(statement, e.params()), e.fetchSize(), statement.columns());
        } else if (request instanceof Request.Prepare p) {
            if (prepared.size() >= options.maxPreparedStatements()) {
                return new Response.Error("54000", "too many prepared statements on this connection (limit "
                        + options.maxPreparedStatements() + "); close some");
            }
            PreparedSql statement = sql.prepare(p.sql());
            int id = nextStatementId++;
            prepared.put(id, statement);
            return new Response.Prepared(id, columns(statement.parameters()), columns(statement.columns()));
        } else if (request instanceof Request.Batch b) {
            invalidateCursors();
            return batch(b);
        } else if (request instanceof Request.Fetch f) {
            RowCursor cursor = cursors.get(f.cursorId());
            if (cursor == null) {
                if (f.cursorId() > 0 && f.cursorId() < firstLiveCursorId) {
                    return new Response.Error("24000", "result " + f.cursorId() + " was closed because another statement ran on"
                            + " this connection; a connection streams one result at a time, so read it to the end first"
                            + " or use another connection");
                }
                return new Response.Error("24000", "no open cursor " + f.cursorId());
            }
            RowBatch batch;
            try {
                batch = nextBatch(cursor, fetchSize(f.maxRows()));
            } catch (SqlException | RuntimeException e) {
                // A failed cursor is finished: a later fetch must not mistake it for an exhausted one.
                cursors.remove(f.cursorId()).close();
                throw e;
            }
            if (!batch.more()) {
                cursors.remove(f.cursorId()).close();
            }
            return new Response.Rows(batch.rows(), batch.more());
        } else if (request instanceof Request.CloseCursor c) {
            RowCursor cursor = cursors.remove(c.cursorId());
            if (cursor != null) {
                cursor.close();
            }
            return new Response.Ok();
        } else if (request instanceof Request.CloseStatement c) {
            prepared.remove(c.statementId());
            return new Response.Ok();
        } else if (request instanceof Request.SetAutoCommit s) {
            invalidateCursors();
            sql.setAutoCommit(s.autoCommit());
            return new Response.Ok();
        } else if (request instanceof Request.Commit) {
            invalidateCursors();
            sql.commit();
            return new Response.Ok();
        } else if (request instanceof Request.Rollback) {
            invalidateCursors();
            sql.rollback();
            return new Response.Ok();
        } else if (request instanceof Request.Metadata) {
            return catalog(sql.catalog());
        } else if (request instanceof Request.Ping || request instanceof Request.Close) {
            return new Response.Ok();
        }
        return new Response.Error("08P01", "unexpected request " + request.getClass().getSimpleName() + " after the handshake");
    }

    /**
     * The SQL session keeps one open cursor: a statement, commit or rollback closes it. Close
     * ours with it and remember that their ids are gone, so that a later fetch on one gets an
     * error instead of an empty batch that would look like the end of the result.
     */
    private void invalidateCursors() {
        cursors.values().forEach(RowCursor::close);
        cursors.clear();
        firstLiveCursorId = nextCursorId;
    }

    private PreparedSql preparedStatement(int id) throws SqlException {
        PreparedSql statement = prepared.get(id);
        if (statement == null) {
            throw new SqlException("26000", "no prepared statement " + id + " on this connection");
        }
        return statement;
    }

    private int fetchSize(int requested) {
        return requested <= 0 ? options.defaultFetchSize() : Math.min(requested, Limits.MAX_BATCH_ROWS);
    }

    /** Rows of one response, and whether the cursor may have more. */
    private record RowBatch(List<Object[]> rows, boolean more) {
    }

    /** Most rows read from the cursor at once while filling a batch. */
    private static final int maxFetchChunkRows = 64;

    /**
     * Up to fetchSize rows, but no more than half a frame's worth of (estimated) bytes, so that a
     * batch of wide rows still fits in one frame: a response is never over the limit the client
     * enforces, and a huge fetch size cannot make the node build a huge response. Rows are read in
     * chunks sized by the widest row seen so far: one at a time while rows are wide.
     */
    private RowBatch nextBatch(RowCursor cursor, int fetchSize) throws SqlException {
        // The driver accepts frames up to the default limit whatever the node's own limit is.
        long budget = Math.min(options.maxFrameBytes(), Limits.DEFAULT_MAX_FRAME_BYTES) / 2;
        List<Object[]> rows = new ArrayList<>(Math.min(fetchSize, 1024));
        long bytes = 0;
        long widest = 0;
        while (rows.size() < fetchSize) {
            long room = budget - bytes;
            int byWidth = widest == 0 ? 1 : (int) Math.max(1, Math.min(maxFetchChunkRows, room / widest));
            int want = Math.min(byWidth, fetchSize - rows.size());
            List<Object[]> chunk = cursor.fetch(want);
            for (Object[] row : chunk) {
                rows.add(row);
                long size = estimatedBytes(row);
                bytes += size;
                widest = Math.max(widest, size);
            }
            if (chunk.size() < want) {
                return new RowBatch(rows, false);
            }
            if (bytes >= budget) {
                return new RowBatch(rows, true);
            }
        }
        return new RowBatch(rows, true);
    }

    /** An upper bound of a row's encoded size: strings at 3 bytes per UTF-16 unit, as UTF-8 needs at most. */
    private static long estimatedBytes(Object[] row) {
        long bytes = 4;
        for (Object v : row) {
            if (v instanceof String str) {
                bytes += 5 + 3L * str.length();
            } else if (v instanceof java.math.BigDecimal d) {
                bytes += 5 + 16 + d.precision();
            } else {
                bytes += 13;
            }
        }
        return bytes;
    }

    /**
     * The answer to a statement. {@code preparedColumns}: the columns the statement's Prepared
     * answer named (null: not a prepared statement); a result with the same columns leaves them
     * out of its header (protocol 4), one whose statement was planned again with other columns
     * (the catalog changed) sends its own.
     */
    private Response result(StatementResult result, int requestedFetchSize, List<ColumnMeta> preparedColumns)
            throws SqlException {
        if (result instanceof StatementResult.UpdateCount u) {
            return new Response.UpdateCount(u.count());
        }
        RowCursor cursor = ((StatementResult.Rows) result).cursor();
        int fetchSize = fetchSize(requestedFetchSize);
        RowBatch batch;
        try {
            batch = nextBatch(cursor, fetchSize);
        } catch (SqlException | RuntimeException e) {
            cursor.close();
            throw e;
        }
        List<Object[]> rows = batch.rows();
        boolean more = batch.more();
        int id = -1;
        if (more) {
            if (cursors.size() >= options.maxOpenCursors()) {
                cursor.close();
                return new Response.Error("54000", "too many open result sets on this connection (limit "
                        + options.maxOpenCursors() + "); close some");
            }
            id = nextCursorId++;
            cursors.put(id, cursor);
        } else {
            cursor.close();
        }
        List<ColumnMeta> columns = cursor.columns();
        if (preparedColumns != null && (columns == preparedColumns || columns.equals(preparedColumns))) {
            return Response.RowsHeader.asPrepared(id, rows, more);
        }
        return new Response.RowsHeader(id, columns(columns), rows, more);
    }

    /**
     * Runs a batch. In auto-commit mode the whole batch is one transaction: if an element
     * fails, nothing of the batch stays. In a transaction the elements join it, as single
     * statements would. A failure names the element (1-based) that failed.
     */
    private Response batch(Request.Batch b) throws SqlException {
        boolean atomic = sql.autoCommit();
        if (atomic) {
            sql.setAutoCommit(false);
        }
        List<Long> counts = new ArrayList<>();
        try {
            if (b.sql() != null) {
                PreparedSql statement = sql.prepare(b.sql());
                // As one statement where the session can (a prepared INSERT of VALUES: its keys
                // checked together, not one round trip per row); else, or when an element
                // fails there, one by one, which names the element that fails.
                long[] together = sql.executeBatch(statement, b.paramSets());
                if (together != null) {
                    for (long count : together) {
                        counts.add(count);
                    }
                } else {
                    for (List<Object> params : b.paramSets()) {
                        counts.add(element(counts.size(), b.paramSets().size(), () -> updateCount(sql.execute(statement, params))));
                    }
                }
            } else {
                for (String statement : b.statements()) {
                    counts.add(element(counts.size(), b.statements().size(),
                            () -> updateCount(sql.execute(statement, List.of()))));
                }
            }
            if (atomic) {
                sql.commit();
            }
        } catch (SqlException | RuntimeException e) {
            if (atomic) {
                sql.rollback();
            }
            throw e;
        } finally {
            if (atomic) {
                sql.setAutoCommit(true);
            }
        }
        return new Response.UpdateCounts(counts);
    }

    private interface BatchElement {
        long run() throws SqlException;
    }

    private static long element(int index, int size, BatchElement element) throws SqlException {
        try {
            return element.run();
        } catch (SqlException e) {
            throw new SqlException(e.sqlState(), "batch element " + (index + 1) + " of " + size + " failed: " + e.getMessage(), e);
        }
    }

    private static long updateCount(StatementResult result) throws SqlException {
        if (result instanceof StatementResult.UpdateCount u) {
            return u.count();
        }
        ((StatementResult.Rows) result).cursor().close();
        throw new SqlException("22000", "a batch may not contain statements that return rows");
    }

    private static List<ColumnInfo> columns(List<ColumnMeta> metas) {
        List<ColumnInfo> out = new ArrayList<>(metas.size());
        for (ColumnMeta m : metas) {
            out.add(new ColumnInfo(m.name(), m.label(), m.jdbcType(), m.typeName(), m.precision(), m.scale(), m.nullable(), m.table()));
        }
        return out;
    }

    private static Response catalog(CatalogView view) {
        List<TableDescription> tables = new ArrayList<>();
        for (CatalogView.TableInfo t : view.tables()) {
            List<TableDescription.Column> columns = new ArrayList<>();
            for (CatalogView.ColumnInfo c : t.columns()) {
                columns.add(new TableDescription.Column(c.name(), c.jdbcType(), c.typeName(), c.precision(), c.scale(),
                        c.nullable(), c.defaultValue()));
            }
            List<TableDescription.Index> indexes = new ArrayList<>();
            for (CatalogView.IndexInfo i : t.indexes()) {
                indexes.add(new TableDescription.Index(i.name(), i.unique(), i.columns(), i.descending()));
            }
            tables.add(new TableDescription(t.schema(), t.name(), t.type(), columns, t.primaryKey(), indexes));
        }
        return new Response.Catalog(view.version(), tables);
    }

    /** Closes cursors and the SQL session, rolling back an open transaction. */
    @Override
    public void close() {
        cursors.values().forEach(RowCursor::close);
        cursors.clear();
        prepared.clear();
        sql.close();
    }
}
