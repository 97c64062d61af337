package io.starlingdb.shell;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

/** How a value shows in a table cell: one line, NULL spelled out, decimals without exponents. */
final class CellText {

    static final String NULL = "NULL";
    private static final String HEX_PREFIX = "\\x";
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();
    private static final int NIBBLE_BITS = 4;
    private static final int NIBBLE_MASK = 0xf;

    private CellText() {
    }

    static String of(ResultSet rs, int column) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null || rs.wasNull()) {
            return NULL;
        }
        return of(value);
    }

    static String of(Object value) {
        if (value == null) {
            return NULL;
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        if (value instanceof byte[]) {
            return hex((byte[]) value);
        }
        return oneLine(String.valueOf(value));
    }

    /** Control characters would break the table's lines; show them escaped. */
    static String oneLine(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : null;
            if (replacement == null) {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(s.length() + 1).append(s, 0, i);
            }
            b.append(replacement);
        }
        return b == null ? s : b.toString();
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(HEX_PREFIX.length() + 2 * bytes.length).append(HEX_PREFIX);
        for (byte x : bytes) {
            b.append(HEX_DIGITS[(x >> NIBBLE_BITS) & NIBBLE_MASK]).append(HEX_DIGITS[x & NIBBLE_MASK]);
        }
        return b.toString();
    }
}
