package io.starlingdb.shell;

/** What became of one command, so that the loop running it knows whether to go on. */
public enum Outcome {
    /** The command did what it asked. */
    OK,
    /** The command failed; its error line has been printed. */
    FAILED,
    /** The user asked to leave ({@code \q}). */
    QUIT
}
