package io.starlingdb.jdbc.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes frame bodies: one type byte, then the message's fields (docs/protocol.md).
 * The 4-byte length prefix of a frame is added and checked by the transport on each side.
 */
public final class MessageCodec {

    // Request types.
    static final int HELLO = 1;
    static final int EXECUTE = 2;
    static final int PREPARE = 3;
    static final int EXECUTE_PREPARED = 4;
    static final int BATCH = 5;
    static final int FETCH = 6;
    static final int CLOSE_CURSOR = 7;
    static final int CLOSE_STATEMENT = 8;
    static final int SET_AUTO_COMMIT = 9;
    static final int COMMIT = 10;
    static final int ROLLBACK = 11;
    static final int METADATA = 12;
    static final int PING = 13;
    static final int CLOSE = 14;
    static final int CANCEL = 15;
    // Response types.
    static final int HELLO_OK = 101;
    static final int OK = 102;
    static final int ERROR = 103;
    static final int UPDATE_COUNT = 104;
    static final int UPDATE_COUNTS = 105;
    static final int ROWS_HEADER = 106;
    static final int ROWS = 107;
    static final int PREPARED = 108;
    static final int CATALOG = 109;

    private MessageCodec() {
    }

    public static byte[] encode(Request request) {
        FrameWriter w = new FrameWriter();
        if (request instanceof Request.Hello h) {
            w.writeByte(HELLO).writeInt(h.magic()).writeInt(h.version()).writeString(h.clientName()).writeString(h.user());
        } else if (request instanceof Request.Execute e) {
            w.writeByte(EXECUTE).writeString(e.sql()).writeInt(e.fetchSize());
                writeValues(w, e.params());
        } else if (request instanceof Request.Prepare p) {
            w.writeByte(PREPARE).writeString(p.sql());
        } else if (request instanceof Request.ExecutePrepared e) {
            w.writeByte(EXECUTE_PREPARED).writeInt(e.statementId()).writeInt(e.fetchSize());
                writeValues(w, e.params());
        } else if (request instanceof Request.Batch b) {
            w.writeByte(BATCH).writeString(b.sql());
                w.writeInt(b.statements().size());
                b.statements().forEach(w::writeString);
                w.writeInt(b.paramSets().size());
                b.paramSets().forEach(set -> writeValues(w, set));
        } else if (request instanceof Request.Fetch f) {
            w.writeByte(FETCH).writeInt(f.cursorId()).writeInt(f.maxRows());
        } else if (request instanceof Request.CloseCursor c) {
            w.writeByte(CLOSE_CURSOR).writeInt(c.cursorId());
        } else if (request instanceof Request.CloseStatement c) {
            w.writeByte(CLOSE_STATEMENT).writeInt(c.statementId());
        } else if (request instanceof Request.SetAutoCommit s) {
            w.writeByte(SET_AUTO_COMMIT).writeBoolean(s.autoCommit());
        } else if (request instanceof Request.Commit c) {
            w.writeByte(COMMIT);
        } else if (request instanceof Request.Rollback r) {
            w.writeByte(ROLLBACK);
        } else if (request instanceof Request.Metadata m) {
            w.writeByte(METADATA);
        } else if (request instanceof Request.Ping p) {
            w.writeByte(PING);
        } else if (request instanceof Request.Close c) {
            w.writeByte(CLOSE);
        } else if (request instanceof Request.Cancel c) {
            w.writeByte(CANCEL).writeInt(c.queryTimeoutSeconds());
        } else {
            throw new IllegalArgumentException("unknown message " + request);
        }
        return w.toBytes();
    }

