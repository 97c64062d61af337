package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starlingdb.sql.exec.PlannerWarmUp;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every start-up warm-up statement runs, and each is new to the plan cache's text key. */
class PlannerWarmUpTest {

    @TempDir
    Path dir;

    @Test
    void everyWarmUpStatementRunsAndIsNew() throws SqlException {
        try (SqlFixture db = new SqlFixture(dir)) {
            db.update(PlannerWarmUp.CREATE_TABLE);
            db.update("INSERT INTO starling_warmup VALUES (1, 10, 'b1', 1.5), (2, NULL, 'q2', 2.5), (3, 30, NULL, NULL)");
            SplittableRandom random = new SplittableRandom(42);
            Set<String> texts = new HashSet<>();
            for (int i = 0; i < 60; i++) { // ten of each shape
                String sql = PlannerWarmUp.statement(i, random);
                texts.add(sql);
                db.rows(sql); // throws if the statement does not plan or run
            }
            assertEquals(60, texts.size(), "each statement's text is new");
        }
    }
}
