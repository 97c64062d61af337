package io.starlingdb.sql;

import java.util.List;

/** A statement planned once; execute it many times with different parameters. */
public interface PreparedSql {
    String sql();

    /** Types of the ? parameters, in order. */
    List<ColumnMeta> parameters();

    /** Columns of the result; empty for statements that return an update count. */
    List<ColumnMeta> columns();
}
