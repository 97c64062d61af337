package io.starlingdb.sql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.starlingdb.sql.SqlException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tree's shape is equal for the same statement however written, and differs for any other statement. */
class TreeShapeTest {

    private static List<Object> shape(String sql) throws SqlException {
        return TreeShape.of(QueryCompiler.parse(sql));
    }

    @Test
    void theSameStatementWrittenDifferentlyHasOneShape() throws SqlException {
        assertEquals(shape("SELECT a, b FROM t WHERE a = ? AND b IN (1, 2)"),
                shape("select a,b\n  from T -- comment\n where a=? and b in (1,2)"));
    }

    @Test
    void anyDifferenceInTheStatementGivesAnotherShape() throws SqlException {
        List<Object> base = shape("SELECT a FROM t WHERE a = 1");
        assertNotEquals(base, shape("SELECT a FROM t WHERE a = 2"), "literal value");
        assertNotEquals(base, shape("SELECT a FROM t WHERE a = 1.0"), "literal type");
        assertNotEquals(base, shape("SELECT a FROM t WHERE a = '1'"), "string literal");
        assertNotEquals(base, shape("SELECT a FROM t WHERE b = 1"), "column");
        assertNotEquals(base, shape("SELECT a FROM u WHERE a = 1"), "table");
        assertNotEquals(base, shape("SELECT a FROM t WHERE a > 1"), "operator");
        assertNotEquals(base, shape("SELECT a FROM t WHERE a = 1 ORDER BY a"), "an ORDER BY");
        assertNotEquals(shape("SELECT a FROM t WHERE a = ? AND b = ?"), shape("SELECT a FROM t WHERE b = ? AND a = ?"));
        assertNotEquals(shape("SELECT -a FROM t"), shape("SELECT a FROM t"), "unary minus");
        assertNotEquals(shape("SELECT CAST(a AS INTEGER) FROM t"), shape("SELECT CAST(a AS BIGINT) FROM t"), "cast type");
        assertNotEquals(shape("SELECT a FROM t WHERE a IN (1, 2)"), shape("SELECT a FROM t WHERE a IN (1, 2, 3)"), "IN list");
    }

    /** Cast types are shaped from their parts, not printed: every part that prints differently gives another shape. */
    @Test
    void castTypesDifferInEveryPart() throws SqlException {
        List<Object> base = shape("SELECT CAST(a AS VARCHAR(5)) FROM t");
        assertEquals(base, shape("select cast(a as varchar(5)) from t"));
        assertNotEquals(base, shape("SELECT CAST(a AS VARCHAR(6)) FROM t"), "length");
        assertNotEquals(base, shape("SELECT CAST(a AS CHAR(5)) FROM t"), "type name");
        assertNotEquals(base, shape("SELECT CAST(a AS VARCHAR(5) CHARACTER SET \"ISO-8859-1\") FROM t"), "character set");
        List<Object> decimal = shape("SELECT CAST(a AS DECIMAL(5, 2)) FROM t");
        assertNotEquals(decimal, shape("SELECT CAST(a AS DECIMAL(5, 3)) FROM t"), "scale");
        assertNotEquals(decimal, shape("SELECT CAST(a AS DECIMAL(6, 2)) FROM t"), "precision");
        assertNotEquals(decimal, shape("SELECT CAST(a AS DECIMAL) FROM t"), "no precision");
        assertNotEquals(shape("SELECT CAST(a AS TIMESTAMP(3)) FROM t"), shape("SELECT CAST(a AS TIMESTAMP(6)) FROM t"), "timestamp precision");
        assertNotEquals(shape("SELECT CAST(a AS TIMESTAMP) FROM t"), shape("SELECT CAST(a AS TIMESTAMP WITH LOCAL TIME ZONE) FROM t"),
                "time zone");
    }
}