    public static Request decodeRequest(byte[] frame) {
        FrameReader r = new FrameReader(frame);
        int type = r.readByte();
        Request request = switch (type) {
            case HELLO -> new Request.Hello(r.readInt(), r.readInt(), r.readString(), r.readString());
            case EXECUTE -> {
                String sql = requireSql(r.readString());
                int fetchSize = r.readInt();
                yield new Request.Execute(sql, readValues(r, Limits.MAX_PARAMETERS), fetchSize);
            }
            case PREPARE -> new Request.Prepare(requireSql(r.readString()));
            case EXECUTE_PREPARED -> {
                int id = r.readInt();
                int fetchSize = r.readInt();
                yield new Request.ExecutePrepared(id, readValues(r, Limits.MAX_PARAMETERS), fetchSize);
            }
            case BATCH -> {
                String sql = r.readString();
                int n = r.readCount(Limits.MAX_BATCH_SIZE, "batch statement");
                List<String> statements = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    statements.add(requireSql(r.readString()));
                }
                int sets = r.readCount(Limits.MAX_BATCH_SIZE, "batch parameter set");
                List<List<Object>> paramSets = new ArrayList<>(Math.min(sets, 1024));
                for (int i = 0; i < sets; i++) {
                    paramSets.add(readValues(r, Limits.MAX_PARAMETERS));
                }
                yield new Request.Batch(sql, statements, paramSets);
            }
            case FETCH -> new Request.Fetch(r.readInt(), r.readInt());
            case CLOSE_CURSOR -> new Request.CloseCursor(r.readInt());
            case CLOSE_STATEMENT -> new Request.CloseStatement(r.readInt());
            case SET_AUTO_COMMIT -> new Request.SetAutoCommit(r.readBoolean());
            case COMMIT -> new Request.Commit();
            case ROLLBACK -> new Request.Rollback();
            case METADATA -> new Request.Metadata();
            case PING -> new Request.Ping();
            case CLOSE -> new Request.Close();
            case CANCEL -> {
                int seconds = r.readInt();
                if (seconds < 0) {
                    throw new ProtocolException("negative query timeout " + seconds + " in a cancel");
                }
                yield new Request.Cancel(seconds);
            }
            default -> throw new ProtocolException("unknown request type " + type);
        };
        r.expectEnd();
        return request;
    }

    public static byte[] encode(Response response) {
        FrameWriter w = new FrameWriter();
        if (response instanceof Response.HelloOk h) {
            w.writeByte(HELLO_OK).writeInt(h.version()).writeString(h.product())
                    .writeString(h.productVersion()).writeString(h.nodeId());
            writeStrings(w, h.clientAddresses());
        } else if (response instanceof Response.Ok o) {
            w.writeByte(OK);
        } else if (response instanceof Response.Error e) {
            w.writeByte(ERROR).writeString(e.sqlState()).writeString(e.message());
        } else if (response instanceof Response.UpdateCount u) {
            w.writeByte(UPDATE_COUNT).writeLong(u.count());
        } else if (response instanceof Response.UpdateCounts u) {
            w.writeByte(UPDATE_COUNTS).writeInt(u.counts().size());
                u.counts().forEach(w::writeLong);
        } else if (response instanceof Response.RowsHeader h) {
            w.writeByte(ROWS_HEADER).writeInt(h.cursorId());
                if (h.columnsAsPrepared()) {
                    w.writeInt(COLUMNS_AS_PREPARED);
                } else {
                    writeColumns(w, h.columns());
                }
                writeRows(w, h.rows());
                w.writeBoolean(h.hasMore());
        } else if (response instanceof Response.Rows rows) {
            w.writeByte(ROWS);
                writeRows(w, rows.rows());
                w.writeBoolean(rows.hasMore());
        } else if (response instanceof Response.Prepared p) {
            w.writeByte(PREPARED).writeInt(p.statementId());
                writeColumns(w, p.parameters());
                writeColumns(w, p.columns());
        } else if (response instanceof Response.Catalog c) {
            w.writeByte(CATALOG).writeLong(c.version()).writeInt(c.tables().size());
                for (TableDescription t : c.tables()) {
                    w.writeString(t.schema()).writeString(t.name()).writeString(t.type()).writeInt(t.columns().size());
                    for (TableDescription.Column col : t.columns()) {
                        w.writeString(col.name()).writeInt(col.jdbcType()).writeString(col.typeName()).writeInt(col.precision())
                                .writeInt(col.scale()).writeBoolean(col.nullable()).writeString(col.defaultValue());
                    }
                    writeStrings(w, t.primaryKey());
                    w.writeInt(t.indexes().size());
                    for (TableDescription.Index index : t.indexes()) {
                        w.writeString(index.name()).writeBoolean(index.unique());
                        writeStrings(w, index.columns());
                        index.descending().forEach(w::writeBoolean);
                    }
                }
        } else {
            throw new IllegalArgumentException("unknown message " + response);
        }
        return w.toBytes();
    }

    public static Response decodeResponse(byte[] frame) {
        FrameReader r = new FrameReader(frame);
        int type = r.readByte();
        Response response = switch (type) {
            case HELLO_OK -> new Response.HelloOk(r.readInt(), r.readString(), r.readString(), r.readString(),
                    readAddresses(r));
            case OK -> new Response.Ok();
            case ERROR -> new Response.Error(r.readString(), r.readString());
            case UPDATE_COUNT -> new Response.UpdateCount(r.readLong());
            case UPDATE_COUNTS -> {
                int n = r.readCount(Limits.MAX_BATCH_SIZE, "update count");
                List<Long> counts = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    counts.add(r.readLong());
                }
                yield new Response.UpdateCounts(counts);
            }
            case ROWS_HEADER -> {
                int cursor = r.readInt();
                List<ColumnInfo> columns = readColumnsOrAsPrepared(r);
                List<Object[]> rows = readRows(r, columns == null ? -1 : columns.size());
                yield new Response.RowsHeader(cursor, columns, rows, r.readBoolean());
            }
            case ROWS -> {
                List<Object[]> rows = readRows(r, -1);
                yield new Response.Rows(rows, r.readBoolean());
            }
            case PREPARED -> new Response.Prepared(r.readInt(), readColumns(r), readColumns(r));
            case CATALOG -> {
                long version = r.readLong();
                int n = r.readCount(Limits.MAX_LIST_ENTRIES, "table");
                List<TableDescription> tables = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    String schema = r.readString();
                    String name = r.readString();
                    String kind = r.readString();
                    int nc = r.readCount(Limits.MAX_COLUMNS, "column");
                    List<TableDescription.Column> columns = new ArrayList<>(nc);
                    for (int c = 0; c < nc; c++) {
                        columns.add(new TableDescription.Column(r.readString(), r.readInt(), r.readString(), r.readInt(),
                                r.readInt(), r.readBoolean(), r.readString()));
                    }
                    List<String> pk = readStrings(r);
                    int ni = r.readCount(Limits.MAX_LIST_ENTRIES, "index");
                    List<TableDescription.Index> indexes = new ArrayList<>(Math.min(ni, 1024));
                    for (int x = 0; x < ni; x++) {
                        String indexName = r.readString();
                        boolean unique = r.readBoolean();
                        List<String> indexColumns = readStrings(r);
                        List<Boolean> descending = new ArrayList<>(indexColumns.size());
                        for (int c = 0; c < indexColumns.size(); c++) {
                            descending.add(r.readBoolean());
                        }
                        indexes.add(new TableDescription.Index(indexName, unique, indexColumns, descending));
                    }
                    tables.add(new TableDescription(schema, name, kind, columns, pk, indexes));
                }
                yield new Response.Catalog(version, tables);
            }
            default -> throw new ProtocolException("unknown response type " + type);
        };
        r.expectEnd();
        return response;
    }

    private static String requireSql(String sql) {
        if (sql == null) {
            throw new ProtocolException("statement text must not be null");
        }
        return sql;
    }

    private static void writeValues(FrameWriter w, List<Object> values) {
        w.writeInt(values.size());
        values.forEach(w::writeValue);
    }

    private static List<Object> readValues(FrameReader r, int max) {
        int n = r.readCount(max, "value");
        List<Object> values = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            values.add(r.readValue());
        }
        return values;
    }

    private static void writeStrings(FrameWriter w, List<String> strings) {
        w.writeInt(strings.size());
        strings.forEach(w::writeString);
    }

    /** A HelloOk's client addresses: a short list of non-null {@code host:port} strings. */
    private static List<String> readAddresses(FrameReader r) {
        int n = r.readCount(Limits.MAX_CLUSTER_ADDRESSES, "client address");
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String address = r.readString();
            if (address == null) {
                throw new ProtocolException("null client address in a hello answer");
            }
            out.add(address);
        }
        return out;
    }

    private static List<String> readStrings(FrameReader r) {
        int n = r.readCount(Limits.MAX_LIST_ENTRIES, "name");
        List<String> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            out.add(r.readString());
        }
        return out;
    }

    private static void writeColumns(FrameWriter w, List<ColumnInfo> columns) {
        w.writeInt(columns.size());
        for (ColumnInfo c : columns) {
            w.writeString(c.name()).writeString(c.label()).writeInt(c.jdbcType()).writeString(c.typeName())
                    .writeInt(c.precision()).writeInt(c.scale()).writeBoolean(c.nullable()).writeString(c.table());
        }
    }

    /** A RowsHeader's column count that stands for "the prepared statement's columns" (protocol 4). */
    private static final int COLUMNS_AS_PREPARED = -1;

    /** A RowsHeader's columns, or null for {@link #COLUMNS_AS_PREPARED}. */
    private static List<ColumnInfo> readColumnsOrAsPrepared(FrameReader r) {
        if (r.peekInt() == COLUMNS_AS_PREPARED) {
            r.readInt();
            return null;
        }
        return readColumns(r);
    }

    private static List<ColumnInfo> readColumns(FrameReader r) {
        int n = r.readCount(Limits.MAX_COLUMNS, "column");
        List<ColumnInfo> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            columns.add(new ColumnInfo(r.readString(), r.readString(), r.readInt(), r.readString(), r.readInt(), r.readInt(),
                    r.readBoolean(), r.readString()));
        }
        return columns;
    }

    private static void writeRows(FrameWriter w, List<Object[]> rows) {
        w.writeInt(rows.size());
        for (Object[] row : rows) {
            w.writeInt(row.length);
            for (Object v : row) {
                w.writeValue(v);
            }
        }
    }

    /** Rows; each must have expectedWidth values when that is known (>= 0). */
    private static List<Object[]> readRows(FrameReader r, int expectedWidth) {
        int n = r.readCount(Limits.MAX_BATCH_ROWS, "row");
        List<Object[]> rows = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            int width = r.readCount(Limits.MAX_COLUMNS, "row value");
            if (expectedWidth >= 0 && width != expectedWidth) {
                throw new ProtocolException("row of " + width + " values in a result of " + expectedWidth + " columns");
            }
            Object[] row = new Object[width];
            for (int c = 0; c < width; c++) {
                row[c] = r.readValue();
            }
            rows.add(row);
        }
        return rows;
    }
}
