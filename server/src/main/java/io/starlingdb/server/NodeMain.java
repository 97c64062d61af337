package io.starlingdb.server;

import io.starlingdb.server.config.ConfigException;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.server.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * {@code starling start [--conf FILE] [--preset NAME] [--SETTING VALUE ...]}: runs one node in
 * the foreground until SIGTERM or SIGINT, then shuts it down gracefully and exits 0. Exit codes:
 * 0 after a clean stop, 1 when the node fails to start, 2 for bad configuration.
 *
 * <p>Once serving, the node writes the ports it bound to {@value #PORTS_FILE} in its data
 * directory (so a launcher that asked for port 0 can find them) and removes it on a clean stop.
 */
public final class NodeMain {

    /** File in the data directory naming the bound ports, as {@code client.port=N} lines. */
    public static final String PORTS_FILE = "node.ports";
    /** System property logback.xml reads for the node's log directory. */
    static final String LOG_DIR_PROPERTY = "starling.log.dir";

    private NodeMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("start")) {
            System.err.println(usage());
            System.exit(2);
        }
        NodeConfig config;
        try {
            config = parse(args);
        } catch (ConfigException e) {
            System.err.println("starling start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(usage());
            return;
        }
        // Before the first logger is created: logback.xml puts the node's log file here.
        if (System.getProperty(LOG_DIR_PROPERTY) == null) {
            System.setProperty(LOG_DIR_PROPERTY, config.dataDir().toAbsolutePath().toString());
        }
        System.exit(run(config));
    }

    private static int run(NodeConfig config) {
        StarlingNode node = new StarlingNode(config);
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM and SIGINT ask the main thread to stop the node, so a requested stop ends with
        // exit code 0 rather than the JVM's 143. The hook covers any other way the JVM exits.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "starling-shutdown"));
        Path portsFile = config.dataDir().resolve(PORTS_FILE);
        try {
            node.start();
            writePorts(node, portsFile);
        } catch (Exception e) {
            node.close();
            System.err.println("starling start: node " + config.nodeId() + " failed to start: " + e);
            return 1;
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.close();
        try {
            Files.deleteIfExists(portsFile);
        } catch (IOException e) {
            System.err.println("starling start: cannot remove " + portsFile + ": " + e.getMessage());
        }
        return 0;
    }

    /** Written to a temporary file and renamed, so a reader never sees half a file. */
    private static void writePorts(StarlingNode node, Path portsFile) throws IOException {
        Path temporary = portsFile.resolveSibling(PORTS_FILE + ".tmp");
        Files.writeString(temporary, "client.port=" + node.clientAddress().getPort() + "\n"
                + "http.port=" + node.httpAddress().getPort() + "\n"
                + (node.cluster() == null ? "" : "peer.port=" + node.cluster().address().port() + "\n"));
        Files.move(temporary, portsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The configuration the arguments describe, or null when they ask for help. */
    static NodeConfig parse(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path conf = null;
        String preset = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new ConfigException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--conf" -> {
                    conf = Path.of(value);
                    if (!Files.isReadable(conf)) {
                        throw new ConfigException("--conf: cannot read " + conf);
                    }
                }
                case "--preset" -> preset = value;
                default -> flags.put(settingFor(arg).key(), value);
            }
        }
        return NodeConfig.load(flags, System.getenv(), conf, preset);
    }

    private static Setting settingFor(String flag) {
        for (Setting setting : NodeConfig.SETTINGS) {
            if (setting.flag().equals(flag)) {
                return setting;
            }
        }
        throw new ConfigException("unknown option " + flag + " (see starling start --help)");
    }

    static String usage() {
        StringBuilder out = new StringBuilder("""
                usage: starling start [--conf FILE] [--preset development|testing|production] [--SETTING VALUE ...]

                Runs a Starling node in the foreground; SIGTERM or Ctrl-C stops it gracefully (exit 0).
                Each setting may also come from the environment (STARLING_<SETTING>) or the --conf file.
                Settings (flag, default, range, meaning):
                """);
        for (Setting setting : NodeConfig.SETTINGS) {
            out.append("  ").append(setting.summary()).append('\n');
        }
        return out.toString();
    }
}
