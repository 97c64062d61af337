package io.starlingdb.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.shell.ExitCode;
import io.starlingdb.shell.StarlingCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shell driven in-process, as {@code bin/starling sql -e/-f} runs it, against a real node
 * on free ports. Each test uses its own tables, so they share one node.
 */
class ShellScriptTest extends ShellNodeTest {

    /** What one run of the command line printed, and its exit code. */
    record Run(int code, String out, String err) {
        List<String> outLines() {
            return lines(out);
        }

        List<String> errLines() {
            return lines(err);
        }

        private static List<String> lines(String text) {
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
        }
    }

    private static Run cli(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StarlingCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run sql(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "sql";
        full[1] = "--url";
        full[2] = url();
        System.arraycopy(args, 0, full, 3, args.length);
        return cli("", full);
    }

    private static boolean tableExists(String name) throws Exception {
        try (Connection c = DriverManager.getConnection(node.jdbcUrl());
                ResultSet rs = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    @Test
    void createInsertAndSelectPrintTagsAlignedRowsAndTheRowCount() {
        Run run = sql("-e", "CREATE TABLE people (id INTEGER NOT NULL, name VARCHAR(20), PRIMARY KEY (id));"
                + " INSERT INTO people VALUES (1, 'alice'); INSERT INTO people VALUES (2, 'bob');"
                + " INSERT INTO people VALUES (10, NULL);"
                + " SELECT id, name FROM people ORDER BY id;");
        assertEquals("", run.err());
        assertEquals(ExitCode.OK, run.code());
        assertEquals(List.of(
                "CREATE TABLE",
                "INSERT 1",
                "INSERT 1",
                "INSERT 1",
                "ID | NAME",
                "---+------",
                " 1 | alice",
                " 2 | bob",
                "10 | NULL",
                "(3 rows)"), run.outLines());
    }

    @Test
    void updateAndDeletePrintHowManyRowsTheyChanged() {
        Run run = sql("-e", "CREATE TABLE counters (id INTEGER NOT NULL, n INTEGER, PRIMARY KEY (id));"
                + "INSERT INTO counters VALUES (1, 0); INSERT INTO counters VALUES (2, 0); INSERT INTO counters VALUES (3, 5);"
                + "UPDATE counters SET n = n + 1 WHERE n = 0; DELETE FROM counters WHERE id = 3;"
                + "SELECT COUNT(*) AS c FROM counters");
        assertEquals("", run.err());
        assertEquals(ExitCode.OK, run.code());
        List<String> lines = run.outLines();
        assertEquals(List.of("UPDATE 2", "DELETE 1", "C", "-", "2", "(1 row)"), lines.subList(4, lines.size()));
    }

    @Test
    void aLongResultStreamsWithTheWidthsOfItsFirstThousandRows() {
        Run run = sql("-e", "CREATE TABLE digits (d INTEGER NOT NULL, PRIMARY KEY (d));"
                + " INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);"
                + " SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS n"
                + " FROM digits a, digits b, digits c, digits e ORDER BY n");
        assertEquals("", run.err());
        assertEquals(ExitCode.OK, run.code());
        List<String> lines = run.outLines();
        int rows = 10_000;
        int firstRow = 4; // CREATE TABLE, INSERT 10, header, rule
        assertEquals(firstRow + rows + 1, lines.size());
        assertEquals(List.of("CREATE TABLE", "INSERT 10", "N", "---", "  0", "  1"), lines.subList(0, firstRow + 2));
        assertEquals("999", lines.get(firstRow + 999));
        assertEquals("1000", lines.get(firstRow + 1000));
        assertEquals("(10000 rows)", lines.get(lines.size() - 1));
    }

    @Test
    void anUnknownTableIsOneErrorLineWithItsSqlStateAndExitCode1() {
        Run run = sql("-e", "SELECT * FROM no_such_table");
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().get(0).startsWith("ERROR 42S02: "), run.err());
        assertTrue(run.err().toUpperCase().contains("NO_SUCH_TABLE"), run.err());
    }

    @Test
    void aSyntaxErrorIsOneLineWithState42000() {
        Run run = sql("-e", "SELEC 1");
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().get(0).startsWith("ERROR 42000: "), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace");
    }

    @Test
    void aFileRunsInOrderAndStopsAtTheFirstFailingStatement() throws Exception {
        Path script = Files.writeString(dir.resolve("stops.sql"), String.join("\n",
                "-- the first statement works",
                "CREATE TABLE before_failure (id INTEGER NOT NULL, PRIMARY KEY (id));",
                "SELECT *",
                "  FROM missing_in_script;",
                "CREATE TABLE after_failure (id INTEGER NOT NULL, PRIMARY KEY (id));",
                ""));
        Run run = sql("-f", script.toString());
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals(List.of("CREATE TABLE"), run.outLines());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().get(0).startsWith(script + ":3: ERROR 42S02: "), run.err());
        assertTrue(tableExists("BEFORE_FAILURE"));
        assertFalse(tableExists("AFTER_FAILURE"), "statements after the failure must not run");
    }

    @Test
    void metaCommandsInAScriptListAndDescribeTables() throws Exception {
        Path script = Files.writeString(dir.resolve("describe.sql"), String.join("\n",
                "CREATE TABLE orders (",
                "  id BIGINT NOT NULL,",
                "  customer VARCHAR(40) NOT NULL,",
                "  note VARCHAR(100),",
                "  PRIMARY KEY (id)",
                ");",
                "\\dt",
                "\\d orders",
                ""));
        Run run = sql("-f", script.toString());
        assertEquals("", run.err());
        assertEquals(ExitCode.OK, run.code());
        List<String> lines = run.outLines();
        assertTrue(lines.contains("Schema | Table"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+\\s+\\| ORDERS")), run.out());
        int describe = lines.indexOf("Table PUBLIC.ORDERS");
        assertTrue(describe > 0, run.out());
        assertEquals(List.of(
                "Column   | Type         | Nullable | Default",
                "---------+--------------+----------+--------",
                "ID       | BIGINT       | not null |",
                "CUSTOMER | VARCHAR(40)  | not null |",
                "NOTE     | VARCHAR(100) | null     |",
                "Primary key: (ID)"), lines.subList(describe + 1, describe + 7));
        assertTrue(lines.get(describe + 7).equals("Indexes:"), run.out());
    }

    @Test
    void describingAnUnknownTableFailsWith42S02() {
        Run run = sql("-e", "\\d nothing_here");
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals(List.of("ERROR 42S02: Table 'nothing_here' not found"), run.errLines());
    }

    @Test
    void statementsPipedOnStandardInputRunAsAScript() {
        Run run = cli("CREATE TABLE piped (id INTEGER NOT NULL, PRIMARY KEY (id));\nSELECT *\nFROM piped;\n",
                "sql", "--url", url());
        assertEquals("", run.err());
        assertEquals(ExitCode.OK, run.code());
        assertEquals(List.of("CREATE TABLE", "ID", "--", "(0 rows)"), run.outLines());
    }

    @Test
    void timingAddsTheElapsedTimeToTheRowCount() {
        Run run = sql("--timing", "-e", "CREATE TABLE timed (id INTEGER NOT NULL, PRIMARY KEY (id)); SELECT * FROM timed;");
        assertEquals(ExitCode.OK, run.code(), run.err());
        List<String> lines = run.outLines();
        assertTrue(lines.get(0).matches("CREATE TABLE \\(\\d+\\.\\d ms\\)"), run.out());
        assertTrue(lines.get(lines.size() - 1).matches("\\(0 rows, \\d+\\.\\d ms\\)"), run.out());
    }

    @Test
    void aNodeThatDoesNotAnswerIsOneLineAndExitCode1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run run = cli("", "sql", "--url", "jdbc:starling://127.0.0.1:" + port + "/", "-e", "SELECT 1");
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().get(0).startsWith("ERROR 08001: "), run.err());
    }

    @Test
    void aMissingScriptFileIsOneLineAndExitCode1() {
        Run run = sql("-f", dir.resolve("absent.sql").toString());
        assertEquals(ExitCode.FAILURE, run.code());
        assertEquals(List.of("ERROR: no such file: " + dir.resolve("absent.sql")), run.errLines());
    }
}
