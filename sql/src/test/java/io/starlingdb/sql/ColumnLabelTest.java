package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Result columns are labelled as users expect: alias, column, function name, never EXPR$n. */
class ColumnLabelTest {

    @TempDir
    Path dir;
    SqlFixture db;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), score DOUBLE)");
        db.update("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private List<String> labels(String sql) throws SqlException {
        StatementResult result = db.session.execute(sql, List.of());
        try (RowCursor cursor = ((StatementResult.Rows) result).cursor()) {
            return cursor.columns().stream().map(ColumnMeta::label).toList();
        }
    }

    @Test
    void aggregatesAreLabelledWithTheirFunctionName() throws SqlException {
        assertEquals(List.of("COUNT"), labels("SELECT COUNT(*) FROM t"));
        assertEquals(List.of("MAX", "SUM", "N"), labels("SELECT MAX(id), SUM(score), COUNT(name) AS n FROM t"));
        assertEquals(List.of("COUNT"), labels("SELECT COUNT(*) FROM t UNION SELECT COUNT(*) FROM t ORDER BY 1"));
    }

    @Test
    void expressionsAreLabelledLikePostgres() throws SqlException {
        assertEquals(List.of("ID", "?column?", "ID", "CASE", "UPPER", "?column?"),
                labels("SELECT id, id + 1, CAST(id AS BIGINT), CASE WHEN id > 1 THEN 'x' END, UPPER(name), 5 FROM t"));
    }

    @Test
    void columnsKeepTheirNames() throws SqlException {
        assertEquals(List.of("ID", "NAME", "SCORE"), labels("SELECT * FROM t"));
        assertEquals(List.of("NAME", "ID"), labels("SELECT t.name, x.id FROM t JOIN t AS x ON t.id = x.id"));
    }
}
