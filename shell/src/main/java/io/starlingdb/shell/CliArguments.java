package io.starlingdb.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed command line of {@code starling sql} and {@code starling cluster status|drain|remove}. Each
 * mistake is a {@link UsageException} whose message says what was wrong in one line.
 */
final class CliArguments {

    static final String URL_PREFIX = "jdbc:starling:";
    private static final int MAX_PORT = 65_535;

    /** What to run. */
    enum Action { HELP, SQL, CLUSTER_STATUS, CLUSTER_DRAIN, CLUSTER_REMOVE }

    /** Store ids, as the node's store.id setting allows them. */
    private static final long MAX_STORE_ID = 1_000_000;

    /** One -e text or -f file, kept in command-line order. */
    record Script(boolean isFile, String value) {
    }

    final Action action;
    final String url;
    final List<Script> scripts;
    final Path history;
    final boolean timing;
    final String httpHost;
    final int httpPort;
    /** The store of drain and remove. */
    final long storeId;
    /** How long remove waits for the store to empty. */
    final java.time.Duration removeTimeout;

    private CliArguments(Action action, String url, List<Script> scripts, Path history, boolean timing, String httpHost,
            int httpPort) {
        this(action, url, scripts, history, timing, httpHost, httpPort, 0, StoreCommand.DEFAULT_REMOVE_TIMEOUT);
    }

    private CliArguments(Action action, String url, List<Script> scripts, Path history, boolean timing, String httpHost,
            int httpPort, long storeId, java.time.Duration removeTimeout) {
        this.action = action;
        this.url = url;
        this.scripts = List.copyOf(scripts);
        this.history = history;
        this.timing = timing;
        this.httpHost = httpHost;
        this.httpPort = httpPort;
        this.storeId = storeId;
        this.removeTimeout = removeTimeout;
    }

    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static CliArguments parse(String[] args, Path defaultHistory) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing command (sql or cluster status)");
        }
        switch (args[0]) {
            case "help":
            case "--help":
            case "-h":
                return help();
            case "sql":
                return parseSql(args, defaultHistory);
            case "cluster":
                if (args.length >= 2 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    return help();
                }
                if (args.length < 2 || !List.of("status", "drain", "remove").contains(args[1])) {
                    throw new UsageException("cluster needs a subcommand: status, drain or remove");
                }
                return args[1].equals("status") ? parseClusterStatus(args) : parseStoreAction(args);
            default:
                throw new UsageException("unknown command '" + args[0] + "' (expected sql or cluster status)");
        }
    }

    private static CliArguments parseSql(String[] args, Path defaultHistory) throws UsageException {
        String url = null;
        List<Script> scripts = new ArrayList<>();
        Path history = defaultHistory;
        boolean timing = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--url":
                    url = value(args, ++i, arg);
                    break;
                case "-e":
                case "--execute":
                    scripts.add(new Script(false, value(args, ++i, arg)));
                    break;
                case "-f":
                case "--file":
                    scripts.add(new Script(true, value(args, ++i, arg)));
                    break;
                case "--history":
                    history = Path.of(value(args, ++i, arg));
                    break;
                case "--timing":
                    timing = true;
                    break;
                case "--help":
                case "-h":
                    return help();
                default:
                    throw new UsageException("sql: unknown option '" + arg + "'");
            }
        }
        if (url == null) {
            throw new UsageException("sql: missing --url (for example --url jdbc:starling://127.0.0.1:5433/)");
        }
        if (!url.startsWith(URL_PREFIX)) {
            throw new UsageException("sql: --url must start with " + URL_PREFIX + ", got '" + url + "'");
        }
        return new CliArguments(Action.SQL, url, scripts, history, timing, null, 0);
    }

    private static CliArguments parseClusterStatus(String[] args) throws UsageException {
        String address = null;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--http")) {
                address = value(args, ++i, args[i - 1]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                return help();
            } else {
                throw new UsageException("cluster status: unknown option '" + args[i] + "'");
            }
        }
        if (address == null) {
            throw new UsageException("cluster status: missing --http HOST:PORT (a node's HTTP port)");
        }
        String[] hostPort = httpAddress("cluster status", address);
        return new CliArguments(Action.CLUSTER_STATUS, null, List.of(), null, false, hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /** {@code cluster drain|remove --store N --http HOST:PORT [--timeout SECONDS]} (timeout: remove only). */
    private static CliArguments parseStoreAction(String[] args) throws UsageException {
        String command = "cluster " + args[1];
        boolean remove = args[1].equals("remove");
        String address = null;
        String store = null;
        java.time.Duration timeout = StoreCommand.DEFAULT_REMOVE_TIMEOUT;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--http" -> address = value(args, ++i, args[i - 1]);
                case "--store" -> store = value(args, ++i, args[i - 1]);
                case "--timeout" -> {
                    if (!remove) {
                        throw new UsageException(command + ": unknown option '--timeout' (only remove waits)");
                    }
                    String t = value(args, ++i, args[i - 1]);
                    long seconds;
                    try {
                        seconds = Long.parseLong(t);
                    } catch (NumberFormatException e) {
                        seconds = -1;
                    }
                    if (seconds < 1 || seconds > MAX_REMOVE_TIMEOUT_SECONDS) {
                        throw new UsageException(command + ": --timeout is seconds, 1.." + MAX_REMOVE_TIMEOUT_SECONDS
                                + ", got '" + t + "'");
                    }
                    timeout = java.time.Duration.ofSeconds(seconds);
                }
                case "--help", "-h" -> {
                    return help();
                }
                default -> throw new UsageException(command + ": unknown option '" + args[i] + "'");
            }
        }
        if (store == null) {
            throw new UsageException(command + ": missing --store N (the store id, as in cluster status)");
        }
        long storeId;
        try {
            storeId = Long.parseLong(store);
        } catch (NumberFormatException e) {
            storeId = -1;
        }
        if (storeId < 1 || storeId > MAX_STORE_ID) {
            throw new UsageException(command + ": --store is a store id, 1.." + MAX_STORE_ID + ", got '" + store + "'");
        }
        if (address == null) {
            throw new UsageException(command + ": missing --http HOST:PORT (the HTTP port of a node of the cluster)");
        }
        String[] hostPort = httpAddress(command, address);
        return new CliArguments(remove ? Action.CLUSTER_REMOVE : Action.CLUSTER_DRAIN, null, List.of(), null, false,
                hostPort[0], Integer.parseInt(hostPort[1]), storeId, timeout);
    }

    /** The longest --timeout of cluster remove: a day. */
    static final long MAX_REMOVE_TIMEOUT_SECONDS = 86_400;

    /** HOST and PORT of an --http value (with or without http:// and a trailing slash). */
    private static String[] httpAddress(String command, String address) throws UsageException {
        String hostPort = address.startsWith("http://") ? address.substring("http://".length()) : address;
        if (hostPort.endsWith("/")) {
            hostPort = hostPort.substring(0, hostPort.length() - 1);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new UsageException(command + ": --http wants HOST:PORT, got '" + address + "'");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > MAX_PORT) {
            throw new UsageException(command + ": the port of --http must be 1.." + MAX_PORT + ", got '" + address + "'");
        }
        return new String[] {hostPort.substring(0, colon), String.valueOf(port)};
    }

    private static CliArguments help() {
        return new CliArguments(Action.HELP, null, List.of(), null, false, null, 0);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException("option " + option + " needs a value");
        }
        return args[i];
    }
}
