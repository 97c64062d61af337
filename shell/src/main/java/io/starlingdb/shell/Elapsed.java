package io.starlingdb.shell;

import java.util.Locale;

/** Elapsed time as the shell prints it: milliseconds with one decimal, "1.2 ms". */
final class Elapsed {

    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private Elapsed() {
    }

    static String format(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / NANOS_PER_MILLI);
    }
}
