package io.starlingdb.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The {@code starling} command line behind bin/starling: {@code sql} (the SQL shell, or scripts
 * with -e and -f) and {@code cluster status|drain|remove}. {@link #run} returns the exit code instead of
 * exiting, so tests drive it in-process; see {@link ExitCode}.
 */
public final class StarlingCli {

    static final String HISTORY_FILE_NAME = ".starling_history";
    /** Origin named in the error lines of statements read from a pipe. */
    static final String STDIN_ORIGIN = "stdin";

    static final String USAGE = String.join("\n",
            "usage: starling sql --url URL [-e SQL]... [-f FILE]... [--history FILE] [--timing]",
            "       starling cluster status --http HOST:PORT",
            "       starling cluster drain --store N --http HOST:PORT",
            "       starling cluster remove --store N --http HOST:PORT [--timeout SECONDS]",
            "",
            "  sql              the SQL shell; URL is jdbc:starling://host:port[,host2:port2]/",
            "    -e SQL         run the statements (separated by ';'), print their results and exit",
            "    -f FILE        run the statements of FILE and exit; -e and -f may repeat and run in order",
            "    --history FILE the interactive shell's history (default ~/" + HISTORY_FILE_NAME + ")",
            "    --timing       print elapsed times in scripts too (the interactive shell always starts with them)",
            "                   without -e or -f, statements piped on standard input run as a script",
            "  cluster status   the cluster's members and link health, its stores and its ranges with their",
            "                   leaseholders, as one node sees them",
            "    --http HOST:PORT  that node's HTTP address",
            "  cluster drain    move every replica and lease off store N (it receives none while draining)",
            "  cluster remove   drain store N, wait until it holds nothing (default 600 s), mark it removed",
            "                   drain and remove present the cluster secret from STARLING_CLUSTER_SECRET",
            "",
            "Scripts stop at the first failing statement. Exit codes: 0 success, 1 a statement or the",
            "connection failed, 2 bad command line. In the shell, \\? lists the meta-commands.");

    /** Opens the terminal of the interactive shell; called only when the shell is interactive. */
    @FunctionalInterface
    public interface TerminalSource {
        Terminal open() throws IOException;
    }

    private StarlingCli() {
    }

    public static void main(String[] args) {
        // Without a console (stdin or stdout redirected) statements are read as a script, without prompts.
        TerminalSource terminal = System.console() == null ? null
                : () -> TerminalBuilder.builder().system(true).dumb(true).build();
        System.exit(run(args, System.in, System.out, System.err, terminal));
    }

    /** Runs the command without a terminal: scripts, or statements read from {@code in}. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, null);
    }

    /**
     * Runs the command; {@code sql} without -e or -f opens the interactive shell on the terminal
     * that {@code terminal} opens, or, when it is null, reads a script from {@code in}.
     */
    public static int run(String[] args, InputStream in, PrintStream outStream, PrintStream errStream, TerminalSource terminal) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(outStream, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(errStream, StandardCharsets.UTF_8), true);
        try {
            CliArguments arguments;
            try {
                arguments = CliArguments.parse(args, Path.of(System.getProperty("user.home"), HISTORY_FILE_NAME));
            } catch (CliArguments.UsageException e) {
                err.println("starling: " + e.getMessage());
                err.println(USAGE);
                return ExitCode.USAGE;
            }
            switch (arguments.action) {
                case HELP:
                    out.println(USAGE);
                    return ExitCode.OK;
                case CLUSTER_STATUS:
                    return ClusterStatusCommand.run(arguments.httpHost, arguments.httpPort, out, err);
                case CLUSTER_DRAIN:
                    return StoreCommand.drain(arguments.httpHost, arguments.httpPort, arguments.storeId, StoreCommand.secret(),
                            out, err);
                case CLUSTER_REMOVE:
                    return StoreCommand.remove(arguments.httpHost, arguments.httpPort, arguments.storeId,
                            arguments.removeTimeout, StoreCommand.secret(), out, err);
                case SQL:
                    return sql(arguments, in, out, err, terminal);
                default:
                    throw new IllegalStateException("unhandled action " + arguments.action);
            }
        } catch (RuntimeException e) {
            // A bug here or in a library: still one line, not a stack trace.
            err.println(ErrorLine.of(e));
            return ExitCode.FAILURE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int sql(CliArguments arguments, InputStream in, PrintWriter out, PrintWriter err, TerminalSource terminal) {
        try (Connection connection = DriverManager.getConnection(arguments.url)) {
            if (!arguments.scripts.isEmpty()) {
                return scripts(arguments, connection, out, err);
            }
            if (terminal != null) {
                return interactive(arguments, connection, terminal, err);
            }
            SqlSession session = new SqlSession(connection, out, err, arguments.timing, () -> { });
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            return exitCode(new ScriptRunner(session).run(reader, STDIN_ORIGIN));
        } catch (SQLException e) {
            err.println(ErrorLine.of(e));
            return ExitCode.FAILURE;
        } catch (IOException e) {
            err.println(ErrorLine.of("reading standard input: " + e.getMessage()));
            return ExitCode.FAILURE;
        }
    }

    private static int scripts(CliArguments arguments, Connection connection, PrintWriter out, PrintWriter err)
            throws SQLException {
        SqlSession session = new SqlSession(connection, out, err, arguments.timing, () -> { });
        ScriptRunner runner = new ScriptRunner(session);
        for (CliArguments.Script script : arguments.scripts) {
            Outcome outcome;
            if (script.isFile()) {
                try (Reader reader = Files.newBufferedReader(Path.of(script.value()), StandardCharsets.UTF_8)) {
                    outcome = runner.run(reader, script.value());
                } catch (NoSuchFileException e) {
                    err.println(ErrorLine.of("no such file: " + script.value()));
                    return ExitCode.FAILURE;
                } catch (IOException e) {
                    err.println(ErrorLine.of("cannot read " + script.value() + ": " + e.getMessage()));
                    return ExitCode.FAILURE;
                }
            } else {
                outcome = runner.run(script.value(), null);
            }
            if (outcome != Outcome.OK) {
                return exitCode(outcome);
            }
        }
        return ExitCode.OK;
    }

    private static int interactive(CliArguments arguments, Connection connection, TerminalSource source, PrintWriter err)
            throws SQLException {
        try (Terminal terminal = source.open()) {
            DatabaseMetaData meta = connection.getMetaData();
            terminal.writer().println("Connected to " + meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion()
                    + " at " + arguments.url + ". \\? for help, \\q or Ctrl-D to quit.");
            return new InteractiveShell(terminal, connection, arguments.history, true).run();
        } catch (IOException e) {
            err.println(ErrorLine.of("cannot open the terminal: " + e.getMessage()));
            return ExitCode.FAILURE;
        }
    }

    private static int exitCode(Outcome outcome) {
        return outcome == Outcome.FAILED ? ExitCode.FAILURE : ExitCode.OK;
    }
}
