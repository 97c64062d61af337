package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.jdbc.protocol.ColumnInfo;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Getters of a result set over wire values: conversions, their errors, NULL handling, cursor state. */
class ResultSetConversionTest {

    private static ResultSet of(Object... values) {
        List<ColumnInfo> columns = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            columns.add(new ColumnInfo("C" + (i + 1), "L" + (i + 1), Types.OTHER, "ANY", 0, 0, true, ""));
        }
        return StarlingResultSet.ofRows(columns, List.<Object[]>of(values));
    }

    private static String state(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(SQLException.class, call).getSQLState();
    }

    @Test
    void numbersConvertWithinRangeAndRefuseOutsideIt() throws Exception {
        ResultSet rs = of(Long.MAX_VALUE, 300, new BigDecimal("12.75"), 2.9, "42", "4x", true);
        assertTrue(rs.next());
        assertEquals(Long.MAX_VALUE, rs.getLong(1));
        assertEquals("22003", state(() -> rs.getInt(1)));
        assertEquals(300, rs.getInt(2));
        assertEquals("22003", state(() -> rs.getByte(2)));
        assertEquals(300, rs.getShort(2));
        assertEquals(12, rs.getInt(3), "decimals truncate toward zero");
        assertEquals(12.75, rs.getDouble(3));
        assertEquals(2, rs.getLong(4));
        assertEquals(42, rs.getInt(5));
        assertEquals(new BigDecimal("42"), rs.getBigDecimal(5));
        assertEquals("22018", state(() -> rs.getInt(6)));
        assertEquals("22018", state(() -> rs.getDouble(6)));
        assertEquals(1, rs.getInt(7));
        assertEquals(new BigDecimal("12.8"), rs.getBigDecimal(3, 1));
    }

    @Test
    void stringsBooleansAndDates() throws Exception {
        LocalDateTime t = LocalDateTime.of(2020, 5, 6, 7, 8, 9, 10_000_000);
        ResultSet rs = of(new BigDecimal("1E+3"), "true", "yes", t, LocalDate.of(2020, 5, 6), "2021-01-02", 0);
        assertTrue(rs.next());
        assertEquals("1000", rs.getString(1), "decimals print plainly");
        assertTrue(rs.getBoolean(2));
        assertEquals("22018", state(() -> rs.getBoolean(3)));
        assertEquals("2020-05-06 07:08:09.01", rs.getString(4));
        assertEquals(Timestamp.valueOf(t), rs.getTimestamp(4));
        assertEquals(Date.valueOf("2020-05-06"), rs.getDate(4));
        assertEquals(Timestamp.valueOf("2020-05-06 00:00:00"), rs.getTimestamp(5));
        assertEquals(LocalDate.of(2021, 1, 2), rs.getObject(6, LocalDate.class));
        assertEquals("22018", state(() -> rs.getDate(7)));
        assertFalse(rs.getBoolean(7));
        assertEquals(Timestamp.valueOf(t), rs.getObject(4), "getObject gives JDBC types for dates and times");
        assertEquals(Date.valueOf("2020-05-06"), rs.getObject(5));
        assertEquals(Integer.valueOf(0), rs.getObject(7, Integer.class));
        assertEquals(Long.valueOf(0), rs.getObject(7, Long.class));
    }

    @Test
    void nullsReadAsZeroFalseOrNullAndSetWasNull() throws Exception {
        ResultSet rs = of(null, 1);
        assertTrue(rs.next());
        assertEquals(0, rs.getInt(1));
        assertTrue(rs.wasNull());
        assertEquals(1, rs.getInt(2));
        assertFalse(rs.wasNull());
        assertFalse(rs.getBoolean(1));
        assertNull(rs.getString(1));
        assertNull(rs.getBigDecimal(1));
        assertNull(rs.getDate(1));
        assertNull(rs.getTimestamp(1));
        assertNull(rs.getObject(1, Integer.class));
    }

    @Test
    void columnsAreFoundByLabelThenNameIgnoringCase() throws Exception {
        ResultSet rs = of(1, 2);
        assertTrue(rs.next());
        assertEquals(1, rs.findColumn("l1"));
        assertEquals(2, rs.findColumn("C2"));
        assertEquals(2, rs.getInt("L2"));
        assertEquals("42S22", state(() -> rs.findColumn("nope")));
        assertEquals("07009", state(() -> rs.getInt(3)));
        assertEquals("07009", state(() -> rs.getInt(0)));
    }

    @Test
    void cursorStateIsChecked() throws Exception {
        ResultSet rs = of(1);
        assertEquals("24000", state(() -> rs.getInt(1)), "before next()");
        assertTrue(rs.next());
        assertFalse(rs.next());
        assertEquals("24000", state(() -> rs.getInt(1)), "after the last row");
        assertFalse(rs.next(), "next() stays false");
        rs.close();
        assertTrue(rs.isClosed());
        assertEquals("24000", state(rs::next));
        rs.close();
    }

    @Test
    void parametersConvertToWireValuesOrAreRefused() throws Exception {
        assertEquals(LocalDate.of(2020, 1, 2), Conversions.toWire(Date.valueOf("2020-01-02")));
        assertEquals(LocalDateTime.of(2020, 1, 2, 3, 4, 5, 6), Conversions.toWire(Timestamp.valueOf(LocalDateTime.of(2020, 1, 2, 3, 4, 5, 6))));
        assertEquals(7, Conversions.toWire((short) 7));
        assertEquals(7, Conversions.toWire((byte) 7));
        assertEquals(0.5, Conversions.toWire(0.5f));
        assertEquals(new BigDecimal("123456789012345678901234567890"),
                Conversions.toWire(new java.math.BigInteger("123456789012345678901234567890")));
        assertEquals("c", Conversions.toWire('c'));
        assertEquals(LocalDateTime.of(2020, 1, 2, 3, 4),
                Conversions.toWire(java.time.OffsetDateTime.of(2020, 1, 2, 3, 4, 0, 0, java.time.ZoneOffset.ofHours(5))));
        assertEquals("0A000", state(() -> Conversions.toWire(java.time.LocalTime.NOON)));
        assertEquals("22023", state(() -> Conversions.toWire(new int[0])));
    }
}
