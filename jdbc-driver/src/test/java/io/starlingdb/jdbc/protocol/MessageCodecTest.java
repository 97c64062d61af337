package io.starlingdb.jdbc.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    /** One value of every wire type, with edge cases. */
    static final List<Object> EVERY_VALUE = Arrays.asList(null, true, false, 0, Integer.MIN_VALUE, Integer.MAX_VALUE,
            Long.MIN_VALUE, Long.MAX_VALUE, 0.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
            new BigDecimal("-12345678901234567890.123456789"), new BigDecimal("1E+40"), BigDecimal.ZERO, "", "ascii",
            "héllo ✓ 雪 😀", LocalDate.of(1, 1, 1), LocalDate.of(9999, 12, 31), LocalDate.of(1969, 12, 31),
            LocalDateTime.of(1900, 1, 1, 0, 0), LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_999),
            LocalDateTime.of(1969, 12, 31, 23, 59, 59, 1));

    static final List<ColumnInfo> COLUMNS = List.of(
            new ColumnInfo("ID", "ID", Types.INTEGER, "INTEGER", 10, 0, false, "T"),
            new ColumnInfo("NAME", "label", Types.VARCHAR, "VARCHAR", 20, 0, true, null));

    static List<Request> everyRequest() {
        return List.of(
                new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "client", "user"),
                new Request.Hello(Limits.MAGIC, 7, null, null),
                new Request.Execute("SELECT 1", EVERY_VALUE, 100),
                new Request.Execute("", List.of(), 0),
                new Request.Prepare("INSERT INTO t VALUES (?, ?)"),
                new Request.ExecutePrepared(42, EVERY_VALUE, -1),
                new Request.Batch("INSERT INTO t VALUES (?)", List.of(), List.of(List.of(1), List.of(2), Arrays.asList((Object) null))),
                new Request.Batch(null, List.of("INSERT INTO t VALUES (1)", "DELETE FROM t"), List.of()),
                new Request.Fetch(7, 500),
                new Request.CloseCursor(7),
                new Request.CloseStatement(42),
                new Request.SetAutoCommit(false),
                new Request.SetAutoCommit(true),
                new Request.Commit(),
                new Request.Rollback(),
                new Request.Metadata(),
                new Request.Ping(),
                new Request.Close(),
                new Request.Cancel(0),
                new Request.Cancel(30));
    }

    static List<Response> everyResponse() {
        List<Object[]> rows = List.of(new Object[] {1, "a"}, new Object[] {2, null});
        return List.of(
                new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "0.1.0", "node-1", List.of()),
                new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "0.1.0", "node-1", List.of("10.0.0.1:7432", "node-2:7433")),
                new Response.Ok(),
                new Response.Error("23505", "duplicate primary key"),
                new Response.UpdateCount(Long.MAX_VALUE),
                new Response.UpdateCounts(List.of(1L, 0L, 5_000_000_000L)),
                new Response.RowsHeader(3, COLUMNS, rows, true),
                new Response.RowsHeader(-1, COLUMNS, List.of(), false),
                Response.RowsHeader.asPrepared(-1, rows, false),
                new Response.Rows(List.<Object[]>of(EVERY_VALUE.toArray()), false),
                new Response.Prepared(9, List.of(new ColumnInfo("?1", "?1", Types.OTHER, "ANY", 0, 0, true, "")), COLUMNS),
                new Response.Catalog(12, List.of(
                        new TableDescription("PUBLIC", "T", "TABLE", List.of(
                                new TableDescription.Column("ID", Types.INTEGER, "INTEGER", 10, 0, false, null),
                                new TableDescription.Column("NAME", Types.VARCHAR, "VARCHAR", 20, 0, true, "'x'")),
                                List.of("ID"), List.of(new TableDescription.Index("T_NAME", false, List.of("NAME", "ID"), List.of(true, false)))),
                        new TableDescription("PUBLIC", "EMPTY", "VIEW", List.of(), List.of(), List.of()))));
    }

    /** Records with Object[] rows do not compare by content; their string forms with arrays expanded do. */
    private static String describe(Object message) {
        if (message instanceof Response.RowsHeader h) {
            return "RowsHeader" + h.cursorId() + h.columns() + rows(h.rows()) + h.hasMore();
        }
        if (message instanceof Response.Rows r) {
            return "Rows" + rows(r.rows()) + r.hasMore();
        }
        return String.valueOf(message);
    }

    private static String rows(List<Object[]> rows) {
        List<String> out = new ArrayList<>();
        for (Object[] row : rows) {
            out.add(Arrays.deepToString(row));
        }
        return out.toString();
    }

    @Test
    void everyRequestRoundTrips() {
        for (Request request : everyRequest()) {
            byte[] frame = MessageCodec.encode(request);
            assertEquals(request, MessageCodec.decodeRequest(frame));
        }
    }

    @Test
    void everyResponseRoundTrips() {
        for (Response response : everyResponse()) {
            byte[] frame = MessageCodec.encode(response);
            assertEquals(describe(response), describe(MessageCodec.decodeResponse(frame)));
        }
    }

    @Test
    void valuesKeepTheirExactJavaTypeAndValue() {
        Request.Execute decoded = (Request.Execute) MessageCodec.decodeRequest(
                MessageCodec.encode(new Request.Execute("x", EVERY_VALUE, 1)));
        for (int i = 0; i < EVERY_VALUE.size(); i++) {
            Object expected = EVERY_VALUE.get(i);
            Object actual = decoded.params().get(i);
            if (expected == null) {
                assertEquals(null, actual);
            } else {
                assertEquals(expected.getClass(), actual.getClass(), "value " + i);
                assertEquals(expected, actual, "value " + i);
            }
        }
        // -0.0 and NaN keep their bits.
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) decoded.params().get(9)));
    }

    @Test
    void helloFrameLayoutIsAsDocumented() {
        byte[] frame = MessageCodec.encode(new Request.Hello(Limits.MAGIC, 1, "c", null));
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(1, b.get());
        assertEquals(0x5354524C, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals('c', b.get());
        assertEquals(-1, b.getInt());
        assertEquals(0, b.remaining());
        assertEquals("STRL", new String(Arrays.copyOfRange(frame, 1, 5), java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] hex(String text) {
        String[] parts = text.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    private static byte[] framed(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** The example session of docs/protocol.md, byte for byte. */
    @Test
    void documentedExampleBytes() {
        assertArrayEquals(hex("00 00 00 15 01 53 54 52 4c 00 00 00 04 00 00 00 04 64 65 6d 6f 00 00 00 00"),
                framed(MessageCodec.encode(new Request.Hello(Limits.MAGIC, Limits.PROTOCOL_VERSION, "demo", ""))));
        assertArrayEquals(hex("00 00 00 48 65 00 00 00 04 00 00 00 08 53 74 61 72 6c 69 6e 67 00 00 00 05 30 2e 31 2e 30"
                + " 00 00 00 02 6e 31 00 00 00 02 00 00 00 0e 31 32 37 2e 30 2e 30 2e 31 3a 37 34 33 32"
                + " 00 00 00 0e 31 32 37 2e 30 2e 30 2e 31 3a 37 34 33 33"),
                framed(MessageCodec.encode(new Response.HelloOk(Limits.PROTOCOL_VERSION, "Starling", "0.1.0", "n1",
                        List.of("127.0.0.1:7432", "127.0.0.1:7433")))));
        assertArrayEquals(hex("00 00 00 1a 02 00 00 00 08 53 45 4c 45 43 54 20 3f 00 00 00 00 00 00 00 01 02 00 00 00 2a"),
                framed(MessageCodec.encode(new Request.Execute("SELECT ?", List.of(42), 0))));
        assertArrayEquals(hex("00 00 00 47 6a ff ff ff ff 00 00 00 01 00 00 00 06 45 58 50 52 24 30 00 00 00 06 45 58 50 52 24 30"
                + " 00 00 00 04 00 00 00 07 49 4e 54 45 47 45 52 00 00 00 0a 00 00 00 00 00 00 00 00 00"
                + " 00 00 00 01 00 00 00 01 02 00 00 00 2a 00"),
                framed(MessageCodec.encode(new Response.RowsHeader(-1,
                        List.of(new ColumnInfo("EXPR$0", "EXPR$0", Types.INTEGER, "INTEGER", 10, 0, false, "")),
                        List.<Object[]>of(new Object[] {42}), false))));
    }

    @Test
    void everyTruncationOfEveryMessageIsAProtocolException() {
        for (Request request : everyRequest()) {
            byte[] frame = MessageCodec.encode(request);
            for (int n = 0; n < frame.length; n++) {
                byte[] cut = Arrays.copyOf(frame, n);
                assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(cut), request + " cut at " + n);
            }
        }
        for (Response response : everyResponse()) {
            byte[] frame = MessageCodec.encode(response);
            for (int n = 0; n < frame.length; n++) {
                byte[] cut = Arrays.copyOf(frame, n);
                assertThrows(ProtocolException.class, () -> MessageCodec.decodeResponse(cut), describe(response) + " cut at " + n);
            }
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] ping = MessageCodec.encode(new Request.Ping());
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeRequest(Arrays.copyOf(ping, ping.length + 1)));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
        byte[] ok = MessageCodec.encode(new Response.Ok());
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeResponse(Arrays.copyOf(ok, ok.length + 2)));
    }

    @Test
    void unknownMessageTypesAreRefused() {
        ProtocolException request = assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(new byte[] {0}));
        assertTrue(request.getMessage().contains("unknown request type 0"), request.getMessage());
        // A response type is not a request, and the other way round.
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(MessageCodec.encode(new Response.Ok())));
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeResponse(MessageCodec.encode(new Request.Ping())));
    }

    private static byte[] frame(int type, int... ints) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 * ints.length);
        b.put((byte) type);
        for (int i : ints) {
            b.putInt(i);
        }
        return b.array();
    }

    @Test
    void countsOverTheLimitsAreRefusedBeforeAllocating() {
        // EXECUTE with a sql of length 0, fetch size 0, then a parameter count over MAX_PARAMETERS.
        ProtocolException params = assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeRequest(frame(MessageCodec.EXECUTE, 0, 0, Limits.MAX_PARAMETERS + 1)));
        assertTrue(params.getMessage().contains("count"), params.getMessage());
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(frame(MessageCodec.EXECUTE, 0, 0, -5)));
        assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeRequest(frame(MessageCodec.BATCH, -1, Integer.MAX_VALUE)));
        assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeResponse(frame(MessageCodec.UPDATE_COUNTS, Limits.MAX_BATCH_SIZE + 1)));
        assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeResponse(frame(MessageCodec.ROWS, Limits.MAX_BATCH_ROWS + 1)));
        assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeResponse(frame(MessageCodec.ROWS_HEADER, 1, Limits.MAX_COLUMNS + 1)));
    }

    @Test
    void malformedStringsAndValuesAreRefused() {
        // A string length below -1, or over the string limit.
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(frame(MessageCodec.PREPARE, -2)));
        assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeRequest(frame(MessageCodec.PREPARE, Limits.MAX_STRING_BYTES + 1)));
        // Statement text may not be the null string.
        ProtocolException nullSql = assertThrows(ProtocolException.class,
                () -> MessageCodec.decodeRequest(frame(MessageCodec.PREPARE, -1)));
        assertTrue(nullSql.getMessage().contains("must not be null"), nullSql.getMessage());
        // A boolean byte other than 0 or 1.
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(new byte[] {MessageCodec.SET_AUTO_COMMIT, 2}));
        // An unknown value tag, a decimal that is not a number, a date out of range.
        byte[] unknownTag = ByteBuffer.allocate(14).put((byte) MessageCodec.EXECUTE).putInt(0).putInt(0).putInt(1).put((byte) 99).array();
        ProtocolException tag = assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(unknownTag));
        assertTrue(tag.getMessage().contains("unknown value tag 99"), tag.getMessage());
        byte[] badDecimal = ByteBuffer.allocate(21).put((byte) MessageCodec.EXECUTE).putInt(0).putInt(0).putInt(1)
                .put((byte) ValueTag.DECIMAL).putInt(3).put("1x2".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).array();
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(badDecimal));
        byte[] badDate = ByteBuffer.allocate(22).put((byte) MessageCodec.EXECUTE).putInt(0).putInt(0).putInt(1)
                .put((byte) ValueTag.DATE).putLong(Long.MAX_VALUE).array();
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(badDate));
        byte[] badNanos = ByteBuffer.allocate(26).put((byte) MessageCodec.EXECUTE).putInt(0).putInt(0).putInt(1)
                .put((byte) ValueTag.TIMESTAMP).putLong(0).putInt(1_000_000_000).array();
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(badNanos));
    }

    @Test
    void rowWidthMustMatchTheColumns() {
        Response.RowsHeader header = new Response.RowsHeader(1, COLUMNS, List.<Object[]>of(new Object[] {1}), true);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decodeResponse(MessageCodec.encode(header)));
        assertTrue(e.getMessage().contains("row of 1 values in a result of 2 columns"), e.getMessage());
    }

    @Test
    void unsupportedValuesAndOversizedStringsAreRefusedWhenEncoding() {
        assertThrows(ProtocolException.class, () -> MessageCodec.encode(new Request.Execute("x", List.of(new Object()), 0)));
        assertThrows(ProtocolException.class, () -> MessageCodec.encode(new Request.Execute("x", List.of(1.5f), 0)));
        String huge = "x".repeat(Limits.MAX_STRING_BYTES + 1);
        assertThrows(ProtocolException.class, () -> MessageCodec.encode(new Request.Prepare(huge)));
    }

    /** Random bytes never crash the decoder with anything but a ProtocolException. */
    @Test
    void randomFramesFailOnlyWithProtocolExceptions() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = new byte[random.nextInt(64)];
            random.nextBytes(frame);
            if (frame.length > 0 && random.nextBoolean()) {
                frame[0] = (byte) (1 + random.nextInt(15));
            }
            try {
                MessageCodec.decodeRequest(frame);
            } catch (ProtocolException expected) {
                // Refused: fine.
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", frame " + Arrays.toString(frame), e);
            }
            try {
                MessageCodec.decodeResponse(frame);
            } catch (ProtocolException expected) {
                // Refused: fine.
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", frame " + Arrays.toString(frame), e);
            }
        }
    }

    @Test
    void aFrameOfEveryRequestStaysWithinTheDefaultFrameLimit() {
        for (Request request : everyRequest()) {
            assertTrue(MessageCodec.encode(request).length < Limits.DEFAULT_MAX_FRAME_BYTES);
        }
        assertArrayEquals(MessageCodec.encode(new Request.Ping()), new byte[] {MessageCodec.PING});
    }
}
