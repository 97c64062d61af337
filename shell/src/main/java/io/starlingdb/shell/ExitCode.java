package io.starlingdb.shell;

/** The process exit codes of the {@code starling} command line; docs/shell.md lists them for scripts. */
public final class ExitCode {

    /** Every statement or command succeeded, or the interactive shell ended with {@code \q} or Ctrl-D. */
    public static final int OK = 0;
    /** A statement failed (scripts stop there), the connection failed, or the cluster endpoint did not answer. */
    public static final int FAILURE = 1;
    /** The command line itself was wrong: unknown command or option, missing value. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
