package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import io.starlingdb.jdbc.protocol.Request;
import io.starlingdb.jdbc.protocol.Response;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The driver's side of the protocol, against a scripted stand-in node. */
class DriverAgainstScriptedServerTest {

    private static final List<ColumnInfo> ONE_COLUMN = List.of(new ColumnInfo("N", "N", Types.INTEGER, "INTEGER", 10, 0, false, "T"));

    private static List<Object[]> rows(int from, int count) {
        List<Object[]> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(new Object[] {i});
        }
        return out;
    }

    @Test
    void resultStreamsThroughFetchesWithTheStatementFetchSize() throws Exception {
        int[] fetches = {0};
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Execute) {
                return new Response.RowsHeader(5, ONE_COLUMN, rows(0, 2), true);
            }
            if (request instanceof Request.Fetch) {
                return fetches[0]++ == 0 ? new Response.Rows(rows(2, 2), true) : new Response.Rows(rows(4, 1), false);
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            s.setFetchSize(2);
            List<Integer> seen = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT n FROM t")) {
                while (rs.next()) {
                    seen.add(rs.getInt(1));
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4), seen);
            assertEquals(2, server.received(Request.Execute.class).get(0).fetchSize());
            List<Request.Fetch> sent = server.received(Request.Fetch.class);
            assertEquals(2, sent.size());
            for (Request.Fetch f : sent) {
                assertEquals(5, f.cursorId());
                assertEquals(2, f.maxRows());
            }
            assertTrue(server.received(Request.CloseCursor.class).isEmpty(), "an exhausted cursor is not closed again");
        }
    }

    @Test
    void closingAResultEarlyClosesTheServerCursor() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                request instanceof Request.Execute ? new Response.RowsHeader(9, ONE_COLUMN, rows(0, 2), true) : new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT n FROM t")) {
                assertTrue(rs.next());
            }
            assertEquals(List.of(new Request.CloseCursor(9)), server.received(Request.CloseCursor.class));
        }
    }

    /**
     * A RowsHeader without columns (protocol 4) is described by the columns the Prepared answer
     * named; to a plain statement, which prepared nothing, it is a protocol error (08P01), and so
     * is a row of another width.
     */
    @Test
    void aResultWithoutColumnsTakesThePreparedStatementsColumns() throws Exception {
        List<ColumnInfo> columns = List.of(new ColumnInfo("ID", "ID", Types.BIGINT, "BIGINT", 19, 0, false, "T"),
                new ColumnInfo("V", "V", Types.VARCHAR, "VARCHAR", 10, 0, true, "T"));
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Prepare) {
                return new Response.Prepared(5, List.of(new ColumnInfo("?1", "?1", Types.BIGINT, "BIGINT", 19, 0, true, "")),
                        columns);
            }
            if (request instanceof Request.ExecutePrepared e) {
                Object id = e.params().get(0);
                return Response.RowsHeader.asPrepared(-1, List.<Object[]>of(
                        ((Number) id).longValue() == 2 ? new Object[] {id} : new Object[] {id, "v" + id}), false);
            }
            if (request instanceof Request.Execute) {
                return Response.RowsHeader.asPrepared(-1, List.<Object[]>of(new Object[] {1L, "v1"}), false);
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url());
             PreparedStatement ps = c.prepareStatement("SELECT id, v FROM t WHERE id = ?")) {
            ps.setLong(1, 7);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(2, rs.getMetaData().getColumnCount());
                assertEquals("V", rs.getMetaData().getColumnName(2));
                assertTrue(rs.next());
                assertEquals("v7", rs.getString("V"));
            }
            ps.setLong(1, 2);
            assertEquals("08P01", assertThrows(SQLException.class, ps::executeQuery).getSQLState());
            try (Statement s = c.createStatement()) {
                assertEquals("08P01", assertThrows(SQLException.class, () -> s.executeQuery("SELECT id, v FROM t")).getSQLState());
            }
        }
    }

    @Test
    void preparedParametersOfEveryTypeAreSentAsTheirWireValues() throws Exception {
        List<ColumnInfo> params = new ArrayList<>();
        for (int i = 1; i <= 14; i++) {
            params.add(new ColumnInfo("?" + i, "?" + i, Types.OTHER, "ANY", 0, 0, true, ""));
        }
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Prepare) {
                return new Response.Prepared(3, params, List.of());
            }
            if (request instanceof Request.ExecutePrepared) {
                return new Response.UpdateCount(1);
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url());
             PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            LocalDate day = LocalDate.of(2024, 2, 29);
            LocalDateTime moment = LocalDateTime.of(2023, 12, 31, 23, 59, 58, 123_456_789);
            ps.setInt(1, -7);
            ps.setLong(2, Long.MIN_VALUE);
            ps.setDouble(3, -0.5);
            ps.setBigDecimal(4, new BigDecimal("12.340"));
            ps.setString(5, "héllo ✓");
            ps.setBoolean(6, true);
            ps.setDate(7, Date.valueOf(day));
            ps.setTimestamp(8, Timestamp.valueOf(moment));
            ps.setNull(9, Types.VARCHAR);
            ps.setShort(10, (short) 3);
            ps.setFloat(11, 1.5f);
            ps.setObject(12, BigInteger.TEN);
            ps.setObject(13, moment);
            ps.setObject(14, 'x');
            assertEquals(1, ps.executeUpdate());
            Request.ExecutePrepared sent = server.received(Request.ExecutePrepared.class).get(0);
            assertEquals(3, sent.statementId());
            assertEquals(Arrays.asList(-7, Long.MIN_VALUE, -0.5, new BigDecimal("12.340"), "héllo ✓", true, day, moment, null, 3, 1.5,
                    BigDecimal.TEN, moment, "x"), sent.params());

            ps.clearParameters();
            SQLException unset = assertThrows(SQLException.class, ps::executeUpdate);
            assertEquals("07001", unset.getSQLState());
            SQLException time = assertThrows(SQLException.class, () -> ps.setObject(1, java.sql.Time.valueOf("10:00:00")));
            assertEquals("0A000", time.getSQLState());
            SQLException other = assertThrows(SQLException.class, () -> ps.setObject(1, new Object()));
            assertEquals("22023", other.getSQLState());
        }
        // The statement was closed on the server with the connection still open.
    }

    @Test
    void calendarVariantsReadAndWriteWallClockValuesInTheCalendarsZone() throws Exception {
        java.util.Calendar tokyo = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
        java.time.Instant instant = java.time.Instant.parse("2024-03-01T22:30:00Z");
        List<ColumnInfo> two = List.of(new ColumnInfo("?1", "?1", Types.TIMESTAMP, "TIMESTAMP", 0, 0, true, ""),
                new ColumnInfo("?2", "?2", Types.DATE, "DATE", 0, 0, true, ""));
        List<ColumnInfo> columns = List.of(new ColumnInfo("TS", "TS", Types.TIMESTAMP, "TIMESTAMP", 0, 0, true, "T"),
                new ColumnInfo("D", "D", Types.DATE, "DATE", 0, 0, true, "T"));
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Prepare) {
                return new Response.Prepared(1, two, List.of());
            }
            if (request instanceof Request.ExecutePrepared) {
                return new Response.UpdateCount(1);
            }
            if (request instanceof Request.Execute) {
                return new Response.RowsHeader(-1, columns, List.<Object[]>of(
                        new Object[] {LocalDateTime.of(2024, 3, 2, 7, 30), LocalDate.of(2024, 3, 2)}), false);
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url());
             PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            ps.setTimestamp(1, Timestamp.from(instant), tokyo);
            ps.setDate(2, new Date(instant.toEpochMilli()), tokyo);
            ps.executeUpdate();
            // 22:30 UTC is 07:30 the next day in Tokyo.
            assertEquals(Arrays.asList(LocalDateTime.of(2024, 3, 2, 7, 30), LocalDate.of(2024, 3, 2)),
                    server.received(Request.ExecutePrepared.class).get(0).params());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT ts, d FROM t")) {
                assertTrue(rs.next());
                assertEquals(instant, rs.getTimestamp(1, tokyo).toInstant());
                assertEquals(instant, rs.getTimestamp("TS", tokyo).toInstant());
                assertEquals(java.time.Instant.parse("2024-03-01T15:00:00Z"), java.time.Instant.ofEpochMilli(rs.getDate("D", tokyo).getTime()));
                assertEquals(Timestamp.valueOf(LocalDateTime.of(2024, 3, 2, 7, 30)), rs.getTimestamp(1));
            }
        }
    }

    @Test
    void preparedStatementCloseFreesItOnTheServer() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                request instanceof Request.Prepare ? new Response.Prepared(11, List.of(), List.of()) : new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url())) {
            c.prepareStatement("DELETE FROM t").close();
            assertEquals(List.of(new Request.CloseStatement(11)), server.received(Request.CloseStatement.class));
        }
    }

    @Test
    void errorsBecomeTheExceptionClassOfTheirSqlState() throws Exception {
        String[] states = {"42000", "22001", "23505", "40001", "54000"};
        Class<?>[] classes = {SQLSyntaxErrorException.class, SQLDataException.class, SQLIntegrityConstraintViolationException.class,
            SQLTransactionRollbackException.class, SQLException.class};
        for (int i = 0; i < states.length; i++) {
            String state = states[i];
            try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                    request instanceof Request.Execute ? new Response.Error(state, "failed with " + state) : new Response.Ok()));
                 Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute("X"));
                assertEquals(state, e.getSQLState());
                assertEquals("failed with " + state, e.getMessage());
                assertInstanceOf(classes[i], e);
                assertFalse(c.isClosed(), "an error answer leaves the connection usable");
            }
        }
    }

    @Test
    void batchErrorBecomesBatchUpdateException() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                request instanceof Request.Batch ? new Response.Error("23505", "batch element 2 of 2 failed: dup") : new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            s.addBatch("A");
            s.addBatch("B");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertArrayEquals(new int[0], e.getUpdateCounts());
            assertEquals(List.of("A", "B"), server.received(Request.Batch.class).get(0).statements());
            assertNull(server.received(Request.Batch.class).get(0).sql());
        }
    }

    @Test
    void undecodableResponseBreaksTheConnectionWith08P01() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Execute) {
                raw.writeInt(1);
                raw.write(99);
                raw.flush();
                return null;
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("X"));
            assertEquals("08P01", e.getSQLState());
            assertInstanceOf(SQLNonTransientConnectionException.class, e);
            assertTrue(c.isClosed());
            SQLException after = assertThrows(SQLException.class, c::createStatement);
            assertEquals("08003", after.getSQLState());
        }
    }

    @Test
    void oversizedResponseLengthBreaksTheConnection() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Execute) {
                raw.writeInt(Integer.MAX_VALUE);
                raw.flush();
                return null;
            }
            return new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("X"));
            assertEquals("08P01", e.getSQLState());
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
        }
    }

    @Test
    void writeWhoseConnectionDropsIs40003AndTheNextStatementReconnects() throws Exception {
        int[] executes = {0};
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> {
            if (request instanceof Request.Execute && executes[0]++ == 0) {
                throw new java.io.IOException("drop");
            }
            return request instanceof Request.Execute ? new Response.UpdateCount(1) : new Response.Ok();
        }));
             Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("X"));
            assertEquals("40003", e.getSQLState(), "a write that may have run is never sent again: its outcome is unknown");
            assertFalse(c.isClosed());
            assertEquals(1, s.executeUpdate("X"));
            assertEquals(2, server.received(Request.Hello.class).size());
        }
    }

    @Test
    void socketTimeoutEndsAWaitForAnAnswer() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                request instanceof Request.Execute ? null : new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url() + "?socketTimeout=300"); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("X"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(SQLTimeoutException.class, e);
            assertEquals("08006", e.getSQLState());
            assertTrue(millis >= 250 && millis < 5_000, "waited " + millis + " ms");
            assertFalse(c.isClosed(), "the next use opens a new connection");
            assertTrue(c.isValid(1));
            assertEquals(2, server.received(Request.Hello.class).size());
        }
    }

    @Test
    void closeDoesNotHangOnANodeThatNeverAnswers() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) ->
                request instanceof Request.Close ? null : new Response.Ok()))) {
            Connection c = DriverManager.getConnection(server.url());
            long start = System.nanoTime();
            c.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < Wire.CLOSE_TIMEOUT_MILLIS + 2_000, "close took " + millis + " ms");
            assertTrue(c.isClosed());
            assertEquals(1, server.received(Request.Close.class).size());
        }
    }

    @Test
    void refusedHandshakeMakesTheDriverTryTheNextHost() throws Exception {
        try (ScriptedServer busy = new ScriptedServer((request, raw) -> new Response.Error("53300", "too many connections (limit 1)"));
             ScriptedServer good = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> new Response.Ok()))) {
            String url = "jdbc:starling://127.0.0.1:" + busy.port() + ",127.0.0.1:" + good.port() + "/";
            try (Connection c = DriverManager.getConnection(url)) {
                assertTrue(c.isValid(1));
            }
            SQLException all = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection("jdbc:starling://127.0.0.1:" + busy.port() + "/"));
            // Every host is up but full: a transient failure with the node's SQLState, worth a retry.
            assertEquals("53300", all.getSQLState());
            assertTrue(all instanceof java.sql.SQLTransientConnectionException, all.getClass().getName());
            assertTrue(all.getMessage().contains("too many connections"), all.getMessage());
        }
    }

    @Test
    void helloCarriesMagicVersionAndUser() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url() + "?user=alice")) {
            Request.Hello hello = server.received(Request.Hello.class).get(0);
            assertEquals(0x5354524C, hello.magic());
            assertEquals(4, hello.version());
            assertEquals("alice", hello.user());
            assertEquals("starling-jdbc", hello.clientName());
            assertEquals("test", c.getMetaData().getDatabaseProductVersion());
        }
    }

    @Test
    void autoCommitCommitAndRollbackAreSentOnlyWhenTheyMeanSomething() throws Exception {
        try (ScriptedServer server = new ScriptedServer(ScriptedServer.withHandshake((request, raw) -> new Response.Ok()));
             Connection c = DriverManager.getConnection(server.url())) {
            c.setAutoCommit(true);
            assertTrue(server.received(Request.SetAutoCommit.class).isEmpty(), "no change, nothing sent");
            assertEquals("25000", assertThrows(SQLException.class, c::commit).getSQLState());
            c.setAutoCommit(false);
            c.commit();
            c.rollback();
            assertEquals(List.of(new Request.SetAutoCommit(false)), server.received(Request.SetAutoCommit.class));
            assertEquals(1, server.received(Request.Commit.class).size());
            assertEquals(1, server.received(Request.Rollback.class).size());
        }
    }
}
