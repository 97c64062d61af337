package io.starlingdb.testkit.bench;

import java.util.List;

/** The benchmark's command-line settings, validated. */
record BenchOptions(String url, String user, String password, String label, long rows, int threads,
                    int seconds, int warmupSeconds, int distinctStatements, List<String> phases) {

    static final String USAGE = """
            usage: JdbcBench --url JDBC_URL [--user U] [--password P] [--label NAME]
                             [--rows N] [--threads T] [--seconds S] [--warmup S]
                             [--distinct N] [--phases load,point,literal,update,scan,transfer,distinct]
              --rows     rows loaded into table bench (default 100000, 1..100000000)
              --threads  concurrent clients in the timed phases (default 16, 1..1024)
              --seconds  measured seconds per timed phase (default 10, 1..3600)
              --warmup   unmeasured seconds before each timed phase (default 6, 0..600)
              --distinct statements of the distinct phase, each text sent once (default 400, 1..100000)
              --phases   which phases to run, in order (default load,point,literal,update,scan,transfer,distinct)""";

    private static final List<String> KNOWN_PHASES = List.of("load", "point", "literal", "update", "scan", "transfer", "distinct");

    static BenchOptions parse(String[] args) {
        String url = null;
        String user = "";
        String password = "";
        String label = null;
        long rows = 100_000;
        int threads = 16;
        int seconds = 10;
        int warmup = 6;
        int distinct = 400;
        List<String> phases = KNOWN_PHASES;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--url" -> url = value;
                case "--user" -> user = value;
                case "--password" -> password = value;
                case "--label" -> label = value;
                case "--rows" -> rows = bounded(flag, value, 1, 100_000_000);
                case "--threads" -> threads = (int) bounded(flag, value, 1, 1024);
                case "--seconds" -> seconds = (int) bounded(flag, value, 1, 3600);
                case "--warmup" -> warmup = (int) bounded(flag, value, 0, 600);
                case "--distinct" -> distinct = (int) bounded(flag, value, 1, 100_000);
                case "--phases" -> {
                    phases = List.of(value.split(","));
                    for (String p : phases) {
                        if (!KNOWN_PHASES.contains(p)) {
                            throw new IllegalArgumentException("--phases: unknown phase '" + p + "', allowed " + KNOWN_PHASES);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        if (label == null) {
            label = url.startsWith("jdbc:") ? url.split(":")[1] : url;
        }
        return new BenchOptions(url, user, password, label, rows, threads, seconds, warmup, distinct, phases);
    }

    private static long bounded(String flag, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }
}
