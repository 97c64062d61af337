package io.starlingdb.testkit.kv;

import io.starlingdb.engine.encoding.RowCodec;
import io.starlingdb.engine.encoding.ValueType;
import io.starlingdb.testkit.check.ValueFilter;

/**
 * The KV simulator's values as stored: rows in {@link RowCodec}'s encoding, as SQL stores them,
 * so that a filtered scan's {@link io.starlingdb.engine.encoding.RowPredicate} reads them at the
 * leaseholder. Column 1 is the value the history records ("c1-7"), column 2 the number it ends
 * with, which the predicates compare ({@link ValueFilter}).
 */
final class SimRow {

    static final int textColumn = 1;
    static final int numberColumn = 2;
    private static final int[] columns = {textColumn, numberColumn};
    private static final ValueType[] types = {ValueType.VARCHAR, ValueType.BIGINT};

    private SimRow() {
    }

    static byte[] encode(String value) {
        return value == null ? null : RowCodec.encode(columns, types, new Object[] {value, ValueFilter.numberOf(value)});
    }

    static String decode(byte[] row) {
        return row == null ? null : (String) RowCodec.decode(row, columns, types)[0];
    }
}
