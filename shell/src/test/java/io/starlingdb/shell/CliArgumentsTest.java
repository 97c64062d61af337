package io.starlingdb.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliArgumentsTest {

    private static final Path HISTORY = Path.of("/home/u/.starling_history");
    private static final String URL = "jdbc:starling://127.0.0.1:5433/";

    private static CliArguments parse(String... args) throws CliArguments.UsageException {
        return CliArguments.parse(args, HISTORY);
    }

    private static String usageError(String... args) {
        return assertThrows(CliArguments.UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void sqlTakesTheUrlAndScriptsInCommandLineOrder() throws Exception {
        CliArguments a = parse("sql", "--url", URL, "-f", "a.sql", "-e", "SELECT 1", "--history", "/tmp/h", "--timing");
        assertEquals(CliArguments.Action.SQL, a.action);
        assertEquals(URL, a.url);
        assertEquals(List.of(new CliArguments.Script(true, "a.sql"), new CliArguments.Script(false, "SELECT 1")), a.scripts);
        assertEquals(Path.of("/tmp/h"), a.history);
        assertTrue(a.timing);
    }

    @Test
    void historyDefaultsToTheFileInTheHomeDirectory() throws Exception {
        CliArguments a = parse("sql", "--url", URL);
        assertEquals(HISTORY, a.history);
        assertFalse(a.timing);
        assertTrue(a.scripts.isEmpty());
    }

    @Test
    void mistakesNameWhatWasWrong() {
        assertEquals("missing command (sql or cluster status)", usageError());
        assertEquals("unknown command 'sq' (expected sql or cluster status)", usageError("sq"));
        assertTrue(usageError("sql").startsWith("sql: missing --url"));
        assertEquals("option -e needs a value", usageError("sql", "--url", URL, "-e"));
        assertEquals("sql: unknown option '--verbose'", usageError("sql", "--url", URL, "--verbose"));
        assertTrue(usageError("sql", "--url", "jdbc:postgresql://x/").contains("must start with jdbc:starling:"));
        assertEquals("cluster needs a subcommand: status, drain or remove", usageError("cluster"));
        assertTrue(usageError("cluster", "status").contains("missing --http HOST:PORT"));
        assertTrue(usageError("cluster", "status", "--http", "localhost").contains("wants HOST:PORT"));
        assertTrue(usageError("cluster", "status", "--http", "h:99999").contains("1..65535"));
    }

    @Test
    void clusterStatusAcceptsHostPortWithOrWithoutScheme() throws Exception {
        CliArguments a = parse("cluster", "status", "--http", "http://10.0.0.5:8080/");
        assertEquals(CliArguments.Action.CLUSTER_STATUS, a.action);
        assertEquals("10.0.0.5", a.httpHost);
        assertEquals(8080, a.httpPort);
    }

    @Test
    void drainAndRemoveNameAStoreAndANode() throws Exception {
        CliArguments drain = parse("cluster", "drain", "--store", "4", "--http", "127.0.0.1:7481");
        assertEquals(CliArguments.Action.CLUSTER_DRAIN, drain.action);
        assertEquals(4, drain.storeId);
        assertEquals("127.0.0.1", drain.httpHost);
        assertEquals(7481, drain.httpPort);
        CliArguments remove = parse("cluster", "remove", "--http", "h:1", "--store", "5", "--timeout", "90");
        assertEquals(CliArguments.Action.CLUSTER_REMOVE, remove.action);
        assertEquals(5, remove.storeId);
        assertEquals(java.time.Duration.ofSeconds(90), remove.removeTimeout);
        assertEquals(StoreCommand.DEFAULT_REMOVE_TIMEOUT, parse("cluster", "remove", "--store", "5", "--http", "h:1").removeTimeout);
    }

    @Test
    void drainAndRemoveMistakesNameWhatWasWrong() {
        assertEquals("cluster drain: missing --store N (the store id, as in cluster status)",
                usageError("cluster", "drain", "--http", "h:1"));
        assertEquals("cluster remove: --store is a store id, 1..1000000, got 'x'",
                usageError("cluster", "remove", "--store", "x", "--http", "h:1"));
        assertEquals("cluster drain: --store is a store id, 1..1000000, got '0'",
                usageError("cluster", "drain", "--store", "0", "--http", "h:1"));
        assertTrue(usageError("cluster", "drain", "--store", "2").startsWith("cluster drain: missing --http HOST:PORT"));
        assertEquals("cluster drain: unknown option '--timeout' (only remove waits)",
                usageError("cluster", "drain", "--store", "2", "--http", "h:1", "--timeout", "5"));
        assertEquals("cluster remove: --timeout is seconds, 1..86400, got '0'",
                usageError("cluster", "remove", "--store", "2", "--http", "h:1", "--timeout", "0"));
        assertTrue(usageError("cluster", "remove", "--store", "2", "--http", "h").contains("wants HOST:PORT"));
    }

    @Test
    void helpWinsWhereverAnOptionIsExpected() throws Exception {
        assertEquals(CliArguments.Action.HELP, parse("--help").action);
        assertEquals(CliArguments.Action.HELP, parse("sql", "-h").action);
        assertEquals(CliArguments.Action.HELP, parse("cluster", "status", "--help").action);
        // ...but not where it is the value of an option.
        assertEquals(List.of(new CliArguments.Script(false, "--help")), parse("sql", "--url", URL, "-e", "--help").scripts);
    }

    @Test
    void badArgumentsExitWithCode2AndOneErrorLineBeforeTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StarlingCli.run(new String[] {"sql", "--bogus"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(ExitCode.USAGE, code);
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("starling: sql: unknown option '--bogus'", lines[0]);
        assertTrue(lines[1].startsWith("usage: starling sql --url URL"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StarlingCli.run(new String[] {"--help"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));
        assertEquals(ExitCode.OK, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("cluster status --http HOST:PORT"));
    }
}
